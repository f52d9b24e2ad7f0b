"""What people and workers do to one torrent: files, priorities, start, pause, remove, limits."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libtorrent as lt

from qtorrentino.errors import UsageError
from qtorrentino.torrent import controls
from qtorrentino.torrent.metainfo import checked_wanted, file_priorities, torrent_bytes
from qtorrentino.torrent.record import status_of, take_counters
from qtorrentino.torrent.session_base import SessionBase

if TYPE_CHECKING:
    from collections.abc import Collection

    from qtorrentino.torrent.controls import TorrentDetail
    from qtorrentino.torrent.status import TorrentStatus

_FLAGS = lt.torrent_flags


class TorrentControls(SessionBase):
    """TorrentSession's controls part."""

    def set_file_priorities(self, info_hash: str, wanted_indexes: Collection[int]) -> None:
        """Download only these file indexes (FileEntry.index); every other file is skipped."""
        with self._lock:
            record = self._checked_record(info_hash)
            record.wanted = checked_wanted(record.files or (), wanted_indexes)
            if not record.awaiting_start:
                record.handle.prioritize_files(
                    file_priorities(record.files or (), record.file_count, record.wanted)
                )
                self._request_save(info_hash, record.handle)

    def start(self, info_hash: str) -> None:
        """Begin downloading a metadata-only torrent after the look-before check (or resume it).

        A torrent that was seeding dials its known peers again: seeds dropped it while it wanted nothing.
        """
        with self._lock:
            record = self._checked_record(info_hash)
            if record.awaiting_start:
                self._begin_download(info_hash, record)
            else:
                self.resume(info_hash)
                for peer in record.peers:
                    record.handle.connect_peer(peer)

    def has(self, info_hash: str) -> bool:
        """Whether the session holds this torrent."""
        with self._lock:
            return info_hash.lower() in self._records

    def wanted_indexes(self, info_hash: str) -> frozenset[int] | None:
        """The file indexes the torrent downloads (None: every file)."""
        with self._lock:
            return self._record(info_hash).wanted

    def file_progress(self, info_hash: str) -> dict[int, tuple[int, int]]:
        """Each real file's (bytes verified, size), by file index; empty before the metadata is known."""
        with self._lock:
            record = self._record(info_hash)
            if record.files is None:
                return {}
            done = record.handle.file_progress(lt.torrent_handle.piece_granularity)
            return {entry.index: (int(done[entry.index]), entry.size) for entry in record.files}

    def pause(self, info_hash: str) -> None:
        """Pause a torrent until `resume()`; it stays paused across restarts."""
        with self._lock:
            record = self._record(info_hash)
            record.handle.unset_flags(_FLAGS.auto_managed)
            record.handle.pause()
            take_counters(record)
            self._request_save(info_hash, record.handle)

    def resume(self, info_hash: str) -> None:
        """Resume a paused torrent (clearing a disk error), back under the active-torrent limits."""
        with self._lock:
            record = self._checked_record(info_hash)
            if record.awaiting_start:
                raise UsageError(
                    f"torrent {info_hash} only fetched its file list",
                    hint="It starts when its ticket is approved.",
                )
            record.handle.clear_error()
            take_counters(record)
            record.file_error = None
            record.handle.unset_flags(_FLAGS.upload_mode)
            record.handle.set_flags(_FLAGS.auto_managed)
            record.handle.resume()

    def remove(self, info_hash: str, delete_data: bool) -> None:
        """Remove a torrent and its resume data; delete_data also deletes its downloaded files."""
        with self._lock:
            record = self._record(info_hash)
            del self._records[info_hash.lower()]
            option = lt.session.delete_files if delete_data else lt.session.delete_partfile
            if delete_data:
                self._deleting.add(info_hash.lower())
            self._session.remove_torrent(record.handle, option)
            self._store.forget(info_hash.lower())
            self._changed.notify_all()

    def wait_data_deleted(self, info_hash: str, timeout: float) -> bool:
        """Wait until libtorrent has deleted a removed torrent's files (its disk jobs may still be writing them)."""
        with self._changed:
            return self._changed.wait_for(lambda: info_hash.lower() not in self._deleting, timeout)

    def force_recheck(self, info_hash: str) -> None:
        """Hash-check the torrent's data on disk again (after files were touched behind its back)."""
        with self._lock:
            self._checked_record(info_hash).handle.force_recheck()

    def reannounce(self, info_hash: str) -> None:
        """Announce to every tracker now, whatever their minimum interval says."""
        with self._lock:
            record = self._checked_record(info_hash)
            record.handle.force_reannounce(0, -1, lt.reannounce_flags_t.ignore_min_interval)

    def set_rate_limits(self, info_hash: str, *, upload_kib: int, download_kib: int) -> None:
        """The torrent's own rate limits in KiB/s (0 = none of its own); kept across restarts."""
        with self._lock:
            record = self._checked_record(info_hash)
            record.handle.set_upload_limit(controls.limit_bytes(upload_kib))
            record.handle.set_download_limit(controls.limit_bytes(download_kib))
            self._request_save(info_hash, record.handle)

    def set_file_priority(self, info_hash: str, index: int, priority: int) -> None:
        """A person's priority for one file (0 skip, 1 low, 4 normal, 7 high); never skips a file a ticket wants."""
        with self._lock:
            record = self._checked_record(info_hash)
            checked_wanted(record.files or (), [index])
            if controls.checked_priority(priority) == 0 and (record.wanted is None or index in record.wanted):
                raise UsageError(f"file {index} of {info_hash[:12]} is wanted by its ticket; it cannot be skipped")
            if priority and record.wanted is not None:
                record.wanted = record.wanted | {index}
            record.handle.file_priority(index, priority)
            self._request_save(info_hash, record.handle)

    def detail(self, info_hash: str) -> TorrentDetail:
        """Files with priorities and progress, connected peers, trackers with their status, asked now."""
        with self._lock:
            record = self._record(info_hash)
            status = status_of(record.handle.status(), record)
            return controls.describe(record.handle, status, record.files or (), dict(record.announced))

    def status(self, info_hash: str) -> TorrentStatus:
        """The torrent's live numbers, asked of libtorrent now."""
        with self._lock:
            record = self._record(info_hash)
            return status_of(record.handle.status(), record)

    def statuses(self) -> list[TorrentStatus]:
        """Every torrent's live numbers, asked of libtorrent now."""
        with self._lock:
            return [status_of(record.handle.status(), record) for record in self._records.values()]

    def torrent_file_bytes(self, info_hash: str) -> bytes:
        """A .torrent for the catalog: the exact info dict plus the trackers."""
        with self._lock:
            record = self._checked_record(info_hash)
            info = record.handle.torrent_file()
            if info is None:
                raise UsageError(f"torrent {info_hash} has no metadata yet")
            return torrent_bytes(info, record.trackers)

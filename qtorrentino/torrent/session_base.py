"""The state the parts of TorrentSession share: the libtorrent session, its torrents, lookups."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libtorrent as lt

from qtorrentino.errors import HostileMetadata, NotFound, TorrentError, UsageError
from qtorrentino.torrent.metainfo import file_priorities, hash_text
from qtorrentino.torrent.metainfo_check import REFUSAL_HINT
from qtorrentino.torrent.record import TorrentRecord, bank_run
from qtorrentino.torrent.resume import AddIntent

if TYPE_CHECKING:
    import threading

    from qtorrentino.torrent.alerts import AlertPump
    from qtorrentino.torrent.resume import PendingSaves, ResumeStore

_FLAGS = lt.torrent_flags
SAVE_FLAGS = lt.save_resume_flags_t.save_info_dict


class SessionBase:
    """The fields TorrentSession.__init__ sets, and the helpers its parts (adding, flushing,
    controls, alert translation) share."""

    unclean_start: bool
    _store: ResumeStore
    _session: lt.session
    _lock: threading.RLock
    _changed: threading.Condition
    _records: dict[str, TorrentRecord]
    _pending: PendingSaves
    _closing: bool
    _closed: bool
    _stats_seen: int
    _writing_threads: int
    _deleting: set[str]
    _pump: AlertPump

    @property
    def listen_port(self) -> int:
        """The port BitTorrent listens on (the real one when the config asked for port 0)."""
        return self._session.listen_port()

    def _begin_download(self, info_hash: str, record: TorrentRecord) -> None:
        """Re-add a metadata-only torrent with its priorities, so that its peers reconnect at once.

        Peers drop a torrent that wants nothing as redundant; raising priorities in place would
        wait out libtorrent's reconnect timer.
        """
        params = lt.add_torrent_params()
        params.total_uploaded, params.total_downloaded = bank_run(record)
        params.ti = record.handle.torrent_file()
        params.save_path = str(record.save_path)
        params.trackers = record.trackers
        params.peers = record.peers
        params.added_time = record.added_time
        params.file_priorities = file_priorities(
            record.files or (), record.file_count, record.wanted
        )
        params.flags = (params.flags | _FLAGS.auto_managed) & ~_FLAGS.paused
        self._session.remove_torrent(record.handle)
        record.handle = self._session.add_torrent(params)
        record.awaiting_start = record.metadata_only = False
        self._store.write_intent(info_hash, AddIntent(False, tuple(record.peers)))
        self._request_save(info_hash, record.handle)

    def _request_save(
        self, info_hash: str, handle: lt.torrent_handle, flags: int = SAVE_FLAGS
    ) -> None:
        self._pending.requested()
        try:
            handle.save_resume_data(flags)
        except RuntimeError:
            self._pending.finished(info_hash, saved=False)

    def _record(self, info_hash: str) -> TorrentRecord:
        if (record := self._records.get(info_hash.lower())) is None:
            raise NotFound(f"no torrent {info_hash} in the session")
        return record

    def _checked_record(self, info_hash: str) -> TorrentRecord:
        """A torrent whose metadata is known and passed the check."""
        record = self._record(info_hash)
        if record.refusal is not None:
            raise HostileMetadata(record.refusal, hint=REFUSAL_HINT)
        if record.files is None:
            raise UsageError(f"torrent {info_hash} has no metadata yet; wait for it first")
        return record

    def _record_of(self, handle: lt.torrent_handle) -> TorrentRecord | None:
        record = self._records.get(self._key_of(handle))
        return record if record is not None and record.handle == handle else None

    def _key_of(self, handle: lt.torrent_handle) -> str:
        """Our key for a handle: its v1 hash, or the key it was added under (a v2 magnet)."""
        try:
            key = hash_text(handle.info_hashes())
        except RuntimeError:
            return ""
        if key in self._records:
            return key
        return next(
            (other for other, record in self._records.items() if record.handle == handle), key
        )

    def _require_open(self) -> None:
        if self._closed:
            raise TorrentError("the torrent session is closed")

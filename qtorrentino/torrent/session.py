"""TorrentSession: the embedded libtorrent session, and the only module that imports libtorrent."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Self, cast

import libtorrent as lt

from qtorrentino import __version__
from qtorrentino.domain.files import FileEntry
from qtorrentino.domain.redact import redact_text
from qtorrentino.errors import ConfigError, HostileMetadata, NotFound, TorrentError, UsageError
from qtorrentino.torrent import controls
from qtorrentino.torrent.alerts import AlertPump
from qtorrentino.torrent.controls import Announced, TorrentDetail
from qtorrentino.torrent.ledger import Totals, TransferLedger
from qtorrentino.torrent.metainfo_check import REFUSAL_HINT, check_metainfo, files_from_info
from qtorrentino.torrent.resume import AddIntent, PendingSaves, ResumeStore
from qtorrentino.torrent.settings import identity_settings, proxy_settings
from qtorrentino.torrent.status import (
    MetadataChecked,
    RestoreReport,
    ResumeDataFailed,
    ResumeDataReady,
    SessionFailed,
    StatusesUpdated,
    TorrentFailed,
    TorrentFinished,
    TorrentMetadata,
    TorrentState,
    TorrentStatus,
)

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence

    from qtorrentino.config.model import TorrentConfig
    from qtorrentino.torrent.alerts import SessionListener
    from qtorrentino.torrent.status import Notice

log = logging.getLogger(__name__)

MAX_TORRENT_BYTES = 10_000_000
LOAD_LIMITS = cast(
    "lt.load_torrent_limits",
    {
        "max_buffer_size": MAX_TORRENT_BYTES,
        "max_pieces": 0x200000,
        "max_decode_depth": 100,
        "max_decode_tokens": 3_000_000,
    },
)
WANTED_PRIORITY = 4
DISK_QUEUE_BYTES = 256 << 20
STOP_TRACKER_TIMEOUT_SECONDS = 2
CLOSE_TIMEOUT_SECONDS = 30.0
ALERT_QUEUE_SIZE = 10_000

WRITE_SETTLE_POLL_SECONDS = 0.05
MIN_RECONNECT_SECONDS = 5
"""Wait before dialling a peer again, times its failures (libtorrent's 60 s left a magnet whose only peer
refused once idle for a minute)."""
FLUSH_ROUNDS = 2
"""Flush-and-settle rounds before a finished torrent's files are read (one round left blocks unwritten under load)."""

_AM = lt.alert.category_t
_FLAGS = lt.torrent_flags
_ENCRYPTION = {
    "enabled": lt.enc_policy.enabled,
    "forced": lt.enc_policy.forced,
    "disabled": lt.enc_policy.disabled,
}
_STATES = {
    lt.torrent_status.states.downloading_metadata: TorrentState.DOWNLOADING_METADATA,
    lt.torrent_status.states.checking_files: TorrentState.CHECKING,
    lt.torrent_status.states.checking_resume_data: TorrentState.CHECKING,
    lt.torrent_status.states.finished: TorrentState.FINISHED,
    lt.torrent_status.states.seeding: TorrentState.SEEDING,
}
_SAVE_FLAGS = lt.save_resume_flags_t.save_info_dict
_FINAL_SAVE_FLAGS = _SAVE_FLAGS | lt.save_resume_flags_t.flush_disk_cache


class _Torrent:
    """What the session remembers about one torrent besides libtorrent's own state."""

    def __init__(
        self,
        handle: lt.torrent_handle,
        save_path: Path,
        intent: AddIntent,
        params: lt.add_torrent_params,
    ) -> None:
        self.handle = handle
        self.save_path = save_path
        self.metadata_only = intent.metadata_only
        self.peers = list(intent.peers)
        self.trackers: list[str] = list(params.trackers)
        self.added_time = params.added_time or int(time.time())
        self.files: tuple[FileEntry, ...] | None = None
        self.file_count = 0
        self.wanted: frozenset[int] | None = None
        self.awaiting_start = False
        self.refusal: str | None = None
        self.file_error: tuple[int, str] | None = None
        """The errno and message of the last file error, until the torrent is resumed."""
        self.flushes_asked = self.flushes_done = 0
        self.ledger = TransferLedger(Totals(params.total_uploaded, params.total_downloaded))
        self.saved_totals: Totals | None = None
        self.announced: dict[str, Announced] = {}

    def set_files(self, inspected: tuple[tuple[FileEntry, ...], int]) -> None:
        self.files, self.file_count = inspected


class TorrentSession:
    """One libtorrent session configured from [torrent]; thread-safe, never for a UI loop.

    Close it before the process exits: it saves resume data and stops the torrent-alerts thread.
    """

    def __init__(
        self,
        config: TorrentConfig,
        state_dir: Path,
        *,
        listener: SessionListener,
        user_agent: str = "",
        proxy: str = "",
    ) -> None:
        """user_agent "" takes [torrent] user_agent, else the honest default; proxy is [network] proxy."""
        self._store = ResumeStore(state_dir)
        self.unclean_start = self._store.begin_run()
        """True when the previous session on this state_dir was killed before it saved."""
        self._session = lt.session(_settings(config, user_agent) | proxy_settings(proxy))
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._records: dict[str, _Torrent] = {}
        self._pending = PendingSaves()
        self._closing = self._closed = False
        self._stats_seen = self._writing_threads = 0
        self._pump = AlertPump(self, listener, self._store, self._pending)
        self._pump.start()

    @property
    def listen_port(self) -> int:
        """The port BitTorrent listens on (the real one when the config asked for port 0)."""
        return self._session.listen_port()

    def add_magnet(self, uri: str, save_path: Path, *, metadata_only: bool, totals: Totals | None = None) -> str:
        """Add a magnet; no content is wanted until its metadata passes the check.

        With metadata_only it then waits, paused, for `start()`; otherwise every file starts. totals are
        what the torrent moved before (kept by the catalog when its resume data is lost).
        """
        self._require_open()
        try:
            params = lt.parse_magnet_uri(uri)
        except RuntimeError as error:
            raise UsageError(
                f"not a usable magnet link ({error}): {redact_text(uri)[:160]}"
            ) from error
        params.save_path = str(save_path.absolute())
        params.file_priorities = []  # a BEP 53 `so=` would want files before the check
        params.flags |= _FLAGS.default_dont_download
        params.flags &= ~(_FLAGS.paused | _FLAGS.auto_managed)
        _start_totals(params, totals)
        return self._add(
            _hash_text(params.info_hashes), params, AddIntent(metadata_only, tuple(params.peers))
        )

    def add_torrent_bytes(
        self,
        data: bytes,
        save_path: Path,
        *,
        wanted_indexes: Collection[int] | None = None,
        peers: Sequence[tuple[str, int]] = (),
        seed_mode: bool = False,
        totals: Totals | None = None,
    ) -> str:
        """Add a .torrent after the hostile-metadata check; wanted_indexes None means every file.

        An empty wanted_indexes adds it paused, like a metadata-only magnet: choose files with
        `set_file_priorities()`, then `start()`. peers are (host, port) to try at once, like a
        magnet's `x.pe`. seed_mode trusts the data already in save_path (pieces are hash-checked
        as they are sent). totals are what the torrent moved before, as for `add_magnet()`. To look
        at the files without adding anything, use `read_torrent_file()`.
        """
        self._require_open()
        params, info = _load(data)
        inspected = _inspect(info)
        wanted = _checked_wanted(inspected[0], wanted_indexes)
        waits_for_start = wanted is not None and not wanted
        params.save_path = str(save_path.absolute())
        params.peers = list(peers)
        if wanted is not None:
            params.file_priorities = _priorities(*inspected, wanted)
        if waits_for_start:
            params.flags = (params.flags | _FLAGS.paused) & ~_FLAGS.auto_managed
        else:
            params.flags = (params.flags | _FLAGS.auto_managed) & ~_FLAGS.paused
        if seed_mode:
            params.flags |= _FLAGS.seed_mode
        _start_totals(params, totals)
        intent = AddIntent(waits_for_start, tuple(params.peers))
        return self._add(_hash_text(info.info_hashes()), params, intent, inspected, wanted)

    def restore(
        self, save_paths: Mapping[str, Path], *, verified: Collection[str] = ()
    ) -> RestoreReport:
        """Re-add each stored torrent the caller knows, saving where the caller says (not the blob).

        After an unclean shutdown each restored torrent not in `verified` is checked again.
        """
        self._require_open()
        restored: list[str] = []
        rechecking: list[str] = []
        orphaned: list[str] = []
        failed: dict[str, str] = {}
        known = {info_hash.lower(): path.absolute() for info_hash, path in save_paths.items()}
        verified_hashes = {info_hash.lower() for info_hash in verified}
        stored = self._store.info_hashes()
        for info_hash in stored:
            if info_hash in self._records:
                continue
            if info_hash not in known:
                orphaned.append(info_hash)
                continue
            try:
                distrust = self.unclean_start and info_hash not in verified_hashes
                handle = self._restore_one(info_hash, known[info_hash], distrust_pieces=distrust)
            except (RuntimeError, TorrentError) as error:
                failed[info_hash] = str(error)
                log.warning("could not restore torrent %s: %s", info_hash, error)
                continue
            restored.append(info_hash)
            if self.unclean_start and info_hash not in verified_hashes:
                handle.force_recheck()
                rechecking.append(info_hash)
        missing = tuple(sorted(set(known) - set(stored)))
        return RestoreReport(tuple(restored), tuple(rechecking), tuple(orphaned), missing, failed)

    def wait_metadata(self, info_hash: str, timeout: float) -> list[FileEntry]:
        """Block until the torrent's checked file list is known (pad files left out).

        Raises:
            HostileMetadata: the metadata was refused; nothing was written.
            TorrentError: no metadata within timeout.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while (record := self._record(info_hash)).files is None:
                if record.refusal is not None:
                    raise HostileMetadata(record.refusal, hint=REFUSAL_HINT)
                if not self._changed.wait(max(0.0, deadline - time.monotonic())):
                    raise TorrentError(
                        f"no peer sent the metadata of {info_hash} within {timeout:g} s",
                        hint="The release may be dead; try another candidate.",
                    )
            return list(record.files)

    def flush_files(self, info_hash: str, timeout: float) -> bool:
        """Wait until every block libtorrent holds for the torrent is written; False on timeout or removal.

        A piece passes its hash check (and the torrent finishes) before its blocks are necessarily on disk,
        so whoever reads a finished torrent's files flushes it first.
        """
        deadline = time.monotonic() + timeout
        return all(self._flushed(info_hash, deadline) and self._writes_settled(deadline)
                   for _ in range(FLUSH_ROUNDS))

    def _flushed(self, info_hash: str, deadline: float) -> bool:
        """Ask libtorrent to write out the torrent's cached blocks and wait for its answer."""
        with self._changed:
            record = self._record(info_hash)
            record.flushes_asked += 1
            ticket = record.flushes_asked
            record.handle.flush_cache()
            while record.flushes_done < ticket:
                if self._records.get(info_hash.lower()) is not record:
                    return False
                if not self._changed.wait(max(0.0, deadline - time.monotonic())):
                    return False
        return True

    def _writes_settled(self, deadline: float) -> bool:
        """Wait until no disk thread is writing: the flush skips blocks another thread is writing right then."""
        while time.monotonic() < deadline:
            with self._changed:
                asked = self._stats_seen + 1
                self._session.post_session_stats()
                while self._stats_seen < asked:
                    if not self._changed.wait(max(0.0, deadline - time.monotonic())):
                        return False
                if self._writing_threads == 0:
                    return True
            time.sleep(WRITE_SETTLE_POLL_SECONDS)
        return False

    def set_file_priorities(self, info_hash: str, wanted_indexes: Collection[int]) -> None:
        """Download only these file indexes (FileEntry.index); every other file is skipped."""
        with self._lock:
            record = self._checked_record(info_hash)
            record.wanted = _checked_wanted(record.files or (), wanted_indexes)
            if not record.awaiting_start:
                record.handle.prioritize_files(
                    _priorities(record.files or (), record.file_count, record.wanted)
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

    def add_stored(
        self,
        save_path: Path,
        *,
        torrent_file: bytes | None,
        magnet: str | None,
        wanted_indexes: Collection[int] | None = None,
        totals: Totals | None = None,
    ) -> str:
        """Add a torrent again from what the catalog kept (its .torrent, else its magnet).

        With no resume data libtorrent checks whatever is already in save_path, so the data on disk is
        verified in full and only what is missing is fetched. A magnet's `x.pe` peers are dialled either
        way. A magnet-only torrent waits for `start()` once its metadata is checked. totals (the
        catalog's) carry its upload and download counts on from before.
        """
        peers: list[tuple[str, int]] = []
        if magnet:
            try:
                peers = list(lt.parse_magnet_uri(magnet).peers)
            except RuntimeError:
                peers = []
        if torrent_file:
            return self.add_torrent_bytes(torrent_file, save_path, wanted_indexes=wanted_indexes, peers=peers,
                                          totals=totals)
        if magnet:
            return self.add_magnet(magnet, save_path, metadata_only=True, totals=totals)
        raise TorrentError("nothing stored to add the torrent from (no .torrent and no magnet)")

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
            _take_counters(record)
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
            _take_counters(record)
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
            self._session.remove_torrent(record.handle, option)
            self._store.forget(info_hash.lower())
            self._changed.notify_all()

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
            _checked_wanted(record.files or (), [index])
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
            status = _status(record.handle.status(), record)
            return controls.describe(record.handle, status, record.files or (), dict(record.announced))

    def status(self, info_hash: str) -> TorrentStatus:
        """The torrent's live numbers, asked of libtorrent now."""
        with self._lock:
            record = self._record(info_hash)
            return _status(record.handle.status(), record)

    def statuses(self) -> list[TorrentStatus]:
        """Every torrent's live numbers, asked of libtorrent now."""
        with self._lock:
            return [_status(record.handle.status(), record) for record in self._records.values()]

    def torrent_file_bytes(self, info_hash: str) -> bytes:
        """A .torrent for the catalog: the exact info dict plus the trackers."""
        with self._lock:
            record = self._checked_record(info_hash)
            info = record.handle.torrent_file()
            if info is None:
                raise UsageError(f"torrent {info_hash} has no metadata yet")
            return _torrent_bytes(info, record.trackers)

    def save_all_resume_data(self, timeout: float) -> int:
        """Save each changed torrent's resume data and wait for every answer; returns how many."""
        self._require_open()
        return self._save_all(timeout)[0]

    def close(self, timeout: float = CLOSE_TIMEOUT_SECONDS) -> list[TorrentStatus]:
        """Save resume data, stop the alert thread and shut libtorrent down; safe to call twice.

        Returns every torrent's final numbers (empty on a second call), for the catalog to keep.
        """
        with self._lock:
            if self._closing:
                return []
            self._closing = True
        self._settle_counters()
        saved, complete = self._save_all(timeout)
        with self._lock:
            final = [_status(record.handle.status(), record) for record in self._records.values()]
            self._closed = True
            self._records.clear()
        self._pump.stop()
        if complete:
            self._store.end_run()
        log.info("torrent session closed: %d resume files written, clean=%s", saved, complete)
        del self._session
        return final

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def poll_notices(self, timeout_ms: int) -> list[Notice]:
        """Wait for alerts, pop them and copy each out as a notice (torrent-alerts thread only)."""
        if self._closed or not self._session.wait_for_alert(timeout_ms):
            return []
        notices: list[Notice] = []
        for alert in self._session.pop_alerts():
            notices.extend(self._translate(alert))
        return notices

    def post_torrent_updates(self) -> None:
        """Ask for a state_update_alert with the torrents that changed."""
        if not self._closed:
            self._session.post_torrent_updates()

    def save_changed_resume_data(self) -> int:
        """Request resume data for every torrent libtorrent says changed; returns how many."""
        with self._lock:
            changed = [
                (key, record.handle)
                for key, record in self._records.items()
                if record.handle.need_save_resume_data()
            ]
            for info_hash, handle in changed:
                self._request_save(info_hash, handle)
        return len(changed)

    def _add(
        self,
        info_hash: str,
        params: lt.add_torrent_params,
        intent: AddIntent,
        inspected: tuple[tuple[FileEntry, ...], int] | None = None,
        wanted: frozenset[int] | None = None,
    ) -> str:
        save_path = Path(params.save_path)
        with self._lock:
            if (existing := self._records.get(info_hash)) is not None:
                if existing.save_path != save_path:
                    raise TorrentError(
                        f"torrent {info_hash} is already saving to {existing.save_path}"
                    )
                return info_hash
            self._store.write_intent(info_hash, intent)
            params.added_time = int(time.time())
            try:
                handle = self._session.add_torrent(params)
            except RuntimeError as error:
                raise TorrentError(f"libtorrent refused torrent {info_hash}: {error}") from error
            record = self._records[info_hash] = _Torrent(handle, save_path, intent, params)
            record.wanted = wanted
            if inspected is not None:
                record.set_files(inspected)
                record.awaiting_start = intent.metadata_only
            self._request_save(info_hash, handle)
        return info_hash

    def _restore_one(self, info_hash: str, save_path: Path, *, distrust_pieces: bool = False) -> lt.torrent_handle:
        params = lt.read_resume_data(self._store.read(info_hash) or b"", LOAD_LIMITS)
        if distrust_pieces:
            params.have_pieces = []
            params.verified_pieces = []
        if _hash_text(params.info_hashes) != info_hash:
            raise TorrentError(f"resume data for {info_hash} belongs to another torrent")
        inspected = _inspect(params.ti) if params.ti is not None else None
        intent = self._store.read_intent(info_hash)
        params.save_path = str(save_path)  # never the stored one: resume data is trusted input
        params.renamed_files = {}
        params.peers = list(intent.peers)
        if inspected is None:
            params.file_priorities = []
            params.flags |= _FLAGS.default_dont_download
        elif intent.metadata_only:
            params.flags = (params.flags | _FLAGS.paused) & ~_FLAGS.auto_managed
        with self._lock:
            handle = self._session.add_torrent(params)
            record = self._records[info_hash] = _Torrent(handle, save_path, intent, params)
            if inspected is not None:
                record.set_files(inspected)
                record.awaiting_start = intent.metadata_only
        return handle

    def _begin_download(self, info_hash: str, record: _Torrent) -> None:
        """Re-add a metadata-only torrent with its priorities, so that its peers reconnect at once.

        Peers drop a torrent that wants nothing as redundant; raising priorities in place would
        wait out libtorrent's reconnect timer.
        """
        params = lt.add_torrent_params()
        params.total_uploaded, params.total_downloaded = _bank_run(record)
        params.ti = record.handle.torrent_file()
        params.save_path = str(record.save_path)
        params.trackers = record.trackers
        params.peers = record.peers
        params.added_time = record.added_time
        params.file_priorities = _priorities(record.files or (), record.file_count, record.wanted)
        params.flags = (params.flags | _FLAGS.auto_managed) & ~_FLAGS.paused
        self._session.remove_torrent(record.handle)
        record.handle = self._session.add_torrent(params)
        record.awaiting_start = record.metadata_only = False
        self._store.write_intent(info_hash, AddIntent(False, tuple(record.peers)))
        self._request_save(info_hash, record.handle)

    def _translate(self, alert: lt.alert) -> list[Notice]:
        if isinstance(alert, lt.state_update_alert):
            with self._lock:
                known = [(status, self._record_of(status.handle)) for status in alert.status]
                _observe(known)
                return [
                    StatusesUpdated(
                        tuple(_status(status, record) for status, record in known if record)
                    )
                ]
        if isinstance(alert, lt.save_resume_data_alert):
            return [self._resume_data_ready(alert.params)]
        if isinstance(alert, (lt.tracker_reply_alert, lt.tracker_error_alert)):
            self._on_announce(alert)
            return []
        if isinstance(alert, (lt.torrent_paused_alert, lt.torrent_resumed_alert)):
            self._on_run_change(alert.handle, resumed=isinstance(alert, lt.torrent_resumed_alert))
            return []
        if isinstance(alert, lt.save_resume_data_failed_alert):
            return [ResumeDataFailed(self._key_of(alert.handle), alert.message())]
        if isinstance(alert, lt.metadata_received_alert):
            return self._on_metadata(alert.handle)
        if isinstance(alert, lt.torrent_finished_alert):
            return self._on_finished(alert.handle)
        if isinstance(alert, lt.session_stats_alert):
            with self._changed:
                self._writing_threads = int(alert.values.get("disk.num_writing_threads", 0))
                self._stats_seen += 1
                self._changed.notify_all()
            return []
        if isinstance(alert, lt.cache_flushed_alert):
            with self._changed:
                if (record := self._record_of(alert.handle)) is not None:
                    record.flushes_done += 1
                    self._changed.notify_all()
            return []
        message = redact_text(alert.message())
        if isinstance(alert, lt.file_error_alert):  # a full disk may only put the torrent in upload mode
            with self._lock:
                if (record := self._record_of(alert.handle)) is None:
                    return []
                record.file_error = (alert.error.value(), message)
            log.warning("torrent file error: %s", message)
            return [TorrentFailed(self._key_of(alert.handle), message)]
        if isinstance(alert, lt.torrent_error_alert):  # follows each file_error_alert
            log.warning("torrent error: %s", message)
            return [TorrentFailed(self._key_of(alert.handle), message)]
        if isinstance(alert, lt.listen_failed_alert):
            log.error("BitTorrent cannot listen: %s", message)
            return [SessionFailed(message)]
        if alert.category() & _AM.error_notification:
            log.info("libtorrent: %s", message)
        return []

    def _on_metadata(self, handle: lt.torrent_handle) -> list[Notice]:
        with self._lock:
            record, info = self._record_of(handle), handle.torrent_file()
            if record is None or record.files is not None or info is None:
                return []
            info_hash = self._key_of(handle)
            try:
                record.set_files(_inspect(info))
            except HostileMetadata as refusal:
                record.refusal = refusal.message
                log.warning("%s", refusal.message)
            if record.refusal is not None or record.metadata_only:
                record.awaiting_start = record.refusal is None
                handle.unset_flags(_FLAGS.auto_managed)
                handle.pause()
                self._request_save(info_hash, handle)
            else:
                self._begin_download(info_hash, record)
            self._changed.notify_all()
            if record.refusal is not None:
                return [TorrentFailed(info_hash, record.refusal)]
            return [MetadataChecked(info_hash, record.files or ())]

    def _on_finished(self, handle: lt.torrent_handle) -> list[Notice]:
        with self._lock:
            record = self._record_of(handle)
            if record is None or record.awaiting_start or record.refusal or record.files is None:
                return []
            info_hash = self._key_of(handle)
            self._request_save(info_hash, handle)
            return [TorrentFinished(info_hash)]

    def _resume_data_ready(self, params: lt.add_torrent_params) -> ResumeDataReady:
        """Resume data carrying our ledger's totals, which libtorrent's own counters may have dropped."""
        info_hash = _hash_text(params.info_hashes)
        with self._lock:
            record = self._records.get(info_hash)
            if record is not None:
                totals = record.ledger.totals()
                params.total_uploaded = max(params.total_uploaded, totals.uploaded)
                params.total_downloaded = max(params.total_downloaded, totals.downloaded)
                record.saved_totals = totals
        return ResumeDataReady(info_hash, lt.write_resume_data_buf(params))

    def _on_run_change(self, handle: lt.torrent_handle, *, resumed: bool) -> None:
        """A pause ends a run of libtorrent's counters (take its last numbers); a resume starts one."""
        with self._lock:
            if (record := self._record_of(handle)) is None:
                return
            if resumed:
                record.ledger.run_restarted()
                return
            status = handle.status()
            if status.flags & _FLAGS.paused:  # not resumed meanwhile: these are the run's final counters
                record.ledger.observe(status.total_payload_upload, status.total_payload_download)

    def _on_announce(self, alert: lt.tracker_reply_alert | lt.tracker_error_alert) -> None:
        """Remember when each tracker last answered, and its error if it refused (for the detail view)."""
        error = redact_text(alert.message()) if isinstance(alert, lt.tracker_error_alert) else None
        with self._lock:
            if (record := self._record_of(alert.handle)) is not None:
                record.announced[alert.tracker_url()] = Announced(datetime.now(UTC), error)

    def _settle_counters(self) -> None:
        """Stop every transfer and take each torrent's exact counters before the last resume data is saved."""
        with self._lock:
            self._session.pause()
            for record in self._records.values():
                _take_counters(record)

    def _request_save(
        self, info_hash: str, handle: lt.torrent_handle, flags: int = _SAVE_FLAGS
    ) -> None:
        self._pending.requested()
        try:
            handle.save_resume_data(flags)
        except RuntimeError:
            self._pending.finished(info_hash, saved=False)

    def _save_all(self, timeout: float) -> tuple[int, bool]:
        with self._lock:
            chosen = {
                key: record.handle
                for key, record in self._records.items()
                if record.handle.need_save_resume_data() or not self._store.has(key)
                or record.ledger.totals() != record.saved_totals
            }
            mark = self._pending.requested(0)
            for info_hash, handle in chosen.items():
                self._request_save(info_hash, handle, _FINAL_SAVE_FLAGS)
        complete = self._pending.wait_idle(timeout)
        return self._pending.saved_since(mark, set(chosen)), complete

    def _record(self, info_hash: str) -> _Torrent:
        if (record := self._records.get(info_hash.lower())) is None:
            raise NotFound(f"no torrent {info_hash} in the session")
        return record

    def _checked_record(self, info_hash: str) -> _Torrent:
        """A torrent whose metadata is known and passed the check."""
        record = self._record(info_hash)
        if record.refusal is not None:
            raise HostileMetadata(record.refusal, hint=REFUSAL_HINT)
        if record.files is None:
            raise UsageError(f"torrent {info_hash} has no metadata yet; wait for it first")
        return record

    def _record_of(self, handle: lt.torrent_handle) -> _Torrent | None:
        record = self._records.get(self._key_of(handle))
        return record if record is not None and record.handle == handle else None

    def _key_of(self, handle: lt.torrent_handle) -> str:
        """Our key for a handle: its v1 hash, or the key it was added under (a v2 magnet)."""
        try:
            key = _hash_text(handle.info_hashes())
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


def create_torrent_bytes(
    path: Path,
    *,
    piece_size: int | None = None,
    hybrid: bool = False,
    trackers: Sequence[str] = (),
) -> bytes:
    """Hash a file or folder into a .torrent: v1 (Transmission 3 and aria2 cannot use v2), or hybrid v1+v2."""
    source = path.resolve()
    entries = lt.list_files(str(source))
    if not entries:
        raise UsageError(f"nothing to share in {source}")
    creator = lt.create_torrent(
        entries, piece_size or 0, 0 if hybrid else lt.create_torrent.v1_only
    )
    for tier, tracker in enumerate(trackers):
        creator.add_tracker(tracker, tier)
    creator.set_creator(f"qtorrentino/{__version__}")
    lt.set_piece_hashes(creator, str(source.parent))
    return lt.bencode(creator.generate())


def read_torrent_file(data: bytes) -> TorrentMetadata:
    """Check .torrent bytes and list their files without adding them (the look-before check).

    Raises:
        HostileMetadata: the bytes are not a torrent, or its metadata is hostile or absurd.
    """
    info = _load(data)[1]
    files, _ = _inspect(info)
    return TorrentMetadata(_hash_text(info.info_hashes()), info.name(), files, info.total_size())


def _load(data: bytes) -> tuple[lt.add_torrent_params, lt.torrent_info]:
    if len(data) > MAX_TORRENT_BYTES:
        raise HostileMetadata(
            f"refused a .torrent of {len(data)} bytes (limit {MAX_TORRENT_BYTES})"
        )
    try:
        params = lt.load_torrent_buffer(data, LOAD_LIMITS)  # type: ignore[call-overload]  # stubs mistype limits
    except RuntimeError as error:
        raise HostileMetadata(f"not a valid .torrent: {error}", hint=REFUSAL_HINT) from error
    if not isinstance(params, lt.add_torrent_params) or params.ti is None:
        raise HostileMetadata("not a valid .torrent: it holds no metadata", hint=REFUSAL_HINT)
    return params, params.ti


def _settings(config: TorrentConfig, user_agent: str) -> lt.settings_pack:
    if config.encryption not in _ENCRYPTION:
        raise ConfigError(
            f"[torrent] encryption = {config.encryption!r} is not one of {', '.join(_ENCRYPTION)}"
        )
    return identity_settings(config.peer_fingerprint, user_agent or config.user_agent) | {
        "listen_interfaces": config.listen_interfaces,
        "enable_dht": config.enable_dht,
        "enable_lsd": config.enable_lsd,
        "enable_upnp": config.enable_upnp,
        "enable_natpmp": config.enable_natpmp,
        "enable_outgoing_utp": config.enable_utp,
        "enable_incoming_utp": config.enable_utp,
        "allow_multiple_connections_per_ip": config.allow_local_peers,
        "connections_limit": config.connections_limit,
        "download_rate_limit": config.download_rate_limit_kib * 1024,
        "upload_rate_limit": config.upload_rate_limit_kib * 1024,
        "ignore_limits_on_local_network": False,  # a configured limit applies to every peer
        "active_downloads": config.max_active_downloads,
        "active_seeds": config.max_active_seeds,
        "active_limit": max(500, config.max_active_downloads + config.max_active_seeds),
        "out_enc_policy": _ENCRYPTION[config.encryption],
        "in_enc_policy": _ENCRYPTION[config.encryption],
        "allowed_enc_level": lt.enc_level.both,
        "alert_mask": (_AM.error_notification | _AM.status_notification | _AM.storage_notification
                       | _AM.tracker_notification),
        "alert_queue_size": ALERT_QUEUE_SIZE,
        "stop_tracker_timeout": STOP_TRACKER_TIMEOUT_SECONDS,
        "max_queued_disk_bytes": DISK_QUEUE_BYTES,
        "min_reconnect_time": MIN_RECONNECT_SECONDS,
        "ssrf_mitigation": True,
        "validate_https_trackers": True,
        "allow_idna": False,
    }


def _observe(known: Sequence[tuple[lt.torrent_status, _Torrent | None]]) -> None:
    """Feed each torrent's run counters from a state update (alerts thread, in alert order) to its ledger."""
    for status, record in known:
        if record is not None:
            record.ledger.observe(status.total_payload_upload, status.total_payload_download)


def _start_totals(params: lt.add_torrent_params, totals: Totals | None) -> None:
    """A torrent added again starts from the totals it had (its ledger and libtorrent's all-time counters)."""
    if totals is not None:
        params.total_uploaded, params.total_downloaded = totals.uploaded, totals.downloaded


def _take_counters(record: _Torrent) -> None:
    """Read the run's counters now (after a pause, before a resume: libtorrent has answered the pause)."""
    status = record.handle.status()
    record.ledger.observe(status.total_payload_upload, status.total_payload_download)


def _bank_run(record: _Torrent) -> tuple[int, int]:
    """End the current handle's run before it is replaced; the new handle starts from these totals."""
    _take_counters(record)
    record.ledger.run_restarted()
    totals = record.ledger.totals()
    return totals.uploaded, totals.downloaded


def _hash_text(hashes: lt.info_hash_t) -> str:
    return str(hashes.v1 if hashes.has_v1() else hashes.get_best())


def _inspect(info: lt.torrent_info) -> tuple[tuple[FileEntry, ...], int]:
    """Check the raw info dict (libtorrent's copy is already sanitised); list the real files."""
    try:
        raw = lt.bdecode(bytes(info.info_section()))
    except RuntimeError as error:
        raise HostileMetadata(f"unreadable torrent metadata: {error}", hint=REFUSAL_HINT) from error
    if not isinstance(raw, dict):
        raise HostileMetadata("torrent metadata is not a dictionary", hint=REFUSAL_HINT)
    fields: dict[bytes, object] = {
        key: value for key, value in raw.items() if isinstance(key, bytes)
    }
    name, raw_files = files_from_info(fields)
    check_metainfo(raw_files, info.num_pieces(), info.piece_length(), info.total_size(), name=name)
    layout = info.layout()
    files = tuple(
        FileEntry(index=index, path=layout.file_path(index), size=layout.file_size(index))
        for index in range(layout.num_files())
        if not layout.file_flags(index) & lt.file_storage.flag_pad_file
    )
    return files, layout.num_files()


def _checked_wanted(
    files: Sequence[FileEntry], wanted: Collection[int] | None
) -> frozenset[int] | None:
    if wanted is None:
        return None
    chosen = frozenset(wanted)
    if unknown := chosen - {entry.index for entry in files}:
        raise UsageError(
            f"no file with index {', '.join(map(str, sorted(unknown)))} in this torrent"
        )
    return chosen


def _priorities(
    files: Sequence[FileEntry], file_count: int, wanted: frozenset[int] | None
) -> list[int]:
    """One priority per file index (pad files count): wanted files the default, the rest 0."""
    chosen = {entry.index for entry in files} if wanted is None else wanted
    return [WANTED_PRIORITY if index in chosen else 0 for index in range(file_count)]


def _status(status: lt.torrent_status, record: _Torrent) -> TorrentStatus:
    paused = bool(status.flags & _FLAGS.paused)
    error = record.refusal or (redact_text(status.errc.message()) if status.errc.value() else None) or (
        record.file_error[1] if record.file_error else None)
    if error:
        state = TorrentState.ERROR
    elif record.awaiting_start:
        state = TorrentState.METADATA_READY
    elif paused:
        state = TorrentState.QUEUED if status.flags & _FLAGS.auto_managed else TorrentState.PAUSED
    else:
        state = _STATES.get(status.state, TorrentState.DOWNLOADING)
    done = status.total_wanted_done
    remaining = status.total_wanted - done
    rate = status.download_payload_rate if remaining > 0 else 0  # libtorrent's average decays for seconds after
    totals = record.ledger.totals(status.total_payload_upload, status.total_payload_download)
    downloaded = max(totals.downloaded, done)
    waiting = record.awaiting_start or not status.has_metadata
    return TorrentStatus(
        info_hash=_hash_text(status.info_hashes),
        name=status.name,
        save_path=record.save_path,
        progress=0.0 if waiting else status.progress,
        total_wanted=status.total_wanted,
        total_wanted_done=done,
        download_bps=rate,
        upload_bps=status.upload_payload_rate,
        peers=status.num_peers,
        seeds=status.num_seeds,
        eta_seconds=remaining // rate if rate > 0 and remaining > 0 else None,
        ratio=totals.uploaded / downloaded if downloaded else 0.0,
        all_time_download=totals.downloaded,
        all_time_upload=totals.uploaded,
        state=state,
        paused=paused,
        finished=status.is_finished and not waiting,
        seeding=status.is_seeding,
        error=error,
        error_code=None if record.refusal else (
            status.errc.value() or (record.file_error[0] if record.file_error else None)),
        active_seconds=int(status.active_duration.total_seconds()),
        seeding_seconds=int(status.seeding_duration.total_seconds()),
        added_at=datetime.fromtimestamp(record.added_time, UTC),
    )


def _torrent_bytes(info: lt.torrent_info, trackers: list[str]) -> bytes:
    """Wrap the exact info bytes (re-encoding could change the info-hash) with the trackers."""
    head = b"d"
    if trackers:
        head += b"8:announce" + lt.bencode(trackers[0].encode())
        head += b"13:announce-list" + lt.bencode([[tracker.encode()] for tracker in trackers])
    return head + b"4:info" + bytes(info.info_section()) + b"e"

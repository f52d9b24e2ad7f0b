"""Downloading: the owner of downloading tickets — completion, stalls, file errors and missing torrents."""

from __future__ import annotations

import errno
import logging
import threading
import time
from dataclasses import dataclass

from qtorrentino.db.models import TicketItemRow, TicketRow, TorrentRow
from qtorrentino.domain.states import ItemState, TicketState
from qtorrentino.errors import NotFound, QtorrentinoError, TorrentError, TorrentFileError
from qtorrentino.tickets.claims import Claim, look_now
from qtorrentino.torrent.session import TorrentSession
from qtorrentino.torrent.status import TorrentState, TorrentStatus
from qtorrentino.workers.base import BaseWorker, NotReadyYet, WorkerContext
from qtorrentino.workers.download_events import failed_since_started, record_download_failed
from qtorrentino.workers.stages import DOWNLOADING, owned_by
from qtorrentino.workers.torrent_files import (
    add_from_catalog,
    disk_is_full,
    missing_bytes,
    require_complete_files,
    require_room,
    ticket_file_indexes,
    wanted_file_indexes,
)

log = logging.getLogger(__name__)

LOOK_SECONDS = 3.0
"""How often a downloading ticket is looked at besides the torrent's "finished" signal (stalls, errors)."""


@dataclass
class _Watch:
    """What the owner remembers of a downloading ticket between looks."""

    done_bytes: int
    changed_at: float
    started_at: float


class DownloadingWorker(BaseWorker):
    """Claims downloading tickets: at once when their torrent finishes or fails, else every few seconds."""

    stages = owned_by(DOWNLOADING)
    name = DOWNLOADING

    def __init__(self, context: WorkerContext, session: TorrentSession, *, poll_seconds: float = 2.0) -> None:
        super().__init__(context, concurrency=2, poll_seconds=poll_seconds)
        self.session = session
        self._watches: dict[str, _Watch] = {}
        self._signalled: set[str] = set()
        self._lock = threading.Lock()

    def torrent_changed(self, info_hash: str) -> None:
        """The torrent finished or failed (torrent-alerts thread): look at its tickets now."""
        with self._lock:
            self._signalled.add(info_hash)
        self.wake()

    def run_once(self) -> bool:
        with self._lock:
            signalled, self._signalled = self._signalled, set()
        if signalled:
            look_now(TicketState.DOWNLOADING, signalled)
        return super().run_once()

    def on_failure(self, claim: Claim, error: QtorrentinoError) -> None:
        with self._lock:
            self._watches.pop(claim.ticket_id, None)
        record_download_failed(self.context, claim.ticket_id, error)

    def process(self, claim: Claim) -> None:
        row = TicketRow.get_by_id(claim.ticket_id)
        info_hash = row.info_hash
        if info_hash is None:
            raise TorrentError(f"downloading ticket {row.id} names no torrent", hint="retry the ticket")
        try:
            self._look(row, info_hash)
        except (NotFound, TorrentError):
            if self.session.has(info_hash):
                raise
            self._missing(row, info_hash)

    def _look(self, row: TicketRow, info_hash: str) -> None:
        """Complete, keep going or wait; NotFound (or the files' TorrentError) when the torrent is not in the
        session, even if it left it while this look ran."""
        status = self.session.status(info_hash)
        indexes = ticket_file_indexes(row.id)
        self._keep_going(row, info_hash, status, indexes)
        try:
            require_complete_files(self.session, info_hash, indexes, flush=True)
        except NotReadyYet as waiting:
            if self._stalled(row, status):
                return
            raise NotReadyYet(min(waiting.seconds, LOOK_SECONDS), waiting.reason) from None
        self._complete(row, info_hash, status)

    def _keep_going(self, row: TicketRow, info_hash: str, status: TorrentStatus, indexes: set[int]) -> None:
        """A file error pauses the torrent and fails the ticket; a retry starts it again once there is room."""
        if failed_since_started(row.id):
            self._start(row, info_hash, status, "retried after a failed download")
            return
        if status.error is not None:
            self._paused_for(info_hash)
            error = status.error
            full = status.error_code == errno.ENOSPC
            if not full and disk_is_full(status.save_path):  # a write cut short may surface as a hash error
                full, error = True, f"No space left on device in {status.save_path} ({error})"
            fault = "disk_full" if full else "file_error"
            raise TorrentFileError(f"the download of {status.name} stopped: {error}", fault=fault,
                                   hint="free some space or fix the folder's permissions, then "
                                        "`qtorrentino ticket retry`")
        if status.state is TorrentState.METADATA_READY:
            self.session.set_file_priorities(info_hash, sorted(wanted_file_indexes(info_hash) | indexes))
            self._start(row, info_hash, status, "its metadata arrived again")

    def _start(self, row: TicketRow, info_hash: str, status: TorrentStatus, why: str) -> None:
        """Check the room the download needs, then (re)start it, audited."""
        wanted = wanted_file_indexes(info_hash) | ticket_file_indexes(row.id)
        needed = missing_bytes(self.session, info_hash, wanted)
        require_room(self.context.config.paths.download_dir, needed, self.context.config.paths.min_free_gb)
        self.session.start(info_hash)
        with self.context.uow() as outbox:
            self.context.audit.record(outbox, "DownloadStarted", ticket_id=row.id, actor="engine", data={
                "info_hash": info_hash, "torrent_name": status.name, "size_bytes": needed,
                "duration_secs": None, "error": None, "resumed": why})

    def _paused_for(self, info_hash: str) -> None:
        try:
            self.session.pause(info_hash)
        except NotFound:
            log.debug("torrent %s left the session before it could be paused", info_hash)

    def _stalled(self, row: TicketRow, status: TorrentStatus) -> bool:
        """No progress for [torrent] stall_minutes: the release is blocklisted and acquisition runs again."""
        now = time.monotonic()
        with self._lock:
            watch = self._watches.setdefault(row.id, _Watch(status.total_wanted_done, now, now))
            if status.total_wanted_done != watch.done_bytes or status.paused or \
                    status.state is TorrentState.CHECKING:
                watch.done_bytes, watch.changed_at = status.total_wanted_done, now
                return False
            stall_seconds = self.context.config.torrent.stall_minutes * 60
            if now - watch.changed_at < stall_seconds:
                return False
            self._watches.pop(row.id, None)
        reason = (f"no progress for {stall_seconds / 60:g} min ({status.seeds} seeds, {status.peers} peers)")
        with self.context.uow() as outbox:
            self.context.audit.record(outbox, "DownloadStalled", ticket_id=row.id, actor="engine", data={
                "info_hash": row.info_hash, "torrent_name": status.name, "size_bytes": None,
                "duration_secs": None, "error": reason})
            self.context.tickets.next_candidate(outbox, row, f"download stalled: {reason}")
        self.context.wake_stage(TicketState.ACQUIRING)
        return True

    def _missing(self, row: TicketRow, info_hash: str) -> None:
        """The session lost the torrent (unreadable resume data): add it again, or acquire again, audited.

        Not when the ticket left downloading while this look ran (a cancel removes its torrent on purpose).
        """
        state = TicketRow.select(TicketRow.state).where(TicketRow.id == row.id).scalar()
        if state != TicketState.DOWNLOADING.value:
            log.info("ticket %s is %s now: its torrent %s is not added again", row.id, state, info_hash)
            return
        torrent = TorrentRow.get_or_none(TorrentRow.info_hash == info_hash)
        if torrent is None or not (torrent.torrent_file or torrent.magnet):
            error = TorrentError(f"the torrent {info_hash} is gone from the session and nothing is stored to "
                                 "add it again from")
            record_download_failed(self.context, row.id, error)
            with self.context.uow() as outbox:
                self.context.tickets.next_candidate(outbox, row, error.message)
            self.context.wake_stage(TicketState.ACQUIRING)
            return
        wanted = wanted_file_indexes(info_hash) | ticket_file_indexes(row.id)
        add_from_catalog(self.session, torrent, sorted(wanted) if torrent.torrent_file else None)
        source = "its stored .torrent" if torrent.torrent_file else "its stored magnet"
        with self.context.uow() as outbox:
            self.context.audit.record(outbox, "DownloadStarted", ticket_id=row.id, actor="engine", data={
                "info_hash": info_hash, "torrent_name": torrent.name, "size_bytes": None, "duration_secs": None,
                "error": None, "resumed": f"the session had lost the torrent; added again from {source}, "
                                          "checking the data on disk"})
        log.info("ticket %s: torrent %s added again from %s", row.id, info_hash, source)
        raise NotReadyYet(LOOK_SECONDS, "torrent added again; checking its data")

    def _complete(self, row: TicketRow, info_hash: str, status: TorrentStatus) -> None:
        with self._lock:
            watch = self._watches.pop(row.id, None)
        seconds = time.monotonic() - watch.started_at if watch is not None else 0.0
        size = status.total_wanted
        with self.context.uow() as outbox:
            if status.total_wanted_done >= status.total_wanted:
                TorrentRow.update(progress=1.0, completed_at=self.context.clock.now()).where(
                    (TorrentRow.info_hash == info_hash) & TorrentRow.completed_at.is_null()).execute()
            self.context.audit.record(outbox, "DownloadCompleted", ticket_id=row.id, actor="engine", data={
                "info_hash": info_hash, "torrent_name": status.name, "size_bytes": size,
                "duration_secs": round(seconds, 2), "error": None})
            TicketItemRow.update(state=ItemState.DOWNLOADED.value, downloaded_at=self.context.clock.now()).where(
                (TicketItemRow.ticket == row.id) & (TicketItemRow.state == ItemState.DOWNLOADING.value)).execute()
            self.context.tickets.transition(outbox, row.id, TicketState.CONVERTING, actor="engine",
                                            reason="download complete")
        self.context.wake_stage(TicketState.CONVERTING)


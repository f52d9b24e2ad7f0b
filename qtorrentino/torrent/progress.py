"""ProgressTracker: live torrent numbers to the bus on every batch; SQLite only on ≥1 % change or every 5 s.

Numbers held back by the debounce are written by `persist_pending()` (a chore), so the catalog row that
`torrent list` reads never keeps an old total once the torrent goes quiet.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from qtorrentino.clock import Clock
from qtorrentino.db.database import write_transaction
from qtorrentino.db.models import TorrentRow
from qtorrentino.domain.files import FileEntry
from qtorrentino.events import Bus, TorrentProgress
from qtorrentino.torrent.status import TorrentStatus

log = logging.getLogger(__name__)

PERSIST_DELTA = 0.01
PERSIST_SECONDS = 5.0


@dataclass
class _Persisted:
    progress: float
    at: float


class ProgressTracker:
    """The session's listener: publishes live numbers, persists them debounced, and reports finishes."""

    def __init__(self, bus: Bus, clock: Clock, *, ticket_of: Callable[[str], str | None],
                 on_finished: Callable[[str], None], monotonic: Callable[[], float],
                 on_error: Callable[[str], None] = lambda info_hash: None) -> None:
        self._bus = bus
        self._clock = clock
        self._ticket_of = ticket_of
        self._on_finished = on_finished
        self._on_error = on_error
        self._monotonic = monotonic
        self._persisted: dict[str, _Persisted] = {}
        self._pending: dict[str, TorrentStatus] = {}
        self._lock = threading.Lock()
        self.writes = 0
        """Database write batches so far (the benchmark reads it)."""

    def on_statuses(self, statuses: list[TorrentStatus]) -> None:
        for status in statuses:
            self._bus.publish(TorrentProgress(
                info_hash=status.info_hash, name=status.name, ticket_id=self._ticket_of(status.info_hash),
                progress=status.progress, download_bps=status.download_bps, upload_bps=status.upload_bps,
                peers=status.peers, seeds=status.seeds, eta_seconds=status.eta_seconds, ratio=status.ratio,
                state=status.state.value, paused=status.paused, uploaded=status.all_time_upload,
                downloaded=status.all_time_download))
        due = self._due(statuses)
        if due:
            self._persist(due)

    def _due(self, statuses: list[TorrentStatus]) -> list[TorrentStatus]:
        now = self._monotonic()
        due = []
        with self._lock:
            for status in statuses:
                last = self._persisted.get(status.info_hash)
                if (last is None or abs(status.progress - last.progress) >= PERSIST_DELTA
                        or now - last.at >= PERSIST_SECONDS or (status.finished and last.progress < 1.0)):
                    self._persisted[status.info_hash] = _Persisted(status.progress, now)
                    self._pending.pop(status.info_hash, None)
                    due.append(status)
                else:
                    self._pending[status.info_hash] = status
        return due

    def persist_pending(self) -> None:
        """Write the numbers the debounce held back (the last change before a torrent went quiet)."""
        now = self._monotonic()
        with self._lock:
            held = list(self._pending.values())
            self._pending.clear()
            for status in held:
                self._persisted[status.info_hash] = _Persisted(status.progress, now)
        if held:
            self._persist(held)

    def persist_final(self, statuses: list[TorrentStatus]) -> None:
        """Write every torrent's last numbers at shutdown, whatever the debounce says."""
        with self._lock:
            self._pending.clear()
        if statuses:
            self._persist(statuses)

    def _persist(self, statuses: list[TorrentStatus]) -> None:
        """One transaction per batch of changed torrents."""
        try:
            with write_transaction():
                for status in statuses:
                    TorrentRow.update(progress=status.progress, state=status.state.value, paused=status.paused,
                                      ratio=status.ratio, uploaded=status.all_time_upload,
                                      downloaded=status.all_time_download,
                                      progress_saved_at=self._clock.now()).where(
                        TorrentRow.info_hash == status.info_hash).execute()
            self.writes += 1
        except Exception:  # progress is advisory; the next batch tries again
            log.exception("could not persist torrent progress")

    def on_metadata(self, info_hash: str, files: list[FileEntry]) -> None:
        log.debug("metadata of %s: %d files", info_hash, len(files))

    def on_finished(self, info_hash: str) -> None:
        self._on_finished(info_hash)

    def on_error(self, info_hash: str, message: str) -> None:
        log.warning("torrent %s: %s", info_hash, message)
        self._on_error(info_hash)

    def on_session_error(self, message: str) -> None:
        log.error("torrent session: %s", message)

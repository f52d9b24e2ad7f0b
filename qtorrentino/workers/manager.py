"""WorkerManager: starts and stops the stage workers and the housekeeping loop; wakes them on changes."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from qtorrentino.db.database import database
from qtorrentino.domain.states import TicketState
from qtorrentino.tickets.claims import LEASE_SECONDS, release_all
from qtorrentino.workers.base import BaseWorker, WorkerContext

log = logging.getLogger(__name__)

HOUSEKEEPING_SECONDS = 1.0
RENEW_SECONDS = LEASE_SECONDS / 4
"""Leases of tickets being worked on are renewed this often, well inside the lease."""


class WorkerManager:
    """Owns the worker threads of one engine: recovery on start, wake on change, clean stop."""

    def __init__(self, context: WorkerContext, workers: Sequence[BaseWorker],
                 chores: Sequence[Callable[[], None]] = (), *, tick: threading.Event | None = None) -> None:
        self.context = context
        self.workers = tuple(workers)
        self._chores = (self.retry_due_tickets, self.renew_leases, *chores)
        self._stopping = threading.Event()
        self._tick = tick or threading.Event()
        self._housekeeper: threading.Thread | None = None
        self._renewed_at = 0.0
        context.wake_stage = self.wake_stage

    def recover(self) -> int:
        """After a crash every lease is stale: free them so each ticket resumes from its last committed state."""
        released = release_all()
        if released:
            log.info("recovered %d ticket(s) leased by a previous run", released)
        return released

    def start(self) -> None:
        self.recover()
        for worker in self.workers:
            worker.start()
        self._housekeeper = threading.Thread(target=self._housekeeping, name="housekeeping", daemon=True)
        self._housekeeper.start()

    def wake_all(self) -> None:
        for worker in self.workers:
            worker.wake()
        self._tick.set()

    def wake_stage(self, state: TicketState) -> None:
        for worker in self.workers:
            if state in worker.stages:
                worker.wake()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop every worker: ask all, cancel work in flight (ffmpeg first), then wait for the threads."""
        self._stopping.set()
        self._tick.set()
        for worker in self.workers:
            worker.request_stop()
        for worker in self.workers:
            worker.cancel()
        for worker in self.workers:
            worker.join(timeout)
        if self._housekeeper is not None:
            self._housekeeper.join(timeout)

    def renew_leases(self) -> None:
        """Keep the leases of tickets being worked on alive (a claim is never taken twice)."""
        now = time.monotonic()
        if now - self._renewed_at < RENEW_SECONDS:
            return
        self._renewed_at = now
        renewed = sum(worker.renew_leases() for worker in self.workers)
        if renewed:
            log.debug("renewed %d lease(s)", renewed)

    def retry_due_tickets(self) -> None:
        """Failed tickets whose back-off has passed go back to the stage they failed in."""
        for ticket_id in self.context.tickets.due_retries():
            self.context.tickets.retry_due(ticket_id)
            self.wake_all()

    def run_chores(self) -> None:
        for chore in self._chores:
            try:
                chore()
            except Exception:  # one failing chore must not stop the others
                log.exception("housekeeping chore %s failed", getattr(chore, "__name__", chore))

    def _housekeeping(self) -> None:
        while not self._stopping.is_set():
            self._tick.clear()
            self.run_chores()
            self._tick.wait(HOUSEKEEPING_SECONDS)
        database.close()

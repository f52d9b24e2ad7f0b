"""BaseWorker: claim the highest-priority ready ticket of a stage, process it, turn errors into retries."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from qtorrentino.db.database import database
from qtorrentino.db.models import TicketRow
from qtorrentino.domain.states import RETRY_STAGES, TicketState
from qtorrentino.errors import InternalError, QtorrentinoError
from qtorrentino.tickets.claims import Claim, claim_next, postpone, release, renew

if TYPE_CHECKING:
    from qtorrentino.audit.record import AuditLog
    from qtorrentino.clock import Clock
    from qtorrentino.config.home import Home
    from qtorrentino.config.model import Config
    from qtorrentino.events import Bus
    from qtorrentino.tickets.service import TicketCommands
    from qtorrentino.tickets.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


class Stopping(Exception):
    """The engine is stopping in the middle of a ticket's work: leave the ticket where it is for the next run."""


class NotReadyYet(Exception):
    """A worker cannot act on a ticket yet (its torrent is being checked): try again after `seconds`."""

    def __init__(self, seconds: float, reason: str) -> None:
        super().__init__(reason)
        self.seconds = seconds
        self.reason = reason


@dataclass
class WorkerContext:
    """What every worker needs: config, clock, bus, the unit of work and the ticket commands, plus parts."""

    config: Config
    clock: Clock
    bus: Bus
    uow: UnitOfWork
    tickets: TicketCommands
    home: Home
    parts: dict[str, Any] = field(default_factory=dict)
    """Adapters wired by the engine (torrent session, indexers, ffmpeg pool), by name."""
    wake_stage: Callable[[TicketState], None] = lambda state: None

    @property
    def audit(self) -> AuditLog:
        return self.uow.audit


class BaseWorker:
    """Runs one pipeline stage: claims ready tickets, processes them, retries with back-off."""

    stages: ClassVar[tuple[TicketState, ...]] = ()
    """The ticket states this worker picks up."""
    name: ClassVar[str] = "worker"

    def __init__(self, context: WorkerContext, *, concurrency: int = 1, poll_seconds: float = 2.0) -> None:
        self.context = context
        self._concurrency = max(1, concurrency)
        self._poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._active: dict[str, Claim] = {}
        self._active_lock = threading.Lock()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def start(self) -> None:
        for index in range(self._concurrency):
            thread = threading.Thread(target=self._loop, name=f"{self.name}-{index}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def wake(self) -> None:
        self._wake.set()

    def request_stop(self) -> None:
        """Ask every thread to stop at its next safe point (work in flight is cancelled by `cancel`)."""
        self._stopping.set()
        self._wake.set()

    def cancel(self) -> None:
        """Cut short work that would hold up a stop (running ffmpeg); the engine calls it before joining."""

    def join(self, timeout: float) -> None:
        """Wait for the threads to finish their current ticket."""
        for thread in self._threads:
            thread.join(timeout)

    def stop(self, timeout: float) -> None:
        """Ask every thread to stop, cancel work in flight, then wait for them."""
        self.request_stop()
        self.cancel()
        self.join(timeout)

    def renew_leases(self) -> int:
        """Extend the leases of the tickets this worker is working on right now."""
        with self._active_lock:
            held = list(self._active.values())
        return renew(held, clock=self.context.clock)

    def run_once(self) -> bool:
        """Process one ready ticket; False when none was ready. Tests call this directly."""
        claim = claim_next(self.stages, owner=threading.current_thread().name, clock=self.context.clock)
        if claim is None:
            return False
        postponed = False
        with self._active_lock:
            self._active[claim.ticket_id] = claim
        try:
            self.process(claim)
        except NotReadyYet as waiting:
            log.debug("%s: ticket %s waits %.0f s: %s", self.name, claim.ticket_id, waiting.seconds, waiting.reason)
            postpone(claim, self.context.clock.now() + timedelta(seconds=waiting.seconds))
            postponed = True
        except Exception as error:  # noqa: BLE001 - routed below; a bug never ends the engine thread
            self._route(claim, error)
        finally:
            with self._active_lock:
                self._active.pop(claim.ticket_id, None)
            if not postponed:
                release(claim)
        return True

    def _route(self, claim: Claim, error: Exception) -> None:
        """The one place a worker's failure becomes a ticket's: TicketCommands.fail decides by failure class."""
        if self.stopping or isinstance(error, Stopping):
            log.info("%s: ticket %s interrupted by the stop (%s); it resumes on the next start", self.name,
                     claim.ticket_id, error)
            return
        if isinstance(error, QtorrentinoError):
            log.warning("%s: ticket %s failed: %s", self.name, claim.ticket_id, error.message)
            failure = error
        else:
            log.error("%s crashed on ticket %s", self.name, claim.ticket_id, exc_info=error)
            failure = InternalError.from_bug(error)
        self.on_failure(claim, failure)
        self.context.tickets.fail(claim.ticket_id, self.failure_stage(claim), failure)

    def on_failure(self, claim: Claim, error: QtorrentinoError) -> None:
        """Record what the stage's own audit event says about a failure (DownloadFailed, ...), before routing."""

    def failure_stage(self, claim: Claim) -> TicketState:
        """The stage a failure is recorded in (where a retry goes back to): where the ticket is now."""
        current = TicketState(TicketRow.get_by_id(claim.ticket_id).state)
        return current if current in RETRY_STAGES else claim.state

    def process(self, claim: Claim) -> None:
        raise NotImplementedError

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                worked = self.run_once()
            except Exception:  # a database hiccup must not end the thread
                log.exception("%s: claiming work failed", self.name)
                worked = False
            if not worked:
                self._wake.wait(self._poll_seconds)
        database.close()

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
from qtorrentino.tickets.claims import Claim, claim_next, postpone, release

if TYPE_CHECKING:
    from qtorrentino.audit.record import AuditLog
    from qtorrentino.clock import Clock
    from qtorrentino.config.home import Home
    from qtorrentino.config.model import Config
    from qtorrentino.events import Bus
    from qtorrentino.tickets.service import TicketCommands
    from qtorrentino.tickets.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


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

    def stop(self, timeout: float) -> None:
        """Ask every thread to stop at its next safe point and wait for them."""
        self._stopping.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)

    def run_once(self) -> bool:
        """Process one ready ticket; False when none was ready. Tests call this directly."""
        claim = claim_next(self.stages, owner=threading.current_thread().name, clock=self.context.clock)
        if claim is None:
            return False
        postponed = False
        try:
            self.process(claim)
        except NotReadyYet as waiting:
            log.info("%s: ticket %s waits %.0f s: %s", self.name, claim.ticket_id, waiting.seconds, waiting.reason)
            postpone(claim, self.context.clock.now() + timedelta(seconds=waiting.seconds))
            postponed = True
        except QtorrentinoError as error:
            log.warning("%s: ticket %s failed: %s", self.name, claim.ticket_id, error.message)
            self.context.tickets.fail(claim.ticket_id, self.failure_stage(claim), error)
        except Exception as error:  # noqa: BLE001 - a bug: log it, keep the engine thread alive
            log.exception("%s crashed on ticket %s", self.name, claim.ticket_id)
            self.context.tickets.fail(claim.ticket_id, self.failure_stage(claim), InternalError.from_bug(error))
        finally:
            if not postponed:
                release(claim)
        return True

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
            except Exception:  # noqa: BLE001 - a database hiccup must not end the thread
                log.exception("%s: claiming work failed", self.name)
                worked = False
            if not worked:
                self._wake.wait(self._poll_seconds)
        database.close()

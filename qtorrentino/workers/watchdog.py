"""The watchdog: a ticket nobody moves gets an audited error and a state a person can act on."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from qtorrentino.audit.query import latest
from qtorrentino.clock import parse_iso
from qtorrentino.db.models import TicketRow
from qtorrentino.domain.states import TicketState
from qtorrentino.errors import TicketStuck
from qtorrentino.torrent.session import TorrentSession
from qtorrentino.workers.base import WorkerContext
from qtorrentino.workers.stages import BY_STATE, OwnerKind

log = logging.getLogger(__name__)

MIN_INTERVAL_SECONDS = 1.0
MAX_INTERVAL_SECONDS = 30.0


class Watchdog:
    """Finds tickets with no owner, or no progress for [torrent] stall_minutes, and fails them for a person.

    Every ticket not waiting for a person has an owner in the stage table; the owner's progress is the
    ticket's last state change or audit event, whether or not a worker holds it (a worker stuck on a
    request that never ends holds it too). A downloading ticket whose torrent is in the session is its
    owner's business (stalls are blocklisted there).
    """

    def __init__(self, context: WorkerContext, session: TorrentSession) -> None:
        self.context = context
        self.session = session
        self._since = context.clock.now()
        """Nothing counts as stuck for longer than this engine has run (it may have been down for days)."""

    @property
    def limit(self) -> timedelta:
        return timedelta(minutes=self.context.config.torrent.stall_minutes)

    @property
    def interval_seconds(self) -> float:
        """How often to look: a few times per limit, within bounds."""
        return min(MAX_INTERVAL_SECONDS, max(MIN_INTERVAL_SECONDS, self.limit.total_seconds() / 4))

    def run(self) -> None:
        """Look at every ticket that a worker or chore owns; fail the stuck ones (not retryable)."""
        now = self.context.clock.now()
        owned = [stage.state.value for stage in BY_STATE.values()
                 if stage.kind in (OwnerKind.WORKER, OwnerKind.CHORE)]
        for row in TicketRow.select().where(TicketRow.state.in_(owned)):
            why = self._stuck(row, now)
            if why is not None:
                self._fail(row, why)

    def _stuck(self, row: TicketRow, now: datetime) -> str | None:
        state = TicketState(row.state)
        if row.linked_to:
            primary = TicketRow.get_or_none(TicketRow.id == row.linked_to)
            if primary is None or primary.state != row.state:
                return f"it follows ticket {row.linked_to}, which is {primary.state if primary else 'gone'}"
            return None
        if state is TicketState.FAILED:
            if row.retryable and row.next_attempt_at is None:
                return "it failed retryably but no retry is scheduled"
            return None
        if now - self._last_progress(row) < self.limit:
            return None
        minutes = self.limit.total_seconds() / 60
        if state is TicketState.DOWNLOADING:
            if row.info_hash and self.session.has(row.info_hash):
                return None
            return f"its torrent has not been in the session for {minutes:g} min"
        return f"no progress in {state.value} for {minutes:g} min"

    def _last_progress(self, row: TicketRow) -> datetime:
        event = latest(row.id)
        updated: datetime = row.updated_at
        at = parse_iso(event.at) if event is not None else updated
        return max(at, updated, self._since)

    def _fail(self, row: TicketRow, why: str) -> None:
        state = TicketState(row.state)
        log.warning("watchdog: ticket %s is stuck: %s", row.id, why)
        error = TicketStuck(f"stuck in {state.value}: {why}",
                            hint=f"`qtorrentino ticket retry {row.id}` tries again, "
                                 f"`qtorrentino ticket cancel {row.id}` gives up")
        if state is TicketState.FAILED:
            with self.context.uow() as outbox:
                TicketRow.update(retryable=False, error=f"{error.message} — {error.hint}").where(
                    TicketRow.id == row.id).execute()
                self.context.audit.record(outbox, "TicketStuck", ticket_id=row.id, actor="engine",
                                          data={"state": state.value, "reason": why})
            return
        self.context.tickets.fail(row.id, state, error)

"""Watching a ticket: `ticket watch` / `unwatch`, the periodic search's schedule, and the end of a
watch.

docs/states.md, "Watched tickets", says what each does; the watch chore (workers/watch.py) acts on
the schedule kept here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from qtorrentino.db.models import TicketRow, WatchRow
from qtorrentino.domain.quality import cutoff_met
from qtorrentino.domain.states import TicketState
from qtorrentino.domain.ticket import TicketKind
from qtorrentino.domain.ticket_json import upgrade_cutoff
from qtorrentino.errors import IllegalTransition, TicketValidationError, UsageError
from qtorrentino.tickets.rows import resolve_id

if TYPE_CHECKING:
    from qtorrentino.config.model import WatchConfig
    from qtorrentino.tickets.service import Outbox, TicketCommands
    from qtorrentino.tickets.views import TicketDetail

BACKOFF_CAP = 8
"""The periodic search waits at most this many research intervals after fruitless searches."""
CUTOFF_MET = "cutoff_met"
UPGRADE_DAYS = "upgrade_days"
UNWATCHED = "unwatched"
CANCELLED = "cancelled"
"""WatchEnded reasons."""
WATCHABLE = frozenset(
    {
        TicketState.PENDING,
        TicketState.ACQUIRING,
        TicketState.NEEDS_APPROVAL,
        TicketState.AUTO_APPROVED,
        TicketState.APPROVED,
        TicketState.DOWNLOADING,
        TicketState.CONVERTING,
        TicketState.PLACING,
        TicketState.ACQUISITION_FAILED,
        TicketState.WAITING,
        TicketState.FAILED,
        TicketState.COMPLETED,
    }
)
"""Where `ticket watch` applies: a ticket that is not given up (cancelled, rejected) nor a dry
run."""


def watch_row(ticket_id: str) -> WatchRow:
    """The ticket's watch bookkeeping, made when first needed (inside the caller's transaction)."""
    row: WatchRow | None = WatchRow.get_or_none(WatchRow.ticket == ticket_id)
    if row is None:
        row = WatchRow.create(ticket=ticket_id)
    return row


def research_delay(config: WatchConfig, fruitless: int) -> timedelta | None:
    """How long after the fruitless-th fruitless search in a row the next one runs; None: never."""
    if config.research_interval_hours <= 0:
        return None
    factor = min(2 ** max(0, fruitless - 1), BACKOFF_CAP)
    return timedelta(hours=config.research_interval_hours * factor)


def schedule_after_search(
    ticket_id: str, config: WatchConfig, now: datetime, *, fruitless: bool
) -> None:
    """Count a search that found nothing (or start afresh) and set when the next one runs."""
    row = watch_row(ticket_id)
    row.fruitless = row.fruitless + 1 if fruitless else 0
    delay = research_delay(config, max(1, row.fruitless))
    row.next_search_at = now + delay if delay is not None else None
    row.save()


def end_watch(
    outbox: Outbox, commands: TicketCommands, ticket_id: str, reason: str, *, actor: str = "engine"
) -> None:
    """Stop watching, with WatchEnded and its reason; nothing happens to a ticket that no longer
    watches."""
    row = TicketRow.get_by_id(ticket_id)
    if not row.watching:
        return
    TicketRow.update(watching=False, updated_at=commands.clock.now()).where(
        TicketRow.id == ticket_id
    ).execute()
    WatchRow.update(next_search_at=None, found=None).where(WatchRow.ticket == ticket_id).execute()
    commands.audit.record(
        outbox,
        "WatchEnded",
        ticket_id=ticket_id,
        actor=actor,
        data={"reason": reason, "quality": row.quality, "upgrade_until": row.upgrade_until},
    )


class WatchCommands:
    """`ticket watch ID [--until Q]` and `ticket unwatch ID`, each one unit of work."""

    def __init__(self, commands: TicketCommands, config: WatchConfig) -> None:
        self.commands = commands
        self.config = config

    def watch(self, ticket_id: str, until: str | None = None, *, actor: str) -> TicketDetail:
        """Watch a ticket (until a quality is placed, with until): a ticket that found nothing
        waits, a completed one is searched again for upgrades (its upgrade_days count from now)."""
        commands = self.commands
        with commands.uow() as outbox:
            row = TicketRow.get_by_id(resolve_id(ticket_id))
            state = TicketState(row.state)
            if row.linked_to:
                raise IllegalTransition(
                    f"ticket {row.id} follows ticket {row.linked_to}",
                    hint=f"watch {row.linked_to} instead",
                )
            if state not in WATCHABLE or row.dry_run:
                raise IllegalTransition(
                    f"ticket {row.id} is {state.value}: it cannot watch",
                    hint='file a new ticket with "watch": true',
                )
            cutoff = self._cutoff(row, until)
            if state is TicketState.COMPLETED and cutoff is None:
                raise UsageError(
                    f"ticket {row.id} is completed: it watches only for an upgrade",
                    hint=f"give the quality to reach: ticket watch {row.id} --until QUALITY",
                )
            if state is TicketState.COMPLETED and cutoff_met(row.kind, row.quality, cutoff):
                raise UsageError(
                    f"ticket {row.id} already has {row.quality}, which meets {cutoff}",
                    hint="give a higher quality with --until",
                )
            now = commands.clock.now()
            TicketRow.update(watching=True, upgrade_until=cutoff, updated_at=now).where(
                TicketRow.id == row.id
            ).execute()
            commands.audit.record(
                outbox,
                "TicketWatched",
                ticket_id=row.id,
                actor=actor,
                data={"upgrade_until": cutoff},
            )
            if state is TicketState.COMPLETED:
                watch = watch_row(row.id)
                watch.first_placed_at = now
                watch.placed_info_hash = watch.placed_info_hash or row.info_hash
                watch.save()
                schedule_after_search(row.id, self.config, now, fruitless=False)
            elif state is TicketState.ACQUISITION_FAILED:
                schedule_after_search(row.id, self.config, now, fruitless=True)
                commands.transition(
                    outbox,
                    row.id,
                    TicketState.WAITING,
                    actor=actor,
                    reason="watching: waiting for a release",
                    lease_owner=None,
                    lease_until=None,
                )
        return commands.get(row.id)

    def unwatch(self, ticket_id: str, *, actor: str) -> TicketDetail:
        """Stop watching (WatchEnded, unwatched); a waiting ticket becomes acquisition_failed."""
        commands = self.commands
        with commands.uow() as outbox:
            row = TicketRow.get_by_id(resolve_id(ticket_id))
            if not row.watching:
                raise UsageError(
                    f"ticket {row.id} is not watching",
                    hint="`ticket show ID --json` says `watching`",
                )
            end_watch(outbox, commands, row.id, UNWATCHED, actor=actor)
            if row.state == TicketState.WAITING.value:
                commands.transition(
                    outbox,
                    row.id,
                    TicketState.ACQUISITION_FAILED,
                    actor=actor,
                    reason="no longer watching; nothing acceptable was found",
                )
        return commands.get(row.id)

    @staticmethod
    def _cutoff(row: TicketRow, until: str | None) -> str | None:
        """--until checked against the ticket's quality order (else the ticket's own cutoff
        stays)."""
        if until is None:
            return row.upgrade_until
        try:
            return upgrade_cutoff(until, TicketKind(row.kind), "--until")
        except TicketValidationError as error:
            raise UsageError(
                error.message.replace("ticket field '--until'", "--until"),
                hint="docs/ticket-json.md lists the qualities",
            ) from None

"""How an acquisition round ends for a watched ticket: it waits, is found, or (after completion)
upgrades.

The decision itself is the one rule's (textbrain/decide.py) on the one scorer's list; this module
only says where a watched ticket goes with it (docs/states.md, "Watched tickets").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from qtorrentino.db.models import TicketItemRow, TicketRow, WatchRow
from qtorrentino.domain.states import TicketState
from qtorrentino.textbrain.decide import Decision, Outcome
from qtorrentino.tickets.watching import schedule_after_search
from qtorrentino.workers.watch_state import (
    SEARCH,
    UpgradeFloor,
    note_seen,
    nothing_acceptable,
    placed_before,
    quality_of,
    record_found,
    take_found,
    upgrade_floor,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from qtorrentino.domain.ticket import TicketSpec
    from qtorrentino.search.result import SearchResult
    from qtorrentino.textbrain.score import ScoredCandidate
    from qtorrentino.tickets.service import Outbox
    from qtorrentino.workers.base import WorkerContext


def only_upgrades(
    scored: list[ScoredCandidate], floor: UpgradeFloor, kind: str
) -> list[ScoredCandidate]:
    """An upgrade search's list: a release that is no step up is rejected (listed, never
    approved)."""
    marked = [
        candidate
        if floor.admits(quality := quality_of(candidate.result.title, kind, candidate))
        else replace(candidate, rejected=(*candidate.rejected, floor.refusal(quality)))
        for candidate in scored
    ]
    return sorted(marked, key=lambda candidate: bool(candidate.rejected))


@dataclass(frozen=True, slots=True)
class WatchRound:
    """What a ticket's acquisition round knows of its watch before it searches."""

    ticket_id: str
    watching: bool
    came_back: bool
    """It waited, or was completed: a release it now finds "appeared" (ReleaseFound)."""
    pinned: tuple[SearchResult, ...]
    """Releases the RSS sync found and handed to this round (ReleaseFound was recorded then)."""
    floor: UpgradeFloor | None
    """Set when the ticket has files in its library: the round is an upgrade search."""

    @classmethod
    def of(cls, ticket_id: str) -> WatchRound:
        row = TicketRow.get_by_id(ticket_id)
        watch: WatchRow | None = WatchRow.get_or_none(WatchRow.ticket == ticket_id)
        placed = watch is not None and watch.first_placed_at is not None
        floor = upgrade_floor(row) if placed or placed_before(ticket_id) else None
        came_back = floor is not None or (watch is not None and watch.fruitless > 0)
        return cls(ticket_id, bool(row.watching), came_back, tuple(take_found(ticket_id)), floor)

    def concluded(
        self,
        outbox: Outbox,
        context: WorkerContext,
        spec: TicketSpec,
        scored: Sequence[ScoredCandidate],
        decision: Decision,
    ) -> bool:
        """Move the ticket as a watched round ends and say so; False leaves the move to
        acquisition."""
        if not self.watching and self.floor is None:
            return False
        WatchRow.update(found=None).where(WatchRow.ticket == self.ticket_id).execute()
        if self.floor is not None:
            self._upgrade_or_not(outbox, context, spec, scored, decision)
            return True
        if nothing_acceptable(decision, scored):
            note_seen(self.ticket_id, spec.kind.value, scored)
            schedule_after_search(
                self.ticket_id, context.config.watch, context.clock.now(), fruitless=True
            )
            context.tickets.transition(
                outbox,
                self.ticket_id,
                TicketState.WAITING,
                actor="engine",
                reason=f"waiting for a release: {decision.reason}",
                forced_query=None,
            )
            return True
        self._found(outbox, context, spec, scored, decision)
        return False

    def _found(
        self,
        outbox: Outbox,
        context: WorkerContext,
        spec: TicketSpec,
        scored: Sequence[ScoredCandidate],
        decision: Decision,
    ) -> None:
        """ReleaseFound for a ticket that came back to a search and found its release there."""
        if self.came_back and not self.pinned and decision.recommended_rank is not None:
            chosen = scored[decision.recommended_rank]
            quality = quality_of(chosen.result.title, spec.kind.value, chosen)
            record_found(
                outbox,
                context,
                self.ticket_id,
                chosen.result,
                SEARCH,
                quality=quality.name if quality else None,
            )

    def _upgrade_or_not(
        self,
        outbox: Outbox,
        context: WorkerContext,
        spec: TicketSpec,
        scored: Sequence[ScoredCandidate],
        decision: Decision,
    ) -> None:
        """An upgrade search: approved alone → the upgrade starts; else the ticket is completed
        again."""
        now = context.clock.now()
        watch = WatchRow.get_or_none(WatchRow.ticket == self.ticket_id)
        if decision.outcome is not Outcome.AUTO_APPROVE or decision.recommended_rank is None:
            # an earlier upgrade whose placement failed was rolled back: its swap is over
            WatchRow.update(swap=None).where(WatchRow.ticket == self.ticket_id).execute()
            note_seen(self.ticket_id, spec.kind.value, scored)
            schedule_after_search(self.ticket_id, context.config.watch, now, fruitless=True)
            context.tickets.transition(
                outbox,
                self.ticket_id,
                TicketState.COMPLETED,
                actor="engine",
                forced_query=None,
                reason=f"no better release the rule approves alone ({decision.reason}); "
                "the placed files stay",
                info_hash=watch.placed_info_hash if watch is not None else None,
            )
            return
        chosen = scored[decision.recommended_rank]
        quality = quality_of(chosen.result.title, spec.kind.value, chosen)
        if not self.pinned:
            record_found(
                outbox,
                context,
                self.ticket_id,
                chosen.result,
                SEARCH,
                quality=quality.name if quality else None,
            )
        context.tickets.transition(
            outbox,
            self.ticket_id,
            TicketState.AUTO_APPROVED,
            actor="engine",
            reason=f"upgrade: {decision.reason}",
            chosen_rank=decision.recommended_rank,
            info_hash=chosen.result.info_hash,
            forced_query=None,
        )
        placed = [
            row.path
            for row in TicketItemRow.select(TicketItemRow.path).where(
                (TicketItemRow.ticket == self.ticket_id) & TicketItemRow.path.is_null(False)
            )
        ]
        context.audit.record(
            outbox,
            "UpgradeStarted",
            ticket_id=self.ticket_id,
            actor="engine",
            data={
                "info_hash": chosen.result.info_hash or "",
                "quality": quality.name if quality else "",
                "replaced": placed,
                "trashed": [],
                "from_quality": self.floor.placed.name
                if self.floor is not None and self.floor.placed is not None
                else None,
                "title": chosen.result.title,
            },
        )

"""Ticket commands: transition, approve, reject, cancel, retry, force-search/magnet, fail, priority."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeAlias

from qtorrentino.clock import Clock
from qtorrentino.db.models import BlocklistRow, CandidateRow, TicketItemRow, TicketRow
from qtorrentino.domain.magnet import parse_magnet
from qtorrentino.domain.redact import redact_text
from qtorrentino.domain.states import RETRY_STAGES, TRANSITIONS, ItemState, TicketState, check_transition
from qtorrentino.domain.ticket import TicketSpec
from qtorrentino.errors import FailureClass, IllegalTransition, NotFound, QtorrentinoError, UsageError
from qtorrentino.tickets.queries import ticket_detail
from qtorrentino.tickets.rows import candidate_view, resolve_id, spec_of
from qtorrentino.tickets.watching import CANCELLED, end_watch

if TYPE_CHECKING:
    from qtorrentino.events import AuditRecorded
    from qtorrentino.tickets.unit_of_work import UnitOfWork
    from qtorrentino.tickets.views import TicketDetail

log = logging.getLogger(__name__)

Outbox: TypeAlias = "list[AuditRecorded]"
"""The events a unit of work collected, published after it commits."""

MAX_ATTEMPTS = 5
BACKOFF_BASE_SECONDS = 30.0
BACKOFF_CAP_SECONDS = 3600.0


APPROVABLE_STATES = frozenset({TicketState.NEEDS_APPROVAL, TicketState.ACQUISITION_FAILED})
"""Where a person approves one of the listed candidates (force-magnet reaches further)."""
PERSON_PICK = "chosen by a person (force-magnet)"


@dataclass(frozen=True, slots=True)
class Judged:
    """How the scorer judged a release a person chose: as any candidate, under the ticket's rules."""

    score: float
    reasons: tuple[str, ...]
    factors: tuple[dict[str, Any], ...]
    rejected: tuple[str, ...]
    """The hard constraints it breaks: stated, not refused (a person's pick is an explicit approval)."""


CandidateJudge = Callable[[TicketSpec, str, str], Judged]
"""(ticket, release title, info-hash) → how the one scorer judges that release (textbrain.picks)."""


def release_key(info_hash: str | None, indexer: str, title: str) -> str:
    """What a blocklist remembers a release by: its info-hash, else indexer and title."""
    return info_hash or f"{indexer}:{title.casefold()}"


def backoff_seconds(attempt: int) -> float:
    """Exponential back-off before automatic retry number `attempt` (1-based), capped."""
    return float(min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempt - 1)))


class TicketCommands:
    """Every change a person or a worker makes to a ticket, each one unit of work."""

    def __init__(self, unit_of_work: UnitOfWork, clock: Clock) -> None:
        self.uow = unit_of_work
        self.clock = clock
        self.cancel_hooks: list[Callable[[Outbox, str], None]] = []
        """Run inside a cancel's unit of work (the engine wires library status restore here)."""

    @property
    def audit(self) -> Any:
        return self.uow.audit

    def transition(self, outbox: Outbox, ticket_id: str, new: TicketState, *, reason: str, actor: str,
                   **changes: Any) -> TicketRow:
        """Move a ticket to `new` if the table allows it, with its audit event; linked tickets follow."""
        row = TicketRow.get_by_id(ticket_id)
        old = TicketState(row.state)
        check_transition(old, new)
        now = self.clock.now()
        row.state = new.value
        row.updated_at = now
        for name, value in changes.items():
            setattr(row, name, value)
        if new is not TicketState.FAILED:
            row.error = changes.get("error")
        row.save()
        self.audit.record(outbox, "TicketStateChanged", ticket_id=ticket_id, actor=actor,
                          data={"from_state": old.value, "to_state": new.value, "reason": reason})
        self._follow(outbox, row, reason)
        return row

    def _follow(self, outbox: Outbox, primary: TicketRow, reason: str) -> None:
        """Linked tickets mirror the state of the ticket they are linked to."""
        for follower in TicketRow.select().where(TicketRow.linked_to == primary.id):
            if follower.state == primary.state:
                continue
            old = follower.state
            follower.state = primary.state
            follower.updated_at = primary.updated_at
            follower.error = primary.error
            follower.retryable = primary.retryable
            follower.save()
            self.audit.record(outbox, "TicketStateChanged", ticket_id=follower.id, actor="engine",
                              data={"from_state": old, "to_state": primary.state,
                                    "reason": f"follows ticket {primary.id}: {reason}"})

    def get(self, ticket_id: str) -> TicketDetail:
        """One ticket whole, by id or unique prefix."""
        return ticket_detail(ticket_id)

    def _row(self, ticket_id: str) -> TicketRow:
        return TicketRow.get_by_id(resolve_id(ticket_id))

    def approve(self, ticket_id: str, rank: int | None = None, *, actor: str) -> TicketDetail:
        """Approve a candidate (rank 0 = the recommended one); a different pick is recorded as a correction."""
        with self.uow() as outbox:
            row = self._row(ticket_id)
            self._not_linked(row)
            if TicketState(row.state) not in APPROVABLE_STATES:
                raise IllegalTransition(f"illegal transition {row.state} → approved",
                                        hint="a candidate is approved while the ticket waits for a person "
                                             "(needs_approval, acquisition_failed); force-magnet reaches further")
            chosen = rank if rank is not None else 0
            candidate = CandidateRow.get_or_none(CandidateRow.ticket == row.id, CandidateRow.rank == chosen)
            if candidate is None:
                count = CandidateRow.select().where(CandidateRow.ticket == row.id).count()
                raise NotFound(f"ticket {row.id} has no candidate of rank {chosen}",
                               hint=f"ranks run from 0 to {count - 1}" if count else "it has no candidates; "
                               "use force-search or force-magnet")
            self.transition(outbox, row.id, TicketState.APPROVED, reason=f"candidate {chosen} approved",
                            actor=actor, chosen_rank=chosen, info_hash=candidate.info_hash)
            self.audit.record(outbox, "ApprovalGranted", ticket_id=row.id, actor=actor,
                              data={"candidate_rank": chosen, "info_hash": candidate.info_hash,
                                    "title": candidate.title, "correction": chosen != 0, "reason": "approved",
                                    "rejected": list(candidate_view(candidate).rejected)})
        return self.get(row.id)

    def reject(self, ticket_id: str, reason: str = "", *, actor: str) -> TicketDetail:
        """Reject a ticket waiting for approval."""
        with self.uow() as outbox:
            row = self._row(ticket_id)
            self._not_linked(row)
            self.transition(outbox, row.id, TicketState.REJECTED, reason=reason or "rejected", actor=actor)
            self.audit.record(outbox, "ApprovalRejected", ticket_id=row.id, actor=actor,
                              data={"candidate_rank": None, "info_hash": None, "correction": False,
                                    "reason": reason or "rejected"})
        return self.get(row.id)

    def cancel(self, ticket_id: str, reason: str = "", *, actor: str) -> TicketDetail:
        """Cancel a ticket that is not finished."""
        with self.uow() as outbox:
            row = self._row(ticket_id)
            self.transition(outbox, row.id, TicketState.CANCELLED, reason=reason or "cancelled", actor=actor,
                            lease_owner=None, lease_until=None)
            self.audit.record(outbox, "TicketCancelled", ticket_id=row.id, actor=actor,
                              data={"reason": reason or "cancelled"})
            end_watch(outbox, self, row.id, CANCELLED, actor=actor)
            for hook in self.cancel_hooks:
                hook(outbox, row.id)
        return self.get(row.id)

    def retry(self, ticket_id: str, *, actor: str) -> TicketDetail:
        """Send a failed ticket back to the stage it failed in (or an acquisition failure to a new search)."""
        with self.uow() as outbox:
            row = self._row(ticket_id)
            self._not_linked(row)
            state = TicketState(row.state)
            if state is TicketState.FAILED:
                target = TicketState(row.failed_stage or TicketState.PENDING.value)
            elif state is TicketState.ACQUISITION_FAILED:
                target = TicketState.ACQUIRING
            else:
                raise IllegalTransition(f"ticket {row.id} is {state.value}, not failed",
                                        hint="only failed tickets can be retried")
            self.transition(outbox, row.id, target, reason="retry asked", actor=actor, next_attempt_at=None,
                            lease_owner=None, lease_until=None)
            self.audit.record(outbox, "AdminRetry", ticket_id=row.id, actor=actor, data={"to_state": target.value})
        return self.get(row.id)

    def force_search(self, ticket_id: str, query: str, *, actor: str) -> TicketDetail:
        """Search again with a typed query."""
        if not query.strip():
            raise UsageError("force-search needs a query", hint='e.g. ticket force-search ID "Artist Album FLAC"')
        with self.uow() as outbox:
            row = self._row(ticket_id)
            self._not_linked(row)
            if row.state == TicketState.COMPLETED.value:
                raise IllegalTransition(f"ticket {row.id} is completed: it is not searched again by hand",
                                        hint="`ticket watch ID --until QUALITY` searches for an upgrade")
            self.transition(outbox, row.id, TicketState.ACQUIRING, reason=f"force-search: {query}", actor=actor,
                            forced_query=query.strip(), lease_owner=None, lease_until=None)
            self.audit.record(outbox, "AdminForceSearch", ticket_id=row.id, actor=actor, data={"query": query})
        return self.get(row.id)

    def force_magnet(self, ticket_id: str, magnet_uri: str, *, actor: str,
                     judge: CandidateJudge) -> TicketDetail:
        """Skip the search: the magnet becomes the chosen candidate, scored like any other.

        Works before a release was chosen (pending, acquiring, needs_approval, acquisition_failed). Its
        score may be below the threshold and hard constraints it breaks are stated, not refused: a
        person's pick is an explicit approval.
        """
        magnet = parse_magnet(magnet_uri)
        with self.uow() as outbox:
            row = self._row(ticket_id)
            self._not_linked(row)
            check_transition(TicketState(row.state), TicketState.APPROVED)
            title = magnet.name or magnet.info_hash
            judged = judge(spec_of(row), title, magnet.info_hash)
            last = CandidateRow.select().where(CandidateRow.ticket == row.id).order_by(CandidateRow.rank.desc()).first()
            rank = last.rank + 1 if last else 0
            CandidateRow.create(ticket=row.id, rank=rank, score=judged.score, title=title,
                                info_hash=magnet.info_hash, indexer="manual", magnet=magnet_uri.strip(),
                                seeders=None, reasons=[PERSON_PICK, *judged.reasons], factors=list(judged.factors))
            self.transition(outbox, row.id, TicketState.APPROVED, reason="force-magnet", actor=actor,
                            chosen_rank=rank, info_hash=magnet.info_hash, forced_query=None, lease_owner=None,
                            lease_until=None)
            self.audit.record(outbox, "AdminForceMagnet", ticket_id=row.id, actor=actor, data={
                "magnet_uri": redact_text(magnet_uri), "info_hash": magnet.info_hash, "score": judged.score,
                "rejected": list(judged.rejected)})
        return self.get(row.id)

    def set_priority(self, ticket_id: str, priority: int, *, actor: str) -> TicketDetail:
        """Change a ticket's priority (0–65535, higher first)."""
        if not 0 <= priority <= 65535:
            raise UsageError(f"priority {priority} is out of range", hint="use 0..65535")
        with self.uow() as outbox:
            row = self._row(ticket_id)
            old = row.priority
            row.priority = priority
            row.updated_at = self.clock.now()
            row.save()
            self.audit.record(outbox, "TicketPriorityChanged", ticket_id=row.id, actor=actor,
                              data={"from_priority": old, "to_priority": priority})
        return self.get(row.id)

    def fail(self, ticket_id: str, stage: TicketState, error: QtorrentinoError, *, actor: str = "engine") -> None:
        """The one place a worker's failure is routed, by the error's failure class (docs/states.md).

        Transient: failed, retried with exponential back-off up to MAX_ATTEMPTS. Release-bound: the chosen
        release is blocklisted for the ticket and acquisition runs again. Ticket-bound: failed for good,
        with the message saying what to change.
        """
        with self.uow() as outbox:
            row = TicketRow.get_by_id(ticket_id)
            current = TicketState(row.state)
            if current is TicketState.CANCELLED or (current, TicketState.FAILED) not in TRANSITIONS:
                return
            message = error.message + (f" — {error.hint}" if error.hint else "")
            failure = error.failure_class
            if failure is FailureClass.RELEASE and (current, TicketState.ACQUIRING) in TRANSITIONS:
                self.next_candidate(outbox, row, error.message, actor=actor)
                return
            attempts = row.attempts + 1
            retryable = (failure is FailureClass.TRANSIENT and attempts < MAX_ATTEMPTS
                         and stage in RETRY_STAGES)
            next_at = self.clock.now() + timedelta(seconds=backoff_seconds(attempts)) if retryable else None
            self.transition(outbox, ticket_id, TicketState.FAILED, reason=message, actor=actor,
                            error=message, retryable=retryable, attempts=attempts, next_attempt_at=next_at,
                            failed_stage=stage.value, lease_owner=None, lease_until=None)

    def next_candidate(self, outbox: Outbox, row: TicketRow, reason: str, *, actor: str = "engine") -> None:
        """The chosen release will not do: blocklist it for this ticket and acquire again.

        The ticket keeps its info_hash as a record of the torrent it left; it no longer holds it, so the
        engine lowers that torrent's files (or removes it when nobody else holds it).
        """
        chosen = CandidateRow.get_or_none(CandidateRow.ticket == row.id, CandidateRow.rank == row.chosen_rank)
        if chosen is not None:
            self.blocklist(outbox, row.id, release_key(chosen.info_hash, chosen.indexer, chosen.title),
                           chosen.title, reason)
        elif row.info_hash:
            self.blocklist(outbox, row.id, row.info_hash, row.info_hash, reason)
        TicketItemRow.update(state=ItemState.WANTED.value, file_index=None, source_path=None,
                             staged_path=None).where(
            (TicketItemRow.ticket == row.id) & (TicketItemRow.state != ItemState.PLACED.value)).execute()
        self.transition(outbox, row.id, TicketState.ACQUIRING, actor=actor, lease_owner=None, lease_until=None,
                        reason=f"{reason}; release blocklisted, next candidate")

    def due_retries(self) -> list[str]:
        """Failed retryable tickets whose back-off has passed."""
        now = self.clock.now()
        query = TicketRow.select(TicketRow.id).where(
            (TicketRow.state == TicketState.FAILED.value) & (TicketRow.retryable == True)  # noqa: E712
            & (TicketRow.next_attempt_at <= now) & TicketRow.linked_to.is_null())
        return [row.id for row in query]

    def retry_due(self, ticket_id: str) -> None:
        """The automatic retry after back-off: back to the stage the ticket failed in."""
        with self.uow() as outbox:
            row = TicketRow.get_by_id(ticket_id)
            if row.state != TicketState.FAILED.value or not row.retryable:
                return
            self.transition(outbox, ticket_id, TicketState(row.failed_stage or "pending"),
                            reason=f"automatic retry (attempt {row.attempts + 1})", actor="engine",
                            next_attempt_at=None)

    def blocklist(self, outbox: Outbox, ticket_id: str, release_key: str, title: str, reason: str) -> None:
        """Never pick this release again for this ticket."""
        BlocklistRow.insert(ticket=ticket_id, release_key=release_key, title=title, reason=reason,
                            at=self.clock.now()).on_conflict_ignore().execute()
        self.audit.record(outbox, "ReleaseBlocklisted", ticket_id=ticket_id, actor="engine",
                          data={"info_hash": release_key, "title": title, "reason": reason})

    def blocklisted(self, ticket_id: str) -> set[str]:
        return {row.release_key for row in BlocklistRow.select().where(BlocklistRow.ticket == ticket_id)}

    def set_item_states(self, ticket_id: str, item_ids: Sequence[str], state: ItemState, **changes: Any) -> None:
        """Move items of a ticket to a state (with the timestamp of that state)."""
        stamp = {ItemState.DOWNLOADED: "downloaded_at", ItemState.CONVERTED: "converted_at",
                 ItemState.PLACED: "placed_at"}.get(state)
        values: dict[str, Any] = {"state": state.value, **changes}
        if stamp:
            values[stamp] = self.clock.now()
        TicketItemRow.update(**values).where(
            (TicketItemRow.ticket == ticket_id) & TicketItemRow.item_id.in_(list(item_ids))).execute()

    def _not_linked(self, row: TicketRow) -> None:
        if row.linked_to:
            raise IllegalTransition(f"ticket {row.id} follows ticket {row.linked_to}",
                                    hint=f"act on {row.linked_to} instead")

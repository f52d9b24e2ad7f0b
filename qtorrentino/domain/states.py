"""Ticket and item states as the contracts spell them, and the one transition table."""

from __future__ import annotations

from enum import StrEnum

from qtorrentino.errors import IllegalTransition


class TicketState(StrEnum):
    """Where a ticket is in the pipeline; values are DESIGN's spellings."""

    PENDING = "pending"
    ACQUIRING = "acquiring"
    NEEDS_APPROVAL = "needs_approval"
    AUTO_APPROVED = "auto_approved"
    APPROVED = "approved"
    DOWNLOADING = "downloading"
    CONVERTING = "converting"
    PLACING = "placing"
    COMPLETED = "completed"
    ACQUISITION_FAILED = "acquisition_failed"
    REJECTED = "rejected"
    FAILED = "failed"
    CANCELLED = "cancelled"
    DRY_RUN_COMPLETE = "dry_run_complete"
    WAITING = "waiting"
    """A watched ticket for which nothing acceptable was found yet: the watch acquires it when one appears."""


class ItemState(StrEnum):
    """Where one item of a ticket (a track, an episode, the movie file) is."""

    WANTED = "wanted"
    DOWNLOADING = "downloading"
    DOWNLOADED = "downloaded"
    CONVERTING = "converting"
    CONVERTED = "converted"
    PLACED = "placed"
    SKIPPED = "skipped"
    FAILED = "failed"


S = TicketState

TERMINAL_STATES: frozenset[TicketState] = frozenset(
    {S.COMPLETED, S.REJECTED, S.CANCELLED, S.DRY_RUN_COMPLETE}
)
"""Terminal whatever happens; FAILED is terminal only when not retryable (the ticket says)."""

WAITING_FOR_PERSON: frozenset[TicketState] = frozenset({S.NEEDS_APPROVAL, S.ACQUISITION_FAILED})
"""States no worker moves a ticket out of."""

WAITING_FOR_RELEASE: frozenset[TicketState] = frozenset({S.WAITING})
"""States a ticket waits in for a release to appear (the watch moves it on, on its own schedule)."""

RETRY_STAGES: frozenset[TicketState] = frozenset(
    {S.PENDING, S.ACQUIRING, S.APPROVED, S.AUTO_APPROVED, S.DOWNLOADING, S.CONVERTING, S.PLACING}
)
"""The stages a worker runs; a retryable failure goes back to the stage it failed in."""

_PIPELINE: dict[TicketState, frozenset[TicketState]] = {
    S.PENDING: frozenset({S.ACQUIRING}),
    S.ACQUIRING: frozenset({S.NEEDS_APPROVAL, S.AUTO_APPROVED, S.ACQUISITION_FAILED, S.DRY_RUN_COMPLETE}),
    S.NEEDS_APPROVAL: frozenset({S.APPROVED, S.REJECTED, S.ACQUIRING}),
    S.ACQUISITION_FAILED: frozenset({S.ACQUIRING, S.APPROVED}),
    S.APPROVED: frozenset({S.DOWNLOADING, S.ACQUIRING}),
    S.AUTO_APPROVED: frozenset({S.DOWNLOADING, S.ACQUIRING}),
    S.DOWNLOADING: frozenset({S.CONVERTING, S.ACQUIRING}),
    S.CONVERTING: frozenset({S.PLACING, S.ACQUIRING}),
    S.PLACING: frozenset({S.COMPLETED, S.ACQUIRING}),
    S.FAILED: RETRY_STAGES,
}


FORCE_MAGNET_FROM: frozenset[TicketState] = frozenset(
    {S.PENDING, S.ACQUIRING, S.NEEDS_APPROVAL, S.ACQUISITION_FAILED, S.WAITING}
)
"""A person's magnet becomes the chosen candidate from any state before a release was chosen."""


WATCH_TRANSITIONS: frozenset[tuple[TicketState, TicketState]] = frozenset({
    (S.ACQUIRING, S.WAITING),
    (S.WAITING, S.ACQUIRING),
    (S.WAITING, S.ACQUISITION_FAILED),
    (S.ACQUISITION_FAILED, S.WAITING),
})
"""A watched ticket waits when nothing acceptable is found, and is acquired again when a release appears
or its periodic search is due; `ticket unwatch` leaves it as acquisition_failed, `ticket watch` makes an
acquisition_failed one wait (docs/states.md justifies each pair)."""

UPGRADE_TRANSITIONS: frozenset[tuple[TicketState, TicketState]] = frozenset({
    (S.COMPLETED, S.ACQUIRING),
    (S.ACQUIRING, S.COMPLETED),
})
"""The only ways out of a final state: a completed ticket with `upgrade_until` is searched again for a
better release, and an upgrade search that finds none leaves it completed, its placed files untouched."""


def _build_transitions() -> frozenset[tuple[TicketState, TicketState]]:
    pairs = {(old, new) for old, targets in _PIPELINE.items() for new in targets}
    pairs |= WATCH_TRANSITIONS | UPGRADE_TRANSITIONS
    pairs |= {(old, S.APPROVED) for old in FORCE_MAGNET_FROM}
    for state in TicketState:
        if state not in TERMINAL_STATES:
            pairs.add((state, S.CANCELLED))
            if state is not S.FAILED:
                pairs.add((state, S.FAILED))
    return frozenset(pairs)


TRANSITIONS: frozenset[tuple[TicketState, TicketState]] = _build_transitions()
"""Every legal (from, to) pair; nothing else may happen to a ticket."""


def check_transition(old: TicketState, new: TicketState) -> None:
    """Raise IllegalTransition unless the table allows old → new."""
    if (old, new) not in TRANSITIONS:
        allowed = sorted(target.value for source, target in TRANSITIONS if source is old)
        hint = f"from {old.value} a ticket can go to: {', '.join(allowed)}" if allowed else (
            f"{old.value} is final"
        )
        if old in TERMINAL_STATES and allowed:
            hint = f"{old.value} is final (only a watched ticket's upgrade search leaves it)"
        raise IllegalTransition(f"illegal transition {old.value} → {new.value}", hint=hint)


def is_idle_state(state: TicketState, *, retryable: bool) -> bool:
    """True when no worker will move a ticket in this state without a person."""
    if state is S.FAILED:
        return not retryable
    return state in TERMINAL_STATES or state in WAITING_FOR_PERSON or state in WAITING_FOR_RELEASE

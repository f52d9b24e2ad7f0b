"""The transition table: every legal move passes, every other move raises and names both states."""

from __future__ import annotations

import itertools

import pytest

from qtorrentino.domain.states import (
    TERMINAL_STATES,
    TRANSITIONS,
    UPGRADE_TRANSITIONS,
    TicketState,
    check_transition,
    is_idle_state,
)
from qtorrentino.errors import IllegalTransition

S = TicketState
ILLEGAL = sorted(set(itertools.product(TicketState, TicketState)) - TRANSITIONS)


@pytest.mark.parametrize(("old", "new"), sorted(TRANSITIONS))
def test_allowed_transition_passes(old: TicketState, new: TicketState) -> None:
    check_transition(old, new)


@pytest.mark.parametrize(("old", "new"), ILLEGAL)
def test_illegal_transition_raises(old: TicketState, new: TicketState) -> None:
    with pytest.raises(IllegalTransition, match=f"{old.value} → {new.value}"):
        check_transition(old, new)


def test_the_pipeline_of_the_design_is_legal() -> None:
    path = [S.PENDING, S.ACQUIRING, S.NEEDS_APPROVAL, S.APPROVED, S.DOWNLOADING, S.CONVERTING, S.PLACING,
            S.COMPLETED]
    for old, new in itertools.pairwise(path):
        check_transition(old, new)
    for old, new in [(S.ACQUIRING, S.AUTO_APPROVED), (S.AUTO_APPROVED, S.DOWNLOADING),
                     (S.ACQUIRING, S.DRY_RUN_COMPLETE), (S.ACQUIRING, S.ACQUISITION_FAILED),
                     (S.NEEDS_APPROVAL, S.REJECTED), (S.NEEDS_APPROVAL, S.ACQUIRING),
                     (S.ACQUISITION_FAILED, S.ACQUIRING), (S.ACQUISITION_FAILED, S.APPROVED),
                     (S.DOWNLOADING, S.ACQUIRING), (S.APPROVED, S.ACQUIRING), (S.FAILED, S.CONVERTING)]:
        check_transition(old, new)


@pytest.mark.parametrize("terminal", sorted(TERMINAL_STATES))
def test_terminal_states_go_nowhere(terminal: TicketState) -> None:
    assert not [new for old, new in TRANSITIONS
                if old is terminal and (old, new) not in UPGRADE_TRANSITIONS]


def test_the_only_way_out_of_a_final_state_is_a_watched_tickets_upgrade_search() -> None:
    leaving = {(old, new) for old, new in TRANSITIONS if old in TERMINAL_STATES}
    assert leaving == {(S.COMPLETED, S.ACQUIRING)}


def test_a_watched_ticket_waits_and_is_acquired_again() -> None:
    for old, new in [(S.ACQUIRING, S.WAITING), (S.WAITING, S.ACQUIRING), (S.WAITING, S.CANCELLED),
                     (S.WAITING, S.ACQUISITION_FAILED), (S.ACQUISITION_FAILED, S.WAITING),
                     (S.WAITING, S.APPROVED), (S.COMPLETED, S.ACQUIRING),
                     (S.ACQUIRING, S.COMPLETED)]:
        check_transition(old, new)
    for old, new in [(S.WAITING, S.COMPLETED), (S.WAITING, S.DOWNLOADING), (S.COMPLETED, S.WAITING),
                     (S.COMPLETED, S.CANCELLED), (S.PENDING, S.WAITING)]:
        with pytest.raises(IllegalTransition):
            check_transition(old, new)


def test_every_non_terminal_state_can_fail_and_be_cancelled() -> None:
    for state in set(TicketState) - TERMINAL_STATES:
        check_transition(state, S.CANCELLED)
        if state is not S.FAILED:
            check_transition(state, S.FAILED)


def test_leaving_completed_hints_that_it_is_final() -> None:
    with pytest.raises(IllegalTransition) as caught:
        check_transition(S.COMPLETED, S.DOWNLOADING)
    assert "final" in caught.value.hint


def test_idle_states() -> None:
    assert is_idle_state(S.NEEDS_APPROVAL, retryable=False)
    assert is_idle_state(S.FAILED, retryable=False)
    assert not is_idle_state(S.FAILED, retryable=True)
    assert not is_idle_state(S.DOWNLOADING, retryable=False)
    assert is_idle_state(S.WAITING, retryable=False)

"""The stage table: every state has exactly one owner, and the engine runs one worker per worker it names."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from qtorrentino.audit.event_types import AuditType
from qtorrentino.domain.states import TERMINAL_STATES, TicketState, is_idle_state
from qtorrentino.workers.stages import (
    BY_STATE,
    HELPERS,
    STAGES,
    OwnerKind,
    helped_by,
    helper_names,
    owned_by,
    worker_names,
)


def test_every_state_has_exactly_one_owner() -> None:
    counts = Counter(stage.state for stage in STAGES)
    assert set(counts) == set(TicketState), set(TicketState) - set(counts)
    assert all(count == 1 for count in counts.values()), counts
    for stage in STAGES:
        assert stage.owner, stage
        if stage.kind is OwnerKind.PERSON:
            assert stage.owner == "person"
        if stage.kind is OwnerKind.FINAL:
            assert stage.owner == "final"


def test_final_means_terminal_and_person_means_idle() -> None:
    assert {stage.state for stage in STAGES if stage.kind is OwnerKind.FINAL} == TERMINAL_STATES
    for stage in STAGES:
        if stage.kind is OwnerKind.PERSON:
            assert is_idle_state(stage.state, retryable=False)
        if stage.kind is OwnerKind.WORKER:
            assert not is_idle_state(stage.state, retryable=True), stage.state
            assert stage.next, f"{stage.state} is owned by a worker but leads nowhere"
        if stage.kind is OwnerKind.SCHEDULE:
            assert is_idle_state(stage.state, retryable=True), stage.state
            assert stage.next, f"{stage.state} is owned by a schedule but leads nowhere"


def test_where_a_ticket_goes_is_the_transition_tables_answer() -> None:
    assert TicketState.CONVERTING in BY_STATE[TicketState.DOWNLOADING].next
    assert TicketState.ACQUIRING in BY_STATE[TicketState.PLACING].next
    assert BY_STATE[TicketState.COMPLETED].next == (TicketState.ACQUIRING,)
    assert BY_STATE[TicketState.WAITING].next == (
        TicketState.ACQUIRING, TicketState.APPROVED, TicketState.ACQUISITION_FAILED, TicketState.FAILED,
        TicketState.CANCELLED)


def test_the_engine_builds_one_worker_per_worker_in_the_table(engine: object) -> None:
    workers = engine.parts.workers  # type: ignore[attr-defined]
    assert [worker.name for worker in workers] == [*worker_names(), *helper_names()]
    owners = [worker for worker in workers if worker.name in worker_names()]
    claimed = [state for worker in owners for state in worker.stages]
    assert sorted(claimed) == sorted(s.state for s in STAGES if s.kind is OwnerKind.WORKER)
    for worker in owners:
        assert worker.stages == owned_by(worker.name)
    for worker in workers:
        if worker.name in helper_names():
            assert worker.stages == helped_by(worker.name)


def test_a_helper_owns_nothing_and_works_only_where_a_person_decides() -> None:
    owners = {stage.owner for stage in STAGES}
    for helper in HELPERS:
        assert helper.name not in owners, helper
        assert helper.looks_at, helper
        for state in helper.looks_at:
            assert BY_STATE[state].kind is OwnerKind.PERSON, (helper.name, state)


def test_the_states_doc_lists_every_state_with_its_owner() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "states.md").read_text(encoding="utf-8")
    for stage in STAGES:
        assert f"| `{stage.state.value}` | {stage.kind.value}: {stage.owner} |" in doc, stage.state
    for helper in HELPERS:
        states = ", ".join(f"`{state.value}`" for state in helper.looks_at)
        assert f"| {helper.name} | {states} |" in doc, helper.name


def test_every_type_a_stage_emits_is_declared_in_the_audit_vocabulary() -> None:
    declared = {member.value for member in AuditType}
    emitted = {event for stage in STAGES for event in stage.emits}
    assert emitted <= declared, sorted(emitted - declared)

"""Ticket service on a real database: dedup and merge, priority order, back-off, approvals, linked tickets."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from qtorrentino.clock import FrozenClock
from qtorrentino.db.database import write_transaction
from qtorrentino.db.models import CandidateRow
from qtorrentino.domain.states import TicketState
from qtorrentino.engine.engine import Engine
from qtorrentino.errors import ConfigError, IllegalTransition, NotFound, QtorrentinoError, VerificationFailed
from qtorrentino.tickets.claims import LEASE_SECONDS, Claim, claim_next, release
from qtorrentino.tickets.service import MAX_ATTEMPTS, backoff_seconds
from qtorrentino.workers.base import BaseWorker, NotReadyYet

ACTOR = "cli:test"


def album(*numbers: int, artist: str = "Radiohead", name: str = "OK Computer") -> dict[str, object]:
    return {"kind": "album", "query": {"artist": artist, "album": name, "year": 1997},
            "items": [{"id": f"t{n}", "disc": 1, "number": n, "title": f"Track {n}"} for n in numbers]}


def add(engine: Engine, ticket: dict[str, object]) -> str:
    return engine.tickets.add_json(ticket, actor=ACTOR)[0].id


def give_candidates(ticket_id: str, count: int) -> None:
    with write_transaction():
        for rank in range(count):
            CandidateRow.create(ticket=ticket_id, rank=rank, score=0.9 - rank / 10, title=f"Release {rank}",
                                info_hash=f"{rank:040x}", indexer="test")


def move(engine: Engine, ticket_id: str, *states: TicketState) -> None:
    for state in states:
        with engine.core.uow() as outbox:
            engine.core.commands.transition(outbox, ticket_id, state, reason="test", actor="engine")


def test_covered_ticket_is_linked_and_follows(engine: Engine) -> None:
    first = add(engine, album(1, 2, 3))
    created = engine.tickets.add_json(album(2, 3), actor=ACTOR)[0]
    assert created.linked_to == first and created.id != first
    move(engine, first, TicketState.ACQUIRING)
    assert engine.tickets.show(created.id).state is TicketState.ACQUIRING
    linked = engine.audit.latest(created.id, "TicketLinked")
    assert linked is not None and linked.data == {"linked_to": first, "merged_items": []}


def test_overlapping_ticket_merges_new_items_before_download(engine: Engine) -> None:
    first = add(engine, album(1, 2))
    created = engine.tickets.add_json(album(2, 5), actor=ACTOR)[0]
    assert created.linked_to == first and created.merged_items == ("t5",)
    numbers = [item.number for item in engine.tickets.show(first).items]
    assert numbers == [1, 2, 5]


def test_overlap_after_download_started_is_a_ticket_of_its_own(engine: Engine) -> None:
    first = add(engine, album(1, 2))
    give_candidates(first, 1)
    move(engine, first, TicketState.ACQUIRING, TicketState.NEEDS_APPROVAL)
    engine.tickets.approve(first, actor=ACTOR)
    move(engine, first, TicketState.DOWNLOADING)
    created = engine.tickets.add_json(album(2, 5), actor=ACTOR)[0]
    assert created.linked_to is None


def test_a_track_ticket_can_be_shown_and_asked_for_again(engine: Engine) -> None:
    """A track ticket lists its tracks; reading it back must not lose them and refuse it."""
    track = {"kind": "track", "query": {"artist": "Radiohead", "album": "OK Computer", "year": 1997},
             "items": [{"id": "t6", "disc": 1, "number": 6, "title": "Karma Police"}]}
    first = add(engine, track)
    shown = engine.tickets.show(first)
    assert [item.title for item in shown.spec.items] == ["Karma Police"]
    again = engine.tickets.add_json(track, actor=ACTOR)[0]
    assert again.linked_to == first


def test_different_content_is_not_linked(engine: Engine) -> None:
    add(engine, album(1))
    assert engine.tickets.add_json(album(1, name="Kid A"), actor=ACTOR)[0].linked_to is None


def test_claims_take_highest_priority_first_then_oldest(engine: Engine, clock: FrozenClock) -> None:
    low = add(engine, {**album(1, name="A"), "priority": 10})
    clock.advance(timedelta(seconds=1))
    high_old = add(engine, {**album(1, name="B"), "priority": 500})
    clock.advance(timedelta(seconds=1))
    high_new = add(engine, {**album(1, name="C"), "priority": 500})
    order = []
    while (claim := claim_next([TicketState.PENDING], owner="t", clock=clock)) is not None:
        order.append(claim.ticket_id)
    assert order == [high_old, high_new, low]


def test_a_leased_ticket_is_not_claimed_twice(engine: Engine, clock: FrozenClock) -> None:
    ticket = add(engine, album(1))
    claim = claim_next([TicketState.PENDING], owner="a", clock=clock)
    assert claim is not None and claim.ticket_id == ticket
    assert claim_next([TicketState.PENDING], owner="b", clock=clock) is None
    release(claim)
    assert claim_next([TicketState.PENDING], owner="b", clock=clock) is not None


def test_a_worker_whose_input_is_not_ready_leaves_the_ticket_waiting_not_failed(
        engine: Engine, clock: FrozenClock) -> None:
    ticket = add(engine, album(1))
    seen: list[str] = []

    class Waiting(BaseWorker):
        stages = (TicketState.PENDING,)

        def process(self, claim: Claim) -> None:
            seen.append(claim.ticket_id)
            raise NotReadyYet(5, "its torrent is having its files checked")

    worker = Waiting(engine.context)
    assert worker.run_once() is True and seen == [ticket]
    shown = engine.tickets.show(ticket)
    assert shown.state is TicketState.PENDING and shown.summary.attempts == 0 and shown.summary.error is None
    assert worker.run_once() is False, "nobody takes the ticket before the wait is over"
    clock.advance(timedelta(seconds=6))
    assert worker.run_once() is True and seen == [ticket, ticket]


def test_retryable_failure_backs_off_exponentially_then_gives_up(engine: Engine, clock: FrozenClock) -> None:
    class Flaky(QtorrentinoError):
        retryable = True

    ticket = add(engine, album(1))
    move(engine, ticket, TicketState.ACQUIRING)
    delays = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        engine.core.commands.fail(ticket, TicketState.ACQUIRING, Flaky("indexer down"))
        shown = engine.tickets.show(ticket).summary
        assert shown.state is TicketState.FAILED and shown.attempts == attempt
        if attempt == MAX_ATTEMPTS:
            assert not shown.retryable and shown.next_attempt_at is None
            break
        assert shown.retryable
        assert shown.next_attempt_at is not None
        delays.append((shown.next_attempt_at - clock.now()).total_seconds())
        assert engine.core.commands.due_retries() == []
        clock.advance(timedelta(seconds=delays[-1]))
        assert engine.core.commands.due_retries() == [ticket]
        engine.core.commands.retry_due(ticket)
        assert engine.tickets.show(ticket).state is TicketState.ACQUIRING
    assert delays == [backoff_seconds(n) for n in range(1, MAX_ATTEMPTS)]
    assert delays == sorted(delays) and delays[1] == 2 * delays[0]
    assert engine.tickets.is_idle()


def test_approving_another_candidate_is_a_correction(engine: Engine) -> None:
    ticket = add(engine, album(1))
    give_candidates(ticket, 3)
    move(engine, ticket, TicketState.ACQUIRING, TicketState.NEEDS_APPROVAL)
    detail = engine.tickets.approve(ticket[:6], 2, actor=ACTOR)
    assert detail.state is TicketState.APPROVED and detail.chosen_rank == 2
    granted = engine.audit.latest(ticket, "ApprovalGranted")
    assert granted is not None and granted.data["correction"] is True and granted.data["candidate_rank"] == 2
    assert granted.actor == ACTOR


def test_approving_a_completed_ticket_is_illegal(engine: Engine) -> None:
    ticket = add(engine, album(1))
    give_candidates(ticket, 1)
    engine.tickets.cancel(ticket, actor=ACTOR)
    with pytest.raises(IllegalTransition, match="cancelled → approved"):
        engine.tickets.approve(ticket, actor=ACTOR)


def test_unknown_and_short_ids(engine: Engine) -> None:
    add(engine, album(1))
    with pytest.raises(NotFound, match="no ticket"):
        engine.tickets.show("ffffffff")
    with pytest.raises(NotFound, match="too short"):
        engine.tickets.show("ab")


def test_force_magnet_makes_the_magnet_the_chosen_candidate(engine: Engine) -> None:
    ticket = add(engine, album(1))
    move(engine, ticket, TicketState.ACQUIRING, TicketState.ACQUISITION_FAILED)
    magnet = "magnet:?xt=urn:btih:" + "ab" * 20 + "&dn=Some+Release&tr=http%3A%2F%2Ft%2Fa%3Fpasskey%3Dzzsecret"
    detail = engine.tickets.force_magnet(ticket, magnet, actor=ACTOR)
    assert detail.state is TicketState.APPROVED
    assert detail.chosen is not None and detail.chosen.info_hash == "ab" * 20
    event = engine.audit.latest(ticket, "AdminForceMagnet")
    assert event is not None and "zzsecret" not in event.data["magnet_uri"]


def test_every_transition_is_audited_with_from_and_to(engine: Engine) -> None:
    ticket = add(engine, album(1))
    move(engine, ticket, TicketState.ACQUIRING, TicketState.ACQUISITION_FAILED)
    engine.tickets.force_search(ticket, "radiohead ok computer flac", actor=ACTOR)
    changes = [(e.data["from_state"], e.data["to_state"]) for e in engine.audit.history(ticket)
               if e.type == "TicketStateChanged"]
    assert changes == [("pending", "acquiring"), ("acquiring", "acquisition_failed"),
                       ("acquisition_failed", "acquiring")]
    assert engine.tickets.show(ticket).forced_query == "radiohead ok computer flac"


def test_a_long_piece_of_work_keeps_its_lease_and_is_never_claimed_twice(engine: Engine, clock: FrozenClock) -> None:
    ticket = add(engine, album(1))
    working = threading.Event()
    finish = threading.Event()

    class Slow(BaseWorker):
        stages = (TicketState.PENDING,)

        def process(self, claim: Claim) -> None:
            working.set()
            finish.wait(30)

    worker = Slow(engine.context)
    thread = threading.Thread(target=worker.run_once)
    thread.start()
    try:
        assert working.wait(10)
        for _ in range(4):
            clock.advance(timedelta(seconds=LEASE_SECONDS * 0.9))
            assert worker.renew_leases() == 1
            assert claim_next([TicketState.PENDING], owner="other", clock=clock) is None
    finally:
        finish.set()
        thread.join(10)
    released = claim_next([TicketState.PENDING], owner="other", clock=clock)
    assert released is not None and released.ticket_id == ticket


def test_failure_classes_route_a_failure_in_one_place(engine: Engine, clock: FrozenClock) -> None:
    ticket = add(engine, album(1))
    give_candidates(ticket, 1)
    move(engine, ticket, TicketState.ACQUIRING, TicketState.NEEDS_APPROVAL)
    engine.tickets.approve(ticket, 0, actor="cli:test")
    engine.core.commands.fail(ticket, TicketState.APPROVED, VerificationFailed("01.flac: lasts 4.0 s"))
    shown = engine.tickets.show(ticket).summary
    assert shown.state is TicketState.ACQUIRING and shown.attempts == 0
    assert engine.audit.latest(ticket, "ReleaseBlocklisted") is not None
    engine.core.commands.fail(ticket, TicketState.ACQUIRING, ConfigError("the library Nowhere is not configured"))
    shown = engine.tickets.show(ticket).summary
    assert shown.state is TicketState.FAILED and not shown.retryable and "Nowhere" in (shown.error or "")

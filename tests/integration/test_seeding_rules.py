"""Seeding rules on a real engine over loopback: goals, per-indexer overrides, minimum seed time, the budget.

Seed time is counted by the engine's clock (a frozen one here), since libtorrent's own cannot be faked.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from qtorrentino.audit.query import AuditFilter
from qtorrentino.clock import FrozenClock
from qtorrentino.config.home import Home
from qtorrentino.db.database import write_transaction
from qtorrentino.db.models import CandidateRow, TicketRow, TorrentRow
from qtorrentino.engine.engine import Engine
from qtorrentino.torrent import catalog
from qtorrentino.torrent.maketorrent import MadeTorrent, magnet_with_peer, make_torrent
from qtorrentino.torrent.session import TorrentSession
from tests.conftest import MINIMAL_CONFIG
from tests.integration.test_torrent_session import RecordingListener, wait_until
from tests.servers.seeder import loopback_config

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PRIVATE_INDEXER = """
[[indexers]]
name = "private"
url = "http://127.0.0.1:9/api"
seed_ratio = 0
seed_time_hours = 0
min_seed_time_hours = 48
"""


def open_engine(root: Path, clock: FrozenClock, torrent: str = "", extra: str = "") -> Engine:
    """A real engine, workers off (the test runs the seeding chore itself), with [torrent] lines added."""
    for name in ("music", "movies", "tv", "downloads", "staging"):
        (root / name).mkdir(parents=True, exist_ok=True)
    text = MINIMAL_CONFIG.format(root=root).replace("[torrent]\n", f"[torrent]\n{torrent}\n") + extra
    (root / "config.toml").write_text(text, encoding="utf-8")
    engine = Engine.open(Home.at(root), clock=clock)
    engine.start(workers=False)
    return engine


def seed(engine: Engine, root: Path, name: str, size: int, *, indexer: str | None = None,
         last_access: datetime = START) -> MadeTorrent:
    """A finished download in the engine's catalog, seeding (as after a completed ticket)."""
    folder = root / "downloads" / name
    folder.mkdir(parents=True)
    (folder / f"{name}.flac").write_bytes(random.Random(name).randbytes(size))
    made = make_torrent(folder)
    session = engine.parts.torrent.session
    session.add_torrent_bytes(made.torrent_bytes, folder.parent, seed_mode=True)
    wait_until(lambda: session.status(made.info_hash).seeding, f"{name} seeding")
    with write_transaction():
        catalog.record_torrent(made.info_hash, name, folder.parent, session.wait_metadata(made.info_hash, 10),
                               now=last_access, torrent_file=made.torrent_bytes, indexer=indexer)
        TorrentRow.update(progress=1.0, completed_at=START).where(TorrentRow.info_hash == made.info_hash).execute()
    return made


def leech_a_copy(tmp_path: Path, engine: Engine, made: MadeTorrent) -> None:
    """A peer downloads the whole torrent from the engine: its ratio reaches 1.0."""
    listener = RecordingListener()
    with TorrentSession(loopback_config(), tmp_path / "peer-state", listener=listener) as peer:
        magnet = magnet_with_peer(made.magnet, "127.0.0.1", engine.parts.torrent.session.listen_port)
        info_hash = peer.add_magnet(magnet, tmp_path / "peer", metadata_only=False)
        listener.wait_for(lambda: info_hash in listener.finished, "the peer's copy")
    wait_until(lambda: engine.parts.torrent.session.status(made.info_hash).ratio >= 1.0, "the upload counted")


def seeding_hours(engine: Engine, clock: FrozenClock, hours: float) -> None:
    """Let the engine's clock run while it seeds; the seeding chore runs before and after."""
    engine.parts.torrent.enforce_seeding_policy()
    clock.advance(timedelta(hours=hours))
    engine.parts.torrent.enforce_seeding_policy()


def removals(engine: Engine) -> list[dict[str, object]]:
    """TorrentRemoved events' data, oldest first."""
    events = engine.audit.page(AuditFilter(types=("TorrentRemoved",))).events
    return [event.data for event in sorted(events, key=lambda event: event.seq)]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def stop() -> Iterator[list[Engine]]:
    opened: list[Engine] = []
    yield opened
    for engine in opened:
        engine.stop()


def test_seed_ratio_minus_one_seeds_forever(tmp_path: Path, root: Path, clock: FrozenClock,
                                            stop: list[Engine]) -> None:
    engine = open_engine(root, clock, "seed_ratio = -1\nseed_time_hours = 0")
    stop.append(engine)
    made = seed(engine, root, "Forever", 1_000_000)
    leech_a_copy(tmp_path, engine, made)

    seeding_hours(engine, clock, 10_000)

    status = engine.parts.torrent.session.status(made.info_hash)
    assert (status.paused, status.seeding) == (False, True)
    assert TorrentRow.get_by_id(made.info_hash).seeding_done is False


def test_ratio_goal_pauses_once_and_a_person_may_resume_it(tmp_path: Path, root: Path, clock: FrozenClock,
                                                           stop: list[Engine]) -> None:
    engine = open_engine(root, clock, "seed_ratio = 1.0\nseed_time_hours = 2")
    stop.append(engine)
    made = seed(engine, root, "Goal", 1_000_000)
    leech_a_copy(tmp_path, engine, made)
    session = engine.parts.torrent.session

    seeding_hours(engine, clock, 1)
    assert not session.status(made.info_hash).paused  # ratio met, one hour of two seeded
    seeding_hours(engine, clock, 1.5)
    assert session.status(made.info_hash).paused
    assert TorrentRow.get_by_id(made.info_hash).seeding_done is True
    assert engine.torrents.list()[0].cleanup_candidate

    engine.torrents.resume(made.info_hash)
    seeding_hours(engine, clock, 1)
    assert not session.status(made.info_hash).paused


def test_an_indexer_minimum_seed_time_holds_off_removal_whatever_the_goals_say(
    root: Path, clock: FrozenClock, stop: list[Engine]
) -> None:
    engine = open_engine(root, clock, 'seed_ratio = 0\non_seed_goal = "remove_data"', PRIVATE_INDEXER)
    stop.append(engine)
    made = seed(engine, root, "Private", 300_000, indexer="private")
    public = seed(engine, root, "Public", 300_000)
    data = root / "downloads" / "Private" / "Private.flac"

    seeding_hours(engine, clock, 47)
    assert data.exists() and engine.parts.torrent.session.status(made.info_hash).seeding
    wait_until(lambda: not (root / "downloads" / "Public").exists(), "no minimum: goals 0 are met at once")

    seeding_hours(engine, clock, 2)
    wait_until(lambda: not data.exists(), "the private torrent's data removed after 48 h seeded")
    assert TorrentRow.get_by_id(made.info_hash).removed is True
    assert [(event["info_hash"], event["reason"], event["data_removed"]) for event in removals(engine)] == [
        (public.info_hash, "seed_goal", True), (made.info_hash, "seed_goal", True)]


def test_the_storage_budget_removes_least_recently_used_torrents_past_goals_never_a_live_tickets(
    root: Path, clock: FrozenClock, stop: list[Engine]
) -> None:
    budget_gb = 536_870 / 1024**3
    engine = open_engine(root, clock, f"seed_ratio = 0\nstorage_budget_gb = {budget_gb}")
    stop.append(engine)
    needed = seed(engine, root, "Needed", 400_000, last_access=START - timedelta(days=30))
    old = seed(engine, root, "Old", 400_000, last_access=START - timedelta(days=20))
    recent = seed(engine, root, "Recent", 100_000, last_access=START - timedelta(days=1))
    with write_transaction():  # a shared torrent: one ticket finished with it, one still downloading from it
        for ticket_id, state in (("ticket-finished", "completed"), ("ticket-downloading", "downloading")):
            TicketRow.create(id=ticket_id, kind="album", title="Needed", state=state, spec={},
                             info_hash=needed.info_hash, created_at=START, updated_at=START)

    seeding_hours(engine, clock, 1)

    kept = {view.info_hash for view in engine.torrents.list()}
    assert kept == {needed.info_hash, recent.info_hash}
    wait_until(lambda: not (root / "downloads" / "Old").exists(), "the old torrent's data removed")
    assert (root / "downloads" / "Needed" / "Needed.flac").exists()
    assert [(event["info_hash"], event["reason"], event["data_removed"]) for event in removals(engine)] == [
        (old.info_hash, "storage_budget", True)]

    with write_transaction():
        TicketRow.update(state="completed").where(TicketRow.id == "ticket-downloading").execute()
    newest = seed(engine, root, "Newest", 100_000)  # over the budget again: the oldest torrent goes first
    seeding_hours(engine, clock, 1)

    wait_until(lambda: not (root / "downloads" / "Needed").exists(), "the shared torrent's data removed")
    assert {view.info_hash for view in engine.torrents.list()} == {recent.info_hash, newest.info_hash}
    assert [(event["info_hash"], event["reason"]) for event in removals(engine)] == [
        (old.info_hash, "storage_budget"), (needed.info_hash, "storage_budget")]


def test_a_torrent_takes_its_tickets_indexer_goals_and_waits_for_its_live_ticket(
    root: Path, clock: FrozenClock, stop: list[Engine]
) -> None:
    engine = open_engine(root, clock, 'seed_ratio = 0\non_seed_goal = "remove_data"', PRIVATE_INDEXER)
    stop.append(engine)
    made = seed(engine, root, "Ticketed", 300_000)  # recorded without an indexer, as older catalogs were
    with write_transaction():
        ticket = TicketRow.create(id="ticket-private", kind="album", title="Ticketed", state="converting", spec={},
                                  info_hash=made.info_hash, created_at=START, updated_at=START)
        CandidateRow.create(ticket=ticket, rank=0, score=0.95, title="Ticketed", info_hash=made.info_hash,
                            indexer="private")
    data = root / "downloads" / "Ticketed" / "Ticketed.flac"

    seeding_hours(engine, clock, 47)
    assert data.exists()  # the private indexer's 48 h minimum, learned from the ticket's candidate
    seeding_hours(engine, clock, 2)
    assert data.exists() and removals(engine) == []  # goals met, but its ticket is still converting

    with write_transaction():
        TicketRow.update(state="completed").where(TicketRow.id == ticket.id).execute()
    engine.parts.torrent.enforce_seeding_policy()
    wait_until(lambda: not data.exists(), "the data removed once no live ticket needs it")
    assert [(event["reason"], event["data_removed"]) for event in removals(engine)] == [("seed_goal", True)]


def test_a_ticket_that_left_its_torrent_for_the_next_candidate_no_longer_holds_it(
    root: Path, clock: FrozenClock, stop: list[Engine]
) -> None:
    engine = open_engine(root, clock, 'seed_ratio = 0\non_seed_goal = "remove_data"')
    stop.append(engine)
    shared = seed(engine, root, "Shared", 300_000)
    left = seed(engine, root, "Left", 300_000)
    with write_transaction():
        for ticket_id, state, made in (("ticket-joined", "downloading", shared), ("ticket-done", "completed", shared),
                                       ("ticket-left", "acquiring", left)):
            TicketRow.create(id=ticket_id, kind="album", title=ticket_id, state=state, spec={},
                             info_hash=made.info_hash, created_at=START, updated_at=START)

    engine.parts.torrent.enforce_seeding_policy()

    wait_until(lambda: not (root / "downloads" / "Left").exists(), "the left torrent's data removed")
    assert (root / "downloads" / "Shared" / "Shared.flac").exists()  # a downloading ticket still holds it
    assert [(event["info_hash"], event["reason"], event["data_removed"]) for event in removals(engine)] == [
        (left.info_hash, "seed_goal", True)]

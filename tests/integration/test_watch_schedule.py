"""The watch's schedule and commands against a loopback Torznab and TMDB, on a frozen clock: waiting
instead of failing, `ticket watch`/`unwatch`, the periodic search with back-off, air dates, upgrade
windows."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from qtorrentino.db.models import FeedSeenRow, TicketRow, WatchRow
from qtorrentino.domain.states import TicketState
from qtorrentino.engine.engine import Engine
from qtorrentino.search.indexers import IndexerSet
from qtorrentino.search.result import SearchResult
from qtorrentino.workers import watch_feed
from qtorrentino.workers.acquisition import AcquisitionWorker
from qtorrentino.workers.watch import Watch
from tests.conftest import make_home, run_cli
from tests.servers.tmdb import DEFAULT_API_KEY as TMDB_KEY
from tests.servers.tmdb import StubEpisode, StubSeries, TmdbServer
from tests.servers.torznab import DEFAULT_API_KEY, Release, TorznabServer

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from qtorrentino.clock import FrozenClock


@pytest.fixture
def server() -> Iterator[TorznabServer]:
    with TorznabServer(releases=[]) as running:
        yield running


@pytest.fixture
def tmdb() -> Iterator[TmdbServer]:
    series = StubSeries(id=4711, name="Future Show", first_air_date="2025-09-01")
    episodes = (StubEpisode(4711, 1, 1, "2025-09-01"), StubEpisode(4711, 1, 9, "2026-01-20"))
    with TmdbServer(series=(series,), episodes=episodes) as running:
        yield running


def open_engine(root: Path, server: TorznabServer, clock: FrozenClock, extra: str = "") -> Engine:
    home = make_home(
        root,
        f'\n[[indexers]]\nname = "loopback"\nurl = "{server.url}"\n'
        f'api_key = "{DEFAULT_API_KEY}"\nrate_limit_per_minute = 0\n'
        "\n[watch]\nrss_interval_seconds = 0\nresearch_interval_hours = 12\n"
        "upgrade_days = 30\n" + extra,
    )
    engine = Engine.open(home, clock=clock)
    engine.start(workers=False)
    return engine


def acquire(engine: Engine) -> None:
    worker = engine.parts.worker(AcquisitionWorker)
    assert worker.run_once()


def watch_of(engine: Engine) -> Watch:
    return Watch(engine.context, IndexerSet(engine.context.config.indexers, engine.context.clock))


def test_a_watched_ticket_that_finds_nothing_waits_and_is_searched_again_with_back_off(
    tmp_path: Path, server: TorznabServer, clock: FrozenClock
) -> None:
    engine = open_engine(tmp_path, server, clock)
    try:
        ticket = engine.tickets.add_json(
            {"kind": "movie", "query": {"title": "Nowhere Film", "year": 2024}, "watch": True},
            actor="cli:test",
        )[0].id
        acquire(engine)
        assert engine.tickets.show(ticket).state is TicketState.WAITING
        assert engine.is_idle(), "a waiting ticket is idle for --exit-when-idle"
        watch = watch_of(engine)
        clock.advance(timedelta(hours=11))
        watch.run_once()
        assert engine.tickets.show(ticket).state is TicketState.WAITING
        clock.advance(timedelta(hours=1, seconds=1))
        watch.run_once()
        assert engine.tickets.show(ticket).state is TicketState.ACQUIRING
        acquire(engine)
        assert engine.tickets.show(ticket).state is TicketState.WAITING
        second = WatchRow.get_by_id(ticket)
        assert second.fruitless == 2
        assert second.next_search_at == clock.now() + timedelta(hours=24), (
            "the second fruitless search doubles"
        )
    finally:
        engine.stop()


def test_ticket_watch_and_unwatch_from_the_command_line(
    tmp_path: Path, server: TorznabServer, clock: FrozenClock
) -> None:
    engine = open_engine(tmp_path, server, clock)
    ticket = engine.tickets.add_json(
        {"kind": "movie", "query": {"title": "Nowhere Film"}}, actor="cli:test"
    )[0].id
    acquire(engine)
    assert engine.tickets.show(ticket).state is TicketState.ACQUISITION_FAILED
    engine.stop()
    bad = run_cli(tmp_path, "ticket", "watch", ticket, "--until", "flac")
    assert bad.returncode == 2 and "--until" in bad.stderr and "1080p" in bad.stderr, bad.stderr
    watched = run_cli(tmp_path, "ticket", "watch", ticket, "--until", "1080p", "--json")
    assert watched.returncode == 0, watched.stderr
    shown = json.loads(watched.stdout)
    assert (shown["state"], shown["watching"], shown["quality"], shown["cutoff_met"]) == (
        "waiting",
        True,
        None,
        False,
    )
    idle = run_cli(tmp_path, "headless", "--exit-when-idle", timeout=120)
    assert idle.returncode == 0, idle.stderr
    unwatched = run_cli(tmp_path, "ticket", "unwatch", ticket, "--json")
    assert unwatched.returncode == 0, unwatched.stderr
    assert (json.loads(unwatched.stdout)["state"], json.loads(unwatched.stdout)["watching"]) == (
        "acquisition_failed",
        False,
    )
    again = run_cli(tmp_path, "ticket", "unwatch", ticket)
    assert again.returncode == 2 and "not watching" in again.stderr
    audit = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    mine = [line for line in audit if line.get("ticket_id") == ticket]
    assert [line["data"]["reason"] for line in mine if line["type"] == "WatchEnded"] == [
        "unwatched"
    ]
    assert [line["data"]["upgrade_until"] for line in mine if line["type"] == "TicketWatched"] == [
        "1080p"
    ]


def test_cancelling_a_waiting_ticket_ends_its_watch(
    tmp_path: Path, server: TorznabServer, clock: FrozenClock
) -> None:
    engine = open_engine(tmp_path, server, clock)
    try:
        ticket = engine.tickets.add_json(
            {"kind": "movie", "query": {"title": "Nowhere Film"}, "watch": True}, actor="cli:test"
        )[0].id
        acquire(engine)
        engine.tickets.cancel(ticket, actor="cli:test")
        ended = [event for event in engine.audit.history(ticket) if event.type == "WatchEnded"]
        assert [event.data["reason"] for event in ended] == ["cancelled"]
        assert engine.tickets.show(ticket).summary.watching is False
    finally:
        engine.stop()


def test_an_episode_that_has_not_aired_is_not_searched_before_its_air_date(
    tmp_path: Path, server: TorznabServer, tmdb: TmdbServer, clock: FrozenClock
) -> None:
    engine = open_engine(
        tmp_path, server, clock, f'\n[tmdb]\napi_key = "{TMDB_KEY}"\nbase_url = "{tmdb.base_url}"\n'
    )
    try:
        ticket = engine.tickets.add_json(
            {
                "kind": "episode",
                "query": {"series": "Future Show", "season": 1, "episodes": [9]},
                "watch": True,
            },
            actor="cli:test",
        )[0].id
        acquire(engine)
        assert engine.tickets.show(ticket).state is TicketState.WAITING
        searches = len(server.api_requests())
        watch = watch_of(engine)
        clock.advance(timedelta(hours=13))
        watch.run_once()
        assert engine.tickets.show(ticket).state is TicketState.WAITING, "2026-01-20 has not come"
        assert WatchRow.get_by_id(ticket).air_date == "2026-01-20"
        clock.advance(timedelta(days=18))
        watch.run_once()
        assert engine.tickets.show(ticket).state is TicketState.ACQUIRING
        assert len(server.api_requests()) == searches, "the watch itself searched nothing"
        server.releases = [
            Release(
                title="Future Show S01E09 1080p WEB-DL x264-GRP",
                size=900_000_000,
                seeders=30,
                info_hash="9" * 40,
                magnet=f"magnet:?xt=urn:btih:{'9' * 40}",
                category=5000,
            )
        ]
        acquire(engine)
        assert engine.tickets.show(ticket).state is TicketState.AUTO_APPROVED
        found = [event for event in engine.audit.history(ticket) if event.type == "ReleaseFound"]
        assert [(event.data["via"], event.data["quality"]) for event in found] == [
            ("search", "1080p web-dl")
        ]
    finally:
        engine.stop()


def test_an_upgrade_search_that_finds_nothing_better_leaves_the_ticket_completed_with_its_torrent(
    tmp_path: Path, server: TorznabServer, clock: FrozenClock
) -> None:
    engine = open_engine(tmp_path, server, clock)
    try:
        ticket = engine.tickets.add_json(
            {"kind": "movie", "query": {"title": "Nowhere Film", "year": 2024}}, actor="cli:test"
        )[0].id
        acquire(engine)
        placed = "7" * 40
        with engine.context.uow():
            TicketRow.update(
                state=TicketState.COMPLETED.value, quality="720p web-dl", info_hash=placed
            ).where(TicketRow.id == ticket).execute()
        engine.tickets.watch(ticket, "1080p", actor="cli:test")
        server.releases = [
            Release(
                title="Nowhere Film 2024 720p WEB-DL x264-OTHER",
                size=900_000_000,
                seeders=50,
                info_hash="8" * 40,
                magnet=f"magnet:?xt=urn:btih:{'8' * 40}",
                category=2000,
            )
        ]
        clock.advance(timedelta(hours=12, seconds=1))
        watch_of(engine).run_once()
        assert engine.tickets.show(ticket).state is TicketState.ACQUIRING
        assert engine.tickets.show(ticket).summary.info_hash is None, "the old torrent is not left"
        acquire(engine)
        detail = engine.tickets.show(ticket)
        assert (detail.state, detail.summary.info_hash, detail.summary.watching) == (
            TicketState.COMPLETED,
            placed,
            True,
        )
        assert detail.candidates[0].rejected, "720p web-dl is no step up from 720p web-dl"
        types = [event.type for event in engine.audit.history(ticket)]
        assert "ReleaseFound" not in types and "UpgradeStarted" not in types
        assert engine.is_idle()
    finally:
        engine.stop()


def test_the_upgrade_window_closes_after_upgrade_days(
    tmp_path: Path, server: TorznabServer, clock: FrozenClock
) -> None:
    engine = open_engine(tmp_path, server, clock)
    try:
        ticket = engine.tickets.add_json(
            {"kind": "movie", "query": {"title": "Nowhere Film"}}, actor="cli:test"
        )[0].id
        acquire(engine)
        with engine.context.uow():
            TicketRow.update(state=TicketState.COMPLETED.value, quality="720p web-dl").where(
                TicketRow.id == ticket
            ).execute()
        engine.tickets.watch(ticket, "1080p", actor="cli:test")
        watch = watch_of(engine)
        clock.advance(timedelta(days=29))
        watch.end_upgrade_windows()
        assert engine.tickets.show(ticket).summary.watching is True
        clock.advance(timedelta(days=1, seconds=1))
        watch.end_upgrade_windows()
        assert engine.tickets.show(ticket).summary.watching is False
        ended = [event.data for event in engine.audit.history(ticket) if event.type == "WatchEnded"]
        assert ended == [
            {"reason": "upgrade_days", "quality": "720p web-dl", "upgrade_until": "1080p"}
        ]
    finally:
        engine.stop()


def test_each_feed_item_is_read_once_and_only_the_newest_are_remembered(
    tmp_path: Path, server: TorznabServer, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = open_engine(tmp_path, server, clock)
    monkeypatch.setattr(watch_feed, "SEEN_KEPT", 3)
    items = [
        SearchResult(
            title=f"Item {n}", indexer="loopback", size=1, seeders=1, info_hash=f"{n:040x}"
        )
        for n in range(5)
    ]
    try:
        with engine.context.uow():
            first = watch_feed.new_items("loopback", items[:4], clock.now())
        clock.advance(timedelta(seconds=1))
        with engine.context.uow():
            again = watch_feed.new_items("loopback", items[2:], clock.now())
            kept = sorted(row.key for row in FeedSeenRow.select())
    finally:
        engine.stop()
    assert [item.title for item in first] == ["Item 0", "Item 1", "Item 2", "Item 3"]
    assert [item.title for item in again] == ["Item 4"], "items 2 and 3 were read before"
    assert kept == [f"{n:040x}" for n in (2, 3, 4)], "the oldest are forgotten, the newest kept"


def test_the_recent_feed_is_a_search_with_no_query_in_the_configured_categories(
    tmp_path: Path, server: TorznabServer, clock: FrozenClock
) -> None:
    home = make_home(
        tmp_path,
        f'\n[[indexers]]\nname = "loopback"\nurl = "{server.url}"\napi_key = "{DEFAULT_API_KEY}"\n'
        "rate_limit_per_minute = 0\ncategories = [3000, 5000]\n",
    )
    engine = Engine.open(home, clock=clock)
    engine.start(workers=False)
    try:
        engine.tickets.add_json(
            {"kind": "movie", "query": {"title": "Nowhere Film"}, "watch": True}, actor="cli:test"
        )
        acquire(engine)
        searched = len(server.api_requests())
        reports = watch_of(engine).read_feeds()
    finally:
        engine.stop()
    reads = [
        request for request in server.api_requests()[searched:] if request.get("t") == "search"
    ]
    assert reads and all("q" not in request and request["cat"] == "3000,5000" for request in reads)
    assert [(report.items, report.new) for report in reports] == [(0, 0)]

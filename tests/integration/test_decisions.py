"""Issue 18, the decision side: every candidate goes through one scorer and one rule, on a real engine.

A loopback libtorrent seeder holds two editions of one album and two resolutions of one movie; Torznab
on 127.0.0.1 lists what each test needs. One test per observation (1, 2, 6, 7, 8, 10, 11, 12, 13).
"""

from __future__ import annotations

import base64
import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from mutagen import File as MutagenFile

from qtorrentino.clock import FrozenClock
from qtorrentino.domain.states import TicketState
from qtorrentino.engine.engine import Engine
from qtorrentino.workers.acquisition import AcquisitionWorker
from tests.conftest import make_home, run_cli
from tests.media_fixtures import make_album, make_video
from tests.servers.seeder import SeededTorrent, Seeder
from tests.servers.torznab import DEFAULT_API_KEY, Release, TorznabServer

E2018 = "Echo Band - Echoes (2018) [FLAC]"
E2009 = "Echo Band - Echoes (2009) [FLAC]"
S1080 = "Sintel (2010) 1080p BluRay x264-GRP"
S720 = "Sintel (2010) 720p WEB-DL x264-GRP"
SECONDS = {E2018: 3.0, E2009: 5.0}
"""The editions' tracks differ in length, so a placed file tells which edition it came from."""
LIBRARIES = """
[[libraries]]
name = "Movies 720"
kind = "movies"
path = "{root}/movies720"

[[libraries]]
name = "Opus Music"
kind = "music"
path = "{root}/opus"
format = "opus"
"""
MB = 1_000_000
GB = 1_000_000_000


@dataclass(frozen=True)
class World:
    """The seeded releases by title."""

    seeded: dict[str, SeededTorrent]

    def listed(self, title: str, *, size: int = 2 * MB, seeders: int | None = 20,
               category: int = 3000) -> Release:
        """The release as an indexer lists it, downloadable from the seeder."""
        torrent = self.seeded[title]
        return Release(title=title, size=size, seeders=seeders, info_hash=torrent.info_hash,
                       magnet=torrent.magnet, category=category)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    content = tmp_path_factory.mktemp("content")
    for title, year in ((E2018, 2018), (E2009, 2009)):
        make_album(content / title, tracks=3, seconds=SECONDS[title], artist="Echo Band", album="Echoes", year=year)
    for title in (S1080, S720):
        make_video(content / title / f"{title.replace(' ', '.')}.mkv", seconds=2.0)
    with Seeder(tmp_path_factory.mktemp("seeder-state")) as seeder:
        yield World({title: seeder.seed(content / title) for title in (E2018, E2009, S1080, S720)})


def home_extra(server: TorznabServer, root: Path, threshold: float = 0.7, extra: str = "") -> str:
    return (f'\n[[indexers]]\nname = "loopback"\nurl = "{server.url}"\napi_key = "{DEFAULT_API_KEY}"\n'
            f'rate_limit_per_minute = 0\ntimeout_seconds = 5\n\n[textbrain]\nauto_approve_threshold = {threshold}\n'
            + LIBRARIES.format(root=root) + extra)


def open_engine(root: Path, server: TorznabServer, *, workers: bool, clock: FrozenClock | None = None,
                extra: str = "") -> Engine:
    for name in ("movies720", "opus"):
        (root / name).mkdir(parents=True, exist_ok=True)
    engine = Engine.open(make_home(root, home_extra(server, root, extra=extra)), clock=clock)
    engine.start(workers=workers)
    return engine


def add(engine: Engine, ticket: dict[str, object]) -> str:
    return engine.tickets.add_json(ticket, actor="cli:test")[0].id


def wait_for(engine: Engine, ticket_id: str, *states: TicketState, timeout: float = 90) -> TicketState:
    deadline = time.monotonic() + timeout
    while (state := engine.tickets.show(ticket_id).state) not in states:
        assert time.monotonic() < deadline, f"ticket stuck in {state}: {engine.tickets.show(ticket_id).summary}"
        time.sleep(0.1)
    return state


SETTLED = (TicketState.COMPLETED, TicketState.FAILED, TicketState.NEEDS_APPROVAL, TicketState.ACQUISITION_FAILED)


def echoes(year: int | None = None, **extra: object) -> dict[str, object]:
    query: dict[str, object] = {"artist": "Echo Band", "album": "Echoes"}
    if year is not None:
        query["year"] = year
    return {"kind": "album", "query": query, "constraints": {"format": "flac"}, **extra}


def sintel(resolution: str, **extra: object) -> dict[str, object]:
    return {"kind": "movie", "query": {"title": "Sintel", "year": 2010},
            "constraints": {"format": "copy", "resolution": resolution}, **extra}


def lengths(folder: Path) -> list[float]:
    return sorted(round(MutagenFile(path).info.length) for path in folder.glob("*.flac"))


# Observation 1: the catalog is one more candidate, under the ticket's constraints and threshold


def test_a_held_edition_is_scored_under_the_tickets_own_threshold_not_served_as_a_shortcut(
        tmp_path: Path, world: World) -> None:
    with TorznabServer(releases=[world.listed(E2018)]) as server:
        engine = open_engine(tmp_path, server, workers=True)
        try:
            first = add(engine, echoes(2018))
            assert wait_for(engine, first, *SETTLED) is TicketState.COMPLETED
            second = add(engine, echoes(2009, auto_approve_threshold=0.99))
            state = wait_for(engine, second, *SETTLED, TicketState.AUTO_APPROVED)
            detail = engine.tickets.show(second)
            held = next(c for c in detail.candidates if c.indexer == "catalog")
            matching = engine.audit.latest(second, "MatchingCompleted")
        finally:
            engine.stop()
    assert state is TicketState.NEEDS_APPROVAL, detail.summary
    assert held.info_hash == world.seeded[E2018].info_hash and held.score < 0.99
    assert any("2018, wanted 2009" in reason for reason in held.reasons)
    assert matching is not None and matching.data["matcher"] == "dumb" and matching.data["threshold"] == 0.99
    assert not (tmp_path / "music" / "Echo Band" / "Echoes (2009)").exists()


def test_a_held_1080p_copy_is_rejected_for_a_720p_ticket_which_downloads_the_720p_release(
        tmp_path: Path, world: World) -> None:
    releases = [world.listed(S1080, size=3 * MB, category=2000), world.listed(S720, size=2 * MB, category=2000)]
    with TorznabServer(releases=releases) as server:
        engine = open_engine(tmp_path, server, workers=True)
        try:
            first = add(engine, sintel("1080p"))
            assert wait_for(engine, first, *SETTLED) is TicketState.COMPLETED
            second = add(engine, sintel("720p", library="Movies 720"))
            state = wait_for(engine, second, *SETTLED)
            detail = engine.tickets.show(second)
        finally:
            engine.stop()
    assert state is TicketState.COMPLETED, detail.summary
    assert detail.chosen is not None and detail.chosen.info_hash == world.seeded[S720].info_hash
    held = next(c for c in detail.candidates if c.indexer == "catalog")
    assert held.info_hash == world.seeded[S1080].info_hash
    assert "1080p, the ticket asks for 720p" in held.rejected
    placed = list((tmp_path / "movies720").rglob("*.mkv"))
    assert len(placed) == 1 and placed[0].stat().st_size == (
        next((tmp_path / "downloads" / second).rglob("*.mkv")).stat().st_size)


# Observation 2: dedup links only the same request


@pytest.fixture
def idle(tmp_path: Path, world: World, clock: FrozenClock) -> Iterator[Engine]:
    """A real engine (libtorrent session included) whose workers a test drives by hand."""
    with TorznabServer(releases=[world.listed(E2018), world.listed(S1080, size=3 * MB, category=2000)]) as server:
        engine = open_engine(tmp_path, server, workers=False, clock=clock)
        yield engine
        engine.stop()


def acquire(engine: Engine) -> None:
    worker = engine.parts.worker(AcquisitionWorker)
    while worker.run_once():
        pass


def test_a_real_ticket_filed_after_a_dry_run_stands_alone_and_is_acquired(idle: Engine) -> None:
    dry = add(idle, echoes(2018, dry_run=True))
    real = idle.tickets.add_json(echoes(2018), actor="cli:test")[0]
    assert real.linked_to is None and real.state is TicketState.PENDING
    acquire(idle)
    assert idle.tickets.show(dry).state is TicketState.DRY_RUN_COMPLETE
    assert idle.tickets.show(real.id).state is TicketState.AUTO_APPROVED


def test_a_new_ticket_does_not_follow_a_primary_whose_acquisition_failed(idle: Engine) -> None:
    lost = add(idle, {"kind": "album", "query": {"artist": "Nobody", "album": "Nothing"}})
    acquire(idle)
    assert idle.tickets.show(lost).state is TicketState.ACQUISITION_FAILED
    again = idle.tickets.add_json({"kind": "album", "query": {"artist": "Nobody", "album": "Nothing"}},
                                  actor="cli:test")[0]
    assert again.linked_to is None and again.state is TicketState.PENDING


@pytest.mark.parametrize(("active", "new"), [
    (sintel("1080p"), sintel("720p")),
    (sintel("1080p"), sintel("2160p")),
    (echoes(2019), echoes(2009)),
    (echoes(2018), echoes(2018, auto_approve_threshold=0.99)),
], ids=["720p-after-1080p", "2160p-after-1080p", "2009-after-2019", "stricter-threshold"])
def test_other_constraints_or_editions_are_not_linked(idle: Engine, active: dict[str, object],
                                                       new: dict[str, object]) -> None:
    add(idle, active)
    assert idle.tickets.add_json(new, actor="cli:test")[0].linked_to is None


def test_the_same_request_is_still_linked(idle: Engine) -> None:
    first = add(idle, sintel("1080p"))
    assert idle.tickets.add_json(sintel("1080p"), actor="cli:test")[0].linked_to == first


# Observation 6: size bounds are hard


def test_a_release_over_max_size_is_rejected_and_never_auto_approved(tmp_path: Path, world: World,
                                                                      clock: FrozenClock) -> None:
    with TorznabServer(releases=[world.listed(S1080, size=8 * GB, seeders=80, category=2000)]) as server:
        engine = open_engine(tmp_path, server, workers=False, clock=clock)
        try:
            ticket = add(engine, {**sintel("1080p"), "constraints": {"resolution": "1080p", "max_size_mb": 3000}})
            acquire(engine)
            detail = engine.tickets.show(ticket)
            matching = engine.audit.latest(ticket, "MatchingCompleted")
        finally:
            engine.stop()
    assert detail.state is TicketState.NEEDS_APPROVAL, detail.summary
    assert detail.candidates[0].rejected == ("8.0 GB is over the ticket's max_size_mb 3000",)
    assert matching is not None and "hard constraint" in matching.data["reason"]
    assert "rejected: 8.0 GB is over the ticket's max_size_mb 3000" in matching.data["candidates"][0]["reasons"]


# Observation 7: the library's format is the target when the ticket names none


def test_an_opus_library_prefers_flac_over_a_well_seeded_mp3(tmp_path: Path, clock: FrozenClock) -> None:
    releases = [Release(title="Echo Band - Echoes (2018) [MP3 320]", size=120 * MB, seeders=500, info_hash="b" * 40,
                        magnet="magnet:?xt=urn:btih:" + "b" * 40),
                Release(title="Echo Band - Echoes (2018) [FLAC]", size=300 * MB, seeders=5, info_hash="f" * 40,
                        magnet="magnet:?xt=urn:btih:" + "f" * 40)]
    with TorznabServer(releases=releases) as server:
        engine = open_engine(tmp_path, server, workers=False, clock=clock)
        try:
            ticket = add(engine, {"kind": "album", "query": {"artist": "Echo Band", "album": "Echoes", "year": 2018},
                                  "library": "Opus Music"})
            acquire(engine)
            detail = engine.tickets.show(ticket)
        finally:
            engine.stop()
    assert detail.candidates[0].title.endswith("[FLAC]")
    assert "MP3 320: lossy, re-encoded to opus loses more" in detail.candidates[1].reasons


# Observation 8: editions stay apart in the library


def test_two_editions_are_two_library_items_and_organize_moves_nothing(tmp_path: Path, world: World) -> None:
    with TorznabServer(releases=[world.listed(E2018), world.listed(E2009)]) as server:
        engine = open_engine(tmp_path, server, workers=True)
        try:
            for year, title in ((2018, E2018), (2009, E2009)):
                ticket = add(engine, echoes(year))
                if wait_for(engine, ticket, *SETTLED) is TicketState.NEEDS_APPROVAL:
                    wanted = next(c for c in engine.tickets.show(ticket).candidates if c.title == title)
                    engine.tickets.approve(ticket, wanted.rank, actor="cli:test")
                assert wait_for(engine, ticket, *SETTLED) is TicketState.COMPLETED, engine.tickets.show(ticket).summary
            artist = next(item for item in engine.library.items("Music") if item.title == "Echo Band")
            albums = engine.library.items("Music", artist.id)
            tracks = {album.year: engine.library.items("Music", album.id) for album in albums}
            plan = engine.library.organize("Music", apply=False, actor="cli:test")
        finally:
            engine.stop()
    assert sorted((album.title, album.year) for album in albums) == [("Echoes", 2009), ("Echoes", 2018)]
    assert {year: len(items) for year, items in tracks.items()} == {2009: 3, 2018: 3}
    assert plan == []
    music = tmp_path / "music" / "Echo Band"
    assert lengths(music / "Echoes (2018)") == [3, 3, 3] and lengths(music / "Echoes (2009)") == [5, 5, 5]


# Observation 10: force-magnet before acquisition ends, one magnet parser


def test_force_magnet_on_a_pending_ticket_with_a_base32_btih_downloads_that_torrent(
        tmp_path: Path, world: World) -> None:
    album = world.seeded[E2018]
    base32 = base64.b32encode(bytes.fromhex(album.info_hash)).decode().lower()
    magnet = album.magnet.replace(f"btih:{album.info_hash}", f"btih:{base32}")
    assert base32 in magnet
    with TorznabServer(releases=[]) as server:
        engine = open_engine(tmp_path, server, workers=False)
        ticket = add(engine, echoes(2018))
        forced = engine.tickets.force_magnet(ticket, magnet, actor="cli:test")
        engine.stop()
        engine = open_engine(tmp_path, server, workers=True)
        try:
            state = wait_for(engine, ticket, *SETTLED)
            event = engine.audit.latest(ticket, "AdminForceMagnet")
        finally:
            engine.stop()
    assert forced.state is TicketState.APPROVED
    assert forced.chosen is not None and forced.chosen.info_hash == album.info_hash
    assert forced.chosen.score < 1.0 and "chosen by a person (force-magnet)" in forced.chosen.reasons
    assert event is not None and event.data["info_hash"] == album.info_hash and event.data["rejected"] == []
    assert state is TicketState.COMPLETED
    assert lengths(tmp_path / "music" / "Echo Band" / "Echoes (2018)") == [3, 3, 3]


def test_force_magnet_states_a_broken_hard_constraint(idle: Engine, world: World) -> None:
    ticket = add(idle, sintel("720p"))
    acquire(idle)
    assert idle.tickets.show(ticket).state is TicketState.NEEDS_APPROVAL
    forced = idle.tickets.force_magnet(ticket, world.seeded[S1080].magnet, actor="cli:test")
    assert forced.state is TicketState.APPROVED
    event = idle.audit.latest(ticket, "AdminForceMagnet")
    assert event is not None and event.data["rejected"] == ["1080p, the ticket asks for 720p"]


# Observation 11: the LLM modes run (docs/llm.md); llm_only never approves on the heuristics alone


def test_llm_only_with_a_dead_endpoint_never_auto_approves(tmp_path: Path, world: World,
                                                           clock: FrozenClock) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    for name in ("movies720", "opus"):
        (tmp_path / name).mkdir()
    with TorznabServer(releases=[world.listed(E2009)]) as server:
        text = home_extra(server, tmp_path).replace("[textbrain]\n", '[textbrain]\nmode = "llm_only"\n')
        home = make_home(tmp_path, text + f'\n[textbrain.llm]\nbase_url = "{dead}"\ntimeout_seconds = 2\n')
        assert run_cli(home, "ticket", "list").returncode == 0
        engine = Engine.open(home, clock=clock)
        engine.start(workers=False)
        try:
            ticket = add(engine, echoes(2009))
            acquire(engine)
            detail = engine.tickets.show(ticket)
            history = [event.data.get("to_state") for event in engine.audit.history(ticket)]
        finally:
            engine.stop()
    assert detail.state is TicketState.FAILED and detail.summary.retryable
    assert detail.summary.error is not None and "LLM openai llama3.1: unreachable" in detail.summary.error
    assert "auto_approved" not in history


# Observation 12: the person sees the files before approving


def test_the_top_candidates_files_are_fetched_without_content(tmp_path: Path, world: World) -> None:
    with TorznabServer(releases=[world.listed(E2018), world.listed(E2009)]) as server:
        engine = open_engine(tmp_path, server, workers=True)
        try:
            ticket = add(engine, echoes())
            assert wait_for(engine, ticket, *SETTLED) is TicketState.NEEDS_APPROVAL
            deadline = time.monotonic() + 60
            while any(not c.files for c in engine.tickets.show(ticket).candidates):
                assert time.monotonic() < deadline, "the candidates' files never came"
                time.sleep(0.2)
            detail = engine.tickets.show(ticket)
            fetched = [event for event in engine.audit.history(ticket) if event.type == "CandidateFilesFetched"]
            statuses = engine.parts.torrent.session.statuses() if engine.parts.torrent else []
        finally:
            engine.stop()
    for candidate in detail.candidates:
        assert sorted(entry["path"].split("/")[-1] for entry in candidate.files) == [
            "01 - Track 01.flac", "02 - Track 02.flac", "03 - Track 03.flac"]
        assert candidate.mapping is not None and len(candidate.mapping["assignments"]) == 3
    assert len(fetched) == 2 and all(event.data["mapped"] == 3 for event in fetched)
    assert statuses == [], "the metadata-only torrents were removed once read"
    assert not list((tmp_path / "downloads").rglob("*.flac")), "no content was downloaded"


# Observation 13: unknown seeders stay unknown


def test_an_item_without_seeders_is_unknown_everywhere_and_not_a_red_flag(tmp_path: Path, world: World,
                                                                           clock: FrozenClock) -> None:
    with TorznabServer(releases=[world.listed(E2018, seeders=None)]) as server:
        engine = open_engine(tmp_path, server, workers=False, clock=clock)
        try:
            ticket = add(engine, echoes(2018))
            acquire(engine)
        finally:
            engine.stop()
        searched = [json.loads(line) for line in run_cli(tmp_path, "search", "Echo Band Echoes", "--json")
                    .stdout.splitlines()]
    shown = json.loads(run_cli(tmp_path, "ticket", "show", ticket, "--json").stdout)
    assert [result["seeders"] for result in searched] == [None]
    assert shown["candidates"][0]["seeders"] is None
    assert "seeders unknown" in shown["candidates"][0]["reasons"]
    assert not any("no seeders" in reason for reason in shown["candidates"][0]["reasons"])
    assert shown["state"] == "auto_approved"

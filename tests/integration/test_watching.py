"""Watched tickets for real: a loopback Torznab whose recent feed changes, a libtorrent seeder,
ffmpeg's probe, placement and the library's trash; a ticket waits, is found by the RSS sync, and
upgrades."""

from __future__ import annotations

import json
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from qtorrentino.config.home import Home
from qtorrentino.domain.states import TicketState
from qtorrentino.engine.engine import Engine
from qtorrentino.library.marker import MARKER_NAME
from qtorrentino.media.probe import decodes
from qtorrentino.media.tags import TrackTags
from tests.conftest import make_home, run_cli
from tests.integration.loopback_world import (
    audit_lines,
    headless,
    offer,
    show,
    wait_for_state,
    wait_until,
)
from tests.media_fixtures import make_tagged_tone, make_tone
from tests.servers.seeder import SeededTorrent, Seeder
from tests.servers.torznab import DEFAULT_API_KEY, TorznabServer

if TYPE_CHECKING:
    from collections.abc import Iterator

MP3 = "Watch Artist - Watch Album (2003) [MP3 320]"
FLAC = "Watch Artist - Watch Album (2003) [FLAC]"
TRACKS = 8
WATCH = "\n[watch]\nrss_interval_seconds = 1\n"


def make_release(folder: Path, suffix: str, seconds: float) -> None:
    """The album's tracks, tagged, in one format."""
    for number in range(1, TRACKS + 1):
        tags = TrackTags(
            title=f"Track {number:02d}",
            artist="Watch Artist",
            album="Watch Album",
            albumartist="Watch Artist",
            track_number=number,
            track_total=TRACKS,
            disc_number=1,
            disc_total=1,
            date="2003",
        )
        make_tagged_tone(
            folder / f"{number:02d} - Track {number:02d}{suffix}", tags, seconds, noise=True
        )


@dataclass
class World:
    server: TorznabServer
    seeded: dict[str, SeededTorrent]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """An MP3 320 and a FLAC copy of one album and a rare generic release, seeded; the feed starts
    empty."""
    content = tmp_path_factory.mktemp("content")
    make_release(content / MP3, ".mp3", 40.0)
    make_release(content / FLAC, ".flac", 40.0)
    make_tone(content / "Rare Blob Anthology" / "rare.wav", 2.0)
    with Seeder(tmp_path_factory.mktemp("seeder")) as seeder:
        seeded = {name: seeder.seed(content / name) for name in (MP3, FLAC, "Rare Blob Anthology")}
        with TorznabServer(releases=[]) as server:
            yield World(server, seeded)


def home_for(root: Path, world: World, *, link: str = "hardlink") -> Home:
    """A home on the loopback indexer whose feed is read every second; the Music library links as
    asked."""
    (root / "other").mkdir(parents=True, exist_ok=True)
    make_home(
        root,
        f'\n[[indexers]]\nname = "loopback"\nurl = "{world.server.url}"\n'
        f'api_key = "{DEFAULT_API_KEY}"\nrate_limit_per_minute = 0\n\n'
        f'[[libraries]]\nname = "Other"\nkind = "other"\npath = "{root / "other"}"\n\n'
        f"[textbrain]\nauto_approve_threshold = 0.3\n{WATCH}",
    )
    config = root / "config.toml"
    config.write_text(
        config.read_text().replace(
            f'path = "{root}/music"', f'path = "{root}/music"\nlink = "{link}"'
        )
    )
    return Home.at(root)


def album_ticket(until: str) -> dict[str, object]:
    return {
        "kind": "album",
        "query": {"artist": "Watch Artist", "album": "Watch Album", "year": 2003},
        "upgrade_until": until,
    }


def music_files(root: Path) -> list[str]:
    return sorted(
        path.name
        for path in (root / "music").rglob("*")
        if path.is_file() and path.name != MARKER_NAME
    )


def test_a_watched_ticket_waits_then_the_feed_brings_its_release_with_no_person(
    tmp_path: Path, world: World
) -> None:
    world.server.releases = []
    engine = Engine.open(home_for(tmp_path, world))
    engine.start()
    try:
        ticket = engine.tickets.add_json(
            {"kind": "generic", "query": {"text": "Rare Blob Anthology"}, "watch": True},
            actor="cli:test",
        )[0].id
        assert (
            wait_for_state(engine, ticket, TicketState.WAITING, TicketState.ACQUISITION_FAILED)
            is TicketState.WAITING
        )
        searched = len(world.server.api_requests())
        world.server.releases = [
            offer(world.seeded["Rare Blob Anthology"], "Rare Blob Anthology 2009 WAV")
        ]
        assert (
            wait_for_state(
                engine,
                ticket,
                TicketState.COMPLETED,
                TicketState.FAILED,
                TicketState.NEEDS_APPROVAL,
                timeout=120,
            )
            is TicketState.COMPLETED
        )
        history = engine.audit.history(ticket)
        detail = engine.tickets.show(ticket)
    finally:
        engine.stop()
    assert [path.name for path in (tmp_path / "other").rglob("*.wav")] == ["rare.wav"]
    found = [event for event in history if event.type == "ReleaseFound"]
    assert len(found) == 1 and found[0].data["via"] == "rss", found
    assert found[0].data["title"] == "Rare Blob Anthology 2009 WAV"
    assert [event.actor for event in history if event.actor != "engine"] == ["cli:test"]
    states = [event.data["to_state"] for event in history if event.type == "TicketStateChanged"]
    assert states.index("waiting") < states.index("completed"), states
    feed_reads = [
        request
        for request in world.server.api_requests()[searched:]
        if request.get("t") == "search" and "q" not in request
    ]
    assert feed_reads, "the release came from the recent feed (t=search with no q)"
    assert detail.chosen is not None and detail.chosen.title == "Rare Blob Anthology 2009 WAV"


def test_upgrade_until_flac_places_the_mp3_then_replaces_it_with_the_flac(
    tmp_path: Path, world: World
) -> None:
    world.server.releases = [offer(world.seeded[MP3], MP3, category=3000)]
    engine = Engine.open(home_for(tmp_path, world))
    engine.start()
    try:
        ticket = engine.tickets.add_json(album_ticket("flac"), actor="cli:test")[0].id
        assert (
            wait_for_state(
                engine,
                ticket,
                TicketState.COMPLETED,
                TicketState.FAILED,
                TicketState.NEEDS_APPROVAL,
            )
            is TicketState.COMPLETED
        )
        first = engine.tickets.show(ticket)
        assert music_files(tmp_path) == [
            f"{n:02d} - Track {n:02d}.mp3" for n in range(1, TRACKS + 1)
        ]
        world.server.releases = [
            *world.server.releases,
            offer(world.seeded[FLAC], FLAC, category=3000),
        ]
        wait_until(
            lambda: any(event.type == "WatchEnded" for event in engine.audit.history(ticket)),
            150,
            "the upgrade to FLAC",
        )
        history = engine.audit.history(ticket)
        detail = engine.tickets.show(ticket)
    finally:
        engine.stop()
    assert first.summary.state is TicketState.COMPLETED
    assert detail.state is TicketState.COMPLETED
    assert music_files(tmp_path) == [f"{n:02d} - Track {n:02d}.flac" for n in range(1, TRACKS + 1)]
    trashed = sorted(path.name for path in (tmp_path / "trash").rglob("*") if path.is_file())
    assert trashed == [f"{n:02d} - Track {n:02d}.mp3" for n in range(1, TRACKS + 1)], trashed
    chain = [event.type for event in history]
    assert (
        chain.index("PlacementCompleted")
        < chain.index("ReleaseFound")
        < chain.index("UpgradeStarted")
        < chain.index("UpgradeCompleted")
        < chain.index("WatchEnded")
    ), chain
    found = next(event for event in history if event.type == "ReleaseFound")
    assert (found.data["via"], found.data["title"], found.data["quality"]) == ("rss", FLAC, "flac")
    completed = next(event for event in history if event.type == "UpgradeCompleted")
    assert completed.data["quality"] == "flac"
    assert completed.data["info_hash"] == world.seeded[FLAC].info_hash
    assert sorted(Path(path).name for path in completed.data["replaced"]) == [
        f"{n:02d} - Track {n:02d}.mp3" for n in range(1, TRACKS + 1)
    ]
    assert len(completed.data["trashed"]) == TRACKS
    ended = next(event for event in history if event.type == "WatchEnded")
    assert ended.data["reason"] == "cutoff_met"
    assert all(item.path and item.path.endswith(".flac") for item in detail.items if item.requested)


@pytest.mark.slow
def test_kill_9_during_the_upgrades_placement_keeps_the_old_files_playable_and_the_restart_finishes(
    tmp_path: Path, world: World
) -> None:
    world.server.releases = [offer(world.seeded[MP3], MP3, category=3000)]
    home = home_for(tmp_path, world, link="copy")
    added = run_cli(home, "ticket", "add", "-", stdin=json.dumps(album_ticket("flac")))
    assert added.returncode == 0, added.stderr
    ticket = added.stdout.strip()
    mp3s = [f"{n:02d} - Track {n:02d}.mp3" for n in range(1, TRACKS + 1)]
    child = headless(home)
    try:
        wait_until(lambda: show(home, ticket)["state"] == "completed", 120, "the MP3 placed")
        assert music_files(tmp_path) == mp3s
        world.server.releases = [
            *world.server.releases,
            offer(world.seeded[FLAC], FLAC, category=3000),
        ]
        deadline = time.monotonic() + 150
        while not list((tmp_path / "music").rglob(".qtorrentino-*.part")):
            assert child.poll() is None, "the engine stopped before the upgrade's placement"
            assert time.monotonic() < deadline, "the upgrade's placement never started"
            time.sleep(0.002)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        child.kill()
    album = tmp_path / "music" / "Watch Artist" / "Watch Album (2003)"
    assert all((album / name).is_file() and decodes(album / name) for name in mp3s), music_files(
        tmp_path
    )
    assert show(home, ticket)["state"] == "placing"
    restarted = run_cli(home, "headless", "--exit-when-idle", timeout=180)
    assert restarted.returncode == 0, restarted.stderr
    assert music_files(tmp_path) == [f"{n:02d} - Track {n:02d}.flac" for n in range(1, TRACKS + 1)]
    assert all(decodes(album / f"{n:02d} - Track {n:02d}.flac") for n in range(1, TRACKS + 1))
    trashed = sorted(path.name for path in (tmp_path / "trash").rglob("*") if path.is_file())
    assert trashed == mp3s, trashed
    shown = show(home, ticket)
    assert (shown["state"], shown["quality"], shown["watching"], shown["cutoff_met"]) == (
        "completed",
        "flac",
        False,
        True,
    )
    chain = [line["type"] for line in audit_lines(home) if line.get("ticket_id") == ticket]
    assert "UpgradeStarted" in chain and chain.index("UpgradeStarted") < chain.index(
        "UpgradeCompleted"
    ), chain

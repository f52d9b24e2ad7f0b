"""The whole pipeline for real: Torznab on 127.0.0.1, a libtorrent seeder, ffmpeg, placement into libraries."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from mutagen import File as MutagenFile

from qtorrentino.clock import FrozenClock
from qtorrentino.domain.states import TicketState
from qtorrentino.engine.engine import Engine
from tests.conftest import make_home
from tests.media_fixtures import make_album, make_corrupt_audio, make_cover, make_video
from tests.servers.seeder import SeededTorrent, Seeder
from tests.servers.torznab import DEFAULT_API_KEY, Release, TorznabServer

ALBUM = "Test Artist - Test Album (2001) [FLAC]"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def offered(seeded: SeededTorrent, title: str, size: int, category: int, seeders: int = 20) -> Release:
    return Release(title=title, size=size, seeders=seeders, info_hash=seeded.info_hash, magnet=seeded.magnet,
                   category=category)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, TorznabServer, dict[str, SeededTorrent]]]:
    """Seeded releases: a 5-track FLAC album, a movie, a release with a program in it, a broken album."""
    content = tmp_path_factory.mktemp("content")
    cover = make_cover(content / "cover-src.jpg")
    make_album(content / ALBUM, tracks=5, seconds=4.0, cover=cover)
    make_video(content / "Sintel (2010) 720p WEB-DL" / "Sintel.2010.720p.WEB-DL.mkv", seconds=3.0)
    trap = content / "Sintel (2010) 1080p BluRay x264-EVIL"
    make_video(trap / "Sintel.2010.1080p.BluRay.x264-EVIL.mkv", seconds=3.0)
    (trap / "Codec Installer.exe").write_bytes(b"MZ" + b"\0" * 4096)
    broken = content / "Broken Artist - Broken Album (2002) [FLAC]"
    make_corrupt_audio(broken / "01 - Broken Song.flac")
    with Seeder(tmp_path_factory.mktemp("seeder-state")) as seeder:
        seeded = {name: seeder.seed(content / name) for name in
                  (ALBUM, "Sintel (2010) 720p WEB-DL", "Sintel (2010) 1080p BluRay x264-EVIL",
                   "Broken Artist - Broken Album (2002) [FLAC]")}
        releases = [
            offered(seeded[ALBUM], ALBUM, 2_000_000, 3000),
            offered(seeded["Sintel (2010) 720p WEB-DL"], "Sintel (2010) 720p WEB-DL x264-GOOD", 900_000, 2000, 10),
            offered(seeded["Sintel (2010) 1080p BluRay x264-EVIL"], "Sintel (2010) 1080p BluRay x264-EVIL",
                    1_000_000, 2000, 90),
            offered(seeded["Broken Artist - Broken Album (2002) [FLAC]"], "Broken Artist - Broken Album (2002) [FLAC]",
                    20_000, 3000),
        ]
        with TorznabServer(releases=releases) as server:
            yield content, server, seeded


@pytest.fixture
def running(tmp_path: Path, world: tuple[Path, TorznabServer, dict[str, SeededTorrent]],
            clock: FrozenClock) -> Iterator[Engine]:
    _, server, _ = world
    extra = (f'\n[[indexers]]\nname = "loopback"\nurl = "{server.url}"\napi_key = "{DEFAULT_API_KEY}"\n'
             "rate_limit_per_minute = 0\n\n[textbrain]\nauto_approve_threshold = 0.7\n")
    engine = Engine.open(make_home(tmp_path, extra))
    engine.start()
    yield engine
    engine.stop()


def wait_for_state(engine: Engine, ticket_id: str, *states: TicketState, timeout: float = 90) -> TicketState:
    deadline = time.monotonic() + timeout
    while (state := engine.tickets.show(ticket_id).state) not in states:
        assert time.monotonic() < deadline, f"ticket stuck in {state}: {engine.tickets.show(ticket_id).summary}"
        time.sleep(0.1)
    return state


def types_of(engine: Engine, ticket_id: str) -> list[str]:
    return [event.type for event in engine.audit.history(ticket_id)]


def test_album_subset_is_downloaded_converted_tagged_and_placed(
        running: Engine, world: tuple[Path, TorznabServer, dict[str, SeededTorrent]], tmp_path: Path) -> None:
    content, _, _ = world
    ticket = running.tickets.add_json({
        "kind": "album", "query": {"artist": "Test Artist", "album": "Test Album", "year": 2001},
        "items": [{"id": "t2", "disc": 1, "number": 2, "title": "Track 02", "duration_secs": 4},
                  {"id": "t4", "disc": 1, "number": 4, "title": "Track 04", "duration_secs": 4}],
        "constraints": {"format": "opus", "bitrate_kbps": 96}}, actor="cli:test")[0].id
    assert wait_for_state(running, ticket, TicketState.COMPLETED, TicketState.FAILED,
                          TicketState.NEEDS_APPROVAL) is TicketState.COMPLETED, running.tickets.show(ticket).summary
    album_dir = tmp_path / "music" / "Test Artist" / "Test Album (2001)"
    placed = sorted(path.name for path in album_dir.iterdir())
    assert placed == ["02 - Track 02.opus", "04 - Track 04.opus", "cover.jpg"]
    tags = MutagenFile(album_dir / "02 - Track 02.opus")
    assert tags["title"] == ["Track 02"] and tags["artist"] == ["Test Artist"]
    assert tags["tracknumber"][0].startswith("2")
    assert "metadata_block_picture" in tags
    assert abs(tags.info.length - 4.0) < 0.5
    downloaded = tmp_path / "downloads" / ticket / ALBUM
    complete = [p.name for p in downloaded.glob("*.flac")
                if p.stat().st_size == (content / ALBUM / p.name).stat().st_size
                and digest(p) == digest(content / ALBUM / p.name)]
    assert sorted(complete) == ["02 - Track 02.flac", "04 - Track 04.flac"]
    detail = running.tickets.show(ticket)
    assert [item.path for item in detail.items] == [str(album_dir / "02 - Track 02.opus"),
                                                   str(album_dir / "04 - Track 04.opus")]
    chain = types_of(running, ticket)
    for expected in ("TicketCreated", "SearchExecuted", "MatchingCompleted", "DownloadStarted", "DownloadCompleted",
                     "ConversionStarted", "ConversionCompleted", "PlacementStarted", "PlacementCompleted"):
        assert expected in chain, chain
    assert chain.index("DownloadCompleted") < chain.index("ConversionStarted") < chain.index("PlacementCompleted")
    library = running.library.items("Music")
    assert library, "placement recorded library items"


def test_movie_copy_is_hardlinked_and_a_release_with_a_program_is_refused_first(
        running: Engine, world: tuple[Path, TorznabServer, dict[str, SeededTorrent]], tmp_path: Path) -> None:
    ticket = running.tickets.add_json({"kind": "movie", "query": {"title": "Sintel", "year": 2010},
                                       "auto_approve_threshold": 0.3}, actor="cli:test")[0].id
    state = wait_for_state(running, ticket, TicketState.COMPLETED, TicketState.FAILED, TicketState.NEEDS_APPROVAL)
    if state is TicketState.NEEDS_APPROVAL:
        detail = running.tickets.show(ticket)
        evil = next(c for c in detail.candidates if "EVIL" in c.title)
        running.tickets.approve(ticket, evil.rank, actor="cli:test")
        state = wait_for_state(running, ticket, TicketState.COMPLETED, TicketState.FAILED,
                               TicketState.NEEDS_APPROVAL)
        if state is TicketState.NEEDS_APPROVAL:
            running.tickets.approve(ticket, 0, actor="cli:test")
            state = wait_for_state(running, ticket, TicketState.COMPLETED, TicketState.FAILED)
    assert state is TicketState.COMPLETED, running.tickets.show(ticket).summary
    refused = running.audit.latest(ticket, "MetadataRefused")
    assert refused is not None and ".exe" in refused.data["reason"]
    placed = tmp_path / "movies" / "Sintel (2010)" / "Sintel (2010).mkv"
    seeding = tmp_path / "downloads" / ticket / "Sintel (2010) 720p WEB-DL" / "Sintel.2010.720p.WEB-DL.mkv"
    assert placed.is_file() and placed.stat().st_ino == seeding.stat().st_ino
    assert not list((tmp_path / "downloads").rglob("*.exe"))
    completed = running.audit.latest(ticket, "PlacementCompleted")
    assert completed is not None and completed.data["files"][0]["method"] == "hardlink"


def test_broken_audio_blocklists_the_release_with_ffmpegs_message(running: Engine, tmp_path: Path) -> None:
    ticket = running.tickets.add_json({
        "kind": "album", "query": {"artist": "Broken Artist", "album": "Broken Album", "year": 2002},
        "constraints": {"format": "mp3"}, "auto_approve_threshold": 0.5}, actor="cli:test")[0].id
    state = wait_for_state(running, ticket, TicketState.ACQUISITION_FAILED, TicketState.FAILED,
                           TicketState.COMPLETED, TicketState.NEEDS_APPROVAL)
    assert state is TicketState.ACQUISITION_FAILED, running.tickets.show(ticket).summary
    failed = running.audit.latest(ticket, "ConversionFailed")
    assert failed is not None and "Invalid data found" in failed.data["error"]
    blocked = running.audit.latest(ticket, "ReleaseBlocklisted")
    assert blocked is not None and "Invalid data found" in blocked.data["reason"]
    history = types_of(running, ticket)
    assert "AdminRetry" not in history and history.count("ConversionStarted") == 1, "not retried on the same bytes"
    assert not list((tmp_path / "music").rglob("*.mp3"))


def test_a_magnet_whose_passkey_was_hidden_downloads_from_the_indexers_torrent_instead(
        tmp_path: Path, world: tuple[Path, TorznabServer, dict[str, SeededTorrent]]) -> None:
    _, _, seeded = world
    album = seeded[ALBUM]
    private = album.magnet + "&tr=" + "http%3A%2F%2F127.0.0.1%3A9%2Fannounce%3Fpasskey%3Dpersonal0123456789"
    release = Release(title=ALBUM, size=2_000_000, seeders=20, info_hash=album.info_hash, magnet=private,
                      category=3000, torrent=album.torrent_bytes)
    with TorznabServer(releases=[release]) as server:
        extra = (f'\n[[indexers]]\nname = "private"\nurl = "{server.url}"\napi_key = "{DEFAULT_API_KEY}"\n'
                 "rate_limit_per_minute = 0\n\n[textbrain]\nauto_approve_threshold = 0.7\n")
        engine = Engine.open(make_home(tmp_path, extra))
        engine.start()
        try:
            ticket = engine.tickets.add_json({
                "kind": "album", "query": {"artist": "Test Artist", "album": "Test Album", "year": 2001}},
                actor="cli:test")[0].id
            wait_for_state(engine, ticket, TicketState.DOWNLOADING, TicketState.FAILED, TicketState.NEEDS_APPROVAL)
            assert engine.tickets.show(ticket).state is TicketState.DOWNLOADING, engine.tickets.show(ticket).summary
            fetched = [request for request in server.requests if not request["path"].endswith("/api")]
            assert fetched and all(request.get("jackett_apikey") == DEFAULT_API_KEY for request in fetched)
            assert "personal0123456789" not in engine.core.home.audit_jsonl.read_text()
        finally:
            engine.stop()


def test_two_tickets_whose_releases_share_a_root_folder_name_keep_their_own_files(tmp_path: Path) -> None:
    content = tmp_path / "content"
    make_album(content / "first" / "Album [FLAC]", tracks=2, seconds=3.0, artist="Alpha Artist",
               album="First Album")
    make_album(content / "second" / "Album [FLAC]", tracks=2, seconds=6.0, artist="Beta Artist",
               album="Second Album", year=2002)
    with Seeder(tmp_path / "seeder-state") as seeder:
        first = seeder.seed(content / "first" / "Album [FLAC]")
        second = seeder.seed(content / "second" / "Album [FLAC]")
        releases = [offered(first, "Alpha Artist - First Album (2001) [FLAC]", 1_000_000, 3000),
                    offered(second, "Beta Artist - Second Album (2002) [FLAC]", 2_000_000, 3000)]
        with TorznabServer(releases=releases) as server:
            extra = (f'\n[[indexers]]\nname = "loopback"\nurl = "{server.url}"\napi_key = "{DEFAULT_API_KEY}"\n'
                     "rate_limit_per_minute = 0\n\n[textbrain]\nauto_approve_threshold = 0.6\n")
            engine = Engine.open(make_home(tmp_path / "home", extra))
            engine.start()
            try:
                tickets = [engine.tickets.add_json({"kind": "album", "query": {"artist": artist, "album": album,
                                                                              "year": year},
                                                    "constraints": {"format": "flac"}}, actor="cli:test")[0].id
                           for artist, album, year in (("Alpha Artist", "First Album", 2001),
                                                       ("Beta Artist", "Second Album", 2002))]
                for ticket in tickets:
                    assert wait_for_state(engine, ticket, TicketState.COMPLETED, TicketState.FAILED,
                                          TicketState.NEEDS_APPROVAL) is TicketState.COMPLETED, \
                        engine.tickets.show(ticket).summary
            finally:
                engine.stop()
    music = tmp_path / "home" / "music"
    for artist, album, seconds in (("Alpha Artist", "First Album (2001)", 3.0),
                                   ("Beta Artist", "Second Album (2002)", 6.0)):
        tracks = sorted((music / artist / album).glob("*.flac"))
        assert len(tracks) == 2, list((music / artist).rglob("*"))
        assert all(abs(MutagenFile(track).info.length - seconds) < 0.5 for track in tracks)
    for ticket in tickets:
        assert (tmp_path / "home" / "downloads" / ticket / "Album [FLAC]").is_dir()

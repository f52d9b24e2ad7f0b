"""MusicBrainz and TMDB against loopback servers speaking their real formats, including providers that are down."""

from __future__ import annotations

import logging
import socket
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from qtorrentino.config.model import MusicBrainzConfig
from qtorrentino.db.models import LibraryItemRow
from qtorrentino.engine.engine import Engine
from qtorrentino.engine.library_api import LibraryAPI
from qtorrentino.errors import MetadataError
from qtorrentino.library.items import ItemFields, record_placed_file
from qtorrentino.metadata.cache import MetadataCache
from qtorrentino.metadata.musicbrainz import MusicBrainz
from tests.conftest import make_home
from tests.servers.musicbrainz import MusicBrainzServer, StubRelease, StubTrack
from tests.servers.tmdb import DEFAULT_API_KEY, StubMovie, StubSeries, TmdbServer

if TYPE_CHECKING:
    from collections.abc import Iterator

    from qtorrentino.clock import FrozenClock

RELEASE_ID = "b84ee12a-09ef-421b-82de-0441a926375b"
OK_COMPUTER = StubRelease(
    id=RELEASE_ID, title="OK Computer", artist="Radiohead", artist_id="a74b1b7f-71a5-4011-9441-d0b5e4122711",
    date="1997-05-21", country="GB", release_group_id="b1392450-e666-3926-a536-22c65f834433",
    tracks=(StubTrack("Airbag", 284_000, "6e1b3ff1-0f1f-4a6e-8c55-2cbfc0b7e8a1",
                      "1b0c3f7e-1111-4c1e-9a9a-0a0a0a0a0a01"),
            StubTrack("Paranoid Android", 383_000, "6e1b3ff1-0f1f-4a6e-8c55-2cbfc0b7e8a2",
                      "1b0c3f7e-1111-4c1e-9a9a-0a0a0a0a0a02")))
MOVIES = (StubMovie(45745, "Sintel", "2010-09-30", "A lonely young woman..."),
          StubMovie(10378, "Big Buck Bunny", "2008-05-30", "A giant rabbit..."))
USER_AGENT = "qtorrentino-test/0.1 ( test@example.org )"


def _config(musicbrainz_url: str, tmdb_url: str, api_key: str = DEFAULT_API_KEY) -> str:
    return (f'\n[musicbrainz]\nbase_url = "{musicbrainz_url}"\nuser_agent = "{USER_AGENT}"\n'
            f'\n[tmdb]\napi_key = "{api_key}"\nbase_url = "{tmdb_url}"\n')


def _closed_port_url() -> str:
    """A loopback URL nothing listens on: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def musicbrainz_server() -> Iterator[MusicBrainzServer]:
    with MusicBrainzServer(releases=(OK_COMPUTER,)) as server:
        yield server


@pytest.fixture
def tmdb_server() -> Iterator[TmdbServer]:
    with TmdbServer(movies=MOVIES, series=(StubSeries(71, "Example Show", "2019-01-01"),)) as server:
        yield server


@pytest.fixture
def open_engine(tmp_path: Path, clock: FrozenClock) -> Iterator[list[Engine]]:
    """Opens engines on a home with extra config; stops them after the test."""
    opened: list[Engine] = []
    yield opened
    for engine in opened:
        engine.stop()


def _library(open_engine: list[Engine], tmp_path: Path, clock: FrozenClock, extra: str) -> tuple[LibraryAPI, Path]:
    engine = Engine.open(make_home(tmp_path, extra), clock=clock)
    engine.start(workers=False)
    open_engine.append(engine)
    return LibraryAPI(engine.core), tmp_path


def test_releases_and_tracks_come_from_musicbrainz_at_one_request_a_second_and_are_cached(
        musicbrainz_server: MusicBrainzServer, tmdb_server: TmdbServer, open_engine: list[Engine],
        tmp_path: Path, clock: FrozenClock) -> None:
    library, _ = _library(open_engine, tmp_path, clock, _config(musicbrainz_server.base_url, tmdb_server.base_url))

    releases = library.lookup_release("Radiohead", "OK Computer")
    tracks = library.release_tracks(RELEASE_ID)

    assert [(r["id"], r["title"], r["artist"], r["year"], r["track_count"], r["score"]) for r in releases] == [
        (RELEASE_ID, "OK Computer", "Radiohead", 1997, 2, 100)]
    assert [(t["number"], t["title"], t["duration_secs"]) for t in tracks] == [
        (1, "Airbag", 284.0), (2, "Paranoid Android", 383.0)]
    search, lookup = musicbrainz_server.requests
    assert search["path"] == "/ws/2/release/" and "artist:(radiohead)" in search["query"]
    assert search["user_agent"].startswith("qtorrentino-test/0.1 python-musicbrainzngs/")
    assert "test@example.org" in search["user_agent"]
    assert float(lookup["at"]) - float(search["at"]) >= 0.9
    assert library.lookup_release("Radiohead", "OK Computer") == releases
    assert len(musicbrainz_server.requests) == 2
    clock.advance(timedelta(days=31))
    library.lookup_release("Radiohead", "OK Computer")
    assert len(musicbrainz_server.requests) == 3


def test_movies_come_from_tmdb_and_a_refused_key_gives_nothing_and_never_leaks(
        musicbrainz_server: MusicBrainzServer, tmdb_server: TmdbServer, open_engine: list[Engine],
        tmp_path: Path, clock: FrozenClock, caplog: pytest.LogCaptureFixture) -> None:
    library, _ = _library(open_engine, tmp_path, clock, _config(musicbrainz_server.base_url, tmdb_server.base_url))

    found = library.lookup_movie("Sintel", 2010)

    assert [(movie["tmdb_id"], movie["title"], movie["year"]) for movie in found] == [(45745, "Sintel", 2010)]
    assert tmdb_server.requests[0]["path"] == "/3/search/movie" and tmdb_server.requests[0]["year"] == "2010"
    tmdb_server.api_key = "rotated-key-the-config-lacks"
    with caplog.at_level(logging.INFO):
        assert library.lookup_movie("Big Buck Bunny", None) == []
    assert "refused the API key" in caplog.text and DEFAULT_API_KEY not in caplog.text


def test_an_unidentified_movie_and_album_are_matched_from_provider_suggestions(
        musicbrainz_server: MusicBrainzServer, tmdb_server: TmdbServer, open_engine: list[Engine],
        tmp_path: Path, clock: FrozenClock) -> None:
    library, root = _library(open_engine, tmp_path, clock, _config(musicbrainz_server.base_url,
                                                                     tmdb_server.base_url))
    (root / "movies" / "sintel_trailer_cut.mkv").write_bytes(b"s" * 500)
    (root / "movies" / "clip.mkv").write_bytes(b"c" * 400)
    (root / "music" / "OK Computer").mkdir()
    (root / "music" / "OK Computer" / "01 - Airbag.flac").write_bytes(b"fLaC")

    assert library.scan(actor="test").unmatched == 3
    queued = {Path(view.path).name: view for view in library.unmatched()}
    movie_suggestion = queued["sintel_trailer_cut.mkv"].suggestions[0]
    album_suggestion = queued["01 - Airbag.flac"].suggestions[0]

    assert (movie_suggestion.label, movie_suggestion.target, movie_suggestion.source) == (
        "Sintel (2010)", "tmdb:movie/45745", "tmdb")
    assert (album_suggestion.target, album_suggestion.source) == (f"musicbrainz:release/{RELEASE_ID}", "musicbrainz")
    library.match(queued["sintel_trailer_cut.mkv"].id, 0, actor="test")
    library.match(queued["01 - Airbag.flac"].id, 0, actor="test")
    library.match(queued["clip.mkv"].id, target="tmdb:10378", actor="test")

    sintel = LibraryItemRow.get(LibraryItemRow.title == "Sintel")
    assert (sintel.year, sintel.provider_id, sintel.locked, sintel.status) == (2010, "tmdb:movie/45745", True,
                                                                               "available")
    assert LibraryItemRow.get(LibraryItemRow.title == "Big Buck Bunny").provider_id == "tmdb:movie/10378"
    cut = root / "movies" / "Sintel (Director's Cut)" / "Sintel.mkv"
    cut.parent.mkdir()
    cut.write_bytes(b"d" * 10)
    with open_engine[0].core.uow():
        record_placed_file("Movies", cut, ItemFields("movie", title="Sintel (Director's Cut)", tmdb_id=45745),
                           "copy", "T1", clock=clock)
    assert LibraryItemRow.select().where(LibraryItemRow.kind == "movie").count() == 2
    album = LibraryItemRow.get(LibraryItemRow.kind == "album")
    assert (album.title, album.provider_id, album.parent.title) == ("OK Computer", f"musicbrainz:release/{RELEASE_ID}",
                                                                     "Radiohead")
    assert library.unmatched() == []
    searched = library.search_items("Sintel")
    assert [(s.source, s.target) for s in searched][:2] == [("library", f"item:{sintel.id}"),
                                                            ("tmdb", "tmdb:movie/45745")]


def test_providers_that_are_down_leave_suggestions_to_the_library_with_a_clear_note(
        open_engine: list[Engine], tmp_path: Path, clock: FrozenClock) -> None:
    library, root = _library(open_engine, tmp_path, clock, _config(_closed_port_url(), _closed_port_url() + "/3"))
    (root / "movies" / "sintel_trailer_cut.mkv").write_bytes(b"s" * 500)
    started = time.monotonic()

    result = library.scan("Movies", actor="test")

    assert (result.seen, result.unmatched) == (1, 1)
    view = library.unmatched()[0]
    assert view.suggestions == ()
    assert "TMDB is unavailable" in view.note and "cannot be reached" in view.note
    assert library.refresh(view.id).note.startswith("TMDB is unavailable")
    assert library.lookup_movie("Sintel", 2010) == []
    assert library.lookup_release("Radiohead", "OK Computer") == []
    assert library.search_items("Sintel") == []
    assert time.monotonic() - started < 10


def test_a_musicbrainz_answering_503_is_given_up_on_at_the_deadline_and_paused(
        musicbrainz_server: MusicBrainzServer, open_engine: list[Engine], tmp_path: Path,
        clock: FrozenClock) -> None:
    _library(open_engine, tmp_path, clock, "")
    musicbrainz_server.unavailable = True
    client = MusicBrainz(MusicBrainzConfig(base_url=musicbrainz_server.base_url, user_agent=USER_AGENT),
                         MetadataCache(clock), deadline_seconds=1.0)
    started = time.monotonic()

    with pytest.raises(MetadataError, match="no answer within 1 s"):
        client.search_releases("Radiohead", "OK Computer")
    asked = len(musicbrainz_server.requests)
    with pytest.raises(MetadataError, match="MusicBrainz is unavailable"):
        client.release_tracks(RELEASE_ID)

    assert time.monotonic() - started < 3
    assert len(musicbrainz_server.requests) == asked
    assert client.guard.status.startswith("MusicBrainz is unavailable")

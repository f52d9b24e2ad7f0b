"""Issue 12, header drip: an indexer or provider that sends one header line every 0.2 s is cut off at its deadline."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest

from qtorrentino.config.model import MusicBrainzConfig, TmdbConfig
from qtorrentino.domain.states import TicketState
from qtorrentino.engine.engine import Engine
from qtorrentino.errors import MetadataError
from qtorrentino.metadata.cache import MetadataCache
from qtorrentino.metadata.musicbrainz import MusicBrainz
from qtorrentino.metadata.tmdb import Tmdb
from tests.conftest import make_home, run_cli
from tests.servers.drip import DripServer
from tests.servers.torznab import DEFAULT_API_KEY, Release, TorznabServer

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from qtorrentino.clock import FrozenClock

TIMEOUT = 3
"""timeout_seconds of the dripping indexer: each case must end within TIMEOUT + 2 s."""
HASH = "c0ffee0123456789abcdef0123456789abcdef01"
ALBUM = "Drip Artist - Drip Album (2001) [FLAC]"


def _indexer(url: str) -> str:
    return (f'\n[[indexers]]\nname = "dripping"\nurl = "{url}"\napi_key = "{DEFAULT_API_KEY}"\n'
            f"rate_limit_per_minute = 0\ntimeout_seconds = {TIMEOUT}\n")


@pytest.fixture
def torznab() -> Iterator[TorznabServer]:
    release = Release(ALBUM, size=50_000_000, seeders=30, info_hash=HASH, category=3000,
                      link="http://127.0.0.1:9/unused.torrent")
    with TorznabServer(releases=[release]) as server:
        yield server


@pytest.mark.parametrize("dripping", ["t=caps", "t=music"], ids=["caps", "search"])
def test_search_on_a_dripping_indexer_ends_at_its_timeout_with_a_clear_error(
        tmp_path: Path, torznab: TorznabServer, dripping: str) -> None:
    with DripServer(upstream=torznab.origin, drips=lambda target: dripping in target) as drip:
        url = torznab.url.replace(torznab.origin, drip.origin)
        home = make_home(tmp_path, _indexer(url))
        result = run_cli(home, "search", "Drip Artist", "--kind", "music", "--json")
        finished = time.monotonic()
        assert drip.dripped, "the dripping endpoint was asked"
        assert drip.wait_hung_up(timeout=2.0), "the dripped request stayed open"
    elapsed = finished - drip.dripped[0].started
    assert elapsed < TIMEOUT + 2, f"search went on {elapsed:.1f}s against timeout_seconds = {TIMEOUT}"
    assert result.returncode == 1
    assert f"dripping: no answer from http://127.0.0.1:{drip.origin.rsplit(':', 1)[1]}" in result.stderr
    assert f"within {TIMEOUT}s" in result.stderr and DEFAULT_API_KEY not in result.stderr


def test_a_torrent_link_that_drips_fails_the_ticket_retryably_at_the_deadline(
        tmp_path: Path, clock: FrozenClock) -> None:
    with DripServer() as drip:
        release = Release(ALBUM, size=50_000_000, seeders=30, info_hash=HASH, category=3000,
                          link=f"{drip.origin}/dl/release.torrent")
        with TorznabServer(releases=[release]) as server:
            extra = _indexer(server.url) + "\n[textbrain]\nauto_approve_threshold = 0.5\n"
            engine = Engine.open(make_home(tmp_path, extra))
            engine.start()
            try:
                ticket = engine.tickets.add_json({"kind": "album", "query": {
                    "artist": "Drip Artist", "album": "Drip Album", "year": 2001}}, actor="cli:test")[0].id
                deadline = time.monotonic() + 60
                while not drip.dripped:
                    assert time.monotonic() < deadline, engine.tickets.show(ticket).summary
                    time.sleep(0.05)
                while (summary := engine.tickets.show(ticket).summary).state is not TicketState.FAILED:
                    assert time.monotonic() - drip.dripped[0].started < TIMEOUT + 2, (
                        f"still {summary.state.value} {time.monotonic() - drip.dripped[0].started:.1f}s "
                        "after the .torrent link began dripping")
                    time.sleep(0.05)
            finally:
                engine.stop()
        assert drip.wait_hung_up(timeout=2.0), "the .torrent request stayed open"
    assert summary.retryable
    assert summary.error is not None and "no answer from" in summary.error and f"within {TIMEOUT}s" in summary.error


@pytest.mark.parametrize("provider", ["musicbrainz", "tmdb"])
def test_a_dripping_metadata_provider_is_given_up_on_at_the_deadline_and_the_request_ends(
        engine: Engine, clock: FrozenClock, provider: str) -> None:
    with DripServer() as drip:
        cache = MetadataCache(clock)

        def ask() -> object:
            if provider == "musicbrainz":
                return MusicBrainz(MusicBrainzConfig(base_url=drip.origin), cache,
                                   deadline_seconds=TIMEOUT).search_releases("Drip Artist", "Drip Album")
            return Tmdb(TmdbConfig(api_key="tmdb-key-0123456789", base_url=f"{drip.origin}/3"), cache,
                        deadline_seconds=TIMEOUT).search_movie("Sintel")

        started = time.monotonic()
        with pytest.raises(MetadataError, match="unavailable"):
            ask()
        elapsed = time.monotonic() - started
        assert drip.wait_hung_up(timeout=2.0), f"{provider}'s request stayed open after its deadline"
    assert elapsed < TIMEOUT + 2

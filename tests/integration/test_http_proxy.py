"""[network] proxy for indexers and metadata providers: loopback SOCKS5 and HTTP CONNECT proxies.

The servers are named by host names only the proxies know (`indexer.test`, `musicbrainz.test`): a
request that reaches them went through the proxy, which resolved the name (no DNS query of ours).
"""

from __future__ import annotations

import json
import socket
import time
from typing import TYPE_CHECKING

import pytest

from qtorrentino.config.proxy import parse_proxy
from qtorrentino.engine.engine import Engine
from qtorrentino.errors import MetadataError
from qtorrentino.net.http import HttpClient, HttpError, HttpResponse
from tests.conftest import make_home, run_cli
from tests.integration.test_metadata import OK_COMPUTER, RELEASE_ID, USER_AGENT
from tests.servers.http_proxy import HttpConnectProxy, StallingProxy
from tests.servers.musicbrainz import MusicBrainzServer
from tests.servers.socks5 import Socks5Proxy
from tests.servers.tmdb import DEFAULT_API_KEY as TMDB_KEY
from tests.servers.tmdb import StubMovie, TmdbServer
from tests.servers.torznab import DEFAULT_API_KEY, Release, TorznabServer

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from qtorrentino.clock import FrozenClock

RELEASE = Release(title="Proxied Artist - Proxied Album (2020) [FLAC]", size=300_000_000,
                  seeders=12, info_hash="ab" * 20, magnet="magnet:?xt=urn:btih:" + "ab" * 20,
                  category=3000)


def indexer_config(url: str, proxy: str, timeout_seconds: int = 20) -> str:
    return (f'\n[[indexers]]\nname = "private"\nurl = "{url}"\napi_key = "{DEFAULT_API_KEY}"\n'
            f"rate_limit_per_minute = 0\ntimeout_seconds = {timeout_seconds}\n"
            f'\n[network]\nproxy = "{proxy}"\n')


@pytest.fixture
def torznab() -> Iterator[TorznabServer]:
    with TorznabServer(releases=[RELEASE]) as server:
        yield server


def test_a_search_reaches_its_indexer_through_the_socks5_proxy_with_its_login(
        tmp_path: Path, torznab: TorznabServer) -> None:
    hidden_url = torznab.url.replace("127.0.0.1", "indexer.test")
    port = int(torznab.origin.rsplit(":", 1)[1])
    names = {"indexer.test": "127.0.0.1"}
    with Socks5Proxy(username="seedbox", password="s3cret", names=names) as proxy:
        make_home(tmp_path, indexer_config(hidden_url, proxy.url))
        searched = run_cli(tmp_path, "search", "Proxied Album", "--json")

    assert searched.returncode == 0, searched.stderr
    assert [json.loads(line)["title"] for line in searched.stdout.splitlines()] == [RELEASE.title]
    assert ("indexer.test", port) in proxy.connects
    assert set(proxy.logins) == {"seedbox"}
    assert "s3cret" not in searched.stdout + searched.stderr


def test_doctor_asks_the_indexer_through_the_proxy(tmp_path: Path, torznab: TorznabServer) -> None:
    hidden_url = torznab.url.replace("127.0.0.1", "indexer.test")
    with HttpConnectProxy(names={"indexer.test": "127.0.0.1"}) as proxy:
        make_home(tmp_path, indexer_config(hidden_url, proxy.url))
        checked = run_cli(tmp_path, "doctor")

    assert "ok   indexer private: answers caps" in checked.stdout, checked.stdout
    assert "indexers, metadata providers, peers and trackers use it" in checked.stdout
    assert any(target.startswith("indexer.test:") for target in proxy.connects)


def test_metadata_lookups_go_through_the_http_proxy_with_its_login(tmp_path: Path,
                                                                   clock: FrozenClock) -> None:
    movies = (StubMovie(45745, "Sintel", "2010-09-30", "A lonely young woman..."),)
    names = {"musicbrainz.test": "127.0.0.1", "tmdb.test": "127.0.0.1"}
    with MusicBrainzServer(releases=(OK_COMPUTER,)) as musicbrainz, \
            TmdbServer(movies=movies) as tmdb, \
            HttpConnectProxy(username="seedbox", password="s3cret", names=names) as proxy:
        musicbrainz_url = musicbrainz.base_url.replace("127.0.0.1", "musicbrainz.test")
        tmdb_url = tmdb.base_url.replace("127.0.0.1", "tmdb.test")
        extra = (f'\n[musicbrainz]\nbase_url = "{musicbrainz_url}"\nuser_agent = "{USER_AGENT}"\n'
                 f'\n[tmdb]\napi_key = "{TMDB_KEY}"\nbase_url = "{tmdb_url}"\n'
                 f'\n[network]\nproxy = "{proxy.url}"\n')
        engine = Engine.open(make_home(tmp_path, extra), clock=clock)
        engine.start(workers=False)
        try:
            releases = engine.library.lookup_release("Radiohead", "OK Computer")
            found_movies = engine.library.lookup_movie("Sintel", 2010)
        finally:
            engine.stop()

    assert [release["id"] for release in releases] == [RELEASE_ID]
    assert [movie["title"] for movie in found_movies] == ["Sintel"]
    assert {target.split(":")[0] for target in proxy.connects} == set(names)


def test_a_search_through_a_proxy_that_stalls_ends_at_the_indexers_deadline(
        tmp_path: Path, torznab: TorznabServer) -> None:
    with StallingProxy() as proxy:
        make_home(tmp_path, indexer_config(torznab.url.replace("127.0.0.1", "indexer.test"),
                                           f"socks5://127.0.0.1:{proxy.port}", timeout_seconds=2))
        started = time.monotonic()
        searched = run_cli(tmp_path, "search", "Proxied Album", "--json")
        took = time.monotonic() - started
        held = len(proxy.connections)

    assert searched.returncode == 1
    assert "no answer from http://indexer.test" in searched.stderr
    assert "within 2s" in searched.stderr
    assert held >= 1
    assert took < 2 + 8, f"the search took {took:.1f} s through a stalled proxy"  # + CLI start-up


def test_a_metadata_lookup_through_a_proxy_that_stalls_ends_at_its_deadline(
        engine: Engine, clock: FrozenClock) -> None:
    from qtorrentino.config.model import MusicBrainzConfig
    from qtorrentino.metadata.cache import MetadataCache
    from qtorrentino.metadata.musicbrainz import MusicBrainz

    with StallingProxy() as proxy:
        config = MusicBrainzConfig(base_url="http://musicbrainz.test:80", user_agent=USER_AGENT)
        client = MusicBrainz(config, MetadataCache(clock), deadline_seconds=1.0,
                             proxy=parse_proxy(f"http://127.0.0.1:{proxy.port}"))
        started = time.monotonic()
        with pytest.raises(MetadataError, match=r"MusicBrainz is unavailable: .*no answer.* 1 ?s"):
            client.search_releases("Radiohead", "OK Computer")
        took = time.monotonic() - started

    assert took < 3, f"the lookup took {took:.1f} s through a stalled proxy"


@pytest.mark.parametrize(("kind", "expected"), [
    (Socks5Proxy, "refused the login of user 'seedbox'"),
    (HttpConnectProxy, "wants a login and refused the one given"),
])
def test_a_proxy_refusing_the_login_is_a_clear_error(
        torznab: TorznabServer, kind: type[Socks5Proxy | HttpConnectProxy], expected: str) -> None:
    with kind(username="seedbox", password="right", names={"indexer.test": "127.0.0.1"}) as proxy:
        wrong = proxy.url.replace(":right@", ":wrong@")
        client = HttpClient(proxy=parse_proxy(wrong))
        with pytest.raises(HttpError) as refused:
            client.get(torznab.url.replace("127.0.0.1", "indexer.test"), timeout=5)

    assert expected in refused.value.message
    assert "[network] proxy" in refused.value.hint
    assert "wrong" not in refused.value.message


def test_a_proxy_that_is_down_is_named_in_the_error(torznab: TorznabServer) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        gone = f"socks5://127.0.0.1:{probe.getsockname()[1]}"  # nothing listens there
    hidden_url = torznab.url.replace("127.0.0.1", "indexer.test")
    with pytest.raises(HttpError, match=r"cannot reach the socks5 proxy at 127\.0\.0\.1:\d+: "
                                        "Connection refused"):
        HttpClient(proxy=parse_proxy(gone)).get(hidden_url, timeout=5)


def test_a_loopback_server_is_reached_directly_whatever_the_proxy(torznab: TorznabServer) -> None:
    with StallingProxy() as proxy:
        answer = HttpClient(proxy=parse_proxy(f"socks5://127.0.0.1:{proxy.port}")).get(
            f"{torznab.url}?t=caps&apikey={DEFAULT_API_KEY}", timeout=5)
        reached = len(proxy.connections)

    assert isinstance(answer, HttpResponse) and answer.status == 200
    assert reached == 0

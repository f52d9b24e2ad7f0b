"""Torznab client and indexer set against loopback Jackett- and Prowlarr-shaped servers."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import libtorrent as lt
import pytest

from qtorrentino.clock import FrozenClock
from qtorrentino.config.model import IndexerConfig, Secret
from qtorrentino.errors import IndexerError, UsageError
from qtorrentino.search.indexers import IndexerSet, SearchReport, merge_results
from qtorrentino.search.result import SearchResult
from qtorrentino.search.torznab import TorznabClient
from qtorrentino.search.torznab_answers import IndexerKeyRejected
from qtorrentino.search.torznab_request import SearchRequest
from tests.servers.torznab import PUBLISHED, Fault, Release, TorznabServer

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

KEY = "k3y-never-shown-0123"
HASH = "0123456789abcdef0123456789abcdef01234567"
OTHER_HASH = "89abcdef0123456789abcdef0123456789abcdef"
MAGNET = f"magnet:?xt=urn:btih:{HASH}&dn=Pink+Floyd+-+Animals"
ALBUM = Release(
    "Pink Floyd - Animals (1977) [FLAC]",
    size=300_000_000,
    seeders=12,
    peers=20,
    info_hash=HASH.upper(),
    magnet=MAGNET,
    category=3040,
    files=7,
)
HASHLESS = Release(
    "Pink Floyd - Animals (1977) [MP3 320]",
    size=90_000_000,
    seeders=3,
    peers=4,
    magnet="magnet:?xt=urn:btih:ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ",
)
MOVIE = Release(
    "Alien 1979 1080p BluRay x264",
    size=8_000_000_000,
    category=2040,
    imdb_id="0078748",
    magnet=f"magnet:?xt=urn:btih:{OTHER_HASH}",
)
EPISODE = Release(
    "Show S01E02 720p WEB",
    size=500_000_000,
    category=5040,
    magnet=f"magnet:?xt=urn:btih:{'a' * 40}",
)
RELEASES = (ALBUM, HASHLESS, MOVIE, EPISODE)
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def _config(server: TorznabServer, name: str, **overrides: object) -> IndexerConfig:
    values: dict[str, object] = {
        "name": name,
        "url": server.url,
        "api_key": Secret(server.api_key),
        "categories": (3000, 2000, 5000),
        "rate_limit_per_minute": 0,
        "timeout_seconds": 5.0,
    }
    values.update(overrides)
    return IndexerConfig(**values)  # type: ignore[arg-type]


@pytest.fixture
def jackett() -> Iterator[TorznabServer]:
    with TorznabServer(RELEASES, style="jackett", api_key=KEY) as server:
        yield server


@pytest.fixture
def prowlarr() -> Iterator[TorznabServer]:
    with TorznabServer(RELEASES, style="prowlarr", api_key=KEY) as server:
        yield server


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


def _searches(server: TorznabServer) -> list[dict[str, str]]:
    return [request for request in server.api_requests() if request.get("t") != "caps"]


def test_caps_are_parsed(jackett: TorznabServer) -> None:
    caps = TorznabClient(_config(jackett, "jackett")).caps()
    assert caps.mode("music-search").available
    assert caps.mode("music-search").params == {"q", "album", "artist", "label", "year"}
    assert caps.mode("tv-search").params >= {"season", "ep", "imdbid"}
    assert not caps.mode("book-search").available
    assert caps.categories[3040] == "Audio/Lossless"
    assert caps.categories[3000] == "Audio"
    assert caps.max_results == 100


def test_caps_are_asked_once_for_several_searches(jackett: TorznabServer) -> None:
    client = TorznabClient(_config(jackett, "jackett"))
    client.search(SearchRequest(q="animals"))
    client.search(SearchRequest(q="alien"))
    assert [request["t"] for request in jackett.api_requests()] == ["caps", "search", "search"]


def test_music_search_sends_artist_and_album_and_parses_jackett_items(
    jackett: TorznabServer,
) -> None:
    client = TorznabClient(_config(jackett, "jackett"))
    results = client.search(SearchRequest(kind="music", artist="Pink Floyd", album="Animals"))
    sent = _searches(jackett)[-1]
    assert (sent["t"], sent["artist"], sent["album"], sent["cat"]) == (
        "music",
        "Pink Floyd",
        "Animals",
        "3000",
    )
    assert "q" not in sent
    flac = next(result for result in results if "FLAC" in result.title)
    assert (flac.size, flac.seeders, flac.peers) == (300_000_000, 12, 20)
    assert flac.info_hash == HASH
    assert flac.magnet == MAGNET
    assert flac.published == PUBLISHED
    assert flac.categories == (3040,)
    assert flac.indexer == "jackett"
    assert flac.link is not None
    assert "jackett_apikey=***" in flac.link


def test_music_search_falls_back_to_q_when_music_search_is_off(jackett: TorznabServer) -> None:
    jackett.modes = {"search": "q", "music-search": None, "audio-search": None}
    client = TorznabClient(_config(jackett, "jackett"))
    results = client.search(SearchRequest(kind="music", artist="Pink Floyd", album="Animals"))
    sent = _searches(jackett)[-1]
    assert (sent["t"], sent["q"], sent["cat"]) == ("search", "Pink Floyd Animals", "3000")
    assert {result.title for result in results} == {ALBUM.title, HASHLESS.title}


def test_music_fields_the_indexer_lacks_go_into_q(jackett: TorznabServer) -> None:
    jackett.modes = {"search": "q", "music-search": "q"}
    TorznabClient(_config(jackett, "jackett")).search(
        SearchRequest(kind="music", artist="Pink Floyd", album="Animals", year=1977)
    )
    sent = _searches(jackett)[-1]
    assert (sent["t"], sent["q"]) == ("music", "Pink Floyd Animals")
    assert not {"artist", "album", "year"} & set(sent)


def test_tv_search_without_supported_params_assumes_season_and_ep(jackett: TorznabServer) -> None:
    jackett.modes = {"search": "q", "tv-search": ""}
    results = TorznabClient(_config(jackett, "jackett")).search(
        SearchRequest(kind="tv", q="Show", season=1, episode=2)
    )
    sent = _searches(jackett)[-1]
    assert (sent["t"], sent["q"], sent["season"], sent["ep"], sent["cat"]) == (
        "tvsearch",
        "Show",
        "1",
        "2",
        "5000",
    )
    assert [result.title for result in results] == [EPISODE.title]


def test_tv_episode_goes_into_q_when_the_indexer_takes_only_q(jackett: TorznabServer) -> None:
    jackett.modes = {"search": "q", "tv-search": "q"}
    TorznabClient(_config(jackett, "jackett")).search(
        SearchRequest(kind="tv", q="Show", season=1, episode=2)
    )
    sent = _searches(jackett)[-1]
    assert sent["q"] == "Show S01E02"
    assert "season" not in sent


def test_movie_search_sends_imdbid_without_the_tt_prefix(jackett: TorznabServer) -> None:
    results = TorznabClient(_config(jackett, "jackett")).search(
        SearchRequest(kind="movie", imdb_id="tt0078748", year=1979)
    )
    sent = _searches(jackett)[-1]
    assert (sent["t"], sent["imdbid"], sent["cat"]) == ("movie", "0078748", "2000")
    assert sent["q"] == "1979"
    assert [result.title for result in results] == [MOVIE.title]


def test_prowlarr_items_and_links_that_redirect_to_a_magnet(prowlarr: TorznabServer) -> None:
    client = TorznabClient(_config(prowlarr, "prowlarr"))
    results = client.search(SearchRequest(q="pink floyd animals flac"))
    assert len(results) == 1
    album = results[0]
    assert (album.info_hash, album.seeders, album.peers, album.size) == (HASH, 12, 20, 300_000_000)
    assert (album.categories, album.published) == ((3040,), PUBLISHED)
    assert album.magnet is None
    assert album.link is not None
    assert album.link.startswith(f"{prowlarr.origin}/1/download?apikey=***")
    assert client.fetch_torrent(album.link, expected_info_hash=album.info_hash) == MAGNET


def test_a_magnet_for_another_torrent_is_refused(prowlarr: TorznabServer) -> None:
    client = TorznabClient(_config(prowlarr, "prowlarr"))
    album = client.search(SearchRequest(q="animals flac"))[0]
    assert album.link is not None
    with pytest.raises(IndexerError, match="another torrent"):
        client.fetch_torrent(album.link, expected_info_hash=OTHER_HASH)


@pytest.mark.parametrize("style", ["jackett", "prowlarr"])
def test_torrent_links_download_real_torrent_bytes(tmp_path: Path, style: str) -> None:
    (tmp_path / "track.flac").write_bytes(b"fLaC" + bytes(40_000))
    torrent = lt.create_torrent(lt.list_files(str(tmp_path / "track.flac")), 16384)
    lt.set_piece_hashes(torrent, str(tmp_path))
    torrent_bytes = lt.bencode(torrent.generate())
    info_hash = str(lt.torrent_info(torrent_bytes).info_hashes().v1)
    release = Release("Artist - Track (2020) [FLAC]", size=40_004, torrent=torrent_bytes)
    with TorznabServer([release], style=style, api_key=KEY) as server:
        indexers = IndexerSet([_config(server, style)], FrozenClock(NOW))
        try:
            result = indexers.search(SearchRequest(q="artist track")).results[0]
            fetched = indexers.fetch_torrent(result)
        finally:
            indexers.close()
    assert result.link is not None
    assert KEY not in result.link
    assert fetched == torrent_bytes
    assert isinstance(fetched, bytes)
    assert str(lt.torrent_info(fetched).info_hashes().v1) == info_hash


def test_a_download_link_that_is_not_a_torrent_is_refused(jackett: TorznabServer) -> None:
    client = TorznabClient(_config(jackett, "jackett"))
    with pytest.raises(IndexerError, match=r"rss\+xml, not a \.torrent"):
        client.fetch_torrent(f"{jackett.url}?t=caps&apikey=***")


def test_links_to_other_hosts_are_not_fetched(jackett: TorznabServer) -> None:
    client = TorznabClient(_config(jackett, "jackett"))
    link = jackett.download_url(0).replace("127.0.0.1", "localhost")
    with pytest.raises(IndexerError, match="not the configured indexer"):
        client.fetch_torrent(link)
    assert not [request for request in jackett.requests if request["path"].startswith("/dl/")]


def test_a_wrong_api_key_is_reported_with_the_indexers_words(jackett: TorznabServer) -> None:
    client = TorznabClient(_config(jackett, "jackett", api_key=Secret("wrong-key-1234")))
    with pytest.raises(IndexerKeyRejected) as raised:
        client.search(SearchRequest(q="animals"))
    assert "Invalid API Key" in str(raised.value)
    assert "api_key" in raised.value.hint
    assert not raised.value.retryable
    assert "wrong-key-1234" not in str(raised.value)


def test_items_without_title_or_link_are_skipped(jackett: TorznabServer) -> None:
    jackett.releases = [*RELEASES, Release("Pink Floyd - Animals [no link]", size=-5)]
    results = TorznabClient(_config(jackett, "jackett")).search(SearchRequest(q="animals"))
    assert {result.title for result in results} == {ALBUM.title, HASHLESS.title}


FAULT_MESSAGES = {
    Fault.HTTP_500: "HTTP 500",
    Fault.GARBAGE: "malformed XML",
    Fault.HTML_PAGE: "HTML page",
    Fault.BILLION_LAUGHS: "refused as unsafe",
    Fault.EXTERNAL_ENTITY: "refused as unsafe",
    Fault.HANG: "within 1s",
    Fault.RATE_LIMITED: "retry after 120s",
}


@pytest.mark.parametrize("fault", list(FAULT_MESSAGES), ids=lambda fault: fault.value)
def test_a_failing_indexer_never_sinks_the_others(
    jackett: TorznabServer, prowlarr: TorznabServer, clock: FrozenClock, fault: Fault
) -> None:
    prowlarr.fault = fault
    configs = [_config(jackett, "good"), _config(prowlarr, "bad", timeout_seconds=1.0)]
    indexers = IndexerSet(configs, clock)
    try:
        report = indexers.search(SearchRequest(kind="music", artist="Pink Floyd", album="Animals"))
    finally:
        indexers.close()
    good, bad = report.outcomes
    assert (good.indexer, good.error, len(good.results)) == ("good", None, 2)
    assert bad.indexer == "bad"
    assert bad.error is not None
    assert FAULT_MESSAGES[fault] in bad.error
    assert bad.error.startswith("bad: ")
    assert bad.results == ()
    assert {result.title for result in report.results} == {ALBUM.title, HASHLESS.title}
    assert not [request for request in prowlarr.requests if request["path"] == "/evil.dtd"]


def test_a_fault_after_caps_is_handled_too(jackett: TorznabServer, clock: FrozenClock) -> None:
    indexers = IndexerSet([_config(jackett, "jackett")], clock)
    try:
        assert indexers.search(SearchRequest(q="animals")).outcomes[0].error is None
        jackett.fault = Fault.GARBAGE
        outcome = indexers.search(SearchRequest(q="alien")).outcomes[0]
    finally:
        indexers.close()
    assert outcome.error is not None
    assert "malformed XML" in outcome.error


def test_retry_after_skips_the_indexer_until_the_time_has_passed(
    jackett: TorznabServer, clock: FrozenClock
) -> None:
    indexers = IndexerSet([_config(jackett, "jackett")], clock)
    try:
        jackett.fault = Fault.RATE_LIMITED
        first = indexers.search(SearchRequest(q="animals")).outcomes[0]
        jackett.fault = Fault.NONE
        asked = len(jackett.api_requests())
        skipped = indexers.search(SearchRequest(q="alien")).outcomes[0]
        assert len(jackett.api_requests()) == asked
        clock.advance(timedelta(seconds=121))
        retried = indexers.search(SearchRequest(q="alien")).outcomes[0]
    finally:
        indexers.close()
    assert first.error is not None
    assert "Query Limit" in first.error
    assert skipped.error is not None
    assert "skipped for another 120s" in skipped.error
    assert (retried.error, [result.title for result in retried.results]) == (None, [MOVIE.title])


def test_the_rate_limit_per_minute_is_kept(jackett: TorznabServer, clock: FrozenClock) -> None:
    config = _config(jackett, "jackett", rate_limit_per_minute=1, timeout_seconds=0.5)
    indexers = IndexerSet([config], clock)
    try:
        first = indexers.search(SearchRequest(q="animals")).outcomes[0]
        second = indexers.search(SearchRequest(q="alien")).outcomes[0]
    finally:
        indexers.close()
    assert first.error is None
    assert second.error is not None
    assert "rate_limit_per_minute = 1" in second.error
    assert len(_searches(jackett)) == 1


def test_results_are_cached_for_a_few_minutes(jackett: TorznabServer, clock: FrozenClock) -> None:
    indexers = IndexerSet([_config(jackett, "jackett")], clock)
    request = SearchRequest(q="animals")
    try:
        fresh = indexers.search(request).outcomes[0]
        cached = indexers.search(request).outcomes[0]
        clock.advance(timedelta(minutes=6))
        refreshed = indexers.search(request).outcomes[0]
    finally:
        indexers.close()
    assert (fresh.cached, cached.cached, refreshed.cached) == (False, True, False)
    assert cached.results == fresh.results
    assert len(_searches(jackett)) == 2


def test_the_same_release_on_two_indexers_is_merged(
    jackett: TorznabServer, prowlarr: TorznabServer, clock: FrozenClock
) -> None:
    renamed = "Pink.Floyd.Animals.1977.FLAC-GROUP"
    better = Release(renamed, size=ALBUM.size + 1, seeders=40, info_hash=HASH, magnet=MAGNET)
    prowlarr.releases = [better, HASHLESS]
    indexers = IndexerSet([_config(jackett, "jackett"), _config(prowlarr, "prowlarr")], clock)
    try:
        report = indexers.search(SearchRequest(q="animals"))
    finally:
        indexers.close()
    assert [len(outcome.results) for outcome in report.outcomes] == [2, 2]
    assert [(result.indexer, result.seeders) for result in report.results] == [
        ("prowlarr", 40),
        ("jackett", 3),
    ]
    assert (report.results[0].title, report.results[0].info_hash) == (renamed, HASH)


def test_releases_with_different_hashes_are_never_merged_by_title() -> None:
    first = SearchResult("Album", "a", size=10, seeders=1, info_hash=HASH)
    second = SearchResult("album", "b", size=10, seeders=5, info_hash=OTHER_HASH)
    hashless = SearchResult("ALBUM!", "c", size=10, seeders=9)
    merged = merge_results([first, second, hashless])
    assert [(result.indexer, result.info_hash) for result in merged] == [
        ("c", HASH),
        ("b", OTHER_HASH),
    ]


def test_one_indexer_can_be_chosen_by_name(
    jackett: TorznabServer, prowlarr: TorznabServer, clock: FrozenClock
) -> None:
    indexers = IndexerSet([_config(jackett, "jackett"), _config(prowlarr, "prowlarr")], clock)
    try:
        report = indexers.search(SearchRequest(q="alien"), only="PROWLARR")
        with pytest.raises(UsageError, match="configured: jackett, prowlarr"):
            indexers.search(SearchRequest(q="alien"), only="nope")
    finally:
        indexers.close()
    assert [outcome.indexer for outcome in report.outcomes] == ["prowlarr"]
    assert _searches(jackett) == []


def test_no_secret_reaches_results_errors_or_logs(
    jackett: TorznabServer,
    prowlarr: TorznabServer,
    clock: FrozenClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    pasted = _config(jackett, "pasted", url=f"{jackett.url}?apikey={KEY}", api_key=Secret(""))
    broken = _config(prowlarr, "broken")
    indexers = IndexerSet([pasted, broken], clock)
    reports: list[SearchReport] = []
    try:
        reports.append(indexers.search(SearchRequest(q="animals")))
        for fault in (Fault.HTTP_500, Fault.GARBAGE, Fault.RATE_LIMITED):
            prowlarr.fault = fault
            clock.advance(timedelta(hours=1))
            reports.append(indexers.search(SearchRequest(q="animals")))
        results = reports[0].results
        assert indexers.fetch_torrent(results[0]) == MAGNET
    finally:
        indexers.close()
    assert len(results) == 2
    assert all(report.outcomes[0].error is None for report in reports)
    assert all(report.outcomes[1].error for report in reports[1:])
    shown = repr(reports) + "".join(
        record.getMessage() + (record.exc_text or "") for record in caplog.records
    )
    assert KEY not in shown
    assert "apikey=***" in shown

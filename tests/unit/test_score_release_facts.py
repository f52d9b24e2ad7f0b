"""Scoring reads what the release parser knows: anime absolute numbers, air dates, editions, and
revisions (issue 14); each rule as the approval decision a person would see, and the file check
before download reading absolute numbers and air dates as scoring does."""

from __future__ import annotations

from typing import Any

import pytest

from qtorrentino.domain.files import FileEntry
from qtorrentino.domain.ticket import TicketSpec
from qtorrentino.domain.ticket_json import spec_from_json, spec_to_json
from qtorrentino.errors import MetadataRefused, TicketValidationError
from qtorrentino.search.result import SearchResult
from qtorrentino.textbrain.decide import Outcome, decide
from qtorrentino.textbrain.filecheck import check_file_list
from qtorrentino.textbrain.score import ScoredCandidate, score_candidates


def ticket(kind: str, **query: Any) -> TicketSpec:
    return spec_from_json({"kind": kind, "query": query, "library": "Any"})


def result(title: str, *, seeders: int = 50, size_mb: int = 1400) -> SearchResult:
    return SearchResult(title=title, indexer="test", size=size_mb * 1_000_000, seeders=seeders,
                        info_hash=f"{abs(hash(title)):040x}"[:40])


def scored(spec: TicketSpec, *titles: str | SearchResult) -> list[ScoredCandidate]:
    return score_candidates(spec, [t if isinstance(t, SearchResult) else result(t) for t in titles])


def factor(candidate: ScoredCandidate, name: str) -> tuple[float, str]:
    found = next(f for f in candidate.factors if f.name == name)
    return found.value, found.reason


# Anime: episodes counted from the series' start


def test_an_absolute_number_is_the_episode_number_in_the_first_season() -> None:
    spec = ticket("episode", series="Sousou no Frieren", season=1, episodes=[5])
    ranked = scored(spec, "[SubsPlease] Sousou no Frieren - 06 (1080p) [0A1B2C3D].mkv",
                    "[SubsPlease] Sousou no Frieren - 05 (1080p) [F0E1D2C3].mkv")
    assert ranked[0].result.title.startswith("[SubsPlease] Sousou no Frieren - 05")
    assert decide(ranked).outcome is Outcome.AUTO_APPROVE
    assert "wrong episode (E06)" in ranked[1].red_flags


def test_an_absolute_number_past_the_first_season_is_not_taken_for_the_wanted_episode() -> None:
    spec = ticket("episode", series="Sousou no Frieren", season=2, episodes=[5])
    ranked = scored(spec, "[SubsPlease] Sousou no Frieren - 05 (1080p) [F0E1D2C3].mkv")
    value, reason = factor(ranked[0], "episodes")
    assert value == 0.5
    assert reason == ("episode 5 counted from the series' start: the ticket gives no absolute "
                      "number for S02")
    assert decide(ranked).outcome is Outcome.NEEDS_APPROVAL


def test_a_ticket_that_carries_absolute_numbers_matches_them() -> None:
    spec = ticket("episode", series="Sousou no Frieren", season=2, episodes=[1],
                  absolute_episodes=[29])
    ranked = scored(spec, "[SubsPlease] Sousou no Frieren - 01 (1080p) [0A1B2C3D].mkv",
                    "[SubsPlease] Sousou no Frieren - 29 (1080p) [F0E1D2C3].mkv")
    assert ranked[0].result.title == "[SubsPlease] Sousou no Frieren - 29 (1080p) [F0E1D2C3].mkv"
    assert factor(ranked[0], "episodes") == (1.0, "has 1 of 1 wanted absolute episodes")
    assert ranked[1].red_flags == ("wrong absolute episode (1)",)
    assert decide(ranked).outcome is Outcome.AUTO_APPROVE
    numbered = scored(spec, "Sousou.no.Frieren.S02E01.1080p.WEB.H264-GRP")
    assert factor(numbered[0], "episodes") == (1.0, "has 1 of 1 wanted episodes")


# Daily shows: episodes by air date


def test_a_daily_episode_is_matched_by_its_air_date() -> None:
    spec = ticket("episode", series="The Daily Show", season=24, episodes=[75],
                  air_date="2019-03-14")
    ranked = scored(spec, "The.Daily.Show.2019.03.13.Guest.720p.WEB.x264-GRP",
                    "The.Daily.Show.2019.03.14.Guest.720p.WEB.x264-GRP")
    assert ranked[0].result.title == "The.Daily.Show.2019.03.14.Guest.720p.WEB.x264-GRP"
    assert factor(ranked[0], "episodes") == (1.0, "aired 2019-03-14, the wanted date")
    assert ranked[1].red_flags == ("wrong air date (2019-03-13)",)
    assert decide(ranked).outcome is Outcome.AUTO_APPROVE


def test_an_air_date_year_is_not_taken_for_another_series_year() -> None:
    spec = ticket("episode", series="The Daily Show", year=1996, season=24, episodes=[75],
                  air_date="2019-03-14")
    ranked = scored(spec, "The.Daily.Show.2019.03.14.Guest.720p.WEB.x264-GRP")
    assert [f.name for f in ranked[0].factors].count("year") == 0
    assert decide(ranked).outcome is Outcome.AUTO_APPROVE


def test_a_dated_release_for_a_ticket_without_a_date_says_so() -> None:
    spec = ticket("episode", series="The Daily Show", season=24, episodes=[75])
    ranked = scored(spec, "The.Daily.Show.2019.03.14.Guest.720p.WEB.x264-GRP")
    assert factor(ranked[0], "episodes") == (0.4, "aired 2019-03-14: the ticket gives no air date")
    assert decide(ranked).outcome is Outcome.NEEDS_APPROVAL


def test_the_air_date_and_absolute_numbers_are_ticket_json_fields() -> None:
    spec = ticket("episode", series="Show", season=2, episodes=[1], air_date="2019-03-14",
                  absolute_episodes=[29])
    assert spec.query.air_date == "2019-03-14" and spec.query.absolute_episodes == (29,)
    again = spec_to_json(spec)["query"]
    assert again["air_date"] == "2019-03-14" and again["absolute_episodes"] == [29]
    with pytest.raises(TicketValidationError, match=r"query.air_date.*YYYY-MM-DD.*'14/03/2019'"):
        ticket("episode", series="Show", season=1, episodes=[1], air_date="14/03/2019")
    with pytest.raises(TicketValidationError, match=r"query.absolute_episodes\[0\]"):
        ticket("episode", series="Show", season=1, episodes=[1], absolute_episodes=[0])


# Editions


def test_an_unasked_cut_is_a_soft_difference() -> None:
    spec = ticket("movie", title="The Lord of the Rings", year=2001)
    ranked = scored(spec, "The.Lord.of.the.Rings.2001.EXTENDED.1080p.BluRay.x264-GRP",
                    "The.Lord.of.the.Rings.2001.1080p.BluRay.x264-GRP")
    assert ranked[0].result.title == "The.Lord.of.the.Rings.2001.1080p.BluRay.x264-GRP"
    assert factor(ranked[0], "edition") == (1.0, "standard edition")
    assert factor(ranked[1], "edition") == (
        0.85, "extended: other footage than the standard cut, not asked for")
    assert ranked[1].score > 0.97 * ranked[0].score
    assert not ranked[1].red_flags and decide(ranked).outcome is Outcome.AUTO_APPROVE


def test_a_ticket_that_names_a_cut_prefers_it() -> None:
    spec = ticket("movie", title="Blade Runner", year=1982, tags=["Final Cut"])
    ranked = scored(spec, result("Blade.Runner.1982.1080p.BluRay.x264-GRP", seeders=900),
                    result("Blade.Runner.1982.The.Final.Cut.1080p.BluRay.x264-GRP", seeders=40),
                    result("Blade.Runner.1982.Directors.Cut.1080p.BluRay.x264-GRP", seeders=400))
    assert [c.result.title for c in ranked] == [
        "Blade.Runner.1982.The.Final.Cut.1080p.BluRay.x264-GRP",
        "Blade.Runner.1982.1080p.BluRay.x264-GRP",
        "Blade.Runner.1982.Directors.Cut.1080p.BluRay.x264-GRP",
    ]
    assert factor(ranked[0], "edition") == (1.0, "final cut, as asked")
    assert factor(ranked[2], "edition") == (0.5, "director's cut, not the wanted final cut")


def test_an_album_ticket_gets_the_edition_its_name_asks_for() -> None:
    plain = ticket("album", artist="The Beatles", album="Abbey Road", year=2019)
    deluxe = ticket("album", artist="The Beatles", album="Abbey Road (Super Deluxe Edition)",
                    year=2019)
    candidates = (result("The Beatles - Abbey Road (Super Deluxe Edition) (2019) [FLAC]"),
                  result("The Beatles - Abbey Road (2019) [FLAC]"))
    assert scored(plain, *candidates)[0].result.title == "The Beatles - Abbey Road (2019) [FLAC]"
    ranked = scored(deluxe, *candidates)
    assert ranked[0].result.title.startswith("The Beatles - Abbey Road (Super Deluxe Edition)")
    assert factor(ranked[1], "edition") == (0.6, "edition not named (wanted deluxe)")


def test_a_remaster_is_the_same_album() -> None:
    spec = ticket("album", artist="Radiohead", album="OK Computer", year=1997)
    ranked = scored(spec, "Radiohead - OK Computer (1997) [2009 Remaster] [FLAC]")
    assert factor(ranked[0], "edition") == (1.0, "remaster: the same content")


# Revisions


def test_a_proper_goes_before_its_original_whatever_the_seeders() -> None:
    spec = ticket("episode", series="Show", season=1, episodes=[5])
    ranked = scored(spec, result("Show.S01E05.720p.HDTV.x264-GRP", seeders=400),
                    result("Show.S01E05.PROPER.720p.HDTV.x264-GRP", seeders=15))
    assert ranked[0].result.title == "Show.S01E05.PROPER.720p.HDTV.x264-GRP"
    assert factor(ranked[0], "revision") == (1.0, "PROPER: fixes an earlier release")
    decision = decide(ranked)
    assert decision.outcome is Outcome.AUTO_APPROVE and decision.recommended_rank == 0


def test_a_v2_goes_before_its_v1() -> None:
    spec = ticket("episode", series="Sousou no Frieren", season=1, episodes=[5])
    ranked = scored(spec, result("[Erai-raws] Sousou no Frieren - 05 [1080p]", seeders=300),
                    result("[Erai-raws] Sousou no Frieren - 05v2 [1080p]", seeders=20))
    assert ranked[0].result.title == "[Erai-raws] Sousou no Frieren - 05v2 [1080p]"
    assert factor(ranked[0], "revision") == (1.0, "v2: fixes an earlier release")


def test_a_revision_of_other_content_never_beats_the_wanted_content() -> None:
    spec = ticket("episode", series="Show", season=1, episodes=[5])
    ranked = scored(spec, result("Show.S01E06.REAL.PROPER.720p.HDTV.x264-GRP", seeders=900),
                    result("Show.S01E05.720p.HDTV.x264-GRP", seeders=10))
    assert ranked[0].result.title == "Show.S01E05.720p.HDTV.x264-GRP"
    assert "wrong episode (E06)" in ranked[1].red_flags


def test_the_revision_bonus_is_small() -> None:
    spec = ticket("movie", title="Sintel", year=2010)
    original, proper = scored(spec, "Sintel.2010.720p.HDTV.x264-GRP"), scored(
        spec, "Sintel.2010.PROPER.720p.HDTV.x264-GRP")
    assert 0 < proper[0].score - original[0].score <= 0.015


# The file check before download maps the files the same way


def test_the_file_check_takes_an_absolute_numbered_file_for_the_episode_the_ticket_maps() -> None:
    spec = ticket("episode", series="Sousou no Frieren", season=2, episodes=[1],
                  absolute_episodes=[29])
    files = [FileEntry(0, "[SubsPlease] Sousou no Frieren - 01 (1080p) [AB12CD34].mkv", 10**9),
             FileEntry(1, "[SubsPlease] Sousou no Frieren - 29 (1080p) [F0E1D2C3].mkv", 10**9)]
    mapping = check_file_list(spec, files)
    assert [(a.item_id, a.file.index, a.reason) for a in mapping.assignments] == [
        ("s02e01", 1, "S02E01 (episode 29 counted from the series' start)")]


def test_the_file_check_takes_a_dated_file_for_the_daily_episode() -> None:
    spec = ticket("episode", series="The Daily Show", season=24, episodes=[75],
                  air_date="2019-03-14")
    mapping = check_file_list(spec, [
        FileEntry(0, "The.Daily.Show.2019.03.14.Jenny.Slate.720p.WEB.x264-TBS.mkv", 7 * 10**8)])
    assert [(a.item_id, a.reason) for a in mapping.assignments] == [
        ("s24e75", "S24E75 (aired 2019-03-14)")]
    with pytest.raises(MetadataRefused, match="no file of the release matches"):
        check_file_list(spec, [
            FileEntry(0, "The.Daily.Show.2019.03.13.Beto.720p.WEB.x264-TBS.mkv", 7 * 10**8)])

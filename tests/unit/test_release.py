"""Release-name parsing and the shared similarity primitives, on plain values."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest

from qtorrentino.domain.release import MAX_NAME_CHARS, ReleaseInfo, parse_release
from qtorrentino.domain.similarity import fold_accents, normalise, title_similarity

DATA = Path(__file__).resolve().parent.parent / "data"
TEXT_FIELDS = frozenset({"title", "series", "artist", "album"})
CONTRACT_KEYS = frozenset(
    {
        "kind",
        "title",
        "year",
        "series",
        "season",
        "episodes",
        "artist",
        "album",
        "disc",
        "track",
        "resolution",
        "source",
        "video_codec",
        "audio_format",
        "audio_bitrate",
        "release_group",
        "proper",
        "repack",
        "absolute_episodes",
        "air_date",
        "full_season",
        "multi_season",
        "seasons",
        "special",
        "edition",
        "revision",
        "discography",
        "audio_bit_depth",
        "hashed",
    }
)


def labelled_cases() -> list[dict[str, object]]:
    cases: list[dict[str, object]] = json.loads(
        (DATA / "releases.json").read_text(encoding="utf-8")
    )
    return cases


def field_matches(key: str, wanted: object, found: object) -> bool:
    """Text fields compare after normalise(); the rest exactly (strings ignoring case)."""
    if found is None:
        return False
    if key in TEXT_FIELDS:
        return normalise(str(found)) == normalise(str(wanted))
    if isinstance(wanted, str):
        return str(found).lower() == wanted.lower()
    return found == wanted


def accuracy(cases: list[dict[str, object]]) -> tuple[float, dict[str, float]]:
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for case in cases:
        found = parse_release(str(case["name"])).to_json()
        expected = case["expected"]
        assert isinstance(expected, dict)
        for key, wanted in expected.items():
            totals[key] += 1
            hits[key] += field_matches(key, wanted, found.get(key))
    per_field = {key: hits[key] / totals[key] for key in totals}
    return sum(hits.values()) / sum(totals.values()), per_field


def test_the_labelled_set_is_large_and_varied() -> None:
    cases = labelled_cases()
    categories = Counter(str(case["category"]) for case in cases)
    assert len(cases) >= 300
    for category in (
        "music",
        "discography",
        "track_file",
        "movie",
        "episode",
        "season",
        "anime",
        "holdout",
    ):
        assert categories[category] >= 8, category


def test_labelled_names_parse_accurately_field_by_field() -> None:
    overall, per_field = accuracy(
        [case for case in labelled_cases() if case["category"] != "holdout"]
    )
    assert overall >= 0.98
    assert min(per_field.values()) >= 0.95, per_field


def test_held_out_names_parse_accurately() -> None:
    overall, per_field = accuracy(
        [case for case in labelled_cases() if case["category"] == "holdout"]
    )
    assert overall >= 0.95, per_field


def test_to_json_uses_only_contract_keys_and_drops_what_was_not_found() -> None:
    found = parse_release("The.Matrix.1999.1080p.BluRay.x264-GROUP").to_json()
    assert found == {
        "kind": "movie",
        "title": "The Matrix",
        "year": 1999,
        "resolution": "1080p",
        "source": "bluray",
        "video_codec": "h264",
        "release_group": "GROUP",
    }
    for case in labelled_cases():
        keys = set(parse_release(str(case["name"])).to_json())
        assert keys <= CONTRACT_KEYS
        assert "kind" in keys


def test_music_album_name() -> None:
    info = parse_release("Pink Floyd - The Dark Side of the Moon (1973) [FLAC 24-96]")
    assert (info.kind, info.artist, info.album, info.year) == (
        "music",
        "Pink Floyd",
        "The Dark Side of the Moon",
        1973,
    )
    assert (info.audio_format, info.bit_depth) == ("flac", 24)


def test_an_album_named_like_a_year_keeps_its_name() -> None:
    info = parse_release("Taylor Swift - 1989 (2014) [FLAC]")
    assert (info.album, info.year) == ("1989", 2014)


def test_editions_are_recorded_and_kept_out_of_the_album_name() -> None:
    info = parse_release(
        "The Beatles - Abbey Road (2019 Remaster) [Super Deluxe Edition] [FLAC 24-96]"
    )
    assert info.album == "Abbey Road"
    assert {"remaster", "deluxe"} <= set(info.editions)


def test_discography_is_a_collection_with_a_year_range() -> None:
    info = parse_release("Radiohead - Discography (1993-2016) [MP3 320]")
    assert (info.kind, info.artist, info.album, info.collection) == (
        "music",
        "Radiohead",
        None,
        True,
    )
    assert (info.year_range, info.audio_format, info.audio_bitrate) == ((1993, 2016), "mp3", "320")


@pytest.mark.parametrize(
    ("path", "disc", "track", "title"),
    [
        ("CD2/05 - Title.flac", 2, 5, "Title"),
        ("05. Artist - Title.mp3", None, 5, "Title"),
        ("1-05 Title.flac", 1, 5, "Title"),
        ("Album/Disc 2/01 - Hey You.flac", 2, 1, "Hey You"),
        ("205 - Brain Damage.flac", 2, 5, "Brain Damage"),
    ],
)
def test_track_file_names(path: str, disc: int | None, track: int, title: str) -> None:
    info = parse_release(path)
    assert (info.kind, info.disc, info.track, info.title) == ("music", disc, track, title)


def test_a_track_takes_artist_album_and_year_from_its_folders() -> None:
    info = parse_release("Radiohead Discography/1997 - OK Computer/01 - Airbag.mp3")
    assert (info.artist, info.album, info.year, info.track, info.title) == (
        "Radiohead",
        "OK Computer",
        1997,
        1,
        "Airbag",
    )
    assert info.audio_format == "mp3"


def test_episode_ranges_and_multi_episode_names() -> None:
    assert parse_release("Friends.S01E01-E03.720p.BluRay.x264-GRP").episodes == (1, 2, 3)
    assert parse_release("Show.Name.S01E01E02.720p.HDTV.x264-LOL").episodes == (1, 2)
    assert parse_release("Show.Name.1x05.HDTV.XviD-LOL").episodes == (5,)


def test_episode_title_series_year_and_group() -> None:
    info = parse_release("Doctor.Who.2005.S13E01.The.Halloween.Apocalypse.1080p.HDTV.x264-FoV")
    assert (info.series, info.year, info.season, info.episodes) == ("Doctor Who", 2005, 13, (1,))
    assert (info.title, info.release_group) == ("The Halloween Apocalypse", "FoV")


def test_multi_season_pack_lists_every_season() -> None:
    info = parse_release("Sherlock.S01-S04.COMPLETE.1080p.BluRay.x264-GRP")
    assert (info.kind, info.season, info.seasons, info.collection) == (
        "season",
        1,
        (1, 2, 3, 4),
        True,
    )


def test_anime_absolute_numbering() -> None:
    info = parse_release("[SubsPlease] Jujutsu Kaisen - 24 (1080p) [ABCD1234].mkv")
    assert (info.kind, info.series, info.season, info.episodes) == (
        "episode",
        "Jujutsu Kaisen",
        None,
        (24,),
    )
    assert (info.resolution, info.release_group, info.extension) == ("1080p", "SubsPlease", ".mkv")


def test_tags_are_never_taken_for_the_release_group() -> None:
    assert parse_release("Example.Show.S01E03.1080p.WEB-DL").release_group is None
    assert parse_release("Movie.2019.1080p.BluRay.DTS-HD").release_group is None
    assert (
        parse_release(
            "The.Shawshank.Redemption.1994.1080p.BluRay.x264-CiNEFiLE[rarbg]"
        ).release_group
        == "CiNEFiLE"
    )


def test_cam_and_telesync_sources_are_named() -> None:
    assert parse_release("Dune.Part.Two.2024.HDCAM.x264-NOGRP").source == "cam"
    assert parse_release("Mad.Max.Fury.Road.2015.HDTS.x264").source == "telesync"
    assert parse_release("Movie.2019.DVDSCR.x264-GRP").source == "screener"


def test_an_episode_number_without_a_season_is_read_without_guessit() -> None:
    info = parse_release("One.Piece.E1071.1080p.WEB.H264-SENPAI")
    assert (info.kind, info.series, info.episodes, info.source) == (
        "episode",
        "One Piece",
        (1071,),
        "web-dl",
    )


def test_a_name_with_no_media_markers_is_generic() -> None:
    info = parse_release("Ubuntu 22.04 LTS Desktop amd64")
    assert (info.kind, info.title) == ("generic", "Ubuntu 22.04 LTS Desktop amd64")


@pytest.mark.parametrize(
    "hostile",
    [
        "",
        "   ",
        "/",
        "..",
        "../../etc/passwd",
        "-rf --no-preserve-root",
        "\x00\x01bad\nname.mkv",
        "[" * 5000,
        "a - " * 2000,
        "S01E01" * 1000,
        "<?xml version='1.0'?><!DOCTYPE lolz>",
        "x" * 1_000_000,
    ],
)
def test_hostile_names_parse_to_a_value_quickly(hostile: str) -> None:
    started = time.perf_counter()
    info = parse_release(hostile)
    assert isinstance(info, ReleaseInfo)
    assert time.perf_counter() - started < 1.0
    assert len(info.title or "") <= MAX_NAME_CHARS
    assert "\x00" not in json.dumps(info.to_json())


def test_results_are_cached_by_name() -> None:
    name = "Inception.2010.1080p.BluRay.x264.DTS-FGT"
    assert parse_release(name) is parse_release(name)


def test_a_realistic_mixed_stream_parses_at_over_a_thousand_names_a_second() -> None:
    names = [str(case["name"]) for case in labelled_cases()]
    stream = [names[(index * 7919) % len(names)] for index in range(5000)]
    parse_release("One.Piece.E1071.1080p.WEB.H264-SENPAI")
    parse_release.cache_clear()
    started = time.perf_counter()
    for name in stream:
        parse_release(name)
    assert len(stream) / (time.perf_counter() - started) >= 1000


def test_normalise_folds_case_accents_ampersands_articles_and_punctuation() -> None:
    assert normalise("Björk") == "bjork"
    assert normalise("Sigur Rós \u2013 Ágætis byrjun") == "sigur ros agaetis byrjun"
    assert normalise("The Beatles") == "beatles"
    assert normalise("Simon & Garfunkel") == normalise("Simon and Garfunkel")
    assert normalise("Don't Stop Me Now") == "dont stop me now"
    assert normalise("AC/DC") == "ac dc"
    assert fold_accents("Mötley Crüe") == "Motley Crue"


def test_title_similarity_orders_near_and_far_titles() -> None:
    assert title_similarity("OK Computer", "ok computer") == 1.0
    assert title_similarity("Kid A", "Kid A Mnesia") < 0.85
    assert (
        title_similarity("The Dark Side of the Moon", "Dark Side Of The Moon (Remastered)") > 0.85
    )
    assert title_similarity("Abbey Road", "Let It Be") < 0.5
    assert title_similarity("Anything", None) == 0.0

"""Release quality: read from names, ordered as the contract says; upgrade_until in ticket JSON."""

from __future__ import annotations

import itertools

import pytest

from qtorrentino.domain.quality import (
    MUSIC,
    MUSIC_QUALITIES,
    VIDEO,
    cutoff_met,
    parse_quality,
    release_quality,
)
from qtorrentino.domain.release import parse_release
from qtorrentino.domain.ticket_json import spec_from_json, spec_to_json
from qtorrentino.errors import TicketValidationError

MOVIE: dict[str, object] = {"kind": "movie", "query": {"title": "M"}}


def quality_of(title: str, family: str | None) -> str | None:
    found = release_quality(parse_release(title), title, family)
    return found.name if found else None


@pytest.mark.parametrize(("title", "expected"), [
    ("Test Artist - Test Album (2001) [MP3 320]", "mp3_320"),
    ("Test Artist - Test Album (2001) [MP3 V0]", "mp3_v0"),
    ("Test Artist - Test Album (2001) [MP3 256kbps]", "mp3_v0"),
    ("Test Artist - Test Album (2001) [MP3 V2]", "mp3_v2"),
    ("Test Artist - Test Album (2001) MP3", "mp3_v2"),
    ("Test Artist - Test Album (2001) [AAC]", "aac"),
    ("Test Artist - Test Album (2001) [OPUS]", "opus"),
    ("Test Artist - Test Album (2001) [FLAC]", "flac"),
    ("Test Artist - Test Album (2001) [ALAC]", "flac"),
    ("Test Artist - Test Album (2001) [FLAC 24bit]", "flac_24"),
    ("Artist-Album-24BIT-WEB-FLAC-2019-GRP", "flac_24"),
    ("Test Artist - Test Album (2001)", None),
])
def test_music_quality_from_a_release_name(title: str, expected: str | None) -> None:
    assert quality_of(title, MUSIC) == expected


@pytest.mark.parametrize(("title", "expected"), [
    ("Show.S01E02.1080p.WEB-DL.x264-GRP", "1080p web-dl"),
    ("Show.S01E02.720p.HDTV.x264-GRP", "720p hdtv"),
    ("Movie.2010.2160p.UHD.BluRay.REMUX.HEVC-GRP", "2160p remux"),
    ("Movie.2010.1080p.BluRay.x264-GRP", "1080p bluray"),
    ("Movie 2010 1080p", "1080p"),
    ("Movie.2010.DVDRip.XviD-GRP", "480p dvd"),
    ("Movie.2010.HDCAM.x264", None),
])
def test_video_quality_is_resolution_then_source(title: str, expected: str | None) -> None:
    assert quality_of(title, VIDEO) == expected


def test_the_orders_are_the_contracts() -> None:
    music = [parse_quality(name, MUSIC) for name in MUSIC_QUALITIES]
    resolutions = [parse_quality(name, VIDEO) for name in ("480p", "720p", "1080p", "2160p")]
    sources = [parse_quality(f"1080p {source}", VIDEO) for source in
               ("cam", "telesync", "dvd", "hdtv", "webrip", "web-dl", "bluray", "remux")]
    for order in (music, resolutions, sources):
        assert all(later.better_than(earlier) for earlier, later in itertools.pairwise(order))
    assert parse_quality("2160p cam", VIDEO).better_than(parse_quality("1080p remux", VIDEO))
    assert not parse_quality("flac", MUSIC).better_than(parse_quality("flac", MUSIC))


def test_a_resolution_alone_is_met_by_any_source_of_it() -> None:
    cutoff = parse_quality("1080p", VIDEO)
    assert parse_quality("1080p webrip", VIDEO).at_least(cutoff)
    assert parse_quality("2160p", VIDEO).at_least(cutoff)
    assert not parse_quality("720p remux", VIDEO).at_least(cutoff)
    assert not parse_quality("1080p web-dl", VIDEO).at_least(parse_quality("1080p bluray", VIDEO))


def test_cutoff_met_is_null_without_a_cutoff_and_false_before_placement() -> None:
    assert cutoff_met("album", "mp3_320", None) is None
    assert cutoff_met("album", None, "flac") is False
    assert cutoff_met("album", "mp3_320", "flac") is False
    assert cutoff_met("album", "flac_24", "flac") is True
    assert cutoff_met("movie", "1080p web-dl", "1080p") is True


def test_upgrade_until_is_checked_against_the_tickets_order_and_implies_watch() -> None:
    album = {"kind": "album", "query": {"artist": "A", "album": "B"}}
    spec = spec_from_json({**album, "upgrade_until": "FLAC"})
    assert spec.watch and spec.upgrade_until == "flac"
    assert spec_from_json(spec_to_json(spec)) == spec
    movie = spec_from_json({**MOVIE, "upgrade_until": "1080p BluRay"})
    assert movie.upgrade_until == "1080p bluray"
    plain = spec_from_json(MOVIE)
    assert not plain.watch and "watch" not in spec_to_json(plain)
    assert spec_from_json({**MOVIE, "watch": True}).watch


@pytest.mark.parametrize(("ticket", "field", "words"), [
    ({"kind": "album", "query": {"artist": "A", "album": "B"}, "upgrade_until": "1080p"},
     "upgrade_until", "mp3_v2 < mp3_v0"),
    ({**MOVIE, "upgrade_until": "flac"}, "upgrade_until", "480p < 576p"),
    ({**MOVIE, "upgrade_until": "1080p dvdrip"}, "upgrade_until", "remux"),
    ({**MOVIE, "upgrade_until": "1080p", "watch": False}, "watch", "implies"),
    ({**MOVIE, "watch": "yes"}, "watch", "true or false"),
])
def test_a_wrong_watch_field_is_an_error_naming_it(ticket: dict[str, object], field: str,
                                                   words: str) -> None:
    with pytest.raises(TicketValidationError) as caught:
        spec_from_json(ticket)
    assert f"'{field}'" in caught.value.message and words in caught.value.message

"""Ticket JSON validation: the contract's shapes pass, every bad field is named in the error."""

from __future__ import annotations

import re
from typing import Any

import pytest

from qtorrentino.domain.ticket import ItemType, TicketKind
from qtorrentino.domain.ticket_json import spec_from_json, spec_to_json, specs_from_json
from qtorrentino.errors import TicketValidationError

ALBUM: dict[str, Any] = {
    "kind": "album",
    "query": {"artist": "Radiohead", "album": "OK Computer", "year": 1997, "musicbrainz_release_id": None},
    "items": [
        {"id": "t1", "disc": 1, "number": 1, "title": "Airbag", "duration_secs": 284, "requested": True},
        {"id": "t2", "disc": 1, "number": 2, "title": "Paranoid Android", "duration_secs": 383, "requested": True},
    ],
    "constraints": {"format": "opus", "bitrate_kbps": 160, "sample_rate_hz": 48000, "embed_tags": True,
                    "embed_cover": True},
    "library": "Music",
    "priority": 100,
    "dry_run": False,
    "auto_approve_threshold": 0.9,
}


def test_the_design_example_parses() -> None:
    spec = spec_from_json(ALBUM)
    assert spec.kind is TicketKind.ALBUM
    assert spec.title == "Radiohead – OK Computer (1997)"
    assert [item.title for item in spec.items] == ["Airbag", "Paranoid Android"]
    assert spec.constraints.format == "opus"
    assert spec.auto_approve_threshold == 0.9


def test_movie_and_episode_examples_parse_with_implied_items() -> None:
    movie = spec_from_json({"kind": "movie", "query": {"title": "Big Buck Bunny", "year": 2008, "tmdb_id": 10378},
                            "constraints": {"format": "copy", "resolution": "1080p"}, "library": "Movies"})
    assert movie.title == "Big Buck Bunny (2008)"
    assert [item.type for item in movie.items] == [ItemType.MOVIE]
    episodes = spec_from_json({"kind": "episode", "query": {"series": "Example Show", "season": 1,
                                                            "episodes": [1, 2]}, "library": "TV"})
    assert episodes.title == "Example Show S01E01E02"
    assert [(item.season, item.number) for item in episodes.items] == [(1, 1), (1, 2)]


def test_round_trip_keeps_what_was_given() -> None:
    spec = spec_from_json(ALBUM)
    assert spec_from_json(spec_to_json(spec)) == spec
    strict = spec_from_json({**ALBUM, "constraints": {"must_not": ["live", "remaster"], "max_size_mb": 900}})
    assert strict.constraints.must_not == ("live", "remaster")
    assert spec_from_json(spec_to_json(strict)) == strict


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"colour": "red"}, "'colour'"),
        ({"kind": "podcast"}, "'kind'"),
        ({"query": {"artist": "A"}}, "'query.album'"),
        ({"query": {"artist": "A", "album": "B", "year": "1997"}}, "'query.year'"),
        ({"query": {"artist": "A", "album": "B", "mood": "sad"}}, "'query.mood'"),
        ({"items": [{"id": "t1", "number": "one"}]}, "'items[0].number'"),
        ({"items": [{"number": 1}]}, "'items[0].id'"),
        ({"items": [{"id": "t1"}, {"id": "t1"}]}, "'items[1].id'"),
        ({"items": [{"id": "t1", "lyrics": ""}]}, "'items[0].lyrics'"),
        ({"constraints": {"format": "wma"}}, "'constraints.format'"),
        ({"constraints": {"bitrate_kbps": -5}}, "'constraints.bitrate_kbps'"),
        ({"constraints": {"must_not": "x265"}}, "'constraints.must_not'"),
        ({"constraints": {"min_size_mb": 5000, "max_size_mb": 3000}}, "'constraints.min_size_mb'"),
        ({"priority": 70000}, "'priority'"),
        ({"dry_run": "yes"}, "'dry_run'"),
        ({"auto_approve_threshold": 1.5}, "'auto_approve_threshold'"),
    ],
)
def test_bad_field_is_named(change: dict[str, Any], field: str) -> None:
    with pytest.raises(TicketValidationError, match=re.escape(field)):
        spec_from_json({**ALBUM, **change})


def test_errors_in_a_list_name_the_entry() -> None:
    with pytest.raises(TicketValidationError, match=r"ticket #1: .*'query.title'"):
        specs_from_json([ALBUM, {"kind": "movie", "query": {}}])


def test_not_an_object() -> None:
    with pytest.raises(TicketValidationError, match="expected an object"):
        spec_from_json("album")

"""A file matched to a track as "duration fits" is never refused for its length at placement: both ask
the one listed-length rule; a file outside it is refused with both lengths named."""

from __future__ import annotations

from pathlib import Path

import pytest

from qtorrentino.domain.durations import LISTED_LENGTH_TOLERANCE_SECS
from qtorrentino.domain.files import FileEntry
from qtorrentino.domain.ticket_json import spec_from_json
from qtorrentino.errors import VerificationFailed
from qtorrentino.textbrain.filemap import map_files
from qtorrentino.workers.placement import verify_duration
from tests.media_fixtures import make_tone

LISTED = 10.0


def mapping_reason(seconds: float) -> str:
    spec = spec_from_json({"kind": "album", "query": {"artist": "Night Patterns", "album": "Echoes"},
                           "items": [{"id": "a", "disc": 1, "number": 1, "title": "Reflections",
                                      "duration_secs": LISTED}]})
    mapping = map_files(spec, [FileEntry(0, "Echoes/01 - Reflections.flac", 1_000_000)], durations={0: seconds})
    return mapping.assignments[0].reason


def test_a_file_a_few_seconds_off_its_listed_length_is_matched_and_then_placed(tmp_path: Path) -> None:
    seconds = LISTED + LISTED_LENGTH_TOLERANCE_SECS - 1.5
    assert "duration fits" in mapping_reason(seconds)
    placed = make_tone(tmp_path / "01 - Reflections.flac", seconds)
    verify_duration({placed: LISTED})(placed)


def test_a_file_beyond_the_listed_length_tolerance_is_refused_naming_both_lengths(tmp_path: Path) -> None:
    seconds = LISTED + LISTED_LENGTH_TOLERANCE_SECS + 1.5
    assert "duration off by" in mapping_reason(seconds)
    placed = make_tone(tmp_path / "01 - Reflections.flac", seconds)
    with pytest.raises(VerificationFailed, match=r"lasts 16\.5 s, the ticket expects 10 s"):
        verify_duration({placed: LISTED})(placed)

"""One-line audit summaries: the pipeline's events read as sentences, not as the first keys of their data."""

from __future__ import annotations

from typing import Any

import pytest

from qtorrentino.audit.query import AuditEvent
from qtorrentino.tui.describe import event_summary

LIBRARY = "/lib/music/Aurora Ensemble/Northern Lights (2021)"


def summary(type_: str, data: dict[str, Any]) -> str:
    return event_summary(AuditEvent(seq=1, at="2026-11-21T16:41:31Z", type=type_, ticket_id="t", actor="engine",
                                    data=data))


@pytest.mark.parametrize(("type_", "data", "expected"), [
    ("DownloadStarted", {"info_hash": "d88c", "torrent_name": "Demo Show S01", "size_bytes": 252_548, "files": 2,
                         "duration_secs": None, "error": None}, "Demo Show S01 (2 files, 253 KB)"),
    ("DownloadCompleted", {"info_hash": "d88c", "torrent_name": "Demo Show S01", "size_bytes": 252_548,
                           "duration_secs": 1.13, "error": None}, "Demo Show S01 (253 KB) in 1.1 s"),
    ("ConversionStarted", {"item_id": "t06", "input_path": "/dl/x/06 - Afterglow.flac", "output_path": None,
                           "target": "opus", "duration_ms": None, "error": None}, "t06 06 - Afterglow.flac → opus"),
    ("ConversionCompleted", {"item_id": "t06", "input_path": "/dl/x/06 - Afterglow.flac",
                             "output_path": "/staging/t06/06 - Afterglow.opus", "duration_ms": 214, "error": None},
     "t06 → 06 - Afterglow.opus in 0.2 s"),
    ("ConversionFailed", {"item_id": "t02", "input_path": "/dl/x/02.flac", "output_path": None,
                          "error": "Invalid data found when processing input"},
     "t02: Invalid data found when processing input"),
    ("PlacementCompleted", {"files": [{"item_id": "t01", "path": f"{LIBRARY}/01 - Polar Dawn.opus", "method": "copy"},
                                      {"item_id": "t02", "path": f"{LIBRARY}/02 - Ice Fields.opus", "method": "copy"}]},
     f"2 file(s) → {LIBRARY} (copy)"),
    ("PlacementFailed", {"files": [{"item_id": "t01", "path": f"{LIBRARY}/01 - Polar Dawn.opus", "method": None}],
                         "rollback_status": "rolled_back", "error": "no space left"},
     f"1 file(s) → {LIBRARY}, rolled_back: no space left"),
    ("MatchingCompleted", {"candidates": [{"rank": 0}, {"rank": 1}], "outcome": "needs_approval",
                           "reason": "too close to a different release"},
     "needs_approval of 2 candidate(s): too close to a different release"),
    ("TicketStateChanged", {"from_state": "placing", "to_state": "completed", "reason": "6 file(s) placed"},
     "placing → completed (6 file(s) placed)"),
    ("SearchExecuted", {"indexer": "demo", "query": "Demo Show S01", "results_count": 1},
     "query Demo Show S01, indexer demo, results_count 1"),
])
def test_pipeline_events_read_as_one_line(type_: str, data: dict[str, Any], expected: str) -> None:
    assert summary(type_, data) == expected


def test_a_hostile_name_in_a_summary_is_shown_literally() -> None:
    line = summary("ConversionCompleted",
                   {"item_id": "t1", "output_path": "/s/evil\x1b[2J\u202e.opus", "duration_ms": 5})
    assert "\x1b" not in line and "\u202e" not in line and "evil" in line

"""The audit vocabulary covers the contract and the code: each type declared once, with its keys."""

from __future__ import annotations

import re

import pytest

from qtorrentino.audit.sentences import TELLING_KEYS
from qtorrentino.audit.vocabulary import (
    VOCABULARY,
    AuditType,
    AuditVocabularyError,
    check_event,
    conformance,
    summarize,
)
from tests.conftest import REPO

CONTRACT: dict[str, tuple[str, ...]] = {
    "TicketCreated": ("ticket",),
    "TicketStateChanged": ("from_state", "to_state", "reason"),
    "TicketLinked": ("linked_to", "merged_items"),
    "SearchExecuted": ("indexer", "query", "results_count", "duration_ms", "error"),
    "MatchingCompleted": ("matcher", "candidates", "selected_rank", "confidence", "threshold"),
    **{
        name: ("candidate_rank", "info_hash", "correction", "reason")
        for name in ("ApprovalRequested", "ApprovalGranted", "ApprovalRejected")
    },
    **{name: ("info_hash", "reason") for name in ("MetadataRefused", "ReleaseBlocklisted")},
    **{
        name: ("info_hash", "torrent_name", "size_bytes", "duration_secs", "error")
        for name in ("DownloadStarted", "DownloadCompleted", "DownloadFailed", "DownloadStalled")
    },
    **{
        name: ("item_id", "input_path", "output_path", "duration_ms", "error")
        for name in ("ConversionStarted", "ConversionCompleted", "ConversionFailed")
    },
    **{
        name: ("files", "rollback_status", "error")
        for name in ("PlacementStarted", "PlacementCompleted", "PlacementFailed")
    },
    "ScanCompleted": ("library", "seen", "new", "changed", "missing", "matched", "unmatched"),
    **{name: ("path", "target") for name in ("UnmatchedMatched", "UnmatchedDismissed")},
    **{name: ("path", "item") for name in ("ItemTrashed", "ItemRestored", "ItemPurged")},
    "AdminForceSearch": ("query",),
    "AdminForceMagnet": ("magnet_uri",),
    "AdminRetry": (),
    "TicketCancelled": ("reason",),
    "ServiceStarted": ("version", "config_hash"),
    "ServiceStopped": ("reason",),
    "ReleaseFound": ("indexer", "title", "info_hash", "via"),
    **{
        name: ("info_hash", "quality", "replaced", "trashed")
        for name in ("UpgradeStarted", "UpgradeCompleted")
    },
    "WatchEnded": ("reason",),
    "TorrentRemoved": ("info_hash", "reason", "data_removed"),
    "NotificationFailed": ("service", "event", "error"),
}
"""The design's audit table: each type and its promised data keys (more may come, none go)."""
RECORDED = re.compile(r"""\.record\(\s*outbox,\s*["']([A-Za-z]+)["']""")


def test_every_contract_type_is_declared_with_exactly_its_promised_keys() -> None:
    declared = {
        str(shape.type): shape.promised
        for shape in VOCABULARY.values()
        if str(shape.type) in CONTRACT
    }
    assert declared == CONTRACT


def test_every_type_the_code_records_is_declared() -> None:
    recorded = {
        name
        for path in (REPO / "qtorrentino").rglob("*.py")
        for name in RECORDED.findall(path.read_text(encoding="utf-8"))
    }
    assert len(recorded) >= 30
    assert sorted(recorded - {str(kind) for kind in AuditType}) == []


def test_every_type_has_one_shape_that_says_when_it_is_recorded() -> None:
    assert set(VOCABULARY) == set(AuditType)
    assert all(shape.when and shape.type is kind for kind, shape in VOCABULARY.items())
    for shape in VOCABULARY.values():
        names = [key.name for key in shape.keys]
        assert len(names) == len(set(names)), shape.type


def test_a_type_compares_equal_to_its_plain_string() -> None:
    assert (
        AuditType.DOWNLOAD_FAILED == "DownloadFailed"
        and f"{AuditType.TICKET_CREATED}" == "TicketCreated"
    )


def test_an_undeclared_type_or_a_missing_promised_key_is_refused() -> None:
    with pytest.raises(AuditVocabularyError, match="'DownloadExploded' is not declared"):
        check_event("DownloadExploded", {})
    with pytest.raises(AuditVocabularyError, match="TorrentRemoved event without data_removed"):
        check_event("TorrentRemoved", {"info_hash": "ab" * 20, "reason": "seed_goal"})
    assert check_event("AdminRetry", {}) is AuditType.ADMIN_RETRY


def test_conformance_names_wrong_json_types_and_allows_extra_keys() -> None:
    good = {
        "indexer": "j",
        "query": "q",
        "results_count": 3,
        "duration_ms": 12,
        "error": None,
        "new_key": 1,
    }
    assert conformance("SearchExecuted", good) == []
    assert conformance("SearchExecuted", {**good, "results_count": "3", "error": 5}) == [
        "SearchExecuted: results_count is str, declared integer",
        "SearchExecuted: error is int, declared string or null",
    ]
    assert conformance("Nope", {}) == [
        "audit event type 'Nope' is not declared in qtorrentino/audit/vocabulary.py"
    ]


def test_a_type_without_a_sentence_reads_its_telling_keys_and_unknown_types_read_too() -> None:
    data = {"reason": "seed_goal", "info_hash": "ab12", "data_removed": True}
    assert summarize("TorrentRemoved", data, str) == "info_hash ab12, reason seed_goal"
    assert summarize("SomethingOld", {"a": 1, "b": [2]}, str) == "a 1, b [2]"
    assert set(TELLING_KEYS) <= {key.name for shape in VOCABULARY.values() for key in shape.keys}

"""The recorder speaks only the declared vocabulary: a stray type or missing key writes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from qtorrentino.audit.vocabulary import AuditType, AuditVocabularyError

if TYPE_CHECKING:
    from qtorrentino.engine.engine import Engine


def newest_seq(engine: Engine) -> int:
    return engine.audit.page(limit=1).events[0].seq


def test_an_undeclared_type_is_refused_and_nothing_is_written(engine: Engine) -> None:
    before = newest_seq(engine)

    def cancel_then_explode() -> None:
        with engine.core.uow() as outbox:
            engine.core.audit.record(
                outbox, "TicketCancelled", ticket_id=None, actor="engine", data={"reason": "x"}
            )
            engine.core.audit.record(
                outbox, "TicketExploded", ticket_id=None, actor="engine", data={}
            )

    with pytest.raises(AuditVocabularyError, match="'TicketExploded' is not declared"):
        cancel_then_explode()
    engine.core.audit.mirror()
    assert newest_seq(engine) == before
    assert "TicketExploded" not in engine.home.audit_jsonl.read_text(encoding="utf-8")


def test_an_event_without_a_promised_key_is_refused(engine: Engine) -> None:
    before = newest_seq(engine)
    with (
        pytest.raises(
            AuditVocabularyError, match="DownloadFailed event without torrent_name, size_bytes"
        ),
        engine.core.uow() as outbox,
    ):
        engine.core.audit.record(
            outbox,
            "DownloadFailed",
            ticket_id=None,
            actor="engine",
            data={"info_hash": "ab" * 20, "duration_secs": None, "error": "disk full"},
        )
    assert newest_seq(engine) == before


def test_a_declared_member_records_as_its_contract_spelling(engine: Engine) -> None:
    with engine.core.uow() as outbox:
        event = engine.core.audit.record(
            outbox,
            AuditType.DOWNLOAD_FAILED,
            ticket_id=None,
            actor="engine",
            data={
                "info_hash": "ab" * 20,
                "torrent_name": "X",
                "size_bytes": 10,
                "duration_secs": None,
                "error": "No space left on device",
                "fault": "disk_full",
            },
        )
    stored = engine.audit.page(limit=1).events[0]
    assert (
        type(event.type) is str
        and stored.type == "DownloadFailed"
        and stored.data["fault"] == "disk_full"
    )
    assert '"type":"DownloadFailed"' in engine.home.audit_jsonl.read_text(encoding="utf-8")

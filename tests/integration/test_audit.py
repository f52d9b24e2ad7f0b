"""Audit log: SQLite is the truth, audit.jsonl its mirror (repaired on start); queries and export."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

from qtorrentino.audit.query import AuditFilter
from qtorrentino.clock import FrozenClock
from qtorrentino.config.home import Home
from qtorrentino.db.database import write_transaction
from qtorrentino.engine.engine import Engine


def jsonl(home: Home) -> list[dict[str, object]]:
    return [json.loads(line) for line in home.audit_jsonl.read_text().splitlines()]


def test_mirror_has_every_event_in_seq_order_with_contract_fields(engine: Engine, home: Home) -> None:
    engine.tickets.add_json({"kind": "movie", "query": {"title": "Sintel", "year": 2010}}, actor="cli:a")
    lines = jsonl(home)
    assert [line["seq"] for line in lines] == list(range(1, len(lines) + 1))
    created = next(line for line in lines if line["type"] == "TicketCreated")
    assert set(created) == {"seq", "at", "type", "ticket_id", "actor", "data"}
    assert created["actor"] == "cli:a" and created["at"] == "2026-01-01T12:00:00Z"
    assert created["data"]["ticket"]["query"]["title"] == "Sintel"


def test_a_crash_between_commit_and_append_is_repaired_on_start(home: Home, clock: FrozenClock) -> None:
    engine = Engine.open(home, clock=clock)
    engine.start(workers=False)
    engine.tickets.add_json({"kind": "movie", "query": {"title": "Sintel"}}, actor="cli:a")
    with write_transaction():
        engine.core.audit.record([], "TicketCancelled", ticket_id=None, actor="engine", data={"reason": "x"})
    with home.audit_jsonl.open("ab") as handle:
        handle.write(b'{"seq": 99, "torn')
    engine.stop()
    engine = Engine.open(home, clock=clock)
    try:
        lines = jsonl(home)
        assert [line["seq"] for line in lines] == list(range(1, len(lines) + 1))
        assert any(line["type"] == "TicketCancelled" for line in lines)
    finally:
        engine.stop()


def test_secrets_never_reach_the_audit_log(tmp_path: object, clock: FrozenClock) -> None:
    from tests.conftest import make_home

    home = make_home(tmp_path, '\n[[indexers]]\nname = "j"\nurl = "http://127.0.0.1:1/api"\napi_key = "topsecret42"\n')  # type: ignore[arg-type]
    engine = Engine.open(home, clock=clock)
    engine.start(workers=False)
    try:
        engine.tickets.add_json({"kind": "generic", "query": {"text": "leak topsecret42 and passkey=abc123"}},
                                actor="cli:a")
    finally:
        engine.stop()
    text = home.audit_jsonl.read_text()
    assert "topsecret42" not in text and "abc123" not in text


def test_query_filters_and_keyset_pages(engine: Engine, clock: FrozenClock) -> None:
    ids = []
    for number in range(30):
        clock.advance(timedelta(minutes=1))
        ids.append(engine.tickets.add_json({"kind": "generic", "query": {"text": f"thing {number}"}},
                                           actor="cli:a")[0].id)
    first = engine.audit.page(AuditFilter(types=("TicketCreated",)), limit=10)
    assert len(first.events) == 10 and first.next_before is not None
    assert [e.seq for e in first.events] == sorted((e.seq for e in first.events), reverse=True)
    second = engine.audit.page(AuditFilter(types=("TicketCreated",)), before=first.next_before, limit=10)
    assert second.events[0].seq < first.events[-1].seq
    only = engine.audit.page(AuditFilter(ticket_id=ids[3]))
    assert {e.ticket_id for e in only.events} == {ids[3]}
    since = datetime(2026, 1, 1, 12, 25, tzinfo=UTC)
    recent = engine.audit.page(AuditFilter(types=("TicketCreated",), since=since), limit=100)
    assert len(recent.events) == 6
    assert engine.audit.page(AuditFilter(text="thing 17")).events[0].ticket_id == ids[17]


def test_export_streams_oldest_first(engine: Engine) -> None:
    for number in range(5):
        engine.tickets.add_json({"kind": "generic", "query": {"text": f"x{number}"}}, actor="cli:a")
    buffer = io.BytesIO()
    count = engine.audit.export(buffer, AuditFilter(types=("TicketCreated",)))
    lines = [json.loads(line) for line in buffer.getvalue().decode().splitlines()]
    assert count == 5 == len(lines)
    assert [line["data"]["ticket"]["query"]["text"] for line in lines] == [f"x{n}" for n in range(5)]

"""Audit log: SQLite is the truth, audit.jsonl its mirror (repaired on start); queries and export."""

from __future__ import annotations

import io
import json
import sqlite3
from datetime import UTC, datetime, timedelta

from qtorrentino.audit.query import AuditFilter
from qtorrentino.audit.vocabulary import shape_of
from qtorrentino.clock import FrozenClock
from qtorrentino.config.home import Home
from qtorrentino.db.database import write_transaction
from qtorrentino.engine.engine import Engine

SEARCHED = {"indexer": "jackett", "results_count": 0, "duration_ms": 5, "error": None}
"""The keys a SearchExecuted event promises besides its query."""


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


def test_events_read_back_as_recorded_and_lose_their_secrets(tmp_path: object, clock: FrozenClock) -> None:
    from tests.conftest import make_home

    home = make_home(tmp_path, '\n[[indexers]]\nname = "j"\nurl = "http://127.0.0.1:1/api"\napi_key = "topsecret42"\n')  # type: ignore[arg-type]
    engine = Engine.open(home, clock=clock)
    engine.start(workers=False)
    try:
        with engine.core.uow() as outbox:
            for ticket_id, data in [("t1", {"query": "plain", "é": "ünïcode"}),
                                    ("t1", {"query": "q", "url": "http://x/api?apikey=topsecret42&t=search"}),
                                    (None, {"query": "q", "note": "key topsecret42", "passkey": "abc123"})]:
                engine.core.audit.record(outbox, "SearchExecuted", ticket_id=ticket_id, actor="engine",
                                         data=SEARCHED | data)
        events = list(reversed(engine.audit.page(AuditFilter(types=("SearchExecuted",))).events))
    finally:
        engine.stop()
    assert len(events) == 3 and [event.at for event in events] == ["2026-01-01T12:00:00Z"] * 3
    assert events[0].data == SEARCHED | {"query": "plain", "é": "ünïcode"}
    assert events[1].data == SEARCHED | {"query": "q", "url": "http://x/api?apikey=***&t=search"}
    assert events[2].data == SEARCHED | {"query": "q", "note": "key ***", "passkey": "***"}
    assert events[2].ticket_id is None
    text = home.audit_jsonl.read_text()
    assert "topsecret42" not in text and "abc123" not in text and "ünïcode" in text


def test_pages_of_several_types_and_of_a_ticket_and_type_stay_newest_first(engine: Engine) -> None:
    kinds = ("SearchExecuted", "TicketCreated", "DownloadStarted")
    with engine.core.uow() as outbox:
        for n in range(120):
            engine.core.audit.record(outbox, kinds[n % 3], ticket_id=f"t{n % 4}", actor="engine",
                                     data=dict.fromkeys(shape_of(kinds[n % 3]).promised) | {"n": n})
    seen: list[int] = []
    before = None
    while True:
        page = engine.audit.page(AuditFilter(types=("TicketCreated", "DownloadStarted")), before=before, limit=7)
        seen += [event.data["n"] for event in page.events]
        if page.next_before is None:
            break
        before = page.next_before
    assert seen == [n for n in reversed(range(120)) if n % 3 != 0]
    both = engine.audit.page(AuditFilter(ticket_id="t1", types=("TicketCreated",)), limit=100).events
    assert [event.data["n"] for event in both] == [n for n in reversed(range(120)) if n % 4 == 1 and n % 3 == 1]


def test_a_version_1_database_gets_the_narrow_audit_indexes(home: Home, clock: FrozenClock) -> None:
    from qtorrentino.db.database import database

    Engine.open(home, clock=clock).stop()
    connection = sqlite3.connect(home.database)
    connection.executescript(
        'DROP INDEX "audit_event_ticket_id"; DROP INDEX "audit_event_type";'
        ' CREATE INDEX "audit_event_ticket_id_type_seq" ON "audit_event" ("ticket_id", "type", "seq");'
        ' CREATE INDEX "audit_event_type_seq" ON "audit_event" ("type", "seq"); UPDATE schema_version SET version = 1;')
    connection.close()
    engine = Engine.open(home, clock=clock)
    try:
        names = {row[0] for row in database.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_event'")}
        assert names == {"audit_event_ticket_id", "audit_event_type"}
    finally:
        engine.stop()

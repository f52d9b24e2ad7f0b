"""6 Audit: newest first, keyset pages, text and field filters, the full event, JSON Lines export."""

from __future__ import annotations

import json

import pytest

from qtorrentino.engine.engine import Engine
from qtorrentino.tui.app import QtorrentinoApp, UiSettings
from qtorrentino.tui.screens import audit as audit_screen
from qtorrentino.tui.screens.audit import AuditEventScreen
from qtorrentino.tui.screens.audit_filter import AuditFilterModal
from tests.tui.driving import column_text, shown_text, status_text, table, toasts, until
from tests.tui.seed import HOSTILE_ARTIST, Seeded

TABLE = "#audit-table"


async def open_audit(pilot, app: QtorrentinoApp) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("6")
    await until(pilot, lambda: table(app, TABLE).row_count > 30, what="audit events")


async def test_newest_first_and_enter_shows_the_whole_event_literally(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(120, 40)) as pilot:
        await open_audit(pilot, app)
        seqs = [int(seq) for seq in column_text(app, TABLE, "seq")]
        assert seqs == sorted(seqs, reverse=True)
        created = next(key for key in table(app, TABLE).keys
                       if app.screen._events[key].ticket_id == seeded.hostile  # type: ignore[attr-defined]
                       and app.screen._events[key].type == "TicketCreated")  # type: ignore[attr-defined]
        table(app, TABLE).move_cursor(row=table(app, TABLE).get_row_index(created))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AuditEventScreen))
        shown = shown_text(app, "#event-detail")
        assert HOSTILE_ARTIST in shown and "<U+202E>" in shown
        assert "TicketCreated" in shown and seeded.hostile in shown
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, AuditEventScreen))


async def test_slash_filters_by_text(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(120, 40)) as pilot:
        await open_audit(pilot, app)
        await pilot.press("slash", *"ApprovalGranted", "enter")
        await until(pilot, lambda: set(column_text(app, TABLE, "type")) == {"ApprovalGranted"}, what="filtered")
        assert table(app, TABLE).row_count == 2 and "text: ApprovalGranted" in status_text(app)


async def test_f_filters_by_ticket_type_and_time(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(120, 40)) as pilot:
        await open_audit(pilot, app)
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, AuditFilterModal))
        app.screen.query_one("#filter-ticket").value = seeded.waiting[:6]  # type: ignore[attr-defined]
        app.screen.query_one("#filter-since").value = "yesterday"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AuditFilterModal)
        assert "not a time" in shown_text(app, "#filter-error")
        app.screen.query_one("#filter-since").value = "2026-01-01T00:00:00Z"  # type: ignore[attr-defined]
        app.screen.query_one("#filter-types").value = "TicketStateChanged"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, AuditFilterModal))
        await until(pilot, lambda: table(app, TABLE).row_count == 2, what="two state changes of one ticket")
        assert set(column_text(app, TABLE, "ticket")) == {seeded.waiting[:8]}
        await pilot.press("escape")
        await until(pilot, lambda: table(app, TABLE).row_count > 30, what="filters cleared")


async def test_export_writes_json_lines_into_the_home(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_audit(pilot, app)
        await pilot.press("slash", *"ApprovalGranted", "enter")
        await until(pilot, lambda: table(app, TABLE).row_count == 2, what="filtered")
        await pilot.press("E")
        await until(pilot, lambda: any("Exported 2 events" in message for _, message in toasts(app)))
    exported = list((engine.home.data_dir / "exports").glob("audit-*.jsonl"))
    assert len(exported) == 1
    lines = [json.loads(line) for line in exported[0].read_text(encoding="utf-8").splitlines()]
    assert [line["type"] for line in lines] == ["ApprovalGranted", "ApprovalGranted"]


async def test_a_million_events_are_read_page_by_page(engine: Engine, seeded: Seeded,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_screen, "PAGE_SIZE", 40)
    with engine.core.uow() as outbox:
        for n in range(500):
            engine.core.audit.record(outbox, "SearchExecuted", ticket_id=None, actor="engine",
                                     data={"query": f"q{n}", "indexer": "jackett", "results_count": n,
                                           "duration_ms": None, "error": None})
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("6")
        shown = table(app, TABLE)
        await until(pilot, lambda: shown.row_count == 40, what="first page only")
        assert shown.has_more and column_text(app, TABLE, "summary")[0].startswith("query q499")
        await pilot.press("G")
        await until(pilot, lambda: shown.row_count == 80, what="second page")
        await pilot.press("G")
        await until(pilot, lambda: shown.row_count == 120, what="third page")


async def test_new_events_appear_at_the_top(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(120, 40)) as pilot:
        await open_audit(pilot, app)
        engine.tickets.retry(seeded.found_nothing, actor="cli:someone")
        await until(pilot, lambda: column_text(app, TABLE, "ticket")[0] == seeded.found_nothing[:8],
                    what="new event on top")

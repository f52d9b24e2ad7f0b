"""1 Tickets against a real engine: order, hostile names, cancel/retry/priority, filters, detail, live progress."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from qtorrentino.db.database import write_transaction
from qtorrentino.db.models import TicketItemRow
from qtorrentino.domain.states import TicketState
from qtorrentino.engine.engine import Engine
from qtorrentino.tui.app import QtorrentinoApp, UiSettings
from qtorrentino.tui.screens import tickets as tickets_screen
from qtorrentino.tui.screens.modals import ConfirmModal
from qtorrentino.tui.screens.ticket_detail import TicketDetailScreen
from qtorrentino.tui.widgets import paged_table
from tests.tui.driving import column_text, shown_text, status_text, table, toasts, until
from tests.tui.seed import HOSTILE_ARTIST, Seeded, torrent_progress

TABLE = "#tickets-table"


def app_for(engine: Engine) -> QtorrentinoApp:
    return QtorrentinoApp(engine, UiSettings.defaults())


async def select(pilot, app: QtorrentinoApp, ticket_id: str, selector: str = TABLE) -> None:  # type: ignore[no-untyped-def]
    shown = table(app, selector)
    await until(pilot, lambda: ticket_id in shown.keys, what=f"row {ticket_id}")
    shown.move_cursor(row=shown.get_row_index(ticket_id))
    await pilot.pause()


async def open_detail(pilot, app: QtorrentinoApp, ticket_id: str) -> None:  # type: ignore[no-untyped-def]
    """Select a ticket, press enter and wait for its detail to be loaded."""
    await select(pilot, app, ticket_id)
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, TicketDetailScreen) and app.screen.detail is not None)


async def test_tickets_are_listed_by_priority_with_hostile_names_shown_literally(engine: Engine,
                                                                                seeded: Seeded) -> None:
    app = app_for(engine)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: table(app, TABLE).row_count == 8, what="eight tickets")
        assert table(app, TABLE).keys[:2] == [seeded.waiting, seeded.hostile]
        titles = column_text(app, TABLE, "title")
        hostile = titles[1]
        assert HOSTILE_ARTIST in hostile
        assert "<U+202E>" in hostile and "\\x1b[31m" in hostile
        states = column_text(app, TABLE, "state")
        assert states[0] == "needs_approval" and "completed" in states
        assert "100%" in column_text(app, TABLE, "progress")[-1]


async def test_cancel_asks_first_and_then_cancels(engine: Engine, seeded: Seeded) -> None:
    app = app_for(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await select(pilot, app, seeded.pending)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="confirmation")
        await pilot.press("n")
        await until(pilot, lambda: not isinstance(app.screen, ConfirmModal))
        assert engine.tickets.show(seeded.pending).state is TicketState.PENDING
        await pilot.press("c", "y")
        await until(pilot, lambda: engine.tickets.show(seeded.pending).state is TicketState.CANCELLED)
        await until(pilot, lambda: column_text(app, TABLE, "state")[table(app, TABLE).get_row_index(seeded.pending)]
                    == "cancelled", what="row shows cancelled")
    cancelled = engine.audit.latest(seeded.pending, "TicketCancelled")
    assert cancelled is not None and cancelled.actor.startswith("tui:")


async def test_retry_sends_a_ticket_that_found_nothing_back_to_acquiring(engine: Engine, seeded: Seeded) -> None:
    app = app_for(engine)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await select(pilot, app, seeded.found_nothing)
        await pilot.press("r")
        await until(pilot, lambda: engine.tickets.show(seeded.found_nothing).state is TicketState.ACQUIRING)
        await until(pilot, lambda: any("sent back to work" in message for _, message in toasts(app)))


async def test_retry_is_dimmed_and_harmless_on_a_pending_ticket(engine: Engine, seeded: Seeded) -> None:
    app = app_for(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await select(pilot, app, seeded.pending)
        assert app.screen.check_action("retry", ()) is None
        await pilot.press("r")
        await pilot.pause(0.3)
        assert engine.tickets.show(seeded.pending).state is TicketState.PENDING


async def test_plus_and_minus_change_priority_and_the_order(engine: Engine, seeded: Seeded) -> None:
    app = app_for(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await select(pilot, app, seeded.completed)
        await pilot.press("minus")
        await until(pilot, lambda: engine.tickets.show(seeded.completed).summary.priority == 40)
        def priority_is(want: int) -> Callable[[], bool]:
            return lambda: engine.tickets.show(seeded.completed).summary.priority == want

        for expected in (50, 60, 70, 80, 90, 100, 110):
            await pilot.press("plus")
            await until(pilot, priority_is(expected), what=f"priority {expected}")
        await until(pilot, lambda: table(app, TABLE).keys[2] == seeded.completed,
                    what="above every ticket of priority 100")


async def test_slash_filters_by_text_and_escape_clears(engine: Engine, seeded: Seeded) -> None:
    app = app_for(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: table(app, TABLE).row_count == 8)
        await pilot.press("slash", *"Sintel")
        await until(pilot, lambda: table(app, TABLE).keys == [seeded.failed], what="only Sintel")
        assert "filter: Sintel" in status_text(app)
        await pilot.press("escape")
        await until(pilot, lambda: table(app, TABLE).row_count == 8, what="filter cleared")


async def test_f_cycles_state_groups(engine: Engine, seeded: Seeded) -> None:
    app = app_for(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: table(app, TABLE).row_count == 8)
        await pilot.press("f")
        await until(pilot, lambda: set(table(app, TABLE).keys) == {seeded.pending, seeded.hostile,
                                                                   seeded.downloading}, what="active tickets")
        await pilot.press("f")
        await until(pilot, lambda: set(table(app, TABLE).keys) == {seeded.waiting, seeded.found_nothing},
                    what="waiting tickets")
        assert "states: waiting" in status_text(app)


async def test_enter_opens_items_candidates_and_history(engine: Engine, seeded: Seeded) -> None:
    app = app_for(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_detail(pilot, app, seeded.waiting)
        await until(pilot, lambda: table(app, "#items").row_count == 3, what="three items")
        assert column_text(app, "#items", "label")[0] == "1-01 Track 1"
        await pilot.press("tab")
        assert table(app, "#candidates").row_count == 3
        assert "[HorribleSubs]" in column_text(app, "#candidates", "title")[1]
        await pilot.press("tab")
        history = column_text(app, "#history", "type")
        assert history[0] == "TicketStateChanged" and history[-1] == "TicketCreated"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, TicketDetailScreen))


async def test_placed_items_show_their_path_inside_the_library(engine: Engine, seeded: Seeded) -> None:
    library = engine.config.library(engine.tickets.show(seeded.completed).summary.library or "")
    assert library is not None
    relative = "Nine Inch Nails/The Slip (1997)/01 - Track 1.flac"
    with write_transaction():
        TicketItemRow.update(path=str(library.path / relative)).where(
            (TicketItemRow.ticket == seeded.completed) & (TicketItemRow.item_id == "t1")).execute()
    app = app_for(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_detail(pilot, app, seeded.completed)
        await until(pilot, lambda: table(app, "#items").row_count == 2, what="two items")
        assert column_text(app, "#items", "path") == [relative, "—"]


async def test_detail_follows_changes_made_elsewhere(engine: Engine, seeded: Seeded) -> None:
    app = app_for(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_detail(pilot, app, seeded.pending)
        engine.tickets.cancel(seeded.pending, "changed my mind", actor="cli:someone")
        await until(pilot, lambda: "cancelled" in shown_text(app, "#detail-summary"),
                    what="detail shows cancelled")


async def test_live_torrent_progress_changes_the_cell_in_place(engine: Engine, seeded: Seeded) -> None:
    app = app_for(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: table(app, TABLE).row_count == 8)
        row = table(app, TABLE).get_row_index(seeded.downloading)
        engine.bus.publish(torrent_progress(0, ticket_id=seeded.downloading, progress=0.42))
        await until(pilot, lambda: "42%" in column_text(app, TABLE, "progress")[row], what="42% shown")
        assert table(app, TABLE).row_count == 8


async def test_state_changes_elsewhere_refresh_the_list(engine: Engine, seeded: Seeded) -> None:
    app = app_for(engine)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await until(pilot, lambda: table(app, TABLE).row_count == 8)
        engine.tickets.retry(seeded.found_nothing, actor="cli:someone")
        row = table(app, TABLE).get_row_index(seeded.found_nothing)
        await until(pilot, lambda: column_text(app, TABLE, "state")[row] == "acquiring", what="row refreshed")
        assert "active 4" in str(app.screen.query_one("AppHeader").render())


async def test_long_lists_load_page_by_page(engine: Engine, seeded: Seeded,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tickets_screen, "PAGE_SIZE", 3)
    monkeypatch.setattr(paged_table, "NEAR_END_ROWS", 1)
    app = app_for(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        shown = table(app, TABLE)
        await until(pilot, lambda: shown.row_count == 3, what="first page")
        assert shown.has_more and "3+ shown" in status_text(app)
        for _ in range(3):
            await pilot.press("G")
            await pilot.pause(0.1)
        await until(pilot, lambda: shown.row_count == 8, what="every page")
        assert not shown.has_more and shown.keys[0] == seeded.waiting and len(set(shown.keys)) == 8


async def test_slash_filters_the_detail_panes(engine: Engine, seeded: Seeded) -> None:
    app = app_for(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_detail(pilot, app, seeded.waiting)
        await pilot.press("tab", "slash", *"horrible", "enter")
        await until(pilot, lambda: table(app, "#candidates").row_count == 1, what="one candidate left")
        assert table(app, "#items").row_count == 0 and table(app, "#candidates").has_focus

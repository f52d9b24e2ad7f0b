"""Wanted (w on Tickets): what the watch looks for — waiting tickets and those upgrading to a
quality — with the best quality seen so far and when each is searched next."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from qtorrentino.tui.palette import CellStyles, cell_styles
from qtorrentino.tui.screens.base import TUI_ACTOR, EngineScreen, filter_binding
from qtorrentino.tui.text import plain, short_id
from qtorrentino.tui.units import ago
from qtorrentino.tui.widgets.filter_bar import FilterBar
from qtorrentino.tui.widgets.header import AppHeader
from qtorrentino.tui.widgets.key_footer import KeyFooter
from qtorrentino.tui.widgets.paged_table import Column, PagedTable, Row

if TYPE_CHECKING:
    from collections.abc import Sequence

    from textual.app import ComposeResult

    from qtorrentino.engine.api import WantedView

LIMIT = 1_000
COLUMNS = (
    Column("id", "ID", 8),
    Column("watch", "Watch", 9),
    Column("title", "Wanted", flex=True),
    Column("until", "Until", 11),
    Column("best", "Best seen", 15),
    Column("next", "Next search", 14, spill=True),
    Column("kind", "Kind", 7, spill=True),
)


def next_search(view: WantedView, now_text: str) -> str:
    """When the periodic search runs next: "in 11h59m", "airs 2026-01-20", or only the feed
    looks."""
    if view.next_search_at is None:
        return "feed only"
    if view.air_date is not None and view.next_search_at.date().isoformat() == view.air_date:
        return f"airs {view.air_date}"
    return now_text


class WantedScreen(EngineScreen):
    """The watched tickets: enter opens one, u stops watching it, escape goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "back", "Back", id="wanted.back"),
        Binding("enter", "open", "Open", id="wanted.open"),
        Binding("u", "unwatch", "Unwatch", id="wanted.unwatch"),
        filter_binding("wanted"),
    ]

    class Loaded(Message):
        """The wanted list, read off the UI thread."""

        def __init__(self, views: Sequence[WantedView]) -> None:
            super().__init__()
            self.views = views

    def __init__(self) -> None:
        super().__init__()
        self._views: dict[str, WantedView] = {}
        self._loaded = False

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(id="status", classes="status")
        yield PagedTable(COLUMNS, id="wanted-table")
        yield FilterBar()
        yield KeyFooter()

    @property
    def table(self) -> PagedTable:
        return self.query_one("#wanted-table", PagedTable)

    @property
    def selected(self) -> WantedView | None:
        key = self.table.current_key
        return self._views.get(key) if key is not None else None

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="wanted-load", exit_on_error=False)
    def _load(self) -> None:
        found = self.engine.tickets.wanted(LIMIT, self.filter_text or None)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(found))

    @on(Loaded)
    def _shown(self, message: Loaded) -> None:
        self._views = {view.ticket.id: view for view in message.views}
        styles = cell_styles(self.app.theme_variables)
        self.table.show_rows([self._row(view, styles) for view in message.views], more=False)
        self._loaded = True
        waiting = sum(1 for view in message.views if not view.upgrading)
        parts = [f"Wanted · {waiting} waiting · {len(message.views) - waiting} upgrading"]
        if self.filter_text:
            parts.append(f"filter: {self.filter_text}")
        if not message.views:
            parts.append(
                "none match"
                if self.filter_text
                else 'nothing watched: a ticket with "watch": true waits here when nothing is found'
            )
        self.query_one("#status", Static).update(plain(" · ".join(parts)))
        self.update_bindings()

    def _row(self, view: WantedView, styles: CellStyles) -> Row:
        ticket = view.ticket
        now = self.engine.clock.now()
        until = ticket.upgrade_until or "any"
        best = view.best_quality or (f"{ticket.quality or '?'} placed" if view.upgrading else "—")
        return Row(
            ticket.id,
            (
                plain(short_id(ticket.id)),
                plain(
                    "upgrade" if view.upgrading else "waiting", style=styles.for_state(ticket.state)
                ),
                plain(ticket.title),
                plain(until),
                plain(best),
                plain(next_search(view, ago(view.next_search_at, now))),
                plain(ticket.kind),
            ),
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"open", "unwatch"}:
            return True if self.selected is not None else None
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_open(self) -> None:
        from qtorrentino.tui.screens.ticket_detail import TicketDetailScreen

        if (view := self.selected) is not None:
            self.app.push_screen(TicketDetailScreen(view.ticket.id))

    def action_unwatch(self) -> None:
        if (view := self.selected) is not None:
            ticket_id, tickets = view.ticket.id, self.engine.tickets
            self.run_command(
                lambda: tickets.unwatch(ticket_id, actor=TUI_ACTOR),
                f"Ticket {short_id(ticket_id)} no longer watched",
            )

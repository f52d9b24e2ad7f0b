"""1 Tickets: every ticket by priority, filtered by state group and text, with live progress."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from qtorrentino.domain.states import TicketState
from qtorrentino.engine.api import TicketSummary
from qtorrentino.events import Event, ItemProgress, TorrentProgress
from qtorrentino.tui.palette import CellStyles, cell_styles
from qtorrentino.tui.screens import ticket_actions
from qtorrentino.tui.screens.base import EngineScreen, filter_binding
from qtorrentino.tui.text import plain, short_id
from qtorrentino.tui.units import ago, progress_bar
from qtorrentino.tui.widgets.filter_bar import FilterBar
from qtorrentino.tui.widgets.header import AppHeader
from qtorrentino.tui.widgets.key_footer import KeyFooter
from qtorrentino.tui.widgets.paged_table import Column, PagedTable, Row

PAGE_SIZE = 100
MAX_RELOAD_ROWS = 1_000
"""A reload re-reads what was scrolled through, up to this many rows."""
S = TicketState
STATE_GROUPS: tuple[tuple[str, tuple[TicketState, ...]], ...] = (
    ("all", ()),
    ("active", (S.PENDING, S.ACQUIRING, S.APPROVED, S.AUTO_APPROVED, S.DOWNLOADING, S.CONVERTING, S.PLACING)),
    ("waiting", (S.NEEDS_APPROVAL, S.ACQUISITION_FAILED, S.WAITING)),
    ("failed", (S.FAILED,)),
    ("finished", (S.COMPLETED, S.DRY_RUN_COMPLETE, S.REJECTED, S.CANCELLED)),
)
"""What `f` cycles through."""
COLUMNS = (Column("id", "ID", 8), Column("state", "State", 18), Column("priority", "Pri", 5),
           Column("progress", "Progress", 13), Column("title", "Title", flex=True),
           Column("kind", "Kind", 7, spill=True), Column("updated", "Updated", 12, spill=True))


def ticket_progress(summary: TicketSummary, items_live: Mapping[str, float], torrent: float | None) -> float | None:
    """How far a ticket is: its torrent while downloading, else placed items plus live conversions."""
    if summary.state in (S.COMPLETED, S.DRY_RUN_COMPLETE):
        return 1.0
    if summary.state is S.DOWNLOADING and torrent is not None:
        return torrent
    if summary.items_total:
        return min(1.0, (summary.items_done + sum(items_live.values())) / summary.items_total)
    return None


def state_label(summary: TicketSummary) -> str:
    """The state, and for a completed ticket still watching the quality it upgrades to."""
    if summary.state is S.COMPLETED and summary.watching:
        return f"completed ↑{summary.upgrade_until or ''}"
    return summary.state.value


class TicketsScreen(EngineScreen):
    """Tickets, highest priority first; open one to see its items, candidates and history."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="tickets.open"),
        Binding("c", "cancel", "Cancel", id="tickets.cancel"),
        Binding("r", "retry", "Retry", id="tickets.retry"),
        Binding("plus", "priority(1)", "Pri+", id="tickets.priority_up"),
        Binding("minus", "priority(-1)", "Pri−", id="tickets.priority_down"),
        Binding("f", "cycle_states", "States", id="tickets.states"),
        Binding("w", "wanted", "Wanted", show=False, id="tickets.wanted"),
        filter_binding("tickets"),
    ]

    class PageLoaded(Message):
        """Ticket rows read off the UI thread: a fresh list or the next page."""

        def __init__(self, tickets: list[TicketSummary], *, append: bool, more: bool) -> None:
            super().__init__()
            self.tickets = tickets
            self.append = append
            self.more = more

    def __init__(self) -> None:
        super().__init__()
        self._group = 0
        self._summaries: dict[str, TicketSummary] = {}
        self._items_live: dict[str, dict[str, float]] = {}
        self._torrent_live: dict[str, float] = {}
        self._loaded = False

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(id="status", classes="status")
        yield PagedTable(COLUMNS, id="tickets-table")
        yield FilterBar()
        yield KeyFooter()

    @property
    def table(self) -> PagedTable:
        return self.query_one("#tickets-table", PagedTable)

    @property
    def selected(self) -> TicketSummary | None:
        key = self.table.current_key
        return self._summaries.get(key) if key is not None else None

    def reload(self) -> None:
        self._load(min(MAX_RELOAD_ROWS, max(PAGE_SIZE, self.table.row_count)), None, append=False)

    @work(thread=True, exclusive=True, group="tickets-load", exit_on_error=False)
    def _load(self, limit: int, after: tuple[int, str] | None, *, append: bool) -> None:
        states = STATE_GROUPS[self._group][1]
        found = self.engine.tickets.list(states, limit=limit + 1, after=after, text=self.filter_text or None)
        if not get_current_worker().is_cancelled:
            self.post_message(self.PageLoaded(found[:limit], append=append, more=len(found) > limit))

    @on(PageLoaded)
    def _page_loaded(self, message: PageLoaded) -> None:
        if not message.append:
            self._summaries = {}
        self._summaries.update((ticket.id, ticket) for ticket in message.tickets)
        styles = cell_styles(self.app.theme_variables)
        rows = [self._row(ticket, styles) for ticket in message.tickets]
        if message.append:
            self.table.append_rows(rows, more=message.more)
        else:
            self.table.show_rows(rows, more=message.more)
        self._loaded = True
        self._show_status()
        self.update_bindings()

    @on(PagedTable.NearEnd, "#tickets-table")
    def _near_end(self, message: PagedTable.NearEnd) -> None:
        last_key = self.table.keys[-1] if self.table.row_count else None
        last = self._summaries.get(last_key) if last_key else None
        if last is not None:
            self._load(PAGE_SIZE, (last.priority, last.id), append=True)

    def _row(self, ticket: TicketSummary, styles: CellStyles) -> Row:
        now = self.engine.clock.now()
        return Row(ticket.id, (
            plain(short_id(ticket.id)),
            plain(state_label(ticket), style=styles.for_state(ticket.state)),
            plain(str(ticket.priority)),
            self._progress_cell(ticket, styles),
            plain(ticket.title + (" ⚠ " + ticket.error if ticket.error else "")),
            plain(ticket.kind),
            plain(ago(ticket.updated_at, now)),
        ))

    def _progress_cell(self, ticket: TicketSummary, styles: CellStyles) -> Text:
        fraction = ticket_progress(ticket, self._items_live.get(ticket.id, {}), self._torrent_live.get(ticket.id))
        return progress_bar(fraction, styles.complete, styles.remaining)

    def _show_status(self) -> None:
        group = STATE_GROUPS[self._group][0]
        shown = self.table.row_count
        more = "+" if self.table.has_more else ""
        parts = [f"Tickets · {shown}{more} shown · states: {group} (f)"]
        if self.filter_text:
            parts.append(f"filter: {self.filter_text}")
        if not shown and self._loaded:
            parts.append("none here — press n to file a ticket" if group == "all" and not self.filter_text
                         else "none match")
        self.query_one("#status", Static).update(plain(" · ".join(parts)))

    def apply_live(self, events: tuple[Event, ...]) -> None:
        touched: set[str] = set()
        for event in events:
            if isinstance(event, ItemProgress):
                self._items_live.setdefault(event.ticket_id, {})[event.item_id] = event.progress
                touched.add(event.ticket_id)
            elif isinstance(event, TorrentProgress) and event.ticket_id is not None:
                self._torrent_live[event.ticket_id] = event.progress
                touched.add(event.ticket_id)
        styles = cell_styles(self.app.theme_variables)
        for ticket_id in touched:
            if (summary := self._summaries.get(ticket_id)) is not None:
                self.table.update_cells(ticket_id, {"progress": self._progress_cell(summary, styles)})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"open", "cancel", "retry", "priority"}:
            return ticket_actions.can_act(self.selected, action)
        return True

    def action_open(self) -> None:
        from qtorrentino.tui.screens.ticket_detail import TicketDetailScreen

        if (ticket := self.selected) is not None:
            self.app.push_screen(TicketDetailScreen(ticket.id))

    def action_cancel(self) -> None:
        if (ticket := self.selected) is not None:
            ticket_actions.cancel(self, ticket)

    def action_retry(self) -> None:
        if (ticket := self.selected) is not None:
            ticket_actions.retry(self, ticket)

    def action_priority(self, direction: int) -> None:
        if (ticket := self.selected) is not None:
            ticket_actions.change_priority(self, ticket, direction)

    def action_wanted(self) -> None:
        from qtorrentino.tui.screens.wanted import WantedScreen

        self.app.push_screen(WantedScreen())

    def action_cycle_states(self) -> None:
        self._group = (self._group + 1) % len(STATE_GROUPS)
        self.table.clear()
        self.reload()

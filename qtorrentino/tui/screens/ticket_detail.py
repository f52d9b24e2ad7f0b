"""One ticket whole: what was asked, its items, its candidates and its history (tab switches pane)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import ContentSwitcher, Static
from textual.worker import get_current_worker

from qtorrentino.clock import iso
from qtorrentino.engine.api import AuditEvent, TicketDetail
from qtorrentino.events import AuditRecorded, Batch
from qtorrentino.tui.describe import event_summary
from qtorrentino.tui.palette import cell_styles
from qtorrentino.tui.screens import ticket_actions
from qtorrentino.tui.screens.base import EngineScreen, filter_binding
from qtorrentino.tui.text import inside, plain, short_id
from qtorrentino.tui.units import human_size
from qtorrentino.tui.widgets.filter_bar import FilterBar
from qtorrentino.tui.widgets.header import AppHeader
from qtorrentino.tui.widgets.key_footer import KeyFooter
from qtorrentino.tui.widgets.paged_table import Column, PagedTable, Row

PANES = (("items", "Items"), ("candidates", "Candidates"), ("history", "History"))
ITEM_COLUMNS = (Column("id", "Item", 8), Column("state", "State", 11), Column("label", "Title", flex=True),
                Column("path", "Placed at", flex=True))
CANDIDATE_COLUMNS = (Column("rank", "#", 3), Column("score", "Score", 5), Column("size", "Size", 8),
                     Column("seeders", "Seeds", 5), Column("title", "Title", flex=True),
                     Column("indexer", "Indexer", 10, spill=True))
HISTORY_COLUMNS = (Column("seq", "Seq", 7), Column("at", "At", 20), Column("type", "Type", 20),
                   Column("summary", "What", flex=True), Column("actor", "Actor", 14, spill=True))


class TicketDetailScreen(EngineScreen):
    """A ticket's items, candidates and audit history; escape goes back to the list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "back", "Back", id="ticket.back"),
        Binding("tab", "switch_pane", "Pane", id="ticket.switch_pane"),
        Binding("c", "cancel", "Cancel", id="ticket.cancel"),
        Binding("r", "retry", "Retry", id="ticket.retry"),
        Binding("plus", "priority(1)", "Pri+", id="ticket.priority_up"),
        Binding("minus", "priority(-1)", "Pri−", id="ticket.priority_down"),
        filter_binding("ticket"),
    ]

    class Loaded(Message):
        """The ticket and its history, read off the UI thread."""

        def __init__(self, detail: TicketDetail, history: list[AuditEvent]) -> None:
            super().__init__()
            self.detail = detail
            self.history = history

    def __init__(self, ticket_id: str) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        self.detail: TicketDetail | None = None
        self._rows: dict[str, list[Row]] = {key: [] for key, _title in PANES}
        self._pane = 0

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(id="detail-summary", classes="detail-summary")
        yield Static(id="pane-tabs", classes="status")
        with ContentSwitcher(initial="items", id="detail-panes"):
            yield PagedTable(ITEM_COLUMNS, id="items")
            yield PagedTable(CANDIDATE_COLUMNS, id="candidates")
            yield PagedTable(HISTORY_COLUMNS, id="history")
        yield FilterBar()
        yield KeyFooter()

    def on_mount(self) -> None:
        self._show_tabs()
        self.query_one("#items", PagedTable).focus()

    def reload(self) -> None:
        self._load()

    def wants(self, batch: Batch) -> bool:
        return batch.overflowed or any(isinstance(event, AuditRecorded) and event.ticket_id == self.ticket_id
                                       for event in batch.ordered)

    @work(thread=True, exclusive=True, group="ticket-load", exit_on_error=False)
    def _load(self) -> None:
        detail = self.engine.tickets.show(self.ticket_id)
        history = self.engine.audit.history(detail.id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(detail, history))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.detail = detail = message.detail
        self.query_one("#detail-summary", Static).update(self._summary(detail))
        styles = cell_styles(self.app.theme_variables)
        library = self.engine.config.library(detail.summary.library) if detail.summary.library else None
        root = str(library.path) if library is not None else None
        self._rows["items"] = [
            Row(item.id, (plain(item.id), plain(item.state.value, style=styles.tone(
                "good" if item.state.value == "placed" else "bad" if item.state.value == "failed" else "")),
                plain(item.label + ("" if item.requested else " (not requested)")),
                plain(inside(item.path, root) if item.path else "—")))
            for item in detail.items]
        self._rows["candidates"] = [
            Row(str(c.rank), (plain(f"{c.rank}{'✓' if c.rank == detail.chosen_rank else ''}"),
                              plain(f"{c.score:.2f}"), plain(human_size(c.size)), plain(c.seeders_label),
                              plain(c.title), plain(c.indexer)))
            for c in detail.candidates]
        self._rows["history"] = [
            Row(str(event.seq), (plain(str(event.seq)), plain(event.at), plain(event.type),
                                 plain(event_summary(event)), plain(event.actor)))
            for event in reversed(message.history)]
        self._show_panes()
        self._show_tabs()
        self.update_bindings()

    def filter_changed(self) -> None:
        self._show_panes()
        self._show_tabs()

    def _show_panes(self) -> None:
        """Every pane's rows, narrowed to those with the `/` text in any cell."""
        needle = self.filter_text.casefold()
        for key, rows in self._rows.items():
            self.query_one(f"#{key}", PagedTable).show_rows(
                [row for row in rows if not needle or any(needle in cell.plain.casefold() for cell in row.cells)])

    def _summary(self, detail: TicketDetail) -> Text:
        summary = detail.summary
        text = Text(end="")
        text.append_text(plain(f"{summary.title}", style="bold"))
        text.append("\n")
        text.append_text(plain(
            f"{summary.id} · {summary.kind} · {summary.state.value} · priority {summary.priority} · "
            f"library {summary.library or '—'} · {summary.items_done}/{summary.items_total} placed"))
        text.append("\n")
        extra = f"created {iso(summary.created_at)} · updated {iso(summary.updated_at)} · attempts {summary.attempts}"
        if summary.linked_to:
            extra += f" · follows {short_id(summary.linked_to)}"
        if detail.spec.dry_run:
            extra += " · dry run"
        text.append_text(plain(extra))
        if summary.error:
            text.append("\n")
            text.append_text(plain(f"error: {summary.error}", style=cell_styles(self.app.theme_variables).bad))
        return text

    def _show_tabs(self) -> None:
        counts = {key: self.query_one(f"#{key}", PagedTable).row_count for key, _title in PANES}
        tabs = Text(end="")
        for index, (key, title) in enumerate(PANES):
            tabs.append(f" {title} ({counts[key]}) ", style="reverse bold" if index == self._pane else "")
        tabs.append("   tab: next pane" + (f" · filter: {self.filter_text}" if self.filter_text else ""))
        self.query_one("#pane-tabs", Static).update(tabs)

    def action_switch_pane(self) -> None:
        """Focus the next pane at once (not after a refresh), so keys typed ahead reach it."""
        self._pane = (self._pane + 1) % len(PANES)
        key = PANES[self._pane][0]
        self.query_one("#detail-panes", ContentSwitcher).current = key
        self.set_focus(self.query_one(f"#{key}", PagedTable))
        self._show_tabs()

    def action_back(self) -> None:
        self.dismiss()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"cancel", "retry", "priority"}:
            return ticket_actions.can_act(self.detail.summary if self.detail else None, action)
        return True

    def action_cancel(self) -> None:
        if self.detail is not None:
            ticket_actions.cancel(self, self.detail.summary)

    def action_retry(self) -> None:
        if self.detail is not None:
            ticket_actions.retry(self, self.detail.summary)

    def action_priority(self, direction: int) -> None:
        if self.detail is not None:
            ticket_actions.change_priority(self, self.detail.summary, direction)

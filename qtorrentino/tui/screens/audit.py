"""6 Audit: every event newest first in keyset pages; text and field filters; full event; JSON Lines export."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from qtorrentino.clock import iso
from qtorrentino.engine.api import AuditEvent, AuditFilter, AuditPage
from qtorrentino.events import AuditRecorded, Batch
from qtorrentino.tui.describe import event_detail, event_summary
from qtorrentino.tui.screens.audit_filter import AuditFilterModal
from qtorrentino.tui.screens.base import EngineScreen, filter_binding
from qtorrentino.tui.text import plain, short_id
from qtorrentino.tui.widgets.filter_bar import FilterBar
from qtorrentino.tui.widgets.header import AppHeader
from qtorrentino.tui.widgets.key_footer import KeyFooter
from qtorrentino.tui.widgets.paged_table import Column, PagedTable, Row

PAGE_SIZE = 100
MAX_RELOAD_ROWS = 500
COLUMNS = (Column("at", "At (UTC)", 16), Column("type", "Type", 19), Column("ticket", "Ticket", 8),
           Column("summary", "What", flex=True), Column("seq", "Seq", 7, spill=True),
           Column("actor", "Actor", 14, spill=True))


def export_path(folder: Path, stamp: str) -> Path:
    """A new file name under the home's exports folder that does not overwrite an older export."""
    folder.mkdir(parents=True, exist_ok=True)
    candidate = folder / f"audit-{stamp}.jsonl"
    counter = 1
    while candidate.exists():
        counter += 1
        candidate = folder / f"audit-{stamp}-{counter}.jsonl"
    return candidate


class AuditScreen(EngineScreen):
    """The audit log: what the engine decided and did, and who asked."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Details", id="audit.open"),
        filter_binding("audit"),
        Binding("f", "filter_fields", "Filter by", id="audit.filter_fields"),
        Binding("E", "export", "Export", id="audit.export"),
        Binding("escape", "clear_filters", "Clear filters", show=False, id="audit.clear"),
    ]

    class PageLoaded(Message):
        """A page of events read off the UI thread."""

        def __init__(self, page: AuditPage, *, append: bool) -> None:
            super().__init__()
            self.page = page
            self.append = append

    def __init__(self) -> None:
        super().__init__()
        self.audit_filter = AuditFilter()
        """The f filter (ticket, types, time); the / text goes into its `text`."""
        self._events: dict[str, AuditEvent] = {}
        self._next_before: int | None = None
        self._newer = 0

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(id="status", classes="status")
        yield PagedTable(COLUMNS, id="audit-table")
        yield FilterBar()
        yield KeyFooter()

    @property
    def table(self) -> PagedTable:
        return self.query_one("#audit-table", PagedTable)

    def _current_filter(self) -> AuditFilter:
        return replace(self.audit_filter, text=self.filter_text or None)

    def _resolved_filter(self) -> AuditFilter:
        """The filter with a typed ticket id prefix made whole (off the UI thread: it reads the database)."""
        chosen = self._current_filter()
        if chosen.ticket_id:
            chosen = replace(chosen, ticket_id=self.engine.tickets.show(chosen.ticket_id).id)
        return chosen

    def reload(self) -> None:
        self._newer = 0
        self._load(None, min(MAX_RELOAD_ROWS, max(PAGE_SIZE, self.table.row_count)), append=False)

    def wants(self, batch: Batch) -> bool:
        if batch.overflowed:
            return True
        arrived = sum(1 for event in batch.ordered if isinstance(event, AuditRecorded))
        if not arrived:
            return False
        if self.table.cursor_row < PAGE_SIZE:
            return True
        self._newer += arrived
        self._show_status()
        return False

    @work(thread=True, exclusive=True, group="audit-load", exit_on_error=False)
    def _load(self, before: int | None, limit: int, *, append: bool) -> None:
        page = self.engine.audit.page(self._resolved_filter(), before=before, limit=limit)
        if not get_current_worker().is_cancelled:
            self.post_message(self.PageLoaded(page, append=append))

    @on(PageLoaded)
    def _page_loaded(self, message: PageLoaded) -> None:
        page = message.page
        if not message.append:
            self._events = {}
        self._events.update((str(event.seq), event) for event in page.events)
        self._next_before = page.next_before
        rows = [Row(str(event.seq), (plain(event.at[:16].replace("T", " ")), plain(event.type),
                                     plain(short_id(event.ticket_id)), plain(event_summary(event)),
                                     plain(str(event.seq)), plain(event.actor)))
                for event in page.events]
        more = page.next_before is not None
        if message.append:
            self.table.append_rows(rows, more=more)
        else:
            self.table.show_rows(rows, more=more)
        self._show_status()
        self.update_bindings()

    @on(PagedTable.NearEnd, "#audit-table")
    def _near_end(self, message: PagedTable.NearEnd) -> None:
        if self._next_before is not None:
            self._load(self._next_before, PAGE_SIZE, append=True)

    @on(PagedTable.Highlighted, "#audit-table")
    def _moved(self, event: PagedTable.Highlighted) -> None:
        if event.cursor_row == 0 and self._newer:
            self.reload()

    def _show_status(self) -> None:
        chosen = self._current_filter()
        parts = [f"Audit · {self.table.row_count}{'+' if self._next_before else ''} events, newest first"]
        if chosen.ticket_id:
            parts.append(f"ticket {chosen.ticket_id}")
        if chosen.types:
            parts.append("types " + ",".join(chosen.types))
        if chosen.since or chosen.until:
            parts.append(f"{iso(chosen.since) or '…'} – {iso(chosen.until) or '…'}")
        if chosen.text:
            parts.append(f"text: {chosen.text}")
        if self._newer:
            parts.append(f"{self._newer} newer (g)")
        self.query_one("#status", Static).update(plain(" · ".join(parts)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open":
            return True if self.table.current_key is not None else None
        if action == "clear_filters":
            return self.audit_filter != AuditFilter() or bool(self.filter_text)
        return True

    def action_open(self) -> None:
        key = self.table.current_key
        if key is not None and (event := self._events.get(key)) is not None:
            self.app.push_screen(AuditEventScreen(event))

    def action_filter_fields(self) -> None:
        def chosen(result: AuditFilter | None) -> None:
            if result is not None:
                self.audit_filter = replace(result, text=None)
                self.table.clear()
                self.reload()

        self.app.push_screen(AuditFilterModal(self.audit_filter), chosen)

    def action_clear_filters(self) -> None:
        self.audit_filter = AuditFilter()
        self.query_one(FilterBar).action_clear_filter()
        self.reload()

    def action_export(self) -> None:
        folder = self.engine.home.data_dir / "exports"
        stamp = (iso(self.engine.clock.now()) or "now").replace(":", "").replace("-", "")
        audit = self.engine.audit

        def export() -> tuple[int, Path]:
            chosen = self._resolved_filter()
            path = export_path(folder, stamp)
            with path.open("xb") as handle:
                return audit.export(handle, chosen), path

        self.run_command(export, lambda result: f"Exported {result[0]} events to {result[1]}")


class AuditEventScreen(Screen[None]):
    """One audit event in full; escape goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "back", "Back", id="audit_event.back"),
        Binding("j,down", "scroll(1)", "Down", show=False, id="audit_event.down"),
        Binding("k,up", "scroll(-1)", "Up", show=False, id="audit_event.up"),
    ]

    def __init__(self, event: AuditEvent) -> None:
        super().__init__()
        self.event = event

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with VerticalScroll(id="event-body"):
            yield Static(event_detail(self.event), id="event-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#event-body", VerticalScroll).focus()

    def action_scroll(self, lines: int) -> None:
        self.query_one("#event-body", VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_back(self) -> None:
        self.dismiss()

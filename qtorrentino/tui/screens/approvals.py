"""3 Approvals: the queue, each ticket's candidates and why they scored; approve, reject, search, magnet."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from qtorrentino.domain.states import TicketState
from qtorrentino.engine.api import TicketDetail, TicketSummary
from qtorrentino.events import AuditRecorded, Batch
from qtorrentino.tui.palette import cell_styles
from qtorrentino.tui.screens.base import TUI_ACTOR, EngineScreen, filter_binding
from qtorrentino.tui.screens.modals import TextPromptModal
from qtorrentino.tui.text import plain, short_id
from qtorrentino.tui.units import ago
from qtorrentino.tui.widgets.candidate_panel import CandidatePanel
from qtorrentino.tui.widgets.filter_bar import FilterBar
from qtorrentino.tui.widgets.header import AppHeader
from qtorrentino.tui.widgets.key_footer import KeyFooter
from qtorrentino.tui.widgets.paged_table import Column, PagedTable, Row

QUEUE_LIMIT = 500
QUEUE_COLUMNS = (Column("id", "ID", 8), Column("state", "State", 18), Column("title", "Title", flex=True),
                 Column("waiting", "Waiting", 10, spill=True))
QUEUE_EVENTS = frozenset({"TicketStateChanged", "MatchingCompleted", "ApprovalRequested", "TicketCreated",
                          "CandidateFilesFetched"})


class ApprovalsScreen(EngineScreen):
    """Tickets waiting for a person and their ranked candidates; tab moves between the two."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]  # noqa: RUF012 - Textual declares it per instance
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "approve", "Approve", id="approvals.approve"),
        Binding("x", "reject", "Reject", id="approvals.reject"),
        Binding("s", "force_search", "Search", id="approvals.force_search"),
        Binding("m", "force_magnet", "Magnet", id="approvals.force_magnet"),
        Binding("tab", "switch_pane", "Pane", id="approvals.switch_pane"),
        filter_binding("approvals"),
    ]

    class QueueLoaded(Message):
        """The approval queue, read off the UI thread."""

        def __init__(self, tickets: list[TicketSummary]) -> None:
            super().__init__()
            self.tickets = tickets

    class DetailLoaded(Message):
        """One queued ticket with its candidates."""

        def __init__(self, detail: TicketDetail) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self) -> None:
        super().__init__()
        self._queue: dict[str, TicketSummary] = {}

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(id="status", classes="status")
        with Horizontal(id="approval-panes"):
            yield PagedTable(QUEUE_COLUMNS, id="queue")
            yield CandidatePanel(id="candidates")
        yield FilterBar()
        yield KeyFooter()

    @property
    def queue(self) -> PagedTable:
        return self.query_one("#queue", PagedTable)

    @property
    def panel(self) -> CandidatePanel:
        return self.query_one(CandidatePanel)

    @property
    def selected(self) -> TicketSummary | None:
        key = self.queue.current_key
        return self._queue.get(key) if key is not None else None

    def reload(self) -> None:
        self._load_queue()

    def wants(self, batch: Batch) -> bool:
        return batch.overflowed or any(isinstance(event, AuditRecorded) and event.type in QUEUE_EVENTS
                                       for event in batch.ordered)

    @work(thread=True, exclusive=True, group="approvals-load", exit_on_error=False)
    def _load_queue(self) -> None:
        tickets = self.engine.tickets.approval_queue(limit=QUEUE_LIMIT)
        if not get_current_worker().is_cancelled:
            self.post_message(self.QueueLoaded(tickets))

    @on(QueueLoaded)
    def _queue_loaded(self, message: QueueLoaded) -> None:
        self._queue = {ticket.id: ticket for ticket in message.tickets}
        self._show_queue()

    def filter_changed(self) -> None:
        self._show_queue()

    def _show_queue(self) -> None:
        styles = cell_styles(self.app.theme_variables)
        now = self.engine.clock.now()
        needle = self.filter_text.casefold()
        rows = [Row(ticket.id, (plain(short_id(ticket.id)), plain(ticket.state.value,
                                                                   style=styles.for_state(ticket.state)),
                                plain(ticket.title), plain(ago(ticket.updated_at, now))))
                for ticket in self._queue.values()
                if not needle or needle in ticket.title.casefold() or ticket.id.startswith(needle)]
        self.queue.show_rows(rows)
        waiting = sum(1 for ticket in self._queue.values() if ticket.state is TicketState.NEEDS_APPROVAL)
        status = f"Approvals · {waiting} need approval · {len(self._queue) - waiting} found nothing"
        if self.filter_text:
            status += f" · filter: {self.filter_text}"
        if not self._queue:
            status += " · nothing waiting for you"
        self.query_one("#status", Static).update(plain(status))
        self._follow_highlight()

    def _follow_highlight(self) -> None:
        selected = self.selected
        if selected is None:
            self.panel.show(None)
        else:
            self._load_detail(selected.id)
        self.update_bindings()

    @on(PagedTable.Highlighted, "#queue")
    def _queue_moved(self, event: PagedTable.Highlighted) -> None:
        selected = self.selected
        shown = self.panel.detail
        if selected is not None and (shown is None or shown.id != selected.id):
            self._load_detail(selected.id)

    @work(thread=True, exclusive=True, group="approvals-detail", exit_on_error=False)
    def _load_detail(self, ticket_id: str) -> None:
        detail = self.engine.tickets.show(ticket_id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.DetailLoaded(detail))

    @on(DetailLoaded)
    def _detail_loaded(self, message: DetailLoaded) -> None:
        selected = self.selected
        if selected is not None and selected.id == message.detail.id:
            self.panel.show(message.detail)
            self.update_bindings()

    @on(CandidatePanel.SelectionChanged)
    def _candidate_moved(self, message: CandidatePanel.SelectionChanged) -> None:
        self.update_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        selected = self.selected
        if action == "approve":
            shown = self.panel.detail
            ready = selected is not None and shown is not None and shown.id == selected.id
            return True if ready and self.panel.selection is not None else None
        if action == "reject":
            return True if selected is not None and selected.state is TicketState.NEEDS_APPROVAL else None
        if action in {"force_search", "force_magnet"}:
            return True if selected is not None else None
        return True

    def action_switch_pane(self) -> None:
        """Focus the next pane at once (not after a refresh), so keys typed ahead reach it."""
        panes = (self.queue, self.panel.table, self.panel.query_one("#candidate-why"))
        current = next((index for index, pane in enumerate(panes) if pane.has_focus), -1)
        self.set_focus(panes[(current + 1) % len(panes)])

    def action_approve(self) -> None:
        selected, candidate = self.selected, self.panel.selection
        if selected is None or candidate is None:
            return
        ticket_id, rank, tickets = selected.id, candidate.rank, self.engine.tickets
        self.run_command(lambda: tickets.approve(ticket_id, rank, actor=TUI_ACTOR),
                         f"Approved {short_id(ticket_id)} (candidate {rank})")

    def action_reject(self) -> None:
        if (selected := self.selected) is None:
            return
        ticket_id, tickets = selected.id, self.engine.tickets

        def answered(reason: str | None) -> None:
            if reason is not None:
                self.run_command(lambda: tickets.reject(ticket_id, reason.strip(), actor=TUI_ACTOR),
                                 f"Ticket {short_id(ticket_id)} rejected")

        self.app.push_screen(TextPromptModal(f"Reject ticket {short_id(ticket_id)}? Reason (optional):",
                                             placeholder="why (optional)",
                                             hint="enter: reject    escape: keep the ticket"), answered)

    def action_force_search(self) -> None:
        if (selected := self.selected) is None:
            return
        ticket_id, tickets = selected.id, self.engine.tickets

        def answered(query: str | None) -> None:
            if query and query.strip():
                self.run_command(lambda: tickets.force_search(ticket_id, query.strip(), actor=TUI_ACTOR),
                                 f"Ticket {short_id(ticket_id)} searching again")

        self.app.push_screen(TextPromptModal("Search again with these words:", value=selected.title), answered)

    def action_force_magnet(self) -> None:
        if (selected := self.selected) is None:
            return
        ticket_id, tickets = selected.id, self.engine.tickets

        def answered(magnet: str | None) -> None:
            if magnet and magnet.strip():
                self.run_command(lambda: tickets.force_magnet(ticket_id, magnet.strip(), actor=TUI_ACTOR),
                                 f"Ticket {short_id(ticket_id)} will download the given magnet")

        self.app.push_screen(TextPromptModal("Magnet link to download for this ticket:",
                                             placeholder="magnet:?xt=urn:btih:…"), answered)

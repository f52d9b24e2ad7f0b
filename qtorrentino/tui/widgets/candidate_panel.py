"""CandidatePanel: one ticket's ranked candidates with score, size, seeders, indexer, reasons and file mapping."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from qtorrentino.engine.api import CandidateView, TicketDetail
from qtorrentino.tui.describe import candidate_detail
from qtorrentino.tui.text import plain
from qtorrentino.tui.units import human_size
from qtorrentino.tui.widgets.paged_table import Column, PagedTable, Row

COLUMNS = (Column("rank", "#", 3), Column("score", "Score", 5), Column("size", "Size", 8),
           Column("seeders", "Seeds", 5), Column("title", "Title", flex=True, cut_middle=True),
           Column("indexer", "Indexer", 10, spill=True))
REJECTED_MARK = "✗"
"""Beside the rank of a candidate that breaks a hard constraint (never approved automatically)."""


class CandidatePanel(Vertical):
    """The candidates of the ticket chosen in a queue, and the explanation of the highlighted one."""

    class SelectionChanged(Message):
        """Another candidate (or none) is highlighted."""

        def __init__(self, rank: int | None) -> None:
            super().__init__()
            self.rank = rank

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.detail: TicketDetail | None = None
        """The ticket whose candidates are shown."""

    def compose(self) -> ComposeResult:
        yield PagedTable(COLUMNS, id="candidates-table")
        with VerticalScroll(id="candidate-why"):
            yield Static(Text("No ticket selected.", end=""), id="candidate-detail")

    @property
    def table(self) -> PagedTable:
        return self.query_one("#candidates-table", PagedTable)

    @property
    def selection(self) -> CandidateView | None:
        """The highlighted candidate, if the shown ticket has any."""
        if self.detail is None or (key := self.table.current_key) is None:
            return None
        return next((c for c in self.detail.candidates if str(c.rank) == key), None)

    def show(self, detail: TicketDetail | None) -> None:
        """Show a ticket's candidates (keeping the highlight on the same rank when it is the same ticket)."""
        same_ticket = detail is not None and self.detail is not None and detail.id == self.detail.id
        self.detail = detail
        candidates = detail.candidates if detail is not None else ()
        rows = [Row(str(c.rank), _cells(c, chosen=detail is not None and c.rank == detail.chosen_rank))
                for c in candidates]
        if not same_ticket:
            self.table.clear()
        self.table.show_rows(rows)
        self._describe()

    def _describe(self) -> None:
        selected = self.selection
        if selected is not None:
            items = {item.id: item.label for item in self.detail.items} if self.detail is not None else {}
            text = candidate_detail(selected, recommended=selected.rank == 0, items=items)
        elif self.detail is None:
            text = Text("No ticket selected.", end="")
        elif not self.detail.candidates:
            text = Text("No candidates: press s to search with your own words, or m to give a magnet link.",
                        end="")
        else:
            text = Text("Highlight a candidate to see why it scored as it did.", end="")
        self.query_one("#candidate-detail", Static).update(text)

    @on(PagedTable.Highlighted, "#candidates-table")
    def _highlighted(self, event: PagedTable.Highlighted) -> None:
        self._describe()
        selected = self.selection
        self.post_message(self.SelectionChanged(selected.rank if selected else None))


def _cells(candidate: CandidateView, *, chosen: bool) -> tuple[Text, ...]:
    rank = f"{candidate.rank}{'✓' if chosen else REJECTED_MARK if candidate.rejected else ''}"
    return (plain(rank), plain(f"{candidate.score:.2f}"), plain(human_size(candidate.size)),
            plain(candidate.seeders_label), plain(candidate.title), plain(candidate.indexer))

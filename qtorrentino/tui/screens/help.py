"""? Help: every key of the screen underneath, with what it does and its id for [ui.keys]."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Label

from qtorrentino.tui.text import plain
from qtorrentino.tui.widgets.paged_table import Column, PagedTable, Row

COLUMNS = (Column("key", "Key", 12), Column("action", "Does", 22), Column("id", "Id for [ui.keys]", flex=True))


class HelpScreen(ModalScreen[None]):
    """The bindings of the screen it was opened over; escape or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close", id="help.close"),
    ]

    def __init__(self, underneath: Screen[object]) -> None:
        super().__init__()
        self._underneath = underneath

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box help-box"):
            yield PagedTable(COLUMNS, id="help-table")
            yield Label(Text("ctrl+p: command palette (every action by name) · escape: close", end=""),
                        classes="modal-hint")

    def on_mount(self) -> None:
        table = self.query_one("#help-table", PagedTable)
        rows: dict[str, Row] = {}
        for key, active in self._underneath.active_bindings.items():
            binding = active.binding
            if not binding.description:
                continue
            row_key = binding.id or f"{key}:{binding.action}"
            shown = self.app.get_key_display(binding.with_key(key))
            if row_key in rows:
                earlier = rows[row_key]
                rows[row_key] = Row(row_key, (plain(f"{earlier.cells[0].plain}, {shown}"), *earlier.cells[1:]))
                continue
            style = "" if active.enabled else "dim"
            rows[row_key] = Row(row_key, (plain(shown, style=style), plain(binding.description, style=style),
                                          plain(binding.id or "—", style=style)))
        table.show_rows(list(rows.values()))
        table.focus()

    def action_close(self) -> None:
        self.dismiss()

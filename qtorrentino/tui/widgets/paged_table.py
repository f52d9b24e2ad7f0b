"""PagedTable: a row-cursor DataTable keyed by id, fed page by page, with cells updated in place."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowDoesNotExist

NEAR_END_ROWS = 10
"""Ask for the next page when the cursor comes this close to the last loaded row."""
MIN_FLEX_WIDTH = 12
COMFORTABLE_FLEX_WIDTH = 28
"""Below this, `spill` columns give up their room and are reached by scrolling right instead."""


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its key, heading and width (None: as wide as its content; flex: what is left)."""

    key: str
    label: str
    width: int | None = None
    flex: bool = False
    """Takes the width the other columns leave (one free-text column, such as a title)."""
    spill: bool = False
    """On a narrow screen, may be pushed off the right edge so the flex column stays readable."""


@dataclass(frozen=True, slots=True)
class Row:
    """One row: the id it is keyed by and its cells, in column order."""

    key: str
    cells: tuple[Text, ...]


class PagedTable(DataTable[Text], inherit_bindings=False):
    """A list of rows keyed by id: vim movement, the next page asked for near the end, no rebuild for a tick."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="table.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="table.up"),
        Binding("g,home", "first_row", "Top", show=False, id="table.top"),
        Binding("G,end", "last_row", "Bottom", show=False, id="table.bottom"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("left,h", "scroll_left", "Left", show=False, id="table.left"),
        Binding("right,l", "scroll_right", "Right", show=False, id="table.right"),
    ]

    class NearEnd(Message):
        """The cursor is near the last loaded row and more rows exist: load the next page."""

        def __init__(self, table: PagedTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> PagedTable:
            return self.table

    def __init__(self, columns: Sequence[Column], *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False, cell_padding=1)
        self._columns = tuple(columns)
        self.has_more = False
        """More rows exist after the last loaded one."""
        self._asked_more = False
        self._flex_width = MIN_FLEX_WIDTH

    def on_mount(self) -> None:
        self._add_columns()

    def _add_columns(self) -> None:
        for column in self._columns:
            width = self._flex_width if column.flex else column.width
            self.add_column(Text(column.label, end=""), key=column.key, width=width)

    def on_resize(self, event: events.Resize) -> None:
        self._fit_flex_columns(event.size.width)

    def _fit_flex_columns(self, table_width: int) -> None:
        """Give the flex columns what the fixed ones leave; rebuilds the columns (rare: on resize)."""
        flex_count = sum(1 for column in self._columns if column.flex)
        if not flex_count:
            return
        padding = 2 * self.cell_padding
        room = table_width - self.styles.scrollbar_size_vertical

        def flex_width(columns: list[Column]) -> int:
            fixed = sum((column.width or len(column.label)) + padding for column in columns)
            return (room - fixed) // flex_count - padding

        fixed_columns = [column for column in self._columns if not column.flex]
        width = flex_width(fixed_columns)
        if width < COMFORTABLE_FLEX_WIDTH:
            width = max(width, flex_width([column for column in fixed_columns if not column.spill]))
        width = max(MIN_FLEX_WIDTH, width)
        if width == self._flex_width:
            return
        self._flex_width = width
        saved = [Row(key, tuple(self.get_row(key))) for key in self.keys]
        keep = self.current_key
        self.clear(columns=True)
        self._add_columns()
        self.add_rows_keyed(saved)
        if keep is not None:
            self.move_cursor(row=self.get_row_index(keep), animate=False)

    @property
    def keys(self) -> list[str]:
        """The row keys in display order."""
        return [str(row.key.value) for row in self.ordered_rows]

    @property
    def current_key(self) -> str | None:
        """The id of the row under the cursor, or None when the table is empty."""
        if self.row_count == 0:
            return None
        try:
            return str(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value)
        except CellDoesNotExist:
            return None

    def show_rows(self, rows: Sequence[Row], *, more: bool = False) -> None:
        """Show exactly these rows; same keys in the same order only change the cells that differ."""
        self.has_more = more
        self._asked_more = False
        if self.keys == [row.key for row in rows]:
            for row in rows:
                self._update_row(row)
            return
        keep = self.current_key
        cursor_row = self.cursor_row
        self.clear()
        self.add_rows_keyed(rows)
        if keep is not None and keep in self.rows:
            self.move_cursor(row=self.get_row_index(keep), animate=False)
        elif rows:
            self.move_cursor(row=min(cursor_row, len(rows) - 1), animate=False)

    def append_rows(self, rows: Sequence[Row], *, more: bool) -> None:
        """Add the next page under the rows already shown (rows already present are updated instead)."""
        self.has_more = more
        self._asked_more = False
        fresh = [row for row in rows if row.key not in self.rows]
        for row in rows:
            if row.key in self.rows:
                self._update_row(row)
        self.add_rows_keyed(fresh)

    def add_rows_keyed(self, rows: Sequence[Row]) -> None:
        for row in rows:
            self.add_row(*row.cells, key=row.key)

    def update_cells(self, key: str, cells: Mapping[str, Text]) -> bool:
        """Change some cells of one row in place; False when the row is not shown."""
        if key not in self.rows:
            return False
        for column_key, value in cells.items():
            try:
                self.update_cell(key, column_key, value)
            except (CellDoesNotExist, RowDoesNotExist):
                return False
        return True

    def _update_row(self, row: Row) -> None:
        current = self.get_row(row.key)
        for column, old, new in zip(self._columns, current, row.cells, strict=False):
            if old != new:
                self.update_cell(row.key, column.key, new)

    def action_first_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=0, animate=False)

    def action_last_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1, animate=False)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.has_more and not self._asked_more and event.cursor_row >= self.row_count - NEAR_END_ROWS:
            self._asked_more = True
            self.post_message(self.NearEnd(self))

"""PagedTable: a row list keyed by id on Textual's line API; an update re-renders only the rows it touches."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from qtorrentino.tui.widgets.table_rows import CELL_GAP, Column, Row, fit_widths, render_row

__all__ = ["Column", "PagedTable", "Row"]

NEAR_END_ROWS = 10
"""Ask for the next page when the cursor comes this close to the last loaded row."""


class PagedTable(ScrollView, can_focus=True, inherit_bindings=False):
    """Rows keyed by id with a row cursor: vim movement, the next page asked for near the end.

    DataTable re-renders every visible cell on any update; here each row's rendering is cached and a cell
    update, a new page or a cursor move re-renders only the rows concerned, so live progress stays cheap.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"paged-table--header", "paged-table--cursor",
                                             "paged-table--cursor-blurred"}
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
    DEFAULT_CSS = """
    PagedTable { height: 1fr; }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True, init=False)
    """The highlighted row's index."""

    class Highlighted(Message):
        """Another row (or none) is under the cursor."""

        def __init__(self, table: PagedTable, cursor_row: int, key: str | None) -> None:
            super().__init__()
            self.table = table
            self.cursor_row = cursor_row
            self.key = key

        @property
        def control(self) -> PagedTable:
            return self.table

    class NearEnd(Message):
        """The cursor is near the last loaded row and more rows exist: load the next page."""

        def __init__(self, table: PagedTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> PagedTable:
            return self.table

    def __init__(self, columns: Sequence[Column], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._columns = tuple(columns)
        self._widths = [column.width or len(column.label) for column in self._columns]
        self._keys: list[str] = []
        self._index: dict[str, int] = {}
        self._cells: dict[str, tuple[Text, ...]] = {}
        self._strips: dict[tuple[str, bool], Strip] = {}
        self.cell_source: Callable[[str], tuple[Text, ...]] | None = None
        """Where the cells of a row shown by key only come from, computed when the row is first drawn."""
        self.has_more = False
        """More rows exist after the last loaded one."""
        self._asked_more = False

    @property
    def keys(self) -> list[str]:
        """The row keys in display order."""
        return list(self._keys)

    @property
    def row_count(self) -> int:
        return len(self._keys)

    @property
    def current_key(self) -> str | None:
        """The id of the row under the cursor, or None when the table is empty."""
        return self._keys[self.cursor_row] if 0 <= self.cursor_row < len(self._keys) else None

    def get_row_index(self, key: str) -> int:
        return self._index[key]

    def get_cell(self, key: str, column: str) -> Text:
        """One cell's text (tests and callers that read back what is shown)."""
        return self._cells_of(key)[[c.key for c in self._columns].index(column)]

    def _cells_of(self, key: str) -> tuple[Text, ...]:
        cells = self._cells.get(key)
        if cells is None:
            if self.cell_source is None:
                raise KeyError(key)
            cells = self._cells[key] = self.cell_source(key)
        return cells

    def show_keys(self, keys: Sequence[str], *, more: bool = False) -> None:
        """Show rows by key only; cell_source gives their cells when they are drawn (big live lists)."""
        keep = self.current_key
        self.has_more = more
        self._asked_more = False
        self._keys = list(keys)
        self._index = {key: index for index, key in enumerate(self._keys)}
        self._cells = {}
        self._strips.clear()
        self._resize_virtual()
        self.refresh()
        self.move_cursor(row=self._index[keep] if keep in self._index else min(self.cursor_row, len(keys) - 1))

    def invalidate(self, key: str) -> None:
        """A row's data changed: its cells are asked of cell_source again when next drawn."""
        if key in self._index:
            self._cells.pop(key, None)
            self._strips.pop((key, False), None)
            self._strips.pop((key, True), None)
            self._refresh_row(self._index[key])

    def clear(self) -> None:
        """Drop every row."""
        self._set_rows([])
        self.has_more = False

    def show_rows(self, rows: Sequence[Row], *, more: bool = False) -> None:
        """Show exactly these rows; the cursor stays on the same id when it is still there."""
        self.has_more = more
        self._asked_more = False
        if self._keys == [row.key for row in rows]:
            for row in rows:
                if self._cells.get(row.key) != row.cells:
                    self._replace(row.key, row.cells)
            return
        keep = self.current_key
        self._set_rows(rows)
        if keep is not None and keep in self._index:
            self.move_cursor(row=self._index[keep])
        else:
            self.move_cursor(row=min(self.cursor_row, max(0, len(rows) - 1)))

    def append_rows(self, rows: Sequence[Row], *, more: bool) -> None:
        """Add the next page under the rows shown (rows already present are updated instead)."""
        self.has_more = more
        self._asked_more = False
        for row in rows:
            if row.key in self._index:
                self._replace(row.key, row.cells)
            else:
                self._index[row.key] = len(self._keys)
                self._keys.append(row.key)
                self._cells[row.key] = row.cells
        self._resize_virtual()
        self.refresh()

    def update_cells(self, key: str, cells: Mapping[str, Text]) -> bool:
        """Change some cells of one row in place; False when the row is not shown."""
        if key not in self._index:
            return False
        current = self._cells_of(key)
        changed = tuple(cells.get(column.key, old) for column, old in zip(self._columns, current, strict=True))
        if changed != current:
            self._replace(key, changed)
        return True

    def move_cursor(self, *, row: int) -> None:
        """Put the cursor on a row (clamped) and scroll it into view."""
        self.cursor_row = max(0, min(row, len(self._keys) - 1)) if self._keys else 0

    def _set_rows(self, rows: Sequence[Row]) -> None:
        self._keys = [row.key for row in rows]
        self._index = {key: index for index, key in enumerate(self._keys)}
        self._cells = {row.key: row.cells for row in rows}
        self._strips.clear()
        self._resize_virtual()
        self.refresh()

    def _replace(self, key: str, cells: tuple[Text, ...]) -> None:
        self._cells[key] = cells
        self._strips.pop((key, False), None)
        self._strips.pop((key, True), None)
        self._refresh_row(self._index[key])

    def _refresh_row(self, index: int) -> None:
        line = index - round(self.scroll_y) + 1
        if 1 <= line < self.size.height:
            self.refresh(Region(0, line, self.size.width, 1))

    def _resize_virtual(self) -> None:
        width = sum(self._widths) + CELL_GAP * len(self._widths)
        self.virtual_size = Size(width, len(self._keys) + 1)

    def on_resize(self, event: events.Resize) -> None:
        self._fit_flex_columns(self.scrollable_content_region.width or event.size.width)

    def _fit_flex_columns(self, room: int) -> None:
        widths = fit_widths(self._columns, room)
        if widths != self._widths:
            self._widths = widths
            self._strips.clear()
            self._resize_virtual()
            self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        if y == 0:
            strip = self._render_cells([Text(column.label, end="") for column in self._columns],
                                       self.rich_style, self.get_component_rich_style("paged-table--header"))
        else:
            index = scroll_y + y - 1
            if index >= len(self._keys):
                return Strip.blank(width, self.rich_style)
            key = self._keys[index]
            cursor = index == self.cursor_row
            cached = self._strips.get((key, cursor))
            if cached is not None:
                strip = cached
            else:
                overlay = self.get_component_rich_style(
                    "paged-table--cursor" if self.has_focus else "paged-table--cursor-blurred") if cursor else None
                strip = self._strips[(key, cursor)] = self._render_cells(self._cells_of(key), self.rich_style,
                                                                         overlay)
        return strip.crop_extend(scroll_x, scroll_x + width, self.rich_style)

    def _render_cells(self, cells: Sequence[Text], base: Style, overlay: Style | None = None) -> Strip:
        return render_row(self.app.console, cells, self._widths, base, overlay,
                          [column.cut_middle for column in self._columns])

    def watch_cursor_row(self, old: int, new: int) -> None:
        for index in {old, new}:
            if 0 <= index < len(self._keys):
                self._strips.pop((self._keys[index], index == new), None)
                self._refresh_row(index)
        self._scroll_to_cursor()
        self.post_message(self.Highlighted(self, new, self.current_key))
        if self.has_more and not self._asked_more and new >= len(self._keys) - NEAR_END_ROWS:
            self._asked_more = True
            self.post_message(self.NearEnd(self))

    def _scroll_to_cursor(self) -> None:
        visible = max(1, self.size.height - 1)
        top = round(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False)

    def on_focus(self) -> None:
        self._refresh_cursor()

    def on_blur(self) -> None:
        self._refresh_cursor()

    def _refresh_cursor(self) -> None:
        if self.current_key is not None:
            self._strips.pop((self.current_key, True), None)
            self._refresh_row(self.cursor_row)

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self.move_cursor(row=round(self.scroll_y) + event.y - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self.cursor_row + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self.cursor_row - 1)

    def action_first_row(self) -> None:
        self.move_cursor(row=0)

    def action_last_row(self) -> None:
        self.move_cursor(row=len(self._keys) - 1)

    def action_page_down(self) -> None:
        self.move_cursor(row=self.cursor_row + max(1, self.size.height - 2))

    def action_page_up(self) -> None:
        self.move_cursor(row=self.cursor_row - max(1, self.size.height - 2))

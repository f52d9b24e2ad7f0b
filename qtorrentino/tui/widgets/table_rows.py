"""Table rows as text: columns and their widths, and one row drawn as a strip of styled segments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

MIN_FLEX_WIDTH = 12
COMFORTABLE_FLEX_WIDTH = 28
"""Below this, `spill` columns give up their room and are reached by scrolling right instead."""
CELL_GAP = 2
"""Blank cells between two columns."""


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its key, heading and width (None: its heading's; flex: what is left)."""

    key: str
    label: str
    width: int | None = None
    flex: bool = False
    """Takes the width the other columns leave (one free-text column, such as a title)."""
    spill: bool = False
    """On a narrow screen, may be pushed off the right edge so the flex column stays readable."""
    cut_middle: bool = False
    """Too long a value loses its middle, not its end: release names differ in their year, format, group."""


@dataclass(frozen=True, slots=True)
class Row:
    """One row: the id it is keyed by and its cells, in column order."""

    key: str
    cells: tuple[Text, ...]


def fit_widths(columns: Sequence[Column], room: int) -> list[int]:
    """Column widths for a table `room` cells wide: flex columns take what the others leave, spill ones make way."""
    fixed_widths = [column.width or len(column.label) for column in columns]
    flex_count = sum(1 for column in columns if column.flex)
    if not flex_count:
        return fixed_widths

    def flex_width(chosen: list[Column]) -> int:
        fixed = sum((column.width or len(column.label)) + CELL_GAP for column in chosen)
        return (room - fixed) // flex_count - CELL_GAP

    fixed_columns = [column for column in columns if not column.flex]
    width = flex_width(fixed_columns)
    if width < COMFORTABLE_FLEX_WIDTH:
        width = max(width, flex_width([column for column in fixed_columns if not column.spill]))
    width = max(MIN_FLEX_WIDTH, width)
    return [width if column.flex else fixed for column, fixed in zip(columns, fixed_widths, strict=True)]


def render_row(console: Console, cells: Sequence[Text], widths: Sequence[int], base: Style,
               overlay: Style | None = None, middle: Sequence[bool] = ()) -> Strip:
    """A row: each cell's own style over the table's, and the cursor's (or header's) over both.

    middle: per column, whether a value too long loses its middle rather than its end.
    """
    gap_style = base + overlay if overlay else base
    segments: list[Segment] = [Segment(" " * (CELL_GAP // 2), gap_style)]
    for index, (cell, width) in enumerate(zip(cells, widths, strict=False)):
        cut_middle = index < len(middle) and middle[index]
        segments.extend(_cell_segments(console, cell, width, base, overlay, cut_middle=cut_middle))
        segments.append(Segment(" " * CELL_GAP, gap_style))
    return Strip(segments).simplify()


def middle_cut(text: str, width: int) -> str:
    """Text cut to `width` cells by an ellipsis in its middle, keeping a third before and the rest after."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    room = max(0, width - 1)
    head = room // 3
    tail = text[-(room - head):] if room - head else ""
    while cell_len(tail) > room - head:
        tail = tail[1:]
    return set_cell_size(set_cell_size(text, head) + "…" + tail, width)


def _cell_segments(console: Console, cell: Text, width: int, base: Style, overlay: Style | None, *,
                   cut_middle: bool = False) -> list[Segment]:
    """One cell cut or padded to its width; a single-style cell takes a fast path (most cells are)."""

    def styled(own: Style | None) -> Style:
        style = base + own if own else base
        return style + overlay if overlay else style

    if not cell.spans:
        shown = cell.plain
        if cut_middle:
            shown = middle_cut(shown, width)
        elif cell_len(shown) <= width:
            shown = set_cell_size(shown, width)
        else:
            shown = set_cell_size(shown, width - 1) + "…"
        return [Segment(shown, styled(console.get_style(cell.style) if cell.style else None))]
    text = cell.copy()
    text.truncate(width, overflow="ellipsis", pad=True)
    return [Segment(segment.text, styled(segment.style)) for segment in text.render(console) if segment.text != "\n"]

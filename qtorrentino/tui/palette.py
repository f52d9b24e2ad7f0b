"""Cell styles taken from the theme in force, so table cells follow the theme like the CSS does."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.style import Style
from textual.color import Color, ColorParseError

from qtorrentino.domain.states import TicketState

_STATE_TONES: dict[str, str] = {
    TicketState.COMPLETED: "good", TicketState.DRY_RUN_COMPLETE: "good",
    TicketState.FAILED: "bad", TicketState.REJECTED: "bad",
    TicketState.NEEDS_APPROVAL: "waiting", TicketState.ACQUISITION_FAILED: "waiting",
    TicketState.CANCELLED: "muted",
    TicketState.DOWNLOADING: "busy", TicketState.CONVERTING: "busy", TicketState.PLACING: "busy",
    TicketState.ACQUIRING: "busy", TicketState.APPROVED: "busy", TicketState.AUTO_APPROVED: "busy",
}


@dataclass(frozen=True, slots=True)
class CellStyles:
    """Styles for table cells: state tones and the two halves of a progress bar."""

    good: Style
    bad: Style
    waiting: Style
    busy: Style
    muted: Style
    complete: Style
    remaining: Style

    def tone(self, name: str) -> Style:
        """The style of a tone name ("good", "bad", ...); unknown tones are unstyled."""
        found = getattr(self, name, None)
        return found if isinstance(found, Style) else Style()

    def for_state(self, state: str) -> Style:
        """How a ticket state reads: finished well, failed, waiting for a person, busy, or dropped."""
        return self.tone(_STATE_TONES.get(state, ""))


def _style(variables: Mapping[str, str], name: str, *, bold: bool = False, dim: bool = False) -> Style:
    value = variables.get(name)
    color = None
    if value:
        try:
            color = Color.parse(value).rich_color
        except ColorParseError:
            color = None
    return Style(color=color, bold=bold or None, dim=dim or None)


def cell_styles(variables: Mapping[str, str]) -> CellStyles:
    """The cell styles of a theme, from the app's theme variables."""
    return CellStyles(
        good=_style(variables, "success"),
        bad=_style(variables, "error", bold=True),
        waiting=_style(variables, "warning", bold=True),
        busy=_style(variables, "primary"),
        muted=Style(dim=True),
        complete=_style(variables, "progress-complete"),
        remaining=_style(variables, "progress-remaining"),
    )

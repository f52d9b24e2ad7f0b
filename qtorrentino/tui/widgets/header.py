"""AppHeader: the sections with their keys, and the totals (active tickets, waiting approvals, rates)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.widget import Widget

from qtorrentino.tui.units import human_rate

SECTIONS = (("1", "tickets", "Tickets"), ("2", "downloads", "Downloads"), ("3", "approvals", "Approvals"),
            ("4", "unmatched", "Unmatched"), ("5", "library", "Library"), ("6", "audit", "Audit"))
"""(key, mode, title) of every section, in key order."""


@dataclass(frozen=True, slots=True)
class Totals:
    """The numbers the header shows; refreshed off the UI thread when tickets or torrents change."""

    active: int = 0
    """Tickets not yet in a final state."""
    waiting: int = 0
    """Tickets waiting for a person (needs approval, acquisition failed)."""
    failed: int = 0
    down_bps: int = 0
    up_bps: int = 0


class AppHeader(Widget):
    """Two lines on top of every screen: where you are and how the engine is doing."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"app-header--active", "app-header--brand", "app-header--alert"}
    DEFAULT_CSS = """
    AppHeader { dock: top; height: 2; }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "totals", self._totals_changed, init=False)

    def _totals_changed(self, totals: Totals) -> None:
        self.refresh()

    def render(self) -> Text:
        mode = getattr(self.app, "current_mode", "")
        totals: Totals = getattr(self.app, "totals", Totals())
        active_style = self.get_component_rich_style("app-header--active")
        alert_style = self.get_component_rich_style("app-header--alert")
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        for key, section, title in SECTIONS:
            line.append(f" {key} {title} ", style=active_style if section == mode else "")
        width = self.size.width
        brand = " qtorrentino "
        if width - line.cell_len > len(brand) + 1:
            line.append(" " * (width - line.cell_len - len(brand)))
            line.append(brand, style=self.get_component_rich_style("app-header--brand"))
        line.append("\n")
        line.append(f" active {totals.active} · ")
        line.append(f"awaiting approval {totals.waiting}", style=alert_style if totals.waiting else "")
        if totals.failed:
            line.append(" · ")
            line.append(f"failed {totals.failed}", style=alert_style)
        line.append(f" · ↓ {human_rate(totals.down_bps)} · ↑ {human_rate(totals.up_bps)}")
        return line

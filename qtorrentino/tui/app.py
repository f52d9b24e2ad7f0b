"""QtorrentinoApp: the terminal face over one engine (a first screen: the tickets list)."""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header

if TYPE_CHECKING:
    from qtorrentino.config.home import Home
    from qtorrentino.config.model import Config
    from qtorrentino.engine.engine import Engine


@dataclass(frozen=True, slots=True)
class UiSettings:
    """What the app takes from config: theme, key remaps, theme folders."""

    theme: str = "qtorrentino-dark"
    keys: dict[str, str] = field(default_factory=dict)
    theme_dirs: tuple[Path, ...] = ()

    @classmethod
    def from_config(cls, config: Config, home: Home) -> UiSettings:
        return cls(theme=config.ui.theme, keys=dict(config.ui.keys))


class QtorrentinoApp(App[None]):
    """The terminal face of one engine."""

    TITLE = "qtorrentino"
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, engine: Engine, settings: UiSettings) -> None:
        super().__init__()
        self.engine = engine
        self.settings = settings
        self.hung_up = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="tickets")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("ID", "State", "Title")
        for ticket in self.engine.tickets.list(limit=200):
            table.add_row(ticket.id, ticket.state.value, ticket.title)
        loop = self._loop
        if loop is not None:
            loop.add_signal_handler(signal.SIGHUP, self._hang_up)

    def _hang_up(self) -> None:
        self.hung_up = True
        self.exit()

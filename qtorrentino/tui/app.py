"""QtorrentinoApp: six sections over one engine, the engine-event pump, themes, keymap, SIGHUP/SIGTERM."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.signal import Signal

from qtorrentino.domain.states import TERMINAL_STATES, WAITING_FOR_PERSON, TicketState
from qtorrentino.events import AuditRecorded, Batch, TorrentProgress
from qtorrentino.tui.commands import binding_commands
from qtorrentino.tui.driver import TerminalDriver
from qtorrentino.tui.keymap import binding_ids, build_keymap
from qtorrentino.tui.notify import show_toasts
from qtorrentino.tui.screens import modals
from qtorrentino.tui.screens.approvals import ApprovalsScreen
from qtorrentino.tui.screens.audit import AuditEventScreen, AuditScreen
from qtorrentino.tui.screens.downloads import DownloadsScreen
from qtorrentino.tui.screens.help import HelpScreen
from qtorrentino.tui.screens.library import LibraryScreen
from qtorrentino.tui.screens.new_ticket import NewTicketScreen
from qtorrentino.tui.screens.ticket_detail import TicketDetailScreen
from qtorrentino.tui.screens.tickets import TicketsScreen
from qtorrentino.tui.screens.unmatched import UnmatchedScreen
from qtorrentino.tui.screens.wanted import WantedScreen
from qtorrentino.tui.settings import UiSettings
from qtorrentino.tui.themes import APP_VARIABLE_DEFAULTS, DEFAULT_THEME, load_themes
from qtorrentino.tui.widgets.candidate_panel import CandidatePanel
from qtorrentino.tui.widgets.filter_bar import FilterBar
from qtorrentino.tui.widgets.header import Totals
from qtorrentino.tui.widgets.paged_table import PagedTable

if TYPE_CHECKING:
    from qtorrentino.engine.engine import Engine

__all__ = ["QtorrentinoApp", "UiSettings"]

log = logging.getLogger(__name__)

PUMP_SECONDS = 0.2
"""How often the UI drains the engine's events: bounds the UI's update rate whatever the engine does."""
COUNTED_EVENTS = frozenset({"TicketStateChanged", "TicketCreated"})
"""Audit events that change the header's ticket counts."""


class QtorrentinoApp(App[None]):
    """The terminal face of one engine: six sections, a wizard, help and a palette reaching every action."""

    TITLE = "qtorrentino"
    CSS_PATH = "app.tcss"
    MODES: ClassVar[dict[str, type[Screen[None]]]] = {  # type: ignore[assignment]
        "tickets": TicketsScreen, "downloads": DownloadsScreen, "approvals": ApprovalsScreen,
        "unmatched": UnmatchedScreen, "library": LibraryScreen, "audit": AuditScreen,
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "switch_mode('tickets')", "Tickets", show=False, id="app.tickets"),
        Binding("2", "switch_mode('downloads')", "Downloads", show=False, id="app.downloads"),
        Binding("3", "switch_mode('approvals')", "Approvals", show=False, id="app.approvals"),
        Binding("4", "switch_mode('unmatched')", "Unmatched", show=False, id="app.unmatched"),
        Binding("5", "switch_mode('library')", "Library", show=False, id="app.library"),
        Binding("6", "switch_mode('audit')", "Audit", show=False, id="app.audit"),
        Binding("n", "new_ticket", "New", id="app.new_ticket"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+z", "suspend_process", "Suspend", show=False, id="app.suspend"),
    ]
    BINDING_OWNERS: ClassVar[tuple[type, ...]] = (
        TicketsScreen, TicketDetailScreen, DownloadsScreen, ApprovalsScreen, UnmatchedScreen, LibraryScreen,
        AuditScreen, AuditEventScreen, NewTicketScreen, HelpScreen, modals.ConfirmModal, modals.TextPromptModal,
        modals.PickModal, PagedTable, FilterBar, CandidatePanel, WantedScreen,
    )
    """Every class declaring bindings: what [ui.keys] may remap."""

    totals: reactive[Totals] = reactive(Totals, always_update=True)
    """The header's numbers."""

    class TotalsRead(Message):
        """Ticket counts read off the UI thread."""

        def __init__(self, counts: dict[TicketState, int]) -> None:
            super().__init__()
            self.counts = counts

    def __init__(self, engine: Engine, settings: UiSettings) -> None:
        super().__init__(driver_class=None if sys.platform == "win32" else TerminalDriver)
        self.engine = engine
        self.settings = settings
        self.hung_up = False
        """True once the terminal hung up (SIGHUP): the caller keeps the engine running headless."""
        self.engine_events: Signal[Batch] = Signal(self, "engine-events")
        self._mailbox = engine.bus.open_mailbox()
        self._rates: dict[str, tuple[int, int]] = {}
        self._counts: dict[TicketState, int] = {}
        self._signals: list[int] = []
        self._warnings: list[str] = []
        self._choose_theme()

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(APP_VARIABLE_DEFAULTS)

    def on_mount(self) -> None:
        """Keys, signals, pump, theme CSS; start-up objects are frozen so a full GC never stalls a frame."""
        keymap = build_keymap(self.settings.keys, binding_ids((type(self), *self.BINDING_OWNERS)))
        self.set_keymap(keymap.keys)
        for warning in (*self._warnings, *keymap.warnings):
            self.notify(warning, severity="warning", markup=False, timeout=10)
        self._install_signal_handlers()
        self.set_interval(PUMP_SECONDS, self._pump_engine_events)
        self.refresh_css(animate=False)
        self.switch_mode("tickets")
        self._read_counts()
        self.call_after_refresh(gc.freeze)

    def _choose_theme(self) -> None:
        """Register the theme files and start in the configured theme (set before the first CSS pass)."""
        themes, problems = load_themes(self.settings.theme_dirs)
        for theme in themes:
            self.register_theme(theme)
        self._warnings.extend(f"theme {problem.path.name} skipped: {problem.reason}" for problem in problems)
        wanted = self.settings.theme
        if wanted not in self.available_themes:
            self._warnings.append(f"[ui] theme '{wanted}' not found; using {DEFAULT_THEME}")
            wanted = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
        self.set_reactive(App.theme, wanted)
        dark = self.current_theme.dark
        self.set_class(dark, "-dark-mode", update=False)
        self.set_class(not dark, "-light-mode", update=False)
        self.set_class(True, f"-theme-{wanted}", update=False)

    def _install_signal_handlers(self) -> None:
        """A dropped SSH session (SIGHUP) leaves the engine running headless; SIGTERM quits cleanly."""
        loop = asyncio.get_running_loop()
        for signum, handler in ((signal.SIGHUP, self.hang_up), (signal.SIGTERM, self._terminate)):
            try:
                loop.add_signal_handler(signum, handler)
            except (NotImplementedError, RuntimeError, ValueError):
                log.warning("cannot watch signal %s here", signum)
                continue
            self._signals.append(signum)

    def hang_up(self) -> None:
        """The terminal is gone: end the app and tell the caller to keep the engine running headless."""
        self.hung_up = True
        self.exit()

    def _terminate(self) -> None:
        """SIGTERM stops everything, even after a hang-up: the engine must not outlive a stop request."""
        self.hung_up = False
        self.exit()

    def on_unmount(self) -> None:
        self.engine.bus.close_mailbox(self._mailbox)
        loop = asyncio.get_running_loop()
        for signum in self._signals:
            loop.remove_signal_handler(signum)
        if self._signals:
            # Until the caller installs its own handlers: a stop request is remembered, not fatal, and a
            # hang-up during teardown must not kill the engine before it saved its state.
            signal.signal(signal.SIGTERM, self._terminate_after_unmount)
            signal.signal(signal.SIGHUP, signal.SIG_IGN)

    def _terminate_after_unmount(self, signum: int, frame: object) -> None:
        self.hung_up = False

    def _pump_engine_events(self) -> None:
        batch = self._mailbox.drain()
        if not batch:
            return
        show_toasts(self, batch)
        self.engine_events.publish(batch)
        rates_changed = False
        for event in batch.latest:
            if isinstance(event, TorrentProgress):
                self._rates[event.info_hash] = (event.download_bps, event.upload_bps)
                rates_changed = True
        if batch.overflowed or any(isinstance(event, AuditRecorded) and event.type in COUNTED_EVENTS
                                   for event in batch.ordered):
            self._read_counts()
        elif rates_changed:
            self._update_totals()

    @work(thread=True, exclusive=True, group="app-totals", exit_on_error=False)
    def _read_counts(self) -> None:
        self.post_message(self.TotalsRead(self.engine.tickets.counts()))

    @on(TotalsRead)
    def _totals_read(self, message: TotalsRead) -> None:
        self._counts = message.counts
        self._update_totals()

    def _update_totals(self) -> None:
        counts = self._counts
        self.totals = Totals(
            active=sum(n for state, n in counts.items() if state not in TERMINAL_STATES
                       and state not in WAITING_FOR_PERSON and state is not TicketState.FAILED),
            waiting=sum(counts.get(state, 0) for state in WAITING_FOR_PERSON),
            failed=counts.get(TicketState.FAILED, 0),
            down_bps=sum(down for down, _ in self._rates.values()),
            up_bps=sum(up for _, up in self._rates.values()),
        )

    def action_new_ticket(self) -> None:
        self.push_screen(NewTicketScreen())

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from binding_commands(self, screen)

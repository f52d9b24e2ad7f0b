"""EngineScreen: the engine, the event subscription, stale → reload on resume, commands off the loop, error toasts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from textual import on
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from qtorrentino.engine.core import actor_name
from qtorrentino.errors import QtorrentinoError
from qtorrentino.events import AuditRecorded, Batch, Event
from qtorrentino.tui.text import visible
from qtorrentino.tui.widgets.filter_bar import FilterBar
from qtorrentino.tui.widgets.paged_table import PagedTable

if TYPE_CHECKING:
    from qtorrentino.engine.engine import Engine
    from qtorrentino.tui.app import QtorrentinoApp

log = logging.getLogger(__name__)

T = TypeVar("T")

TUI_ACTOR = actor_name("tui")
"""Who the audit log names for what a person does here: `tui:<user>`."""


class CommandDone(Message):
    """An engine command finished: say so, then show fresh data."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class EngineScreen(Screen[None]):
    """A screen over the engine: loads off the UI thread, reloads when engine events say its data changed."""

    BINDINGS: ClassVar[list[BindingType]] = []

    def __init__(self) -> None:
        super().__init__()
        # A section screen is created on its first visit and styled as it mounts; marking it current with the
        # app's CSS spares Textual's full restyle of every screen on each first switch (a pinned-version detail).
        self._css_update_count = self.app._css_update_count
        self._stale = False
        self._binding_state: tuple[bool | None, ...] = ()
        self.filter_text = ""
        """The `/` filter in force (empty: none)."""

    @property
    def qt_app(self) -> QtorrentinoApp:
        return cast("QtorrentinoApp", self.app)

    @property
    def engine(self) -> Engine:
        return self.qt_app.engine

    def on_mount(self) -> None:
        self.qt_app.engine_events.subscribe(self, self._on_engine_events)
        self.app.theme_changed_signal.subscribe(self, self._on_theme_changed)
        self.reload()

    def _on_theme_changed(self, theme: object) -> None:
        """Cells carry the theme's colours: draw them again (hidden screens when next shown)."""
        if self.is_current:
            self.reload()
        else:
            self._stale = True

    def on_screen_resume(self) -> None:
        if self._stale:
            self._stale = False
            self.reload()
        self.update_bindings()

    def _on_engine_events(self, batch: Batch) -> None:
        if self.wants(batch):
            if self.is_current:
                self.reload()
            else:
                self._stale = True
        if batch.latest and self.is_current:
            self.apply_live(batch.latest)

    def reload(self) -> None:
        """Read this screen's data again (in a thread worker that posts the result)."""

    def wants(self, batch: Batch) -> bool:
        """Whether these engine events change what this screen shows (default: any audit event)."""
        return batch.overflowed or any(isinstance(event, AuditRecorded) for event in batch.ordered)

    def apply_live(self, events: tuple[Event, ...]) -> None:
        """Change cells in place for live numbers (progress, rates); never a reload."""

    def run_command(self, call: Callable[[], T], done: str | Callable[[T], str]) -> None:
        """Run an engine command off the UI thread; toast `done` on success, the error's message on failure."""
        self.run_worker(partial(self._command, call, done), thread=True, group="screen-command",
                        exit_on_error=False)

    def _command(self, call: Callable[[], T], done: str | Callable[[T], str]) -> None:
        result = call()
        self.post_message(CommandDone(done(result) if callable(done) else done))

    @on(CommandDone)
    def _command_done(self, message: CommandDone) -> None:
        self.notify(message.text, markup=False)
        self.reload()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        toast_worker_error(self, event)

    def action_filter(self) -> None:
        self.query_one(FilterBar).open()

    @on(FilterBar.Edited)
    def _filter_changed(self, message: FilterBar.Edited) -> None:
        if message.value != self.filter_text:
            self.filter_text = message.value
            self.filter_changed()

    def filter_changed(self) -> None:
        """The `/` filter text changed: show what matches (default: reload)."""
        self.reload()

    @on(FilterBar.Done)
    def _filter_done(self, message: FilterBar.Done) -> None:
        shown = [table for table in self.query(PagedTable) if table.display]
        if shown:
            shown[0].focus()

    @on(PagedTable.Highlighted)
    def _highlight_moved(self, event: PagedTable.Highlighted) -> None:
        self.update_bindings()

    def update_bindings(self) -> None:
        """Refresh the footer only when an action's availability changed: a footer rebuild is not free."""
        state = tuple(self.check_action(binding.action.partition("(")[0], ())
                      for binding in self.BINDINGS if isinstance(binding, Binding))
        if state != self._binding_state:
            self._binding_state = state
            self.refresh_bindings()


def toast_worker_error(screen: Screen[Any], event: Worker.StateChanged) -> None:
    """A failed worker becomes a toast: the error's message and hint, or a pointer to the log for a bug."""
    if event.state is not WorkerState.ERROR:
        return
    error = event.worker.error
    if isinstance(error, QtorrentinoError):
        screen.notify(visible(error.message), title=visible(error.hint) or "Failed", severity="error",
                      markup=False, timeout=8)
    else:
        log.error("screen %s: worker %s failed", screen.id, event.worker.name, exc_info=error)
        screen.notify(visible(f"internal error: {type(error).__name__}: {error} (see logs/qtorrentino.log)"),
                      severity="error", markup=False, timeout=8)


def filter_binding(screen: str) -> Binding:
    """The `/` binding of a screen, with its own id so it can be remapped per screen."""
    return Binding("slash", "filter", "Filter", id=f"{screen}.filter")

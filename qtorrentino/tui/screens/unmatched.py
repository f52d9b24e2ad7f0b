"""4 Unmatched: files nobody could identify, with suggestions; match, search by title, dismiss, refresh."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from qtorrentino.engine.library_api import LibraryView, SuggestionView, UnmatchedView
from qtorrentino.events import AuditRecorded, Batch
from qtorrentino.tui.screens.base import TUI_ACTOR, EngineScreen, filter_binding
from qtorrentino.tui.screens.modals import TextPromptModal
from qtorrentino.tui.text import inside, plain
from qtorrentino.tui.units import human_size
from qtorrentino.tui.widgets.filter_bar import FilterBar
from qtorrentino.tui.widgets.header import AppHeader
from qtorrentino.tui.widgets.key_footer import KeyFooter
from qtorrentino.tui.widgets.paged_table import Column, PagedTable, Row

FILE_LIMIT = 500
FILE_COLUMNS = (Column("path", "File", flex=True), Column("size", "Size", 9), Column("library", "Library", 10,
                                                                                     spill=True),
                Column("status", "Status", 10, spill=True))
SUGGESTION_COLUMNS = (Column("label", "Suggestion", flex=True), Column("confidence", "Conf", 5),
                      Column("source", "Source", 11, spill=True))
UNMATCHED_EVENTS = frozenset({"ScanCompleted", "UnmatchedMatched", "UnmatchedDismissed", "PlacementCompleted"})


@dataclass(frozen=True, slots=True)
class Suggestions:
    """What the suggestion pane shows: the file's own suggestions, or the results of a typed search."""

    file_id: int
    entries: tuple[SuggestionView, ...]
    searched: bool
    """True when these came from `e` (match by target), False for the file's own (match by index)."""


class UnmatchedScreen(EngineScreen):
    """Files a scan or a torrent brought that matched no library item."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]  # noqa: RUF012 - Textual declares it per instance
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "match", "Match", id="unmatched.match"),
        Binding("e", "search", "Search", id="unmatched.search"),
        Binding("i", "dismiss_file", "Dismiss", id="unmatched.dismiss"),
        Binding("R", "refresh_file", "Refresh", id="unmatched.refresh"),
        Binding("tab", "switch_pane", "Pane", id="unmatched.switch_pane"),
        filter_binding("unmatched"),
    ]

    class FilesLoaded(Message):
        """The unmatched files and the library roots (to show paths inside their library), read off the UI thread."""

        def __init__(self, files: Sequence[UnmatchedView], libraries: Sequence[LibraryView]) -> None:
            super().__init__()
            self.files = files
            self.roots = {library.name: library.root for library in libraries}

    class SearchDone(Message):
        """Library items matching a typed title."""

        def __init__(self, suggestions: Suggestions) -> None:
            super().__init__()
            self.suggestions = suggestions

    def __init__(self) -> None:
        super().__init__()
        self._files: dict[str, UnmatchedView] = {}
        self._roots: dict[str, str] = {}
        self._suggestions: Suggestions | None = None

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(id="status", classes="status")
        with Horizontal(id="unmatched-panes"):
            yield PagedTable(FILE_COLUMNS, id="files")
            yield PagedTable(SUGGESTION_COLUMNS, id="suggestions")
        yield FilterBar()
        yield KeyFooter()

    @property
    def files(self) -> PagedTable:
        return self.query_one("#files", PagedTable)

    @property
    def suggestions(self) -> PagedTable:
        return self.query_one("#suggestions", PagedTable)

    @property
    def selected(self) -> UnmatchedView | None:
        key = self.files.current_key
        return self._files.get(key) if key is not None else None

    def reload(self) -> None:
        self._load()

    def wants(self, batch: Batch) -> bool:
        return batch.overflowed or any(isinstance(event, AuditRecorded) and event.type in UNMATCHED_EVENTS
                                       for event in batch.ordered)

    @work(thread=True, exclusive=True, group="unmatched-load", exit_on_error=False)
    def _load(self) -> None:
        files = self.engine.library.unmatched(limit=FILE_LIMIT)
        libraries = self.engine.library.libraries()
        if not get_current_worker().is_cancelled:
            self.post_message(self.FilesLoaded(files, libraries))

    @on(FilesLoaded)
    def _files_loaded(self, message: FilesLoaded) -> None:
        self._files = {str(entry.id): entry for entry in message.files}
        self._roots = message.roots
        self._show_files()


    def filter_changed(self) -> None:
        self._show_files()

    def _show_files(self) -> None:
        needle = self.filter_text.casefold()
        rows = [Row(key, (plain(inside(entry.path, self._roots.get(entry.library or ""))),
                          plain(human_size(entry.size)), plain(entry.library or "—"), plain(entry.status)))
                for key, entry in self._files.items() if not needle or needle in entry.path.casefold()]
        self.files.show_rows(rows)
        self._show_status()
        self._show_own_suggestions()

    def _show_status(self) -> None:
        status = f"Unmatched · {len(self._files)} files"
        if self.filter_text:
            status += f" · filter: {self.filter_text}"
        if not self._files:
            status += " · nothing to identify"
        elif (selected := self.selected) is not None and selected.note:
            status += f" · {selected.note}"
        self.query_one("#status", Static).update(plain(status))

    def _show_own_suggestions(self) -> None:
        selected = self.selected
        if selected is None:
            self._show_suggestions(None)
        elif self._suggestions is None or self._suggestions.file_id != selected.id or not self._suggestions.searched:
            self._show_suggestions(Suggestions(selected.id, tuple(selected.suggestions), searched=False))

    def _show_suggestions(self, suggestions: Suggestions | None) -> None:
        self._suggestions = suggestions
        entries = suggestions.entries if suggestions is not None else ()
        self.suggestions.show_rows([
            Row(str(index), (plain(entry.label), plain(f"{entry.confidence:.2f}"), plain(entry.source)))
            for index, entry in enumerate(entries)])
        self.update_bindings()

    @on(PagedTable.Highlighted, "#files")
    def _file_moved(self, event: PagedTable.Highlighted) -> None:
        self._show_own_suggestions()
        self._show_status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"match", "search", "dismiss_file", "refresh_file"}:
            if self.selected is None:
                return None
            if action == "match" and self.suggestions.current_key is None:
                return None
        return True

    def action_switch_pane(self) -> None:
        """Focus the next pane at once (not after a refresh), so keys typed ahead reach it."""
        self.set_focus(self.suggestions if self.files.has_focus else self.files)

    def action_match(self) -> None:
        selected, suggestions, key = self.selected, self._suggestions, self.suggestions.current_key
        if selected is None or suggestions is None or key is None:
            return
        library, file_id, index = self.engine.library, selected.id, int(key)
        chosen = suggestions.entries[index]
        if suggestions.searched:
            self.run_command(lambda: library.match(file_id, target=chosen.target, actor=TUI_ACTOR),
                             f"Matched to {chosen.label}")
        else:
            self.run_command(lambda: library.match(file_id, suggestion_index=index, actor=TUI_ACTOR),
                             f"Matched to {chosen.label}")

    def action_search(self) -> None:
        if (selected := self.selected) is None:
            return
        file_id = selected.id

        def answered(text: str | None) -> None:
            if text and text.strip():
                self._search(file_id, text.strip())

        self.app.push_screen(TextPromptModal("Search the library for the title:"), answered)

    @work(thread=True, exclusive=True, group="unmatched-search", exit_on_error=False)
    def _search(self, file_id: int, text: str) -> None:
        found = self.engine.library.search_items(text)
        self.post_message(self.SearchDone(Suggestions(file_id, tuple(found), searched=True)))

    @on(SearchDone)
    def _search_done(self, message: SearchDone) -> None:
        selected = self.selected
        if selected is not None and selected.id == message.suggestions.file_id:
            self._show_suggestions(message.suggestions)
            if not message.suggestions.entries:
                self.notify("Nothing in the library has that title", severity="warning", markup=False)
            else:
                self.suggestions.focus()

    def action_dismiss_file(self) -> None:
        if (selected := self.selected) is not None:
            library, file_id = self.engine.library, selected.id
            self.run_command(lambda: library.dismiss(file_id, actor=TUI_ACTOR), "File dismissed")

    def action_refresh_file(self) -> None:
        if (selected := self.selected) is not None:
            library, file_id = self.engine.library, selected.id
            self._suggestions = None
            self.run_command(lambda: library.refresh(file_id),
                             lambda fresh: f"{len(fresh.suggestions)} suggestions for {PurePosixPath(fresh.path).name}")

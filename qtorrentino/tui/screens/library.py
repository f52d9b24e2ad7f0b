"""5 Library: libraries → items with status and progress; scan, organize (dry run first), trash, restore."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import ContentSwitcher, Footer, Static
from textual.worker import get_current_worker

from qtorrentino.clock import iso
from qtorrentino.events import AuditRecorded, Batch
from qtorrentino.tui.palette import cell_styles
from qtorrentino.tui.screens.base import TUI_ACTOR, EngineScreen, filter_binding
from qtorrentino.tui.screens.modals import ConfirmModal, PickModal
from qtorrentino.tui.screens.unmatched import NOT_LOADED
from qtorrentino.tui.text import plain
from qtorrentino.tui.units import progress_bar
from qtorrentino.tui.widgets.filter_bar import FilterBar
from qtorrentino.tui.widgets.header import AppHeader
from qtorrentino.tui.widgets.paged_table import Column, PagedTable, Row

ITEM_LIMIT = 500
MAX_PLAN_LINES = 200
LIBRARY_COLUMNS = (Column("name", "Library", 16), Column("kind", "Kind", 10), Column("items", "Items", 7),
                   Column("root", "Folder", flex=True))
ITEM_COLUMNS = (Column("title", "Title", flex=True), Column("number", "No.", 6), Column("status", "Status", 11),
                Column("progress", "Progress", 13), Column("flags", "", 8, spill=True),
                Column("year", "Year", 4, spill=True))
LIBRARY_EVENTS = frozenset({"ScanCompleted", "PlacementCompleted", "ItemTrashed", "ItemRestored", "ItemPurged",
                            "UnmatchedMatched", "DownloadStarted", "DownloadCompleted"})
STATUS_TONES = {"available": "good", "missing": "bad", "downloading": "busy", "wanted": "waiting"}


@dataclass(frozen=True, slots=True)
class Level:
    """Where the person is: a library, and the item whose children are listed (None: its top level)."""

    library: str
    parent_id: int | None
    title: str


class LibraryScreen(EngineScreen):
    """The libraries and what they hold; enter goes down a level, backspace comes back up."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="library.open"),
        Binding("backspace,escape", "up", "Up", id="library.up"),
        Binding("S", "scan", "Scan", id="library.scan"),
        Binding("o", "organize", "Organize", id="library.organize"),
        Binding("t", "trash", "Trash", id="library.trash"),
        Binding("u", "restore", "Restore", id="library.restore"),
        filter_binding("library"),
    ]

    class Loaded(Message):
        """Libraries or items, read off the UI thread."""

        def __init__(self, level: Level | None, entries: Sequence[Any]) -> None:
            super().__init__()
            self.level = level
            self.entries = entries

    class Ready(Message):
        """Something read off the UI thread that needs a question answered (organize plan, trash list)."""

        def __init__(self, kind: str, library: str, entries: Sequence[Any]) -> None:
            super().__init__()
            self.kind = kind
            self.library = library
            self.entries = entries

    def __init__(self) -> None:
        super().__init__()
        self._levels: list[Level] = []
        self._entries: dict[str, Any] = {}

    @property
    def library(self) -> Any | None:
        """The engine's library API, or None while that part is not loaded."""
        return getattr(self.engine, "library", None)

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(id="status", classes="status")
        with ContentSwitcher(initial="libraries", id="library-panes"):
            yield PagedTable(LIBRARY_COLUMNS, id="libraries")
            yield PagedTable(ITEM_COLUMNS, id="items")
        yield FilterBar()
        yield Footer(compact=True)

    @property
    def table(self) -> PagedTable:
        return self.query_one("#items" if self._levels else "#libraries", PagedTable)

    @property
    def selected(self) -> Any | None:
        key = self.table.current_key
        return self._entries.get(key) if key is not None else None

    @property
    def current_library(self) -> str | None:
        """The library being browsed, or the highlighted one at the top."""
        if self._levels:
            return self._levels[-1].library
        selected = self.selected
        return str(selected.name) if selected is not None else None

    def reload(self) -> None:
        if self.library is None:
            self.query_one("#status", Static).update(plain(f"Library · {NOT_LOADED}"))
            return
        self._load(self._levels[-1] if self._levels else None)

    def wants(self, batch: Batch) -> bool:
        return batch.overflowed or any(isinstance(event, AuditRecorded) and event.type in LIBRARY_EVENTS
                                       for event in batch.ordered)

    @work(thread=True, exclusive=True, group="library-load", exit_on_error=False)
    def _load(self, level: Level | None) -> None:
        library = self.library
        assert library is not None
        if level is None:
            entries = library.libraries()
        else:
            entries = library.items(level.library, parent_id=level.parent_id, limit=ITEM_LIMIT)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(level, entries))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.level != (self._levels[-1] if self._levels else None):
            return
        if message.level is None:
            self._entries = {str(entry.name): entry for entry in message.entries}
        else:
            self._entries = {str(entry.id): entry for entry in message.entries}
        self._show()

    def filter_changed(self) -> None:
        self._show()

    def _show(self) -> None:
        styles = cell_styles(self.app.theme_variables)
        needle = self.filter_text.casefold()
        rows: list[Row] = []
        for key, entry in self._entries.items():
            if self._levels:
                if needle and needle not in str(entry.title).casefold():
                    continue
                flags = ("▸ " if entry.has_children else "") + ("locked " if entry.locked else "") + (
                    "trashed" if entry.trashed else "")
                number = entry.number if entry.number is not None else ""
                season = f"S{entry.season:02d} " if entry.season is not None and entry.kind == "episode" else ""
                rows.append(Row(key, (
                    plain(("▸ " if entry.has_children else "  ") + str(entry.title)), plain(f"{season}{number}"),
                    plain(entry.status, style=styles.tone(STATUS_TONES.get(str(entry.status), ""))),
                    progress_bar(entry.progress, styles.complete, styles.remaining), plain(flags.strip()),
                    plain(entry.year or ""))))
            elif not needle or needle in key.casefold():
                rows.append(Row(key, (plain(entry.name), plain(entry.kind), plain(str(entry.item_count)),
                                      plain(entry.root))))
        self.query_one("#library-panes", ContentSwitcher).current = "items" if self._levels else "libraries"
        self.table.show_rows(rows)
        self.table.focus()
        where = " › ".join(level.title for level in self._levels) or "all libraries"
        status = f"Library · {where} · {len(rows)} shown"
        if self.filter_text:
            status += f" · filter: {self.filter_text}"
        self.query_one("#status", Static).update(plain(status))
        self.update_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.library is None and action in {"open", "up", "scan", "organize", "trash", "restore"}:
            return None
        selected = self.selected
        if action == "open":
            return True if selected is not None and (not self._levels or selected.has_children) else None
        if action == "up":
            return True if self._levels else None
        if action in {"scan", "organize"}:
            return True if self.current_library is not None else None
        if action == "trash":
            return True if self._levels and selected is not None and not selected.trashed else None
        return True

    def _go(self, levels: list[Level]) -> None:
        self._levels = levels
        self._entries = {}
        self.table.clear()
        self.reload()

    def action_open(self) -> None:
        if (selected := self.selected) is None:
            return
        if not self._levels:
            self._go([Level(str(selected.name), None, str(selected.name))])
        elif selected.has_children:
            self._go([*self._levels, Level(self._levels[-1].library, int(selected.id), str(selected.title))])

    def action_up(self) -> None:
        if self._levels:
            self._go(self._levels[:-1])

    def action_scan(self) -> None:
        if self.library is None or (name := self.current_library) is None:
            return
        library = self.library
        self.run_command(lambda: library.scan(name), lambda result: (
            f"Scan of {name}: {result.seen} seen, {result.new} new, {result.changed} changed, "
            f"{result.missing} missing, {result.matched} matched, {result.unmatched} unmatched"))

    def action_organize(self) -> None:
        if self.library is not None and (name := self.current_library) is not None:
            self._read_for_question("organize", name)

    def action_restore(self) -> None:
        if self.library is not None:
            self._read_for_question("restore", self.current_library or "")

    @work(thread=True, exclusive=True, group="library-question", exit_on_error=False)
    def _read_for_question(self, kind: str, name: str) -> None:
        library = self.library
        assert library is not None
        entries = library.organize(name, apply=False) if kind == "organize" else library.trash()
        self.post_message(self.Ready(kind, name, entries))

    @on(Ready)
    def _ready(self, message: Ready) -> None:
        library = self.library
        if library is None:
            return
        if message.kind == "organize":
            self._ask_organize(message.library, message.entries)
        else:
            self._ask_restore(message.entries)

    def _ask_organize(self, name: str, plans: Sequence[Any]) -> None:
        library = self.library
        if not plans:
            self.notify(f"{name} already follows its naming template", markup=False)
            return
        collisions = sum(1 for plan in plans if plan.collision)
        lines = [plain(f"{'⚠ ' if plan.collision else ''}{plan.source} → {plan.target}")
                 for plan in plans[:MAX_PLAN_LINES]]
        if len(plans) > MAX_PLAN_LINES:
            lines.append(Text(f"… and {len(plans) - MAX_PLAN_LINES} more", end=""))
        question = f"Rename {len(plans)} files in {name}?" + (
            f" ({collisions} collide and will be skipped)" if collisions else "")

        def confirmed(answer: bool | None) -> None:
            if answer and library is not None:
                self.run_command(lambda: library.organize(name, apply=True),
                                 lambda done: f"Organized {name}: {len(done)} files renamed")

        self.app.push_screen(ConfirmModal(question, lines), confirmed)

    def _ask_restore(self, trashed: Sequence[Any]) -> None:
        library = self.library
        if not trashed:
            self.notify("The trash is empty", markup=False)
            return
        options = [plain(f"{entry.description} · {entry.original_path} · purged after {iso(entry.purge_after)}")
                   for entry in trashed]

        def picked(index: int | None) -> None:
            if index is not None and library is not None:
                trash_id = trashed[index].id
                self.run_command(lambda: library.restore(trash_id, actor=TUI_ACTOR), "Restored from trash")

        self.app.push_screen(PickModal("Restore which?", options), picked)

    def action_trash(self) -> None:
        if self.library is None or (selected := self.selected) is None or not self._levels:
            return
        library, item_id = self.library, int(selected.id)

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.run_command(lambda: library.trash_item(item_id, actor=TUI_ACTOR),
                                 "Moved to trash (u restores it)")

        self.app.push_screen(ConfirmModal("Move this item and its files to the trash?",
                                          [plain(selected.title), plain(selected.path or "")]), confirmed)

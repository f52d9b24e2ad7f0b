"""5 Library: libraries → items with status and progress; scan, organize (dry run first), trash, restore."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import ContentSwitcher, Static
from textual.worker import get_current_worker

from qtorrentino.clock import iso
from qtorrentino.engine.library_api import LibraryItemView, LibraryView, RenamePlan, TrashView
from qtorrentino.events import AuditRecorded, Batch, Event, TorrentProgress
from qtorrentino.tui.palette import cell_styles
from qtorrentino.tui.screens.base import TUI_ACTOR, EngineScreen, filter_binding
from qtorrentino.tui.screens.modals import ConfirmModal, PickModal
from qtorrentino.tui.text import inside, plain
from qtorrentino.tui.units import progress_bar
from qtorrentino.tui.widgets.filter_bar import FilterBar
from qtorrentino.tui.widgets.header import AppHeader
from qtorrentino.tui.widgets.key_footer import KeyFooter
from qtorrentino.tui.widgets.paged_table import Column, PagedTable, Row

ITEM_LIMIT = 500
PROGRESS_REFRESH_SECONDS = 2.0
"""How often items waiting on a download are re-read while torrents report progress."""
MAX_PLAN_LINES = 200
LIBRARY_COLUMNS = (Column("name", "Library", 16), Column("kind", "Kind", 10), Column("items", "Items", 7),
                   Column("root", "Folder", flex=True))
ITEM_COLUMNS = (Column("title", "Title", flex=True), Column("number", "No.", 6), Column("status", "Status", 11),
                Column("progress", "Progress", 13), Column("flags", "", 8, spill=True),
                Column("year", "Year", 4, spill=True))
LIBRARY_EVENTS = frozenset({"ScanCompleted", "PlacementCompleted", "ItemTrashed", "ItemRestored", "ItemPurged",
                            "UnmatchedMatched", "DownloadStarted", "DownloadCompleted"})
STATUS_TONES = {"available": "good", "missing": "bad", "unreadable": "bad", "downloading": "busy",
                "wanted": "waiting"}


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

        def __init__(self, level: Level | None, entries: Sequence[LibraryView] | Sequence[LibraryItemView]) -> None:
            super().__init__()
            self.level = level
            self.entries = entries

    class PlanReady(Message):
        """The organizer's dry run, read off the UI thread: what it would rename."""

        def __init__(self, library: str, plans: list[RenamePlan]) -> None:
            super().__init__()
            self.library = library
            self.plans = plans

    class TrashReady(Message):
        """What the trash holds, read off the UI thread."""

        def __init__(self, trashed: list[TrashView]) -> None:
            super().__init__()
            self.trashed = trashed

    def __init__(self) -> None:
        super().__init__()
        self._levels: list[Level] = []
        self._libraries: dict[str, LibraryView] = {}
        self._items: dict[str, LibraryItemView] = {}
        self._progress_read_at = 0.0

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(id="status", classes="status")
        with ContentSwitcher(initial="libraries", id="library-panes"):
            yield PagedTable(LIBRARY_COLUMNS, id="libraries")
            yield PagedTable(ITEM_COLUMNS, id="items")
        yield FilterBar()
        yield KeyFooter()

    @property
    def table(self) -> PagedTable:
        return self.query_one("#items" if self._levels else "#libraries", PagedTable)

    @property
    def selected_item(self) -> LibraryItemView | None:
        key = self.table.current_key
        return self._items.get(key) if key is not None and self._levels else None

    @property
    def current_library(self) -> str | None:
        """The library being browsed, or the highlighted one at the top."""
        if self._levels:
            return self._levels[-1].library
        key = self.table.current_key
        return key if key in self._libraries else None

    def reload(self) -> None:
        self._load(self._levels[-1] if self._levels else None)

    def wants(self, batch: Batch) -> bool:
        return batch.overflowed or any(isinstance(event, AuditRecorded) and event.type in LIBRARY_EVENTS
                                       for event in batch.ordered)

    def apply_live(self, events: tuple[Event, ...]) -> None:
        """Items waiting on a download show its progress: re-read them now and then while torrents move."""
        downloading = any(item.status == "downloading" for item in self._items.values())
        now = time.monotonic()
        if (downloading and now - self._progress_read_at >= PROGRESS_REFRESH_SECONDS
                and any(isinstance(event, TorrentProgress) for event in events)):
            self._progress_read_at = now
            self.reload()

    @work(thread=True, exclusive=True, group="library-load", exit_on_error=False)
    def _load(self, level: Level | None) -> None:
        library = self.engine.library
        entries: Sequence[LibraryView] | Sequence[LibraryItemView]
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
            self._libraries = {entry.name: entry for entry in message.entries if isinstance(entry, LibraryView)}
        else:
            self._items = {str(entry.id): entry for entry in message.entries if isinstance(entry, LibraryItemView)}
        self._show()

    def filter_changed(self) -> None:
        self._show()

    def _show(self) -> None:
        needle = self.filter_text.casefold()
        if self._levels:
            rows = [self._item_row(key, item) for key, item in self._items.items()
                    if not needle or needle in item.title.casefold()]
        else:
            rows = [Row(name, (plain(view.name), plain(view.kind), plain(str(view.item_count)),
                               plain(view.root if view.offline is None
                                     else f"{view.root} (offline: {view.offline})")))
                    for name, view in self._libraries.items() if not needle or needle in name.casefold()]
        self.query_one("#library-panes", ContentSwitcher).current = "items" if self._levels else "libraries"
        self.table.show_rows(rows)
        self.table.focus()
        where = " › ".join(level.title for level in self._levels) or "all libraries"
        status = f"Library · {where} · {len(rows)} shown"
        if self.filter_text:
            status += f" · filter: {self.filter_text}"
        self.query_one("#status", Static).update(plain(status))
        self.update_bindings()

    def _item_row(self, key: str, item: LibraryItemView) -> Row:
        styles = cell_styles(self.app.theme_variables)
        flags = " ".join(flag for flag, is_set in (("locked", item.locked), ("trashed", item.trashed)) if is_set)
        season = f"S{item.season:02d}E" if item.season is not None and item.kind == "episode" else ""
        number = f"{season}{item.number:02d}" if item.number is not None else ""
        return Row(key, (
            plain(("▸ " if item.has_children else "  ") + item.title), plain(number),
            plain(item.status, style=styles.tone(STATUS_TONES.get(item.status, ""))),
            progress_bar(item.progress, styles.complete, styles.remaining) if item.progress is not None
            else plain(""),
            plain(flags), plain(str(item.year or ""))))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        item = self.selected_item
        if action == "open":
            if self._levels:
                return True if item is not None and item.has_children else None
            return True if self.current_library is not None else None
        if action == "up":
            return True if self._levels else None
        if action in {"scan", "organize"}:
            return True if self.current_library is not None else None
        if action == "trash":
            return True if item is not None and not item.trashed else None
        return True

    def _go(self, levels: list[Level]) -> None:
        self._levels = levels
        self._items = {}
        self.table.clear()
        self.reload()

    def action_open(self) -> None:
        if not self._levels:
            if (name := self.current_library) is not None:
                self._go([Level(name, None, name)])
        elif (item := self.selected_item) is not None and item.has_children:
            self._go([*self._levels, Level(self._levels[-1].library, item.id, item.title)])

    def action_up(self) -> None:
        if self._levels:
            self._go(self._levels[:-1])

    def action_scan(self) -> None:
        if (name := self.current_library) is None:
            return
        library = self.engine.library
        self.run_command(lambda: library.scan(name, actor=TUI_ACTOR), lambda result: (
            f"Scan of {name}: {result.seen} seen, {result.new} new, {result.changed} changed, "
            f"{result.missing} missing, {result.matched} matched, {result.unmatched} unmatched"))

    def action_organize(self) -> None:
        if (name := self.current_library) is not None:
            self._plan(name)

    @work(thread=True, exclusive=True, group="library-question", exit_on_error=False)
    def _plan(self, name: str) -> None:
        self.post_message(self.PlanReady(name, self.engine.library.organize(name, apply=False, actor=TUI_ACTOR)))

    @on(PlanReady)
    def _plan_ready(self, message: PlanReady) -> None:
        name, plans, library = message.library, message.plans, self.engine.library
        if not plans:
            self.notify(f"{name} already follows its naming template", markup=False)
            return
        collisions = sum(1 for plan in plans if plan.collision)
        root = self._libraries[name].root if name in self._libraries else None
        lines = [plain(f"{'⚠ ' if plan.collision else ''}{inside(plan.source, root)} → {inside(plan.target, root)}")
                 for plan in plans[:MAX_PLAN_LINES]]
        if len(plans) > MAX_PLAN_LINES:
            lines.append(Text(f"… and {len(plans) - MAX_PLAN_LINES} more", end=""))
        question = f"Rename {len(plans) - collisions} files in {name}?" + (
            f" ({collisions} would collide and are left alone)" if collisions else "")

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.run_command(lambda: library.organize(name, apply=True, actor=TUI_ACTOR),
                                 lambda done: f"Organized {name}: {sum(not plan.collision for plan in done)} renamed")

        self.app.push_screen(ConfirmModal(question, lines), confirmed)

    def action_restore(self) -> None:
        self._read_trash()

    @work(thread=True, exclusive=True, group="library-question", exit_on_error=False)
    def _read_trash(self) -> None:
        self.post_message(self.TrashReady(self.engine.library.trash()))

    @on(TrashReady)
    def _trash_ready(self, message: TrashReady) -> None:
        trashed, library = message.trashed, self.engine.library
        if not trashed:
            self.notify("The trash is empty", markup=False)
            return
        options = [plain(f"{entry.description} · {entry.original_path} · kept until {iso(entry.purge_after)}")
                   for entry in trashed]

        def picked(index: int | None) -> None:
            if index is not None:
                trash_id = trashed[index].id
                self.run_command(lambda: library.restore(trash_id, actor=TUI_ACTOR), "Restored from the trash")

        self.app.push_screen(PickModal("Restore which?", options), picked)

    def action_trash(self) -> None:
        if (item := self.selected_item) is None:
            return
        library, item_id = self.engine.library, item.id

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.run_command(lambda: library.trash_item(item_id, actor=TUI_ACTOR),
                                 "Moved to the trash (u restores it)")

        self.app.push_screen(ConfirmModal("Move this item and its files to the trash?",
                                          [plain(item.title), plain(item.path or "")]), confirmed)

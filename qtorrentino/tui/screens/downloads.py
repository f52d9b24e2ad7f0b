"""2 Downloads: torrents with progress, rates, ETA, peers/seeds, ratio and state; pause/resume and remove."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from qtorrentino.engine.torrents_api import TorrentView
from qtorrentino.events import Event, TorrentProgress
from qtorrentino.tui.palette import CellStyles, cell_styles
from qtorrentino.tui.screens.base import TUI_ACTOR, EngineScreen, filter_binding
from qtorrentino.tui.screens.modals import ConfirmModal
from qtorrentino.tui.text import plain, short_id
from qtorrentino.tui.units import human_duration, human_rate, human_size, progress_bar
from qtorrentino.tui.widgets.filter_bar import FilterBar
from qtorrentino.tui.widgets.header import AppHeader
from qtorrentino.tui.widgets.key_footer import KeyFooter
from qtorrentino.tui.widgets.paged_table import Column, PagedTable

MAX_TORRENTS = 1_000
CLEANUP_MARK = "♻ "
"""Marks a cleanup candidate: past its seed goals, removed first when the storage budget is exceeded."""
COLUMNS = (Column("name", "Name", flex=True), Column("state", "State", 11), Column("progress", "Progress", 13),
           Column("down", "↓", 8), Column("up", "↑", 8), Column("eta", "ETA", 7),
           Column("peers", "Peers/Seeds", 11, spill=True), Column("ratio", "Ratio", 5, spill=True),
           Column("size", "Size", 9, spill=True))


class DownloadsScreen(EngineScreen):
    """What the embedded libtorrent session holds, live."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Detail", id="downloads.open"),
        Binding("p", "pause", "Pause", id="downloads.pause"),
        Binding("d", "remove(False)", "Remove", id="downloads.remove"),
        Binding("D", "remove(True)", "Remove+data", id="downloads.remove_data"),
        filter_binding("downloads"),
    ]

    class Loaded(Message):
        """The torrent list, read off the UI thread."""

        def __init__(self, torrents: list[TorrentView]) -> None:
            super().__init__()
            self.torrents = torrents

    def __init__(self) -> None:
        super().__init__()
        self._torrents: dict[str, TorrentView] = {}
        self._live_only: set[str] = set()
        """Torrents known only from live events so far (the catalog row is not written yet)."""
        self._styles = cell_styles({})

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(id="status", classes="status")
        table = PagedTable(COLUMNS, id="downloads-table")
        table.cell_source = self._cells_for
        yield table
        yield FilterBar()
        yield KeyFooter()

    @property
    def table(self) -> PagedTable:
        return self.query_one("#downloads-table", PagedTable)

    @property
    def selected(self) -> TorrentView | None:
        key = self.table.current_key
        return self._torrents.get(key) if key is not None else None

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="downloads-load", exit_on_error=False)
    def _load(self) -> None:
        torrents = self.engine.torrents.list(limit=MAX_TORRENTS)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(torrents))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        previous = self._torrents
        self._torrents = {view.info_hash: view for view in message.torrents}
        self._live_only -= self._torrents.keys()
        for info_hash in self._live_only:
            self._torrents[info_hash] = previous[info_hash]
        self._show_all()

    def filter_changed(self) -> None:
        self._show_all()

    def _matches(self, torrent: TorrentView) -> bool:
        return not self.filter_text or self.filter_text.casefold() in torrent.name.casefold()

    def _show_all(self) -> None:
        self._styles = cell_styles(self.app.theme_variables)
        self.table.show_keys([key for key, torrent in self._torrents.items() if self._matches(torrent)])
        self._show_status()
        self.update_bindings()

    def _cells_for(self, info_hash: str) -> tuple[Text, ...]:
        return _cells(self._torrents[info_hash], self._styles)

    def _show_status(self) -> None:
        parts = [f"Downloads · {self.table.row_count} torrents"]
        if self.filter_text:
            parts.append(f"filter: {self.filter_text}")
        if not self._torrents:
            parts.append("none yet — approved tickets start downloads here")
        self.query_one("#status", Static).update(plain(" · ".join(parts)))

    def apply_live(self, events: tuple[Event, ...]) -> None:
        added: list[str] = []
        for event in events:
            if not isinstance(event, TorrentProgress):
                continue
            known = self._torrents.get(event.info_hash)
            self._torrents[event.info_hash] = (known.with_progress(event) if known is not None
                                               else TorrentView.from_progress(event))
            if known is None:
                self._live_only.add(event.info_hash)
                added.append(event.info_hash)
            else:
                self.table.invalidate(event.info_hash)
        if added:
            self.table.show_keys([*self.table.keys, *(key for key in added if self._matches(self._torrents[key]))])
            self._show_status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"pause", "remove"}:
            return True if self.selected is not None else None
        if action == "open":
            return True if self.selected is not None and self.selected.info_hash not in self._live_only else None
        return True

    def action_open(self) -> None:
        """The torrent's files, peers and trackers, with its controls."""
        from qtorrentino.tui.screens.torrent_detail import TorrentDetailScreen

        if (torrent := self.selected) is not None:
            self.app.push_screen(TorrentDetailScreen(torrent.info_hash))

    def action_pause(self) -> None:
        if (torrent := self.selected) is None:
            return
        torrents, info_hash = self.engine.torrents, torrent.info_hash
        if torrent.paused:
            self.run_command(lambda: torrents.resume(info_hash), f"Resumed {short_id(info_hash)}")
        else:
            self.run_command(lambda: torrents.pause(info_hash), f"Paused {short_id(info_hash)}")

    def action_remove(self, delete_data: bool) -> None:
        if (torrent := self.selected) is None:
            return
        torrents, info_hash = self.engine.torrents, torrent.info_hash
        question = ("Remove this torrent AND DELETE its downloaded data?" if delete_data
                    else "Remove this torrent (downloaded data stays)?")

        def confirmed(answer: bool | None) -> None:
            if answer:
                self._live_only.discard(info_hash)
                self.run_command(lambda: torrents.remove(info_hash, delete_data=delete_data, actor=TUI_ACTOR),
                                 f"Removed {short_id(info_hash)}" + (" and its data" if delete_data else ""))

        self.app.push_screen(ConfirmModal(question, [plain(torrent.name), plain(info_hash)]), confirmed)


def _cells(torrent: TorrentView, styles: CellStyles) -> tuple[Text, ...]:
    state = "error" if torrent.error else "paused" if torrent.paused else torrent.state
    if torrent.cleanup_candidate:
        state = f"{CLEANUP_MARK}{state}"
    return (
        plain(torrent.name + (" ⚠ " + torrent.error if torrent.error else "")),
        plain(state, style=styles.bad if torrent.error else styles.muted if torrent.paused else ""),
        progress_bar(torrent.progress, styles.complete, styles.remaining),
        plain(human_rate(torrent.download_bps)),
        plain(human_rate(torrent.upload_bps)),
        plain(human_duration(torrent.eta_seconds) if torrent.progress < 1 else "done"),
        plain(f"{torrent.peers}/{torrent.seeds}"),
        plain(f"{torrent.ratio:.2f}"),
        plain(human_size(torrent.total_size) if torrent.total_size else "—"),
    )

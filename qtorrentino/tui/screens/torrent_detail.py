"""One torrent whole: files with priorities (editable), peers and trackers; recheck, reannounce, rate limits."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import ContentSwitcher, Static
from textual.worker import get_current_worker

from qtorrentino.clock import iso
from qtorrentino.engine.torrents_api import PRIORITY_NAMES
from qtorrentino.tui.screens.base import EngineScreen
from qtorrentino.tui.screens.modals import TextPromptModal
from qtorrentino.tui.text import plain, short_id
from qtorrentino.tui.units import human_rate, human_size
from qtorrentino.tui.widgets.header import AppHeader
from qtorrentino.tui.widgets.key_footer import KeyFooter
from qtorrentino.tui.widgets.paged_table import Column, PagedTable, Row

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from qtorrentino.engine.torrents_api import TorrentDetail

REFRESH_SECONDS = 2.0
PANES = (("files", "Files"), ("peers", "Peers"), ("trackers", "Trackers"))
PRIORITY_CYCLE = tuple(PRIORITY_NAMES)
FILE_COLUMNS = (Column("index", "#", 4), Column("priority", "Priority", 8), Column("done", "Done", 5),
                Column("size", "Size", 9), Column("path", "File", flex=True))
PEER_COLUMNS = (Column("address", "Address", 22), Column("client", "Client", flex=True),
                Column("progress", "Has", 5), Column("down", "↓", 9), Column("up", "↑", 9),
                Column("encrypted", "Enc", 4, spill=True))
TRACKER_COLUMNS = (Column("status", "Status", 13), Column("last", "Last announce", 20),
                   Column("url", "Tracker", flex=True), Column("error", "Error", 24, spill=True))


class TorrentDetailScreen(EngineScreen):
    """A torrent's files, peers and trackers, refreshed every two seconds; escape goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "back", "Back", id="torrent.back"),
        Binding("tab", "switch_pane", "Pane", id="torrent.switch_pane"),
        Binding("space", "cycle_priority", "Priority", id="torrent.priority"),
        Binding("c", "recheck", "Recheck", id="torrent.recheck"),
        Binding("a", "reannounce", "Announce", id="torrent.reannounce"),
        Binding("l", "limits", "Limits", id="torrent.limits"),
    ]

    class Loaded(Message):
        """The torrent's detail, read off the UI thread."""

        def __init__(self, detail: TorrentDetail) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self, info_hash: str) -> None:
        super().__init__()
        self.info_hash = info_hash
        self.detail: TorrentDetail | None = None
        self._pane = 0

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(id="detail-summary", classes="detail-summary")
        yield Static(id="pane-tabs", classes="status")
        with ContentSwitcher(initial="files", id="detail-panes"):
            yield PagedTable(FILE_COLUMNS, id="files")
            yield PagedTable(PEER_COLUMNS, id="peers")
            yield PagedTable(TRACKER_COLUMNS, id="trackers")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#files", PagedTable).focus()
        self.set_interval(REFRESH_SECONDS, self.reload)

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="torrent-detail-load", exit_on_error=False)
    def _load(self) -> None:
        detail = self.engine.torrents.detail(self.info_hash)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(detail))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.detail = detail = message.detail
        summary = Text(end="")
        summary.append_text(plain(detail.name, style="bold"))
        limits = [f"{label} {value} KiB/s" for label, value in (("↑", detail.upload_limit_kib),
                                                                ("↓", detail.download_limit_kib)) if value]
        summary.append_text(plain(f"\n{detail.info_hash} · ↑ {human_size(detail.uploaded)} · "
                                  f"↓ {human_size(detail.downloaded)} · ratio {detail.ratio:.2f} · "
                                  f"own limits: {', '.join(limits) or 'none'}"))
        self.query_one("#detail-summary", Static).update(summary)
        self.query_one("#files", PagedTable).show_rows([
            Row(str(f.index), (plain(str(f.index)), plain(PRIORITY_NAMES.get(f.priority, str(f.priority))),
                               plain(f"{f.done * 100 // max(f.size, 1)}%"), plain(human_size(f.size)), plain(f.path)))
            for f in detail.files])
        self.query_one("#peers", PagedTable).show_rows([
            Row(p.address, (plain(p.address), plain(p.client), plain(f"{p.progress * 100:.0f}%"),
                            plain(human_rate(p.download_bps)), plain(human_rate(p.upload_bps)),
                            plain("yes" if p.encrypted else "no")))
            for p in detail.peers])
        self.query_one("#trackers", PagedTable).show_rows([
            Row(t.url, (plain(t.status), plain(iso(t.last_announce_at) or "—"), plain(t.url), plain(t.error or "")))
            for t in detail.trackers])
        self._show_tabs()
        self.update_bindings()

    def _show_tabs(self) -> None:
        tabs = Text(end="")
        for index, (key, title) in enumerate(PANES):
            count = self.query_one(f"#{key}", PagedTable).row_count
            tabs.append(f" {title} ({count}) ", style="reverse bold" if index == self._pane else "")
        tabs.append("   tab: next pane · space: file priority")
        self.query_one("#pane-tabs", Static).update(tabs)

    def action_switch_pane(self) -> None:
        """Focus the next pane at once (not after a refresh), so keys typed ahead reach it."""
        self._pane = (self._pane + 1) % len(PANES)
        key = PANES[self._pane][0]
        self.query_one("#detail-panes", ContentSwitcher).current = key
        self.set_focus(self.query_one(f"#{key}", PagedTable))
        self._show_tabs()

    def action_back(self) -> None:
        self.dismiss()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cycle_priority":
            return True if self._pane == 0 and self.detail is not None else None
        return True

    def action_cycle_priority(self) -> None:
        """The selected file's next priority: skip → low → normal → high → skip."""
        key = self.query_one("#files", PagedTable).current_key
        if self.detail is None or key is None:
            return
        current = next(f.priority for f in self.detail.files if str(f.index) == key)
        following = PRIORITY_CYCLE[(PRIORITY_CYCLE.index(current) + 1) % len(PRIORITY_CYCLE)
                                   if current in PRIORITY_CYCLE else 0]
        torrents, info_hash, index = self.engine.torrents, self.info_hash, int(key)
        self.run_command(lambda: torrents.set_file_priority(info_hash, index, following),
                         f"File {index}: {PRIORITY_NAMES[following]}")

    def action_recheck(self) -> None:
        torrents, info_hash = self.engine.torrents, self.info_hash
        self.run_command(lambda: torrents.recheck(info_hash), f"Rechecking {short_id(info_hash)}")

    def action_reannounce(self) -> None:
        torrents, info_hash = self.engine.torrents, self.info_hash
        self.run_command(lambda: torrents.reannounce(info_hash), f"Announced {short_id(info_hash)}")

    def action_limits(self) -> None:
        """Ask for the torrent's own limits as "UP DOWN" in KiB/s (0 = none of its own)."""
        current = self.detail
        value = f"{current.upload_limit_kib} {current.download_limit_kib}" if current else "0 0"

        def answered(text: str | None) -> None:
            if text is None:
                return
            parts = text.split()
            if len(parts) != 2 or not all(part.isdigit() for part in parts):
                self.notify("Limits are two whole numbers: upload and download KiB/s", severity="error")
                return
            up, down = int(parts[0]), int(parts[1])
            torrents, info_hash = self.engine.torrents, self.info_hash
            self.run_command(lambda: torrents.set_rate_limits(info_hash, upload_kib=up, download_kib=down),
                             f"Limits of {short_id(info_hash)}: ↑ {up or '∞'} ↓ {down or '∞'} KiB/s")

        self.app.push_screen(TextPromptModal("Own rate limits (KiB/s): upload download", value=value,
                                             hint="0 = no limit of its own"), answered)

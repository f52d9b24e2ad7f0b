"""TorrentsAPI: the torrents the engine holds (catalog rows overlaid with live numbers) and their commands."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import cast

from qtorrentino.db.models import TicketRow, TorrentRow
from qtorrentino.errors import NotFound, TorrentError
from qtorrentino.events import Bus, TorrentProgress
from qtorrentino.torrent.controls import PRIORITY_NAMES, TorrentDetail

__all__ = ["PRIORITY_NAMES", "TorrentControls", "TorrentDetail", "TorrentView", "TorrentsAPI"]


@dataclass(frozen=True, slots=True)
class TorrentView:
    """One torrent as the Downloads screen and `torrent list` show it."""

    info_hash: str
    name: str
    total_size: int
    progress: float
    download_bps: int
    upload_bps: int
    peers: int
    seeds: int
    eta_seconds: int | None
    ratio: float
    state: str
    paused: bool
    ticket_ids: tuple[str, ...]
    save_path: str
    uploaded: int = 0
    """Payload bytes uploaded over the torrent's life: what the resume data keeps and the tracker was told."""
    downloaded: int = 0
    cleanup_candidate: bool = False
    """Past its seed goals: over the storage budget it is removed, least recently used first."""
    error: str | None = None
    """Why the torrent's download stopped (a full disk, a file error), from its failed ticket."""

    @classmethod
    def from_progress(cls, event: TorrentProgress) -> TorrentView:
        """A torrent known so far only from its live numbers (the catalog listing has not caught up)."""
        return cls(info_hash=event.info_hash, name=event.name, total_size=0, progress=event.progress,
                   download_bps=event.download_bps, upload_bps=event.upload_bps, peers=event.peers,
                   seeds=event.seeds, eta_seconds=event.eta_seconds, ratio=event.ratio, state=event.state,
                   paused=event.paused, ticket_ids=(event.ticket_id,) if event.ticket_id else (), save_path="",
                   uploaded=event.uploaded, downloaded=event.downloaded)

    def with_progress(self, event: TorrentProgress) -> TorrentView:
        """This torrent overlaid with newer live numbers."""
        return replace(self, name=self.name or event.name, progress=event.progress,
                       download_bps=event.download_bps, upload_bps=event.upload_bps, peers=event.peers,
                       seeds=event.seeds, eta_seconds=event.eta_seconds, ratio=event.ratio, state=event.state,
                       paused=event.paused, uploaded=event.uploaded, downloaded=event.downloaded)

    def to_json(self) -> dict[str, object]:
        return {"info_hash": self.info_hash, "name": self.name, "size": self.total_size,
                "progress": round(self.progress, 4), "download_bps": self.download_bps,
                "upload_bps": self.upload_bps, "peers": self.peers, "seeds": self.seeds,
                "eta_seconds": self.eta_seconds, "ratio": round(self.ratio, 3), "state": self.state,
                "paused": self.paused, "tickets": list(self.ticket_ids), "save_path": self.save_path,
                "uploaded": self.uploaded, "downloaded": self.downloaded,
                "cleanup_candidate": self.cleanup_candidate, "error": self.error}


@dataclass
class TorrentControls:
    """What the torrent part offers the API; set by the engine when a session runs."""

    pause: Callable[[str], None]
    resume: Callable[[str], None]
    remove: Callable[..., None]
    """(info_hash, delete_data, *, reason, actor)"""
    recheck: Callable[[str], None]
    reannounce: Callable[[str], None]
    set_rate_limits: Callable[..., None]
    """(info_hash, *, upload_kib, download_kib)"""
    set_file_priority: Callable[[str, int, int], None]
    detail: Callable[[str], TorrentDetail]


class TorrentsAPI:
    """Torrent queries (catalog + live numbers) and pause/resume/remove."""

    def __init__(self, bus: Bus) -> None:
        self._live: dict[str, TorrentProgress] = {}
        self._lock = threading.Lock()
        self.controls: TorrentControls | None = None
        mailbox = bus.open_mailbox()
        self._mailbox = mailbox

    def _absorb(self) -> None:
        batch = self._mailbox.drain()
        with self._lock:
            for event in batch.latest:
                if isinstance(event, TorrentProgress):
                    self._live[event.info_hash] = event

    def list(self, limit: int = 1000, *, include_removed: bool = False) -> list[TorrentView]:
        """Torrents newest first, with the latest live numbers where the session reported them."""
        self._absorb()
        query = TorrentRow.select().order_by(TorrentRow.added_at.desc()).limit(limit)
        if not include_removed:
            query = query.where(TorrentRow.removed == False)  # noqa: E712
        rows = list(query)
        tickets: dict[str, list[str]] = {}
        errors: dict[str, str] = {}
        holders = cast("Iterable[tuple[str, str, str, str | None, str | None]]",  # peewee's stubs: model rows
                       TicketRow.select(TicketRow.id, TicketRow.info_hash, TicketRow.state, TicketRow.failed_stage,
                                        TicketRow.error)
                       .where(TicketRow.info_hash.in_([row.info_hash for row in rows])).tuples())
        for ticket_id, info_hash, state, failed_stage, error in holders:
            tickets.setdefault(info_hash, []).append(ticket_id)
            if state == "failed" and failed_stage == "downloading" and error:
                errors[info_hash] = error
        with self._lock:
            return [self._view(row, tuple(tickets.get(row.info_hash, ())), errors.get(row.info_hash))
                    for row in rows]

    def _view(self, row: TorrentRow, ticket_ids: tuple[str, ...], error: str | None = None) -> TorrentView:
        view = TorrentView(info_hash=row.info_hash, name=row.name, total_size=row.total_size,
                           progress=row.progress, download_bps=0, upload_bps=0, peers=0, seeds=0,
                           eta_seconds=None, ratio=row.ratio, state=row.state, paused=row.paused,
                           ticket_ids=ticket_ids, save_path=row.save_path, uploaded=row.uploaded,
                           downloaded=row.downloaded, cleanup_candidate=row.seeding_done, error=error)
        live = self._live.get(row.info_hash)
        return view if live is None else view.with_progress(live)

    def totals(self) -> tuple[int, int]:
        """Summed download and upload rates (bytes/s) of the live torrents."""
        self._absorb()
        with self._lock:
            return (sum(p.download_bps for p in self._live.values()), sum(p.upload_bps for p in self._live.values()))

    def resolve(self, prefix: str) -> str:
        """The info-hash of the one torrent whose hash starts with prefix (at least 4 characters)."""
        prefix = prefix.lower()
        found = [row.info_hash for row in TorrentRow.select(TorrentRow.info_hash)
                 .where(TorrentRow.info_hash.startswith(prefix)).limit(2)] if len(prefix) >= 4 else []
        if len(found) != 1:
            raise NotFound(f"no single torrent with info-hash {prefix!r}", hint="`qtorrentino torrent list` shows them")
        return found[0]

    def _controls(self) -> TorrentControls:
        if self.controls is None:
            raise TorrentError("no torrent session runs in this process",
                               hint="torrent commands act through the running engine")
        return self.controls

    def pause(self, info_hash: str) -> None:
        self._controls().pause(self.resolve(info_hash))

    def resume(self, info_hash: str) -> None:
        self._controls().resume(self.resolve(info_hash))

    def remove(self, info_hash: str, *, delete_data: bool, actor: str = "engine") -> None:
        self._controls().remove(self.resolve(info_hash), delete_data, reason="person", actor=actor)

    def recheck(self, info_hash: str) -> None:
        """Hash-check the torrent's data again."""
        self._controls().recheck(self.resolve(info_hash))

    def reannounce(self, info_hash: str) -> None:
        """Announce to its trackers now."""
        self._controls().reannounce(self.resolve(info_hash))

    def set_rate_limits(self, info_hash: str, *, upload_kib: int, download_kib: int) -> None:
        """The torrent's own limits in KiB/s; 0 = none of its own."""
        self._controls().set_rate_limits(self.resolve(info_hash), upload_kib=upload_kib, download_kib=download_kib)

    def set_file_priority(self, info_hash: str, index: int, priority: int) -> None:
        """One file's priority: 0 skip, 1 low, 4 normal, 7 high."""
        self._controls().set_file_priority(self.resolve(info_hash), index, priority)

    def detail(self, info_hash: str) -> TorrentDetail:
        """Files with priorities, peers and trackers, asked of the session now."""
        return self._controls().detail(self.resolve(info_hash))

"""Seed a real engine for the TUI tests: tickets through the API, candidates the way acquisition writes them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import pytest

from qtorrentino.clock import FrozenClock
from qtorrentino.db.database import write_transaction
from qtorrentino.db.models import CandidateRow
from qtorrentino.domain.states import TicketState
from qtorrentino.engine.engine import Engine
from qtorrentino.events import TorrentProgress

ACTOR = "cli:test"
S = TicketState
HOSTILE_ARTIST = "[link=file:///etc/passwd]x[/link] [bold]Evil"
HOSTILE_ALBUM = "Over\u202eflow\x1b[31m"
HOSTILE_RELEASE = "[HorribleSubs] Radiohead - OK Computer (1997) [FLAC] \x1b[2J"


@contextmanager
def fixed_ticket_ids() -> Iterator[None]:
    """Ticket ids from a counter instead of uuid4, so snapshots show the same ids on every run."""
    counter = iter(range(1, 10_000))

    def next_id() -> str:
        return hashlib.sha1(f"ticket-{next(counter)}".encode(), usedforsecurity=False).hexdigest()[:12]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("qtorrentino.tickets.creation.new_ticket_id", next_id)
        yield


def add(engine: Engine, ticket: dict[str, object]) -> str:
    return engine.tickets.add_json(ticket, actor=ACTOR)[0].id


def album(artist: str, name: str, tracks: int = 3, **extra: object) -> dict[str, object]:
    return {"kind": "album", "query": {"artist": artist, "album": name, "year": 1997},
            "items": [{"id": f"t{n}", "disc": 1, "number": n, "title": f"Track {n}"} for n in range(1, tracks + 1)],
            **extra}


def give_candidates(ticket_id: str, titles: list[str]) -> None:
    """Write scored candidates the way the acquisition worker does: reasons, factors, file mapping."""
    with write_transaction():
        for rank, title in enumerate(titles):
            files = [{"index": index, "path": f"{title[:20]}/0{index + 1} - Track {index + 1}.flac",
                      "size": 30_000_000 + index} for index in range(3)]
            CandidateRow.create(
                ticket=ticket_id, rank=rank, score=round(0.92 - rank * 0.17, 2), title=title,
                info_hash=f"{rank + 1:040x}", indexer=("jackett", "prowlarr")[rank % 2],
                size=420_000_000 + rank * 1_000_000, seeders=40 - rank * 12, peers=3 + rank,
                magnet=f"magnet:?xt=urn:btih:{rank + 1:040x}",
                reasons=[f"title matches {90 - rank * 10}%", "FLAC: lossless",
                         "all 3 tracks found" if rank == 0 else "2 of 3 tracks"],
                factors=[{"name": "title", "value": 0.9 - rank * 0.1, "reason": f"title matches {90 - rank * 10}%"},
                         {"name": "format", "value": 1.0, "reason": "FLAC: lossless"}],
                mapping=mapping_of(files), files=files)


def mapping_of(files: list[dict[str, object]]) -> dict[str, object]:
    """A file mapping as the acquisition worker stores it: file n serves item t<n+1>."""
    return {"assignments": [{"item_id": f"t{entry['index'] + 1}", "file_index": entry["index"],  # type: ignore[operator]
                             "path": entry["path"], "size": entry["size"], "confidence": 0.9,
                             "reason": "track number and title match"} for entry in files],
            "unmapped": [], "coverage": 1.0}


def move(engine: Engine, ticket_id: str, *states: TicketState, **changes: object) -> None:
    """Run real transitions through the unit of work, as the workers do."""
    for state in states:
        with engine.core.uow() as outbox:
            engine.core.commands.transition(outbox, ticket_id, state, reason="seeded", actor="engine", **changes)


@dataclass(frozen=True, slots=True)
class Seeded:
    """The ids of the seeded tickets, by role."""

    waiting: str
    """needs_approval, three candidates."""
    found_nothing: str
    """acquisition_failed, no candidates."""
    pending: str
    hostile: str
    completed: str
    failed: str
    cancelled: str
    downloading: str


def seed_tickets(engine: Engine, clock: FrozenClock) -> Seeded:
    """Eight tickets in the states the screens show, with hostile names among them."""
    def later() -> None:
        clock.advance(timedelta(minutes=7))

    waiting = add(engine, album("Radiohead", "OK Computer", priority=300))
    give_candidates(waiting, ["Radiohead - OK Computer (1997) [FLAC]", HOSTILE_RELEASE,
                              "Radiohead - OK Computer OKNOTOK (2017) [MP3 320]"])
    move(engine, waiting, S.ACQUIRING, S.NEEDS_APPROVAL)
    later()
    found_nothing = add(engine, {"kind": "movie", "query": {"title": "Big Buck Bunny", "year": 2008},
                                 "library": "Movies"})
    move(engine, found_nothing, S.ACQUIRING, S.ACQUISITION_FAILED)
    later()
    pending = add(engine, {"kind": "episode", "query": {"series": "Example Show", "season": 1, "episodes": [1, 2]}})
    later()
    hostile = add(engine, album(HOSTILE_ARTIST, HOSTILE_ALBUM, tracks=2, priority=200))
    later()
    completed = add(engine, album("Nine Inch Nails", "The Slip", tracks=2, priority=50))
    give_candidates(completed, ["Nine Inch Nails - The Slip (2008) [FLAC]"])
    move(engine, completed, S.ACQUIRING, S.NEEDS_APPROVAL)
    engine.tickets.approve(completed, 0, actor=ACTOR)
    move(engine, completed, S.DOWNLOADING, S.CONVERTING, S.PLACING, S.COMPLETED)
    later()
    failed = add(engine, {"kind": "movie", "query": {"title": "Sintel", "year": 2010}})
    move(engine, failed, S.ACQUIRING)
    move(engine, failed, S.FAILED, error="indexer jackett answered 500", retryable=False)
    later()
    cancelled = add(engine, {"kind": "season", "query": {"series": "Another Show", "season": 2}})
    engine.tickets.cancel(cancelled, actor=ACTOR)
    later()
    downloading = add(engine, album("Portishead", "Dummy", tracks=2))
    give_candidates(downloading, ["Portishead - Dummy (1994) [FLAC]"])
    move(engine, downloading, S.ACQUIRING, S.NEEDS_APPROVAL)
    engine.tickets.approve(downloading, 0, actor=ACTOR)
    move(engine, downloading, S.DOWNLOADING)
    later()
    return Seeded(waiting, found_nothing, pending, hostile, completed, failed, cancelled, downloading)


def torrent_progress(index: int, *, ticket_id: str | None = None, progress: float = 0.5,
                     paused: bool = False) -> TorrentProgress:
    """Live numbers for one torrent, as the torrent part publishes them."""
    return TorrentProgress(info_hash=f"{index + 0xabc000:040x}", name=f"Release {index} [FLAC]",
                           ticket_id=ticket_id, progress=progress, download_bps=1_250_000 * (index + 1),
                           upload_bps=64_000 * index, peers=5 + index, seeds=2 + index, eta_seconds=600 + index,
                           ratio=0.25 * index, state="downloading" if progress < 1 else "seeding", paused=paused)


LIBRARY_FILES: dict[str, bytes] = {
    "music/Name Only Band - Quiet Album (2010)/03 - Soft Song.mp3": b"ID3",
    "music/Name Only Band - Quiet Album (2010)/04 - Loud Song.mp3": b"ID3 ",
    "music/unsorted/xq7z.flac": b"fLaC",
    "movies/The Matrix (1999)/The Matrix (1999).mkv": b"m" * 1000,
    "movies/random_clip_0042.mkv": b"r" * 300,
    "movies/[bold]clip[/bold] \u202egnp.mkv": b"h" * 400,
    "tv/Example Show/Season 01/Example Show - S01E01 - Pilot.mkv": b"\x01" * 700,
    "tv/Example Show/Season 01/Example Show - S01E02 - Second.mkv": b"\x02" * 700,
}
"""Name-only files the scanner identifies (or queues as unmatched); a hostile name among them."""


def _write(engine: Engine, relative: str, data: bytes) -> None:
    path = engine.home.data_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def seed_library(engine: Engine) -> None:
    """Files in the home's library folders, scanned and partly matched through the real library API.

    A person matches random_clip_0042.mkv to "Sintel (2010)", so the later sintel_trailer_cut.mkv is queued
    with the library's Sintel as its suggestion.
    """
    for relative, data in LIBRARY_FILES.items():
        _write(engine, relative, data)
    engine.library.scan(actor=ACTOR)
    clip = next(view for view in engine.library.unmatched() if view.path.endswith("random_clip_0042.mkv"))
    engine.library.match(clip.id, target="Sintel (2010)", actor=ACTOR)
    _write(engine, "movies/sintel_trailer_cut.mkv", b"s" * 900)
    engine.library.scan("Movies", actor=ACTOR)

"""A torrent serves several tickets (each places only its own items); cancel undoes what a ticket started."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mutagen import File as MutagenFile

from qtorrentino.db.models import LibraryItemRow, TorrentRow
from qtorrentino.domain.states import TicketState
from qtorrentino.engine.engine import Engine
from qtorrentino.errors import ReleaseBound
from tests.integration.loopback_world import (
    cli,
    offer,
    types_of,
    wait_for_state,
    wait_until,
    world_home,
)
from tests.media_fixtures import make_album
from tests.servers.seeder import Seeder
from tests.servers.torznab import TorznabServer

ALBUM = "Shared Artist - Shared Album (2005) [FLAC]"


def album_ticket(numbers: range) -> dict[str, Any]:
    return {"kind": "album", "query": {"artist": "Shared Artist", "album": "Shared Album", "year": 2005},
            "items": [{"id": f"t{n}", "disc": 1, "number": n, "title": f"Track {n:02d}", "duration_secs": 2}
                      for n in numbers],
            "constraints": {"format": "flac"}}


def test_a_second_ticket_for_more_tracks_of_a_held_torrent_joins_it_and_places_only_its_own(tmp_path: Path) -> None:
    make_album(tmp_path / "content" / ALBUM, tracks=6, seconds=2.0, artist="Shared Artist", album="Shared Album",
               year=2005)
    with Seeder(tmp_path / "seeder") as seeder:
        seeded = seeder.seed(tmp_path / "content" / ALBUM)
        with TorznabServer(releases=[offer(seeded, ALBUM, category=3000)]) as server:
            engine = Engine.open(world_home(tmp_path / "home", server, threshold=0.6))
            engine.start()
            try:
                first = engine.tickets.add_json(album_ticket(range(1, 4)), actor="cli:test")[0].id
                assert wait_for_state(engine, first, TicketState.COMPLETED, TicketState.FAILED,
                                      TicketState.NEEDS_APPROVAL) is TicketState.COMPLETED
                second = engine.tickets.add_json(album_ticket(range(4, 7)), actor="cli:test")[0].id
                assert wait_for_state(engine, second, TicketState.COMPLETED, TicketState.FAILED,
                                      TicketState.NEEDS_APPROVAL) is TicketState.COMPLETED, \
                    engine.tickets.show(second).summary
                started = engine.audit.latest(second, "DownloadStarted")
                holders = engine.torrents.list()
                recorded = TorrentRow.get_by_id(seeded.info_hash)
            finally:
                engine.stop()
    album_dir = tmp_path / "home" / "music" / "Shared Artist" / "Shared Album (2005)"
    assert sorted(p.name for p in album_dir.glob("*.flac")) == [f"{n:02d} - Track {n:02d}.flac" for n in range(1, 7)]
    assert all(abs(MutagenFile(p).info.length - 2.0) < 0.5 for p in album_dir.glob("*.flac"))
    assert started is not None and started.data["info_hash"] == seeded.info_hash and started.data.get("shared")
    assert [view.info_hash for view in holders] == [seeded.info_hash]
    assert set(holders[0].ticket_ids) == {first, second}
    assert recorded.indexer == "loopback"  # its [[indexers]] seed goals apply to it
    downloaded = tmp_path / "home" / "downloads" / first / ALBUM
    assert sorted(p.name for p in downloaded.glob("*.flac")) == [f"{n:02d} - Track {n:02d}.flac" for n in range(1, 7)]
    assert not (tmp_path / "home" / "downloads" / second).exists()


def test_cancel_lowers_a_shared_torrent_then_removes_it_with_its_data(tmp_path: Path) -> None:
    make_album(tmp_path / "content" / ALBUM, tracks=6, seconds=20.0, artist="Shared Artist", album="Shared Album",
               year=2005, noise=True)
    with Seeder(tmp_path / "seeder", upload_rate_limit_kib=48) as seeder:
        seeded = seeder.seed(tmp_path / "content" / ALBUM)
        with TorznabServer(releases=[offer(seeded, ALBUM, category=3000)]) as server:
            home = world_home(tmp_path / "home", server, threshold=0.6)
            engine = Engine.open(home)
            engine.start()
            session = engine.parts.torrent.session  # type: ignore[union-attr]
            try:
                first = engine.tickets.add_json(album_ticket(range(1, 4)), actor="cli:test")[0].id
                wait_for_state(engine, first, TicketState.DOWNLOADING)
                second = engine.tickets.add_json(album_ticket(range(4, 7)), actor="cli:test")[0].id
                wait_for_state(engine, second, TicketState.DOWNLOADING)
                first_files = {item.file_index for item in engine.tickets.show(first).items}
                second_files = {item.file_index for item in engine.tickets.show(second).items}
                wait_until(lambda: first_files | second_files <= (session.wanted_indexes(seeded.info_hash) or set()),
                           timeout=15, what="the torrent downloading both tickets' files")

                cancelled = cli(home, "ticket", "cancel", second)
                assert cancelled.returncode == 0, cancelled.stderr
                wait_until(lambda: not (second_files & (session.wanted_indexes(seeded.info_hash) or set())),
                           timeout=15, what="the cancelled ticket's files lowered")
                assert first_files <= (session.wanted_indexes(seeded.info_hash) or set())
                assert session.has(seeded.info_hash)
                statuses = {row.number: row.status for row in LibraryItemRow.select().where(
                    LibraryItemRow.kind == "track")}
                assert {statuses[n] for n in (4, 5, 6)} == {"wanted"}, statuses
                assert {statuses[n] for n in (1, 2, 3)} == {"downloading"}, statuses

                assert cli(home, "ticket", "cancel", first).returncode == 0
                wait_until(lambda: not session.has(seeded.info_hash), timeout=15, what="the torrent removed")
                wait_until(lambda: engine.audit.latest(first, "TorrentRemoved") is not None, timeout=10)
                removed = engine.audit.latest(first, "TorrentRemoved")
                row = TorrentRow.get_by_id(seeded.info_hash)
                history = types_of(engine, first)
            finally:
                engine.stop()
    assert removed is not None and removed.data["reason"] == "cancelled" and removed.data["data_removed"] is True
    assert row.removed
    assert not (tmp_path / "home" / "downloads" / first).exists()
    assert "TicketCancelled" in history


def test_cancelling_a_downloading_ticket_stops_and_removes_its_download(tmp_path: Path) -> None:
    make_album(tmp_path / "content" / ALBUM, tracks=3, seconds=20.0, artist="Shared Artist", album="Shared Album",
               year=2005, noise=True)
    with Seeder(tmp_path / "seeder", upload_rate_limit_kib=48) as seeder:
        seeded = seeder.seed(tmp_path / "content" / ALBUM)
        with TorznabServer(releases=[offer(seeded, ALBUM, category=3000)]) as server:
            home = world_home(tmp_path / "home", server, threshold=0.6)
            engine = Engine.open(home)
            engine.start()
            try:
                ticket = engine.tickets.add_json(album_ticket(range(1, 4)), actor="cli:test")[0].id
                wait_for_state(engine, ticket, TicketState.DOWNLOADING)
                assert cli(home, "ticket", "cancel", ticket).returncode == 0
                wait_until(lambda: engine.audit.latest(ticket, "TorrentRemoved") is not None, timeout=20,
                           what="TorrentRemoved")
                listed = [view.info_hash for view in engine.torrents.list()]
                statuses = {row.status for row in LibraryItemRow.select().where(LibraryItemRow.kind == "track")}
            finally:
                engine.stop()
    assert seeded.info_hash not in listed
    assert statuses == {"wanted"}
    assert not (tmp_path / "home" / "downloads" / ticket).exists()


def test_cancelling_the_last_holder_removes_the_torrent_as_cancelled_though_its_starter_moved_on(
        tmp_path: Path) -> None:
    make_album(tmp_path / "content" / ALBUM, tracks=6, seconds=20.0, artist="Shared Artist", album="Shared Album",
               year=2005, noise=True)
    with Seeder(tmp_path / "seeder", upload_rate_limit_kib=48) as seeder:
        seeded = seeder.seed(tmp_path / "content" / ALBUM)
        with TorznabServer(releases=[offer(seeded, ALBUM, category=3000)]) as server:
            home = world_home(tmp_path / "home", server, threshold=0.6)
            engine = Engine.open(home)
            engine.start()
            session = engine.parts.torrent.session  # type: ignore[union-attr]
            try:
                starter = engine.tickets.add_json(album_ticket(range(1, 4)), actor="cli:test")[0].id
                wait_for_state(engine, starter, TicketState.DOWNLOADING)
                joined = engine.tickets.add_json(album_ticket(range(4, 7)), actor="cli:test")[0].id
                wait_for_state(engine, joined, TicketState.DOWNLOADING)
                engine.core.commands.fail(starter, TicketState.DOWNLOADING,
                                          ReleaseBound("download stalled: no progress"))
                wait_for_state(engine, starter, TicketState.ACQUISITION_FAILED)  # its one release is blocklisted
                assert session.has(seeded.info_hash)  # the joined ticket still holds it

                assert cli(home, "ticket", "cancel", joined).returncode == 0
                wait_until(lambda: not session.has(seeded.info_hash), timeout=15, what="the torrent removed")
                # the event is committed just after the session lets the torrent go
                wait_until(lambda: engine.audit.latest(joined, "TorrentRemoved") is not None, timeout=10,
                           what="TorrentRemoved")
                removed = [event.data for event in engine.audit.history(joined) if event.type == "TorrentRemoved"]
            finally:
                engine.stop()
    assert [(data["info_hash"], data["reason"], data["data_removed"]) for data in removed] == [
        (seeded.info_hash, "cancelled", True)]
    assert not (tmp_path / "home" / "downloads" / starter).exists()

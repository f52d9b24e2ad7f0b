"""Issue 16, `[paths] watch_dir`: .torrent files dropped there become tickets, each taken once.

The chore runs in a real engine; the end-to-end test downloads a dropped .torrent from a loopback
seeder found through a loopback tracker and places it in the library.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from mutagen import File as MutagenFile

from qtorrentino.domain.states import TicketState
from qtorrentino.domain.ticket import TicketKind
from qtorrentino.engine.engine import Engine
from qtorrentino.torrent.maketorrent import MadeTorrent, make_torrent
from qtorrentino.workers.watch_dir import SETTLE_SECONDS, WatchDir
from tests.conftest import make_home
from tests.integration.loopback_world import wait_for_state, wait_until
from tests.integration.test_torrent_session import hostile_torrent
from tests.media_fixtures import make_album, make_video
from tests.servers.seeder import Seeder
from tests.servers.tracker import Tracker

ALBUM = "Echo Band - Echoes (2018) [FLAC]"


def watching_home(root: Path) -> Engine:
    """An engine (workers off) whose watch_dir is root/watch."""
    (root / "watch").mkdir(parents=True, exist_ok=True)
    home = make_home(root)
    config = home.config_file.read_text().replace(
        "[paths]\n", f'[paths]\nwatch_dir = "{root / "watch"}"\n'
    )
    home.config_file.write_text(config)
    engine = Engine.open(home)
    engine.start(workers=False)
    return engine


def drop(folder: Path, name: str, data: bytes, *, age: float = SETTLE_SECONDS + 1) -> Path:
    """A file written into the watch folder `age` seconds ago."""
    path = folder / name
    path.write_bytes(data)
    then = time.time() - age
    os.utime(path, (then, then))
    return path


@pytest.fixture(scope="module")
def movie_torrent(tmp_path_factory: pytest.TempPathFactory) -> MadeTorrent:
    folder = tmp_path_factory.mktemp("content") / "Sintel (2010) 720p WEB-DL x264-GRP"
    make_video(folder / "Sintel.2010.720p.WEB-DL.x264-GRP.mkv", seconds=1.0)
    return make_torrent(folder)


@pytest.fixture
def watching(tmp_path: Path) -> Iterator[Engine]:
    engine = watching_home(tmp_path)
    yield engine
    engine.stop()


def test_a_dropped_torrent_becomes_a_ticket_once_and_is_set_aside(
    watching: Engine, tmp_path: Path, movie_torrent: MadeTorrent
) -> None:
    dropped = drop(tmp_path / "watch", "sintel.torrent", movie_torrent.torrent_bytes)
    chore = WatchDir(watching.context)
    chore.run()
    chore.run()
    WatchDir(watching.context).run()  # an engine started again does not take it again either
    tickets = watching.tickets.list()
    assert len(tickets) == 1
    detail = watching.tickets.show(tickets[0].id)
    assert detail.state is TicketState.APPROVED and detail.spec.kind is TicketKind.MOVIE
    assert detail.chosen is not None and detail.chosen.info_hash == movie_torrent.info_hash
    assert not dropped.exists() and (tmp_path / "watch" / "sintel.torrent.added").exists()
    created = watching.audit.latest(detail.id, "TicketCreated")
    assert created is not None and created.data["torrent"]["via"] == "watch_dir"
    assert created.data["torrent"]["source"] == str(dropped)


def test_a_bad_file_is_refused_with_an_audit_event_and_the_next_file_is_still_taken(
    watching: Engine, tmp_path: Path, movie_torrent: MadeTorrent
) -> None:
    watch = tmp_path / "watch"
    bad = drop(watch, "a-login-page.torrent", b"<html>please log in</html>")
    drop(watch, "b-sintel.torrent", movie_torrent.torrent_bytes)
    WatchDir(watching.context).run()
    assert not bad.exists() and (watch / "a-login-page.torrent.refused").exists()
    assert (watch / "b-sintel.torrent.added").exists()
    assert len(watching.tickets.list()) == 1
    refused = watching.audit.latest(None, "DirectTorrentRefused")
    assert refused is not None and refused.ticket_id is None
    assert refused.data["via"] == "watch_dir" and refused.data["source"] == str(bad)
    assert "not a valid .torrent" in refused.data["reason"]
    lines = [json.loads(line) for line in watching.core.home.audit_jsonl.read_text().splitlines()]
    assert [line["data"]["source"] for line in lines if line["type"] == "DirectTorrentRefused"] == [
        str(bad)
    ]


def test_a_torrent_whose_paths_climb_out_is_refused_and_nothing_is_kept(
    watching: Engine, tmp_path: Path
) -> None:
    watch = tmp_path / "watch"
    drop(watch, "legit.torrent", hostile_torrent([[b"..", b"..", b".bashrc"], [b"01.flac"]]))
    WatchDir(watching.context).run()
    assert (watch / "legit.torrent.refused").exists() and watching.tickets.list() == []
    refused = watching.audit.latest(None, "DirectTorrentRefused")
    assert refused is not None and "'..' path element" in refused.data["reason"]
    given = watching.core.home.torrents_dir / "given"
    assert not given.exists() or list(given.iterdir()) == []
    assert not (tmp_path.parent / ".bashrc").exists()


def test_a_file_still_being_written_and_other_files_wait_or_are_left_alone(
    watching: Engine, tmp_path: Path, movie_torrent: MadeTorrent
) -> None:
    watch = tmp_path / "watch"
    fresh = drop(watch, "sintel.torrent", movie_torrent.torrent_bytes, age=0)
    notes = drop(watch, "notes.txt", b"not a torrent")
    hidden = drop(watch, ".partial.torrent", b"d4:")
    (watch / "sub").mkdir()
    nested = drop(watch / "sub", "nested.torrent", movie_torrent.torrent_bytes)
    WatchDir(watching.context).run()
    assert fresh.exists() and notes.exists() and hidden.exists() and nested.exists()
    assert watching.tickets.list() == []
    WatchDir(watching.context, wall_clock=lambda: time.time() + SETTLE_SECONDS + 1).run()
    assert not fresh.exists() and len(watching.tickets.list()) == 1
    assert notes.exists() and hidden.exists() and nested.exists()


def test_a_missing_watch_dir_is_no_crash(tmp_path: Path) -> None:
    engine = watching_home(tmp_path)
    try:
        (tmp_path / "watch").rmdir()
        WatchDir(engine.context).run()
        assert engine.tickets.list() == []
    finally:
        engine.stop()


def test_a_torrent_dropped_in_the_watch_dir_goes_through_to_the_library(tmp_path: Path) -> None:
    folder = tmp_path / "content" / ALBUM
    make_album(folder, tracks=2, seconds=3.0, artist="Echo Band", album="Echoes", year=2018)
    with Tracker() as tracker, Seeder(tmp_path / "seeder") as seeder:
        made = make_torrent(folder, trackers=[tracker.announce_url])
        seeder.session.add_torrent_bytes(made.torrent_bytes, folder.parent, seed_mode=True)
        wait_until(lambda: seeder.session.status(made.info_hash).seeding, what="the seeder seeding")
        engine = watching_home(tmp_path / "home")
        engine.manager.start()
        try:
            drop(tmp_path / "home" / "watch", "echoes.torrent", made.torrent_bytes, age=0)
            wait_until(lambda: engine.tickets.list(), what="the chore filing the ticket")
            ticket = engine.tickets.list()[0].id
            state = wait_for_state(engine, ticket, TicketState.COMPLETED, TicketState.FAILED)
            detail = engine.tickets.show(ticket)
        finally:
            engine.stop()
    assert state is TicketState.COMPLETED, detail.summary
    assert detail.spec.kind is TicketKind.ALBUM and len(detail.items) == 2
    placed = sorted((tmp_path / "home" / "music" / "Echo Band" / "Echoes (2018)").glob("*.flac"))
    assert len(placed) == 2 and {MutagenFile(path)["artist"][0] for path in placed} == {"Echo Band"}
    assert (tmp_path / "home" / "watch" / "echoes.torrent.added").exists()

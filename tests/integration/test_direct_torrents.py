"""Issue 16, direct torrents: `ticket add --torrent`, a real engine, a loopback seeder.

The ticket's only candidate is the torrent given, approved as the person's pick; its kind is guessed
from the files (a magnet's from its name) and its items are learned from the files at the download
stage.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from mutagen import File as MutagenFile

from qtorrentino.domain.states import TicketState
from qtorrentino.domain.ticket import TicketKind
from qtorrentino.engine.engine import Engine
from qtorrentino.errors import MetadataRefused, UsageError
from qtorrentino.torrent.maketorrent import make_torrent
from tests.conftest import make_home, run_cli
from tests.integration.loopback_world import wait_for_state
from tests.media_fixtures import make_album, make_video
from tests.servers.seeder import SeededTorrent, Seeder

ALBUM = "Echo Band - Echoes (2018) [FLAC]"
MOVIE = "Sintel (2010) 720p WEB-DL x264-GRP"


@dataclass(frozen=True)
class World:
    """The seeded releases and where their content lies."""

    album: SeededTorrent
    movie: SeededTorrent
    content: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    content = tmp_path_factory.mktemp("content")
    make_album(
        content / ALBUM, tracks=3, seconds=3.0, artist="Echo Band", album="Echoes", year=2018
    )
    make_video(content / MOVIE / f"{MOVIE.replace(' ', '.')}.mkv", seconds=2.0)
    with Seeder(tmp_path_factory.mktemp("seeder-state")) as seeder:
        yield World(seeder.seed(content / ALBUM), seeder.seed(content / MOVIE), content)


def test_a_magnet_added_directly_goes_through_to_the_library(tmp_path: Path, world: World) -> None:
    home = make_home(tmp_path)
    added = run_cli(home, "ticket", "add", "--torrent", world.album.magnet, "--json")
    assert added.returncode == 0, added.stderr
    created = json.loads(added.stdout)
    assert created["state"] == "approved"
    ticket = created["id"]
    engine = Engine.open(home)
    engine.start()
    try:
        state = wait_for_state(
            engine, ticket, TicketState.COMPLETED, TicketState.FAILED, TicketState.NEEDS_APPROVAL
        )
        detail = engine.tickets.show(ticket)
        filed = engine.audit.latest(ticket, "TicketCreated")
        approved = engine.audit.latest(ticket, "ApprovalGranted")
    finally:
        engine.stop()
    assert state is TicketState.COMPLETED, detail.summary
    assert detail.spec.kind is TicketKind.ALBUM
    assert (detail.spec.query.artist, detail.spec.query.album, detail.spec.query.year) == (
        "Echo Band",
        "Echoes",
        2018,
    )
    assert len(detail.items) == 3, "the tracks were learned from the torrent's files"
    assert detail.chosen is not None and detail.chosen.info_hash == world.album.info_hash
    assert filed is not None and filed.data["torrent"]["via"] == "cli"
    assert filed.data["torrent"]["info_hash"] == world.album.info_hash
    assert approved is not None and approved.data["info_hash"] == world.album.info_hash
    placed = sorted((tmp_path / "music" / "Echo Band" / "Echoes (2018)").glob("*.flac"))
    assert len(placed) == 3
    assert {MutagenFile(path)["album"][0] for path in placed} == {"Echoes"}


def test_a_torrent_file_files_a_ticket_of_the_kind_its_files_say(
    engine: Engine, world: World, tmp_path: Path
) -> None:
    given = tmp_path / "sintel.torrent"
    given.write_bytes(world.movie.torrent_bytes)
    created = engine.tickets.add_torrent(str(given), actor="cli:test")
    detail = engine.tickets.show(created.id)
    assert created.state is TicketState.APPROVED
    assert detail.spec.kind is TicketKind.MOVIE and detail.spec.library == "Movies"
    assert (detail.spec.query.title, detail.spec.query.year) == ("Sintel", 2010)
    assert detail.chosen is not None and detail.chosen.info_hash == world.movie.info_hash
    kept = engine.core.home.torrents_dir / "given" / f"{world.movie.info_hash}.torrent"
    assert kept.read_bytes() == world.movie.torrent_bytes, (
        "the download stage starts from the file given"
    )


def test_a_file_that_is_not_a_torrent_is_refused_clearly_and_audited(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    junk = tmp_path / "notes.torrent"
    junk.write_bytes(b"<html>login required</html>")
    refused = run_cli(home, "ticket", "add", "--torrent", str(junk))
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert refused.stderr.strip()
    listed = run_cli(home, "ticket", "list", "--json")
    assert listed.stdout.strip() == ""
    events = [json.loads(line) for line in home.audit_jsonl.read_text().splitlines()]
    refusals = [event for event in events if event["type"] == "DirectTorrentRefused"]
    assert len(refusals) == 1
    assert refusals[0]["data"]["source"] == str(junk) and refusals[0]["data"]["via"] == "cli"
    assert refusals[0]["data"]["reason"]


def test_a_kind_the_torrents_name_cannot_fill_is_refused_before_anything_is_filed(
    engine: Engine, world: World
) -> None:
    with pytest.raises(UsageError, match="its name does not say the artist"):
        engine.tickets.add_torrent(world.movie.magnet, actor="cli:test", kind=TicketKind.ALBUM)
    assert engine.tickets.list() == []
    refused = engine.audit.latest(None, "DirectTorrentRefused")
    assert refused is not None and refused.data["info_hash"] == world.movie.info_hash


def test_a_program_inside_a_torrent_file_is_refused(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "Sintel (2010) 720p"
    make_video(folder / "Sintel.2010.720p.mkv", seconds=1.0)
    (folder / "Sintel.2010.720p.mkv.exe").write_bytes(b"MZ" + bytes(2000))
    given = tmp_path / "sintel.torrent"
    given.write_bytes(make_torrent(folder).torrent_bytes)
    with pytest.raises(MetadataRefused, match="executable files"):
        engine.tickets.add_torrent(str(given), actor="cli:test")
    assert engine.tickets.list() == []
    assert engine.audit.latest(None, "DirectTorrentRefused") is not None


def test_the_library_is_the_one_named_and_an_unknown_or_missing_one_is_refused(
    engine: Engine, world: World
) -> None:
    with pytest.raises(UsageError, match="no library named 'Nowhere'"):
        engine.tickets.add_torrent(world.movie.magnet, actor="cli:test", library="Nowhere")
    with pytest.raises(UsageError, match="no library of kind other") as refused:
        engine.tickets.add_torrent(world.movie.magnet, actor="cli:test", kind=TicketKind.GENERIC)
    assert "--library NAME" in refused.value.hint
    assert engine.tickets.list() == []
    created = engine.tickets.add_torrent(
        world.album.magnet, actor="cli:test", library="Music", priority=7, target_format="opus"
    )
    detail = engine.tickets.show(created.id)
    assert detail.spec.library == "Music" and detail.spec.priority == 7
    assert detail.spec.constraints.format == "opus"

"""Per-torrent controls through the real CLI and a running engine: detail, limits, reannounce, recheck, priorities."""

from __future__ import annotations

import dataclasses
import json
import random
from typing import TYPE_CHECKING

import pytest

from qtorrentino.db.database import write_transaction
from qtorrentino.errors import UsageError
from qtorrentino.torrent import catalog
from qtorrentino.torrent.maketorrent import MadeTorrent, magnet_with_peer, make_torrent
from qtorrentino.torrent.session import TorrentSession, read_torrent_file
from tests.conftest import run_cli
from tests.integration.test_seeding_rules import open_engine
from tests.integration.test_torrent_session import RecordingListener, wait_until, written_files
from tests.servers.seeder import Seeder, loopback_config
from tests.servers.tracker import Tracker

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from qtorrentino.clock import FrozenClock
    from qtorrentino.engine.engine import Engine

SLOW_PEER_KIB = 40


@pytest.fixture
def tracker() -> Iterator[Tracker]:
    with Tracker() as running:
        yield running


def test_the_cli_shows_a_live_torrent_and_the_engine_carries_out_its_controls(
    tmp_path: Path, clock: FrozenClock, tracker: Tracker
) -> None:
    root = tmp_path / "home"
    engine = open_engine(root, clock, "seed_ratio = -1")
    engine.manager.start()  # the chores: commands from the CLI are carried out within a second
    try:
        made = seed_with_tracker(engine, root, tracker)
        slow = dataclasses.replace(loopback_config(), download_rate_limit_kib=SLOW_PEER_KIB)
        with TorrentSession(slow, tmp_path / "peer-state", listener=RecordingListener()) as peer:
            magnet = magnet_with_peer(made.magnet, "127.0.0.1", engine.parts.torrent.session.listen_port)
            peer_hash = peer.add_magnet(magnet, tmp_path / "peer", metadata_only=False)
            wait_until(lambda: peer.status(peer_hash).total_wanted_done > 0, "the peer downloading")
            tracker.wait_for(lambda heard: bool(heard), "the first announce", 20)

            shown = run_cli(root, "torrent", "show", made.info_hash[:8], "--json")
            assert shown.returncode == 0, shown.stderr
            detail = json.loads(shown.stdout)
            assert detail["live"] is True
            assert detail["uploaded"] > 0 and detail["downloaded"] == 0  # the slow peer is downloading from it
            assert [(f["path"].split("/")[-1], f["priority"]) for f in detail["files"]] == [
                ("01.flac", 4), ("02.flac", 4)]
            assert [p["address"].split(":")[0] for p in detail["peers"]] == ["127.0.0.1"]
            assert [(t["url"], t["status"]) for t in detail["trackers"]] == [(tracker.announce_url, "working")]
            assert detail["trackers"][0]["last_announce_at"].endswith("Z")

            heard = len(tracker.announces)
            assert run_cli(root, "torrent", "reannounce", made.info_hash).returncode == 0
            tracker.wait_for(lambda announces: len(announces) > heard, "the forced announce", 20)
            assert run_cli(root, "torrent", "limit", made.info_hash, "--up", "64").returncode == 0
            wait_until(lambda: engine.torrents.detail(made.info_hash).upload_limit_kib == 64, "the upload limit")

        damaged = root / "downloads" / "Controls" / "02.flac"
        damaged.write_bytes(b"\0" * damaged.stat().st_size)
        assert run_cli(root, "torrent", "recheck", made.info_hash).returncode == 0
        wait_until(lambda: engine.parts.torrent.session.status(made.info_hash).progress < 1, "the recheck")
        text = run_cli(root, "torrent", "show", made.info_hash)
        assert "01.flac" in text.stdout and "working" in text.stdout and "own rate limits: up 64 KiB/s" in text.stdout
    finally:
        engine.stop()

    offline = run_cli(root, "torrent", "show", made.info_hash)
    assert offline.returncode == 0 and "no engine runs" in offline.stdout and "02.flac" in offline.stdout


def seed_with_tracker(engine: Engine, root: Path, tracker: Tracker) -> MadeTorrent:
    """A two-file finished download, announced on the tracker, seeding from the engine."""
    folder = root / "downloads" / "Controls"
    folder.mkdir(parents=True)
    for name in ("01.flac", "02.flac"):
        (folder / name).write_bytes(random.Random(name).randbytes(1_500_000))
    made = make_torrent(folder, trackers=[tracker.announce_url])
    session = engine.parts.torrent.session
    session.add_torrent_bytes(made.torrent_bytes, folder.parent, seed_mode=True)
    wait_until(lambda: session.status(made.info_hash).seeding, "seeding")
    with write_transaction():
        catalog.record_torrent(made.info_hash, folder.name, folder.parent, session.wait_metadata(made.info_hash, 10),
                               now=engine.clock.now(), torrent_file=made.torrent_bytes)
    return made


def test_a_person_raises_a_skipped_file_but_never_skips_one_the_ticket_wants(tmp_path: Path) -> None:
    folder = tmp_path / "share" / "Discography"
    folder.mkdir(parents=True)
    contents = {}
    for name in ("01.flac", "02.flac"):
        (folder / name).write_bytes(data := random.Random(name).randbytes(400_000))
        contents[f"Discography/{name}"] = data
    listener = RecordingListener()
    with Seeder(tmp_path / "seeder") as seeder, TorrentSession(loopback_config(), tmp_path / "state",
                                                                listener=listener) as session:
        seeded = seeder.seed(folder)
        files = {entry.path.split("/")[-1]: entry.index for entry in read_torrent_file(seeded.torrent_bytes).files}
        info_hash = session.add_torrent_bytes(seeded.torrent_bytes, tmp_path / "dl", wanted_indexes=[files["01.flac"]],
                                              peers=[("127.0.0.1", seeder.port)])
        listener.wait_for(lambda: info_hash in listener.finished, "the wanted file")
        with pytest.raises(UsageError, match="wanted by its ticket"):
            session.set_file_priority(info_hash, files["01.flac"], 0)
        session.set_file_priority(info_hash, files["02.flac"], 7)
        wait_until(lambda: session.status(info_hash).total_wanted_done == 800_000, "the raised file downloading")
        assert session.flush_files(info_hash, 20)
        assert written_files(tmp_path / "dl") == contents
        assert {f.path.split("/")[-1]: f.priority for f in session.detail(info_hash).files} == {
            "01.flac": 4, "02.flac": 7}


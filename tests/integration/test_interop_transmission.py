"""Interop with a real client: Transmission 3.00 (transmission-cli, installed by `.ci/run`) over 127.0.0.1.

Peers find each other through a loopback tracker, which also records what each one announced.
"""

from __future__ import annotations

import dataclasses
import json
import random
import time
from typing import TYPE_CHECKING

import libtorrent as lt
import pytest

from qtorrentino.clock import SystemClock
from qtorrentino.config.home import Home
from qtorrentino.db.database import write_transaction
from qtorrentino.db.models import TorrentRow
from qtorrentino.engine.engine import Engine
from qtorrentino.torrent import catalog
from qtorrentino.torrent.maketorrent import make_torrent
from qtorrentino.torrent.session import TorrentSession
from tests.conftest import MINIMAL_CONFIG, run_cli
from tests.integration.test_torrent_session import RecordingListener, written_files
from tests.servers.seeder import loopback_config
from tests.servers.tracker import Announce, Tracker
from tests.servers.transmission import Transmission, transmission_binary

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from qtorrentino.torrent.maketorrent import MadeTorrent

TRANSFER_TIMEOUT_SECONDS = 60.0
SIZES = {"01 - Opening.flac": 1_700_001, "02 - Closing.flac": 1_300_000}
ENCRYPTIONS = ["forced", "enabled"]


@pytest.fixture(scope="module", autouse=True)
def _transmission_installed() -> None:
    transmission_binary()  # fails (never skips) when CI could not install it


@pytest.fixture
def tracker() -> Iterator[Tracker]:
    with Tracker() as running:
        yield running


def release(root: Path, tracker: Tracker) -> tuple[MadeTorrent, dict[str, bytes]]:
    """A two-file album announced on the tracker, as a v1 torrent (what Transmission 3 reads)."""
    folder = root / "Interop Artist - Album (2024)"
    folder.mkdir(parents=True)
    generator = random.Random(11)
    contents = {}
    for name, size in SIZES.items():
        (folder / name).write_bytes(content := generator.randbytes(size))
        contents[f"{folder.name}/{name}"] = content
    made = make_torrent(folder, trackers=[tracker.announce_url])
    (root / "release.torrent").write_bytes(made.torrent_bytes)
    return made, contents


def ours(announce: Announce) -> bool:
    return announce.user_agent.startswith("qtorrentino/")


@pytest.mark.parametrize("encryption", ENCRYPTIONS)
def test_qtorrentino_downloads_a_byte_identical_copy_from_transmission(
    tmp_path: Path, tracker: Tracker, encryption: str
) -> None:
    made, contents = release(tmp_path / "release", tracker)
    listener = RecordingListener()
    with Transmission(tmp_path / "release" / "release.torrent", tmp_path / "release", tmp_path / "tr",
                      encryption=encryption) as transmission:
        tracker.wait_for(lambda heard: any(not ours(a) and a.left == 0 and a.event != "stopped" for a in heard),
                         "transmission announcing itself as a seed", TRANSFER_TIMEOUT_SECONDS)
        session = TorrentSession(dataclasses.replace(loopback_config(), encryption=encryption), tmp_path / "state",
                                 listener=listener, user_agent="qtorrentino/test")
        try:
            info_hash = session.add_torrent_bytes(made.torrent_bytes, tmp_path / "downloads")
            deadline = time.monotonic() + TRANSFER_TIMEOUT_SECONDS  # Transmission unchokes a new peer after ~10 s
            while info_hash not in listener.finished:
                assert time.monotonic() < deadline, f"no copy from transmission:\n{transmission.log_tail()}"
                time.sleep(0.1)
            assert session.flush_files(info_hash, TRANSFER_TIMEOUT_SECONDS)
            assert written_files(tmp_path / "downloads") == contents
            assert session.status(info_hash).all_time_download == sum(SIZES.values())
        finally:
            session.close(timeout=10)



def seeding_engine(root: Path, encryption: str, made: MadeTorrent, folder: Path) -> Engine:
    """A real engine whose catalog holds a finished torrent it seeds (as after a completed ticket)."""
    for name in ("music", "movies", "tv", "downloads", "staging"):
        (root / name).mkdir(parents=True, exist_ok=True)
    config = MINIMAL_CONFIG.format(root=root).replace("[torrent]\n", f'[torrent]\nencryption = "{encryption}"\n')
    (root / "config.toml").write_text(config, encoding="utf-8")
    engine = Engine.open(Home.at(root), clock=SystemClock())
    engine.start()
    session = engine.parts.torrent.session
    session.add_torrent_bytes(made.torrent_bytes, folder.parent, seed_mode=True)
    now = engine.clock.now()
    with write_transaction():
        catalog.record_torrent(made.info_hash, made.name, folder.parent, session.wait_metadata(made.info_hash, 10),
                               now=now, torrent_file=made.torrent_bytes)
        TorrentRow.update(progress=1.0, completed_at=now).where(TorrentRow.info_hash == made.info_hash).execute()
    return engine


@pytest.mark.parametrize("encryption", ENCRYPTIONS)
def test_transmission_downloads_from_the_engine_and_every_face_shows_the_upload(
    tmp_path: Path, tracker: Tracker, encryption: str
) -> None:
    made, contents = release(tmp_path / "release", tracker)
    folder = tmp_path / "release" / next(iter(contents)).split("/")[0]
    size = sum(SIZES.values())
    home = tmp_path / "home"
    with Transmission(tmp_path / "release" / "release.torrent", tmp_path / "leech", tmp_path / "tr",
                      encryption=encryption) as transmission:
        # Transmission never dials 127.x peers (it calls them martian): it must be announced before we are
        tracker.wait_for(lambda heard: any(not ours(a) and a.left > 0 and a.event != "stopped" for a in heard),
                         "transmission announcing itself as a leecher", TRANSFER_TIMEOUT_SECONDS)
        engine = seeding_engine(home, encryption, made, folder)
        try:
            for relative, content in contents.items():
                transmission.wait_for_file(relative, content, TRANSFER_TIMEOUT_SECONDS)
            # [torrent] seed_ratio = 1.0 pauses the torrent once the copy is out: the pause that lost the count
            deadline = time.monotonic() + TRANSFER_TIMEOUT_SECONDS
            while not engine.parts.torrent.session.status(made.info_hash).paused:
                assert time.monotonic() < deadline, "the seed goal never paused the torrent"
                time.sleep(0.1)
        finally:
            engine.stop()

    listed = [json.loads(line) for line in run_cli(home, "torrent", "list", "--json").stdout.splitlines()]
    resume = lt.read_resume_data((home / "torrents" / f"{made.info_hash}.resume").read_bytes())
    told = max(announce.uploaded for announce in tracker.announces if ours(announce))
    assert [(row["info_hash"], row["uploaded"]) for row in listed] == [(made.info_hash, resume.total_uploaded)]
    assert resume.total_uploaded == told >= size
    assert listed[0]["ratio"] == round(told / size, 3)


def test_torrents_the_program_makes_are_v1_unless_hybrid_is_asked_for(tmp_path: Path) -> None:
    (tmp_path / "a.flac").write_bytes(b"x" * 70_000)
    plain = lt.bdecode(make_torrent(tmp_path / "a.flac").torrent_bytes)[b"info"]
    hybrid = lt.bdecode(make_torrent(tmp_path / "a.flac", hybrid=True).torrent_bytes)[b"info"]
    assert b"meta version" not in plain and b"file tree" not in plain  # Transmission 3 and aria2 read it
    assert hybrid[b"meta version"] == 2

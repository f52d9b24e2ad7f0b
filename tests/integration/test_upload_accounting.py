"""Upload totals survive what libtorrent's own all-time counters drop: a pause within a second, a restart."""

from __future__ import annotations

import dataclasses
import random
from typing import TYPE_CHECKING

import libtorrent as lt
import pytest

from qtorrentino.clock import FrozenClock
from qtorrentino.config.home import Home
from qtorrentino.db.models import TorrentRow
from qtorrentino.torrent.alerts import IgnoringListener
from qtorrentino.torrent.maketorrent import magnet_with_peer, make_torrent
from qtorrentino.torrent.session import TorrentSession
from tests.integration.test_seeding_rules import START, leech_a_copy, open_engine, seed
from tests.integration.test_torrent_session import RecordingListener, wait_until
from tests.servers.seeder import loopback_config

if TYPE_CHECKING:
    from pathlib import Path

    from qtorrentino.torrent.maketorrent import MadeTorrent

SIZE = 2_000_000
USER_AGENT = "qtorrentino/test"


def leech(tmp_path: Path, made: MadeTorrent, seed_port: int, name: str, encryption: str) -> None:
    """A separate session downloads the whole torrent from the seed and leaves."""
    config = dataclasses.replace(loopback_config(), encryption=encryption)
    listener = RecordingListener()
    with TorrentSession(config, tmp_path / f"{name}-state", listener=listener, user_agent=USER_AGENT) as peer:
        info_hash = peer.add_magnet(magnet_with_peer(made.magnet, "127.0.0.1", seed_port), tmp_path / name,
                                    metadata_only=False)
        listener.wait_for(lambda: info_hash in listener.finished, f"{name} downloading from the seed")


def stored_upload(state_dir: Path, info_hash: str) -> int:
    """What the resume data on disk says was uploaded (what the next run starts from)."""
    return lt.read_resume_data((state_dir / f"{info_hash}.resume").read_bytes()).total_uploaded


@pytest.mark.parametrize("encryption", ["forced", "enabled"])
def test_an_upload_followed_at_once_by_a_pause_is_counted_and_kept_across_restarts(
    tmp_path: Path, encryption: str
) -> None:
    share = tmp_path / "share"
    share.mkdir()
    (share / "album.flac").write_bytes(random.Random(3).randbytes(SIZE))
    made = make_torrent(share / "album.flac")
    config = dataclasses.replace(loopback_config(), encryption=encryption)
    state = tmp_path / "seed-state"
    seed = TorrentSession(config, state, listener=IgnoringListener(), user_agent=USER_AGENT)
    seed.add_torrent_bytes(made.torrent_bytes, share, seed_mode=True)
    wait_until(lambda: seed.status(made.info_hash).seeding, "the seed starting")

    leech(tmp_path, made, seed.listen_port, "first", encryption)
    seed.pause(made.info_hash)  # libtorrent folds bytes into all_time_upload once a second, never while paused
    wait_until(lambda: seed.status(made.info_hash).all_time_upload == SIZE, "the first copy counted")

    seed.resume(made.info_hash)  # libtorrent's per-run counter starts again at 0
    leech(tmp_path, made, seed.listen_port, "second", encryption)
    wait_until(lambda: seed.status(made.info_hash).all_time_upload == 2 * SIZE, "both copies counted")
    seed.close(timeout=10)
    assert stored_upload(state, made.info_hash) == 2 * SIZE

    with TorrentSession(config, state, listener=IgnoringListener(), user_agent=USER_AGENT) as again:
        assert again.restore({made.info_hash: share}).restored == (made.info_hash,)
        assert again.status(made.info_hash).all_time_upload == 2 * SIZE
        # The ratio's denominator is what the torrent holds, known once its files are checked.
        wait_until(lambda: again.status(made.info_hash).seeding, "the restored seed checked")
        status = again.status(made.info_hash)
        assert (status.all_time_upload, status.ratio) == (2 * SIZE, 2.0)


def test_an_upload_just_before_shutdown_reaches_the_resume_data(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    (share / "movie.mkv").write_bytes(random.Random(4).randbytes(SIZE))
    made = make_torrent(share / "movie.mkv")
    config = dataclasses.replace(loopback_config(), encryption="forced")
    state = tmp_path / "seed-state"
    seed = TorrentSession(config, state, listener=IgnoringListener(), user_agent=USER_AGENT)
    seed.add_torrent_bytes(made.torrent_bytes, share, seed_mode=True)
    wait_until(lambda: seed.status(made.info_hash).seeding, "the seed starting")

    leech(tmp_path, made, seed.listen_port, "leech", "forced")
    final = seed.close(timeout=10)

    assert stored_upload(state, made.info_hash) == SIZE
    assert [(status.info_hash, status.all_time_upload) for status in final] == [(made.info_hash, SIZE)]


@pytest.mark.parametrize("damage", ["cut", "missing"])
def test_an_upload_total_survives_resume_data_lost_between_runs(tmp_path: Path, damage: str) -> None:
    root = tmp_path / "home"
    clock = FrozenClock(START)
    engine = open_engine(root, clock)
    try:
        made = seed(engine, root, "Uploaded", 1_000_000)
        leech_a_copy(tmp_path, engine, made)
    finally:
        engine.stop()
    uploaded = TorrentRow.get_by_id(made.info_hash).uploaded
    assert uploaded >= 1_000_000
    resume = Home.at(root).torrents_dir / f"{made.info_hash}.resume"
    if damage == "cut":
        resume.write_bytes(resume.read_bytes()[: resume.stat().st_size // 2])
    else:
        resume.unlink()

    again = open_engine(root, clock)
    try:
        session = again.parts.torrent.session
        wait_until(lambda: session.has(made.info_hash) and session.status(made.info_hash).seeding,
                   "the torrent added again from its stored .torrent, checked and seeding")
        assert session.status(made.info_hash).all_time_upload == uploaded
        again.parts.torrent.tracker.persist_pending()
        again.parts.torrent.enforce_seeding_policy()
    finally:
        again.stop()
    assert TorrentRow.get_by_id(made.info_hash).uploaded == uploaded

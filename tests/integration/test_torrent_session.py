"""The torrent session against real libtorrent peers on 127.0.0.1, real files and resume data."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import random
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import libtorrent as lt
import pytest

from qtorrentino.errors import HostileMetadata
from qtorrentino.torrent.maketorrent import magnet_with_peer, make_torrent
from qtorrentino.torrent.seeding import cleanup_candidates, seeding_done
from qtorrentino.torrent.session import TorrentSession, read_torrent_file
from qtorrentino.torrent.status import TorrentState, TorrentStatus
from qtorrentino.workers.base import NotReadyYet
from qtorrentino.workers.torrent_files import require_complete_files
from tests.servers.seeder import Seeder, loopback_config

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from qtorrentino.domain.files import FileEntry

REPO_ROOT = Path(__file__).resolve().parents[2]
TRANSFER_TIMEOUT_SECONDS = 20.0
TRACK_SIZES = (300_000, 410_001, 256_123)
USER_AGENT = "qtorrentino/test"


class RecordingListener:
    """A SessionListener that keeps everything it hears and lets a test wait for it."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.statuses: list[TorrentStatus] = []
        self.metadata: dict[str, list[FileEntry]] = {}
        self.finished: list[str] = []
        self.errors: list[tuple[str, str]] = []

    def on_statuses(self, statuses: list[TorrentStatus]) -> None:
        self._record(lambda: self.statuses.extend(statuses))

    def on_metadata(self, info_hash: str, files: list[FileEntry]) -> None:
        self._record(lambda: self.metadata.__setitem__(info_hash, files))

    def on_finished(self, info_hash: str) -> None:
        self._record(lambda: self.finished.append(info_hash))

    def on_error(self, info_hash: str, message: str) -> None:
        self._record(lambda: self.errors.append((info_hash, message)))

    def on_session_error(self, message: str) -> None:
        self._record(lambda: self.errors.append(("", message)))

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        """Wait until condition holds, failing with what was expected."""
        deadline = time.monotonic() + TRANSFER_TIMEOUT_SECONDS
        with self._changed:
            while not condition():
                if not self._changed.wait(max(0.0, deadline - time.monotonic())):
                    raise AssertionError(f"{what}: not within {TRANSFER_TIMEOUT_SECONDS}s")

    def _record(self, change: Callable[[], object]) -> None:
        with self._changed:
            change()
            self._changed.notify_all()


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll a condition about the session's state (which has no event of its own)."""
    deadline = time.monotonic() + TRANSFER_TIMEOUT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {TRANSFER_TIMEOUT_SECONDS}s")
        time.sleep(0.02)


def finish_on_disk(session: TorrentSession, listener: RecordingListener, info_hash: str, what: str) -> None:
    """Wait for the torrent to finish and for its last blocks to be written, as readers of its files must."""
    listener.wait_for(lambda: info_hash in listener.finished, what)
    assert session.flush_files(info_hash, TRANSFER_TIMEOUT_SECONDS), f"{what}: blocks still unwritten"


def written_files(root: Path) -> dict[str, bytes]:
    """Every file under root (libtorrent's part files aside), by relative path."""
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and not path.name.endswith(".parts")
    }


def tree_snapshot(root: Path) -> set[str]:
    """Every path under root, to prove nothing appeared anywhere."""
    return {path.relative_to(root).as_posix() for path in root.rglob("*")}


@dataclass
class Album:
    """A folder of tracks with random content, as a release would hold."""

    folder: Path
    contents: dict[str, bytes] = field(default_factory=dict)


@pytest.fixture
def album(tmp_path: Path) -> Album:
    folder = tmp_path / "share" / "Artist - Album (2024)"
    folder.mkdir(parents=True)
    generator = random.Random(7)  # reproducible content
    made = Album(folder)
    for number, size in enumerate(TRACK_SIZES, start=1):
        name = f"{number:02d} - Track {number}.flac"
        (folder / name).write_bytes(content := generator.randbytes(size))
        made.contents[f"{folder.name}/{name}"] = content
    return made


@pytest.fixture
def seeder(tmp_path: Path) -> Iterator[Seeder]:
    with Seeder(tmp_path / "seeder-state") as running:
        yield running


@pytest.fixture
def listener() -> RecordingListener:
    return RecordingListener()


@pytest.fixture
def session(tmp_path: Path, listener: RecordingListener) -> Iterator[TorrentSession]:
    opened = TorrentSession(
        loopback_config(), tmp_path / "state", listener=listener, user_agent=USER_AGENT
    )
    yield opened
    opened.close(timeout=10)


def test_magnet_download_is_complete_and_its_torrent_file_reseeds(
    tmp_path: Path,
    album: Album,
    seeder: Seeder,
    session: TorrentSession,
    listener: RecordingListener,
) -> None:
    seeded = seeder.seed(album.folder)
    downloads = tmp_path / "downloads"

    info_hash = session.add_magnet(seeded.magnet, downloads, metadata_only=False)
    finish_on_disk(session, listener, info_hash, "the magnet download finishing")

    assert written_files(downloads) == album.contents
    assert sorted(entry.path for entry in listener.metadata[info_hash]) == sorted(album.contents)
    status = session.status(info_hash)
    assert (status.state, status.progress, status.seeding) == (TorrentState.SEEDING, 1.0, True)
    assert status.total_wanted == sum(TRACK_SIZES)
    require_complete_files(session, info_hash)  # complete: conversion and placement may read it
    listener.wait_for(
        lambda: any(
            update.info_hash == info_hash and update.progress == 1.0 for update in listener.statuses
        ),
        "progress reaching the listener",
    )

    catalog_bytes = session.torrent_file_bytes(info_hash)
    assert read_torrent_file(catalog_bytes).info_hash == info_hash
    with TorrentSession(
        loopback_config(),
        tmp_path / "other-state",
        listener=RecordingListener(),
        user_agent=USER_AGENT,
    ) as offline:
        offline.add_torrent_bytes(catalog_bytes, downloads)
        wait_until(
            lambda: offline.status(info_hash).seeding,
            "the catalog's .torrent rechecking as complete",
        )


def test_only_the_wanted_files_are_written(
    tmp_path: Path,
    album: Album,
    seeder: Seeder,
    session: TorrentSession,
    listener: RecordingListener,
) -> None:
    seeded = seeder.seed(album.folder)
    tracks = read_torrent_file(seeded.torrent_bytes).files
    wanted = [tracks[0], tracks[2]]
    downloads = tmp_path / "downloads"

    info_hash = session.add_torrent_bytes(
        seeded.torrent_bytes,
        downloads,
        wanted_indexes=[entry.index for entry in wanted],
        peers=[("127.0.0.1", seeder.port)],
    )
    finish_on_disk(session, listener, info_hash, "the wanted files finishing")

    assert written_files(downloads) == {entry.path: album.contents[entry.path] for entry in wanted}
    status = session.status(info_hash)
    assert (status.state, status.finished, status.seeding) == (TorrentState.FINISHED, True, False)
    assert status.total_wanted == sum(entry.size for entry in wanted)
    rates = []
    for _ in range(12):
        rates.append(session.status(info_hash).download_bps)
        time.sleep(0.25)
    assert rates == [0] * 12, "nothing wanted is left to download: libtorrent's fading average is not a rate"

    session.pause(info_hash)
    assert session.status(info_hash).state is TorrentState.PAUSED
    session.resume(info_hash)
    wait_until(lambda: session.status(info_hash).state is TorrentState.FINISHED, "resuming")

    session.remove(info_hash, delete_data=True)
    wait_until(lambda: not written_files(downloads), "the removed torrent's files being deleted")
    assert session.statuses() == []
    assert not any((tmp_path / "state").glob(f"{info_hash}*"))


def test_metadata_only_magnet_writes_nothing_until_started(
    tmp_path: Path,
    album: Album,
    seeder: Seeder,
    session: TorrentSession,
    listener: RecordingListener,
) -> None:
    seeded = seeder.seed(album.folder)
    downloads = tmp_path / "downloads"

    info_hash = session.add_magnet(seeded.magnet, downloads, metadata_only=True)
    files = session.wait_metadata(info_hash, timeout=TRANSFER_TIMEOUT_SECONDS)

    assert {entry.path: entry.size for entry in files} == {
        path: len(content) for path, content in album.contents.items()
    }
    time.sleep(0.5)  # give a wrongly started download time to write something
    assert not downloads.exists()
    status = session.status(info_hash)
    assert (status.state, status.progress, status.finished) == (
        TorrentState.METADATA_READY,
        0.0,
        False,
    )
    assert info_hash not in listener.finished

    middle = files[1]
    session.set_file_priorities(info_hash, [middle.index])
    session.start(info_hash)
    finish_on_disk(session, listener, info_hash, "the started download finishing")
    assert written_files(downloads) == {middle.path: album.contents[middle.path]}


@pytest.mark.slow
def test_a_magnet_whose_peer_refused_at_first_is_dialled_again_within_seconds(
    tmp_path: Path, album: Album, session: TorrentSession, listener: RecordingListener
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    made = make_torrent(album.folder)
    downloads = tmp_path / "downloads"
    info_hash = session.add_magnet(magnet_with_peer(made.magnet, "127.0.0.1", port), downloads, metadata_only=False)
    time.sleep(1.0)  # the first dial is refused: nobody listens on the port yet
    late_seeder = TorrentSession(dataclasses.replace(loopback_config(), listen_interfaces=f"127.0.0.1:{port}"),
                                 tmp_path / "late-seeder", listener=RecordingListener(), user_agent=USER_AGENT)
    try:
        late_seeder.add_torrent_bytes(made.torrent_bytes, album.folder.parent, seed_mode=True)
        started = time.monotonic()
        finish_on_disk(session, listener, info_hash, "the download from the late seeder")
        assert time.monotonic() - started < 18, "libtorrent's default waits a minute before dialling again"
    finally:
        late_seeder.close(timeout=10)
    assert written_files(downloads) == album.contents


def test_a_torrent_file_added_with_nothing_wanted_waits_for_start(
    tmp_path: Path,
    album: Album,
    seeder: Seeder,
    session: TorrentSession,
    listener: RecordingListener,
) -> None:
    seeded = seeder.seed(album.folder)
    downloads = tmp_path / "downloads"

    info_hash = session.add_torrent_bytes(
        seeded.torrent_bytes, downloads, wanted_indexes=(), peers=[("127.0.0.1", seeder.port)]
    )
    files = session.wait_metadata(info_hash, timeout=TRANSFER_TIMEOUT_SECONDS)
    time.sleep(0.5)  # give a wrongly started download time to write something
    assert not downloads.exists()
    assert session.status(info_hash).state is TorrentState.METADATA_READY

    last = files[-1]
    session.set_file_priorities(info_hash, [last.index])
    session.start(info_hash)
    finish_on_disk(session, listener, info_hash, "the started download finishing")
    assert written_files(downloads) == {last.path: album.contents[last.path]}


def test_a_download_that_cannot_write_reports_the_error_and_stops(
    tmp_path: Path,
    album: Album,
    seeder: Seeder,
    session: TorrentSession,
    listener: RecordingListener,
) -> None:
    seeded = seeder.seed(album.folder)
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"a file where the download folder should be")

    info_hash = session.add_magnet(seeded.magnet, blocker / "downloads", metadata_only=False)
    listener.wait_for(lambda: any(hash_ == info_hash for hash_, _ in listener.errors), "the error")

    status = session.status(info_hash)
    assert (status.state, status.paused) == (TorrentState.ERROR, True)
    assert status.error is not None
    assert "Not a directory" in status.error
    told = [message for hash_, message in listener.errors if hash_ == info_hash]
    assert all("Not a directory" in message for message in told)
    assert info_hash not in listener.finished


class FailingListener(RecordingListener):
    """A listener with a bug in its progress handling."""

    def on_statuses(self, statuses: list[TorrentStatus]) -> None:
        super().on_statuses(statuses)
        raise RuntimeError("a bug in the progress listener")


def test_a_failing_listener_does_not_stop_the_alert_thread(
    tmp_path: Path, album: Album, seeder: Seeder
) -> None:
    seeded = seeder.seed(album.folder)
    listener = FailingListener()
    with TorrentSession(
        loopback_config(), tmp_path / "state", listener=listener, user_agent=USER_AGENT
    ) as session:
        info_hash = session.add_magnet(seeded.magnet, tmp_path / "downloads", metadata_only=False)
        listener.wait_for(lambda: info_hash in listener.finished, "the download finishing")
        listener.wait_for(lambda: len(listener.statuses) >= 2, "status updates after the failure")


def test_restart_resumes_from_the_saved_pieces(tmp_path: Path, listener: RecordingListener) -> None:
    source = tmp_path / "share" / "Movie (2024).mkv"
    source.parent.mkdir()
    source.write_bytes(content := os.urandom(6 << 20))
    half_bytes = 3 << 20
    downloads = tmp_path / "downloads"
    with Seeder(tmp_path / "seeder-state", upload_rate_limit_kib=3072) as slow_seeder:
        seeded = slow_seeder.seed(source, piece_size=16384)
        first = TorrentSession(
            loopback_config(), tmp_path / "state", listener=listener, user_agent=USER_AGENT
        )
        info_hash = first.add_torrent_bytes(
            seeded.torrent_bytes, downloads, peers=[("127.0.0.1", slow_seeder.port)]
        )
        wait_until(
            lambda: first.status(info_hash).total_wanted_done >= half_bytes, "half the download"
        )
        assert first.save_all_resume_data(timeout=10) == 1
        first.close(timeout=10)

        second = TorrentSession(
            loopback_config(), tmp_path / "state", listener=listener, user_agent=USER_AGENT
        )
        try:
            assert not second.unclean_start
            report = second.restore({info_hash: downloads})
            assert report.restored == (info_hash,)
            assert report.rechecking == ()
            wait_until(
                lambda: second.status(info_hash).state is not TorrentState.CHECKING, "resume check"
            )
            assert second.status(info_hash).total_wanted_done >= half_bytes
            wait_until(lambda: second.status(info_hash).seeding, "the resumed download finishing")
            assert second.status(info_hash).all_time_download < len(content) * 1.25
        finally:
            second.close(timeout=10)
    assert (downloads / source.name).read_bytes() == content


KILLED_SESSION_SCRIPT = """
import os, signal, sys, time
from pathlib import Path
from qtorrentino.torrent.alerts import IgnoringListener
from qtorrentino.torrent.session import TorrentSession
from tests.servers.seeder import loopback_config

state, data, torrent = (Path(argument) for argument in sys.argv[1:4])
session = TorrentSession(loopback_config(), state, listener=IgnoringListener(), user_agent="test")
info_hash = session.add_torrent_bytes(torrent.read_bytes(), data)
while not session.status(info_hash).seeding:
    time.sleep(0.02)
session.save_all_resume_data(timeout=10)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_after_kill_9_restored_torrents_are_rechecked(
    tmp_path: Path, album: Album, listener: RecordingListener
) -> None:
    made = make_torrent(album.folder)
    torrent_file = tmp_path / "album.torrent"
    torrent_file.write_bytes(made.torrent_bytes)
    state = tmp_path / "state"
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            KILLED_SESSION_SCRIPT,
            str(state),
            str(album.folder.parent),
            str(torrent_file),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert killed.returncode == -9, killed.stderr
    first_track = album.folder / sorted(path.name for path in album.folder.iterdir())[0]
    first_track.write_bytes(
        bytes(first_track.stat().st_size)
    )  # the page cache never reached the disk

    restarted = TorrentSession(loopback_config(), state, listener=listener, user_agent=USER_AGENT)
    try:
        assert restarted.unclean_start
        report = restarted.restore({made.info_hash: album.folder.parent})
        assert report.rechecking == (made.info_hash,)
        with pytest.raises(NotReadyYet):
            require_complete_files(restarted, made.info_hash)  # no reading while libtorrent checks
        wait_until(
            lambda: (
                (checked := restarted.status(made.info_hash)).state is not TorrentState.CHECKING
                and not checked.seeding
            ),
            "the recheck to find the damaged track (resume data alone would say seeding)",
        )
        status = restarted.status(made.info_hash)
        assert status.total_wanted_done <= sum(TRACK_SIZES) - TRACK_SIZES[0]
        with pytest.raises(NotReadyYet, match="wanted bytes"):
            require_complete_files(restarted, made.info_hash)  # the hole would be copied into the library
    finally:
        restarted.close(timeout=10)


def bencode(value: object) -> bytes:
    """Encode integers, byte strings, lists and dictionaries the way BitTorrent does."""
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, list):
        return b"l" + b"".join(bencode(item) for item in value) + b"e"
    if isinstance(value, dict):
        return b"d" + b"".join(bencode(key) + bencode(value[key]) for key in sorted(value)) + b"e"
    raise TypeError(f"cannot bencode {value!r}")


def hostile_torrent(files: list[list[bytes]]) -> bytes:
    """A .torrent whose file paths come straight from a stranger."""
    total_bytes = 10 * len(files)
    info = {
        b"name": b"Totally Legit Album",
        b"piece length": 16384,
        b"pieces": hashlib.sha1(bytes(total_bytes)).digest(),  # noqa: S324 - v1 piece hashes are SHA-1
        b"files": [{b"length": 10, b"path": path} for path in files],
    }
    return bencode({b"info": info})


@pytest.mark.parametrize(
    ("paths", "reason"),
    [
        ([[b"..", b"..", b".bashrc"], [b"01.flac"]], "'..' path element"),
        ([[b"/etc", b"passwd"], [b"01.flac"]], "absolute path"),
        ([[b"CON.flac"]], "device"),
        ([[b"01 \xe2\x80\xaecalf.exe"]], "text-direction"),
    ],
)
def test_hostile_torrent_file_is_refused_and_nothing_is_written(
    tmp_path: Path, session: TorrentSession, paths: list[list[bytes]], reason: str
) -> None:
    before = tree_snapshot(tmp_path)

    with pytest.raises(HostileMetadata, match=reason):
        session.add_torrent_bytes(hostile_torrent(paths), tmp_path / "downloads")

    assert session.statuses() == []
    assert tree_snapshot(tmp_path) == before


def test_hostile_magnet_metadata_is_refused_before_any_content(
    tmp_path: Path, session: TorrentSession, listener: RecordingListener
) -> None:
    attacker = lt.session(
        {
            "listen_interfaces": "127.0.0.1:0",
            "enable_dht": False,
            "enable_lsd": False,
            "enable_upnp": False,
            "enable_natpmp": False,
            "enable_outgoing_utp": False,
            "enable_incoming_utp": False,
            "allow_multiple_connections_per_ip": True,
        }
    )
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(hostile_torrent([[b"..", b"..", b"evil.sh"], [b"01.flac"]]))
    params.save_path = str(tmp_path / "attacker")
    params.flags = (params.flags | lt.torrent_flags.seed_mode) & ~(
        lt.torrent_flags.paused | lt.torrent_flags.auto_managed
    )
    info_hash = str(attacker.add_torrent(params).info_hashes().v1)
    magnet = f"magnet:?xt=urn:btih:{info_hash}&x.pe=127.0.0.1:{attacker.listen_port()}"
    before = tree_snapshot(tmp_path)

    session.add_magnet(magnet, tmp_path / "downloads", metadata_only=False)
    with pytest.raises(HostileMetadata, match=r"'\.\.' path element"):
        session.wait_metadata(info_hash, timeout=TRANSFER_TIMEOUT_SECONDS)

    listener.wait_for(
        lambda: any(hash_ == info_hash for hash_, _ in listener.errors), "the refusal"
    )
    assert session.status(info_hash).state is TorrentState.ERROR
    assert {
        path for path in tree_snapshot(tmp_path) - before if not path.startswith("state")
    } == set()
    del attacker


def status_for(*, ratio: float, seeding_hours: float, finished: bool = True) -> TorrentStatus:
    """A finished torrent's status with the given ratio and seeding time."""
    return TorrentStatus(
        info_hash="a" * 40,
        name="Album",
        save_path=Path("/downloads"),
        progress=1.0,
        total_wanted=100,
        total_wanted_done=100,
        download_bps=0,
        upload_bps=0,
        peers=0,
        seeds=0,
        eta_seconds=None,
        ratio=ratio,
        all_time_download=100,
        all_time_upload=int(ratio * 100),
        state=TorrentState.SEEDING,
        paused=False,
        finished=finished,
        seeding=finished,
        error=None,
        active_seconds=0,
        seeding_seconds=int(seeding_hours * 3600),
        added_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("ratio", "hours", "goal_ratio", "goal_hours", "done"),
    [
        (0.99, 100, 1.0, 0, False),
        (1.0, 0, 1.0, 0, True),
        (2.5, 10, 2.0, 24, False),
        (2.5, 24, 2.0, 24, True),
        (0.0, 48, 0, 24, True),
    ],
)
def test_seeding_is_done_when_ratio_and_time_goals_are_both_met(
    ratio: float, hours: float, goal_ratio: float, goal_hours: float, done: bool
) -> None:
    assert (
        seeding_done(status_for(ratio=ratio, seeding_hours=hours), goal_ratio, goal_hours) is done
    )


def test_an_unfinished_torrent_has_never_seeded_enough() -> None:
    assert not seeding_done(status_for(ratio=5.0, seeding_hours=100, finished=False), 1.0, 0)


@dataclass(frozen=True)
class CatalogRow:
    """A stand-in for the catalog's view of a seeded torrent."""

    name: str
    size_bytes: int
    last_access: datetime
    policy_met: bool


def test_cleanup_takes_torrents_past_policy_oldest_access_first_until_under_budget() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [
        CatalogRow("recent", 40, start + timedelta(days=3), policy_met=True),
        CatalogRow("oldest", 30, start, policy_met=True),
        CatalogRow("still seeding", 50, start - timedelta(days=9), policy_met=False),
        CatalogRow("older", 20, start + timedelta(days=1), policy_met=True),
    ]

    assert [row.name for row in cleanup_candidates(rows, budget_bytes=100)] == ["oldest", "older"]
    assert [row.name for row in cleanup_candidates(rows, budget_bytes=140)] == []
    assert cleanup_candidates(rows, budget_bytes=0) == []
    assert [row.name for row in cleanup_candidates(rows, budget_bytes=10)] == [
        "oldest",
        "older",
        "recent",
    ]

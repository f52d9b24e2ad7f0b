"""An unmounted library disk (a real tmpfs, unmounted under a running engine): nothing lands on the
bare mountpoint, the ticket waits with an error, and `ticket retry` completes it once the disk is
back."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from qtorrentino.domain.states import TicketState
from qtorrentino.engine.engine import Engine
from qtorrentino.library.marker import MARKER_NAME
from tests.conftest import make_home, run_cli
from tests.media_fixtures import make_album
from tests.servers.seeder import SeededTorrent, Seeder
from tests.servers.torznab import DEFAULT_API_KEY, Release, TorznabServer

ALBUM = "Offline Artist - Offline Album (2003) [FLAC]"

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="mounting a tmpfs needs root (CI runs as root)"
)


def mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"mount {' '.join(args)}: {done.stderr}"


def unmount(folder: Path) -> None:
    done = subprocess.run(["umount", str(folder)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"umount {folder}: {done.stderr}"


@contextmanager
def nas(disk: Path, mountpoint: Path) -> Iterator[None]:
    """A tmpfs 'disk' bind-mounted on mountpoint: unmounting the bind leaves an empty folder on the
    root disk and keeps the disk's files, as a NAS that goes offline and comes back does."""
    disk.mkdir(parents=True, exist_ok=True)
    mountpoint.mkdir(parents=True, exist_ok=True)
    mount("-t", "tmpfs", "-o", "size=128m", "tmpfs", str(disk))
    try:
        mount("--bind", str(disk), str(mountpoint))
        yield
    finally:
        for folder in (mountpoint, disk):
            while os.path.ismount(folder):
                unmount(folder)


@pytest.fixture(scope="module")
def indexer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TorznabServer]:
    content = tmp_path_factory.mktemp("content")
    make_album(
        content / ALBUM,
        tracks=2,
        seconds=2.0,
        artist="Offline Artist",
        album="Offline Album",
        year=2003,
    )
    with Seeder(tmp_path_factory.mktemp("seeder-state")) as seeder:
        seeded: SeededTorrent = seeder.seed(content / ALBUM)
        release = Release(
            title=ALBUM,
            size=1_000_000,
            seeders=20,
            info_hash=seeded.info_hash,
            magnet=seeded.magnet,
            category=3000,
        )
        with TorznabServer(releases=[release]) as server:
            yield server


def wait_for_state(
    engine: Engine, ticket_id: str, *states: TicketState, timeout: float = 120
) -> TicketState:
    deadline = time.monotonic() + timeout
    while (state := engine.tickets.show(ticket_id).state) not in states:
        assert time.monotonic() < deadline, (
            f"ticket stuck in {state}: {engine.tickets.show(ticket_id).summary}"
        )
        time.sleep(0.1)
    return state


def test_an_unmounted_library_gets_nothing_and_its_ticket_completes_after_remount_and_retry(
    tmp_path: Path, indexer: TorznabServer
) -> None:
    music = tmp_path / "music"
    disk = tmp_path / "nas-disk"
    extra = (
        f'\n[[indexers]]\nname = "loopback"\nurl = "{indexer.url}"\napi_key = "{DEFAULT_API_KEY}"\n'
        "rate_limit_per_minute = 0\n\n[textbrain]\nauto_approve_threshold = 0.7\n"
    )
    home = make_home(tmp_path, extra)
    with nas(disk, music):
        engine = Engine.open(home)
        engine.start()
        try:
            assert (disk / MARKER_NAME).is_file(), (
                "the library is marked when the engine first sees it"
            )
            unmount(music)
            assert os.listdir(music) == []

            ticket = engine.tickets.add_json(
                {
                    "kind": "album",
                    "query": {"artist": "Offline Artist", "album": "Offline Album", "year": 2003},
                    "constraints": {"format": "copy"},
                    "library": "Music",
                },
                actor="cli:test",
            )[0].id
            assert (
                wait_for_state(engine, ticket, TicketState.FAILED, TicketState.COMPLETED)
                is TicketState.FAILED
            )

            shown = json.loads(run_cli(home, "ticket", "show", ticket, "--json").stdout)
            assert shown["retryable"] is True
            assert f"library Music at {music} is offline" in shown["error"]
            assert "is the disk mounted?" in shown["error"]
            assert os.listdir(music) == [], "nothing was written into the bare mountpoint"
            refused = engine.audit.latest(ticket, "PlacementFailed")
            assert refused is not None
            assert (refused.data["fault"], refused.data["library"]) == ("library_offline", "Music")
            assert refused.data["rollback_status"] == "none"

            mount("--bind", str(disk), str(music))
            retried = run_cli(home, "ticket", "retry", ticket)
            assert retried.returncode == 0, retried.stderr
            assert (
                wait_for_state(engine, ticket, TicketState.COMPLETED, TicketState.FAILED)
                is TicketState.COMPLETED
            )
            album = disk / "Offline Artist" / "Offline Album (2003)"
            assert sorted(path.name for path in album.glob("*.flac")) == [
                "01 - Track 01.flac",
                "02 - Track 02.flac",
            ]
        finally:
            engine.stop()


def test_the_engine_and_headless_start_with_a_missing_library_and_the_others_work(
    tmp_path: Path,
) -> None:
    extra = f'\n[[libraries]]\nname = "NAS"\nkind = "music"\npath = "{tmp_path}/nas/music"\n'
    home = make_home(tmp_path, extra)
    (tmp_path / "movies" / "Kept (2012)").mkdir(parents=True)
    (tmp_path / "movies" / "Kept (2012)" / "Kept (2012).mkv").write_bytes(b"k" * 64)

    headless = run_cli(home, "headless", "--exit-when-idle", timeout=120)
    assert headless.returncode == 0, headless.stderr
    log = (tmp_path / "logs" / "qtorrentino.log").read_text(encoding="utf-8")
    assert f"library NAS at {tmp_path}/nas/music is offline" in log
    assert not (tmp_path / "nas").exists(), "a missing root is never created"

    scanned = run_cli(home, "scan")
    assert scanned.returncode == 1
    assert (
        "Movies" in scanned.stdout
        and "library NAS" in scanned.stderr
        and "is the disk mounted?" in scanned.stderr
    )
    assert len(scanned.stderr.strip().splitlines()) == 1
    assert (tmp_path / "movies" / MARKER_NAME).is_file()
    assert not (tmp_path / "nas").exists()

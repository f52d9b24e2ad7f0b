"""A kill -9 during placement leaves no partial file in the library; the restarted engine completes the ticket."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qtorrentino.demo.seeder import Seeder
from qtorrentino.demo.torznab_server import DEFAULT_API_KEY, Release, TorznabServer
from qtorrentino.library.marker import MARKER_NAME
from tests.conftest import REPO, make_home, run_cli

BLOB_MB = 200


def write_blob(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with path.open("wb") as handle:
        for _ in range(BLOB_MB):
            chunk = os.urandom(1024 * 1024)
            digest.update(chunk)
            handle.write(chunk)
    return digest.hexdigest()


@pytest.mark.slow
def test_kill_9_mid_placement_then_restart_completes(tmp_path: Path) -> None:
    content = tmp_path / "content" / "Big Random Blob"
    expected = write_blob(content / "blob.bin")
    library = tmp_path / "home" / "other"
    library.mkdir(parents=True)
    with Seeder(tmp_path / "seeder") as seeder:
        seeded = seeder.seed(content)
        releases = [Release(title="Big Random Blob", size=BLOB_MB * 1024 * 1024, seeders=9, category=8000,
                            info_hash=seeded.info_hash, magnet=seeded.magnet)]
        with TorznabServer(releases=releases) as server:
            home = tmp_path / "home"
            make_home(home, f'\n[[indexers]]\nname = "loopback"\nurl = "{server.url}"\n'
                            f'api_key = "{DEFAULT_API_KEY}"\nrate_limit_per_minute = 0\n\n'
                            f'[[libraries]]\nname = "Other"\nkind = "other"\npath = "{library}"\nlink = "copy"\n')
            added = run_cli(home, "ticket", "add", "-", stdin='{"kind": "generic", "query": {"text": '
                            '"Big Random Blob"}, "auto_approve_threshold": 0.3}')
            assert added.returncode == 0, added.stderr
            ticket = added.stdout.strip()
            child = subprocess.Popen([sys.executable, "-m", "qtorrentino", "--home", str(home), "headless"],
                                     env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
            try:
                deadline = time.monotonic() + 120
                while not list(library.rglob(".qtorrentino-*.part")):
                    assert child.poll() is None, "the engine stopped before placing"
                    assert time.monotonic() < deadline, "placement never started"
                    time.sleep(0.01)
                child.send_signal(signal.SIGKILL)
                child.wait(timeout=10)
            finally:
                child.kill()
            left = [path for path in library.rglob("*") if path.is_file() and path.name != MARKER_NAME]
            assert left, "the kill came before anything was written"
            for path in left:
                if not path.name.startswith(".qtorrentino-"):
                    # the kill landed just after the rename (a loaded machine): the file under its own name is whole
                    assert hashlib.sha256(path.read_bytes()).hexdigest() == expected, f"partial {path.name}"
            restarted = run_cli(home, "headless", "--exit-when-idle", timeout=180)
    assert restarted.returncode == 0, restarted.stderr
    placed = [path for path in library.rglob("*") if path.is_file() and path.name != MARKER_NAME]
    assert [path.name for path in placed] == ["blob.bin"]
    assert hashlib.sha256(placed[0].read_bytes()).hexdigest() == expected
    shown = run_cli(home, "ticket", "show", ticket, "--json")
    assert '"state": "completed"' in shown.stdout

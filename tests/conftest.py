"""Shared fixtures: a temporary home with libraries, an engine on it (workers off), a frozen clock."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from qtorrentino.clock import FrozenClock
from qtorrentino.config.home import Home
from qtorrentino.engine.engine import Engine

REPO = Path(__file__).resolve().parent.parent

MINIMAL_CONFIG = """
[paths]
download_dir = "{root}/downloads"
staging_dir = "{root}/staging"

[torrent]
listen_interfaces = "127.0.0.1:0"
enable_dht = false
enable_lsd = false
enable_utp = false
allow_local_peers = true

[[libraries]]
name = "Music"
kind = "music"
path = "{root}/music"

[[libraries]]
name = "Movies"
kind = "movies"
path = "{root}/movies"

[[libraries]]
name = "TV"
kind = "tv"
path = "{root}/tv"

[workers]
poll_interval_seconds = 0.2
"""


def make_home(root: Path, extra: str = "") -> Home:
    """A home folder with a minimal config, three libraries and loopback-only torrent settings."""
    for name in ("music", "movies", "tv", "downloads", "staging"):
        (root / name).mkdir(parents=True, exist_ok=True)
    (root / "config.toml").write_text(MINIMAL_CONFIG.format(root=root) + extra, encoding="utf-8")
    return Home.at(root)


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return make_home(tmp_path)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 1, 1, 12, 0, tzinfo=UTC))


@pytest.fixture
def engine(home: Home, clock: FrozenClock) -> Iterator[Engine]:
    """A real engine on a temporary home with its workers off, so nothing moves under a test."""
    opened = Engine.open(home, clock=clock)
    opened.start(workers=False)
    yield opened
    opened.stop()


def run_cli(home: Path | Home, *args: str, stdin: str | None = None, timeout: float = 120,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `qtorrentino` command line on a home, as a person would."""
    folder = home.data_dir if isinstance(home, Home) else home
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run([sys.executable, "-m", "qtorrentino", "--home", str(folder), *args],
                          input=stdin, capture_output=True, text=True, timeout=timeout, env=full_env, check=False)

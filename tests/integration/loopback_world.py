"""A small loopback world for pipeline fault tests: seeded content, a Torznab server, a home pointed at it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from qtorrentino.config.home import Home
from qtorrentino.domain.states import TicketState
from qtorrentino.engine.engine import Engine
from tests.conftest import REPO, make_home
from tests.servers.seeder import SeededTorrent
from tests.servers.torznab import DEFAULT_API_KEY, Release, TorznabServer


def offer(seeded: SeededTorrent, title: str, *, category: int = 8000, size: int = 1_000_000,
          seeders: int = 20) -> Release:
    """A release of seeded content, its magnet pointing straight at the seeder."""
    return Release(title=title, size=size, seeders=seeders, info_hash=seeded.info_hash, magnet=seeded.magnet,
                   category=category)


def world_home(root: Path, server: TorznabServer, *, threshold: float = 0.3, extra: str = "",
               torrent: str = "") -> Home:
    """A home whose one indexer is the loopback server, with an `Other` library for generic tickets."""
    (root / "other").mkdir(parents=True, exist_ok=True)
    home = make_home(root, f'\n[[indexers]]\nname = "loopback"\nurl = "{server.url}"\n'
                           f'api_key = "{DEFAULT_API_KEY}"\nrate_limit_per_minute = 0\n\n'
                           f'[[libraries]]\nname = "Other"\nkind = "other"\npath = "{root / "other"}"\n\n'
                           f"[textbrain]\nauto_approve_threshold = {threshold}\n" + extra)
    if torrent:
        config = home.config_file.read_text().replace("allow_local_peers = true",
                                                       "allow_local_peers = true\n" + torrent)
        home.config_file.write_text(config)
    return home


def wait_until(condition: Callable[[], object], timeout: float = 90, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not in time: {what}"
        time.sleep(0.1)


def wait_for_state(engine: Engine, ticket_id: str, *states: TicketState, timeout: float = 90) -> TicketState:
    """Wait until the ticket is in one of `states`; fail naming where it is otherwise."""
    deadline = time.monotonic() + timeout
    while (state := engine.tickets.show(ticket_id).state) not in states:
        assert time.monotonic() < deadline, f"ticket in {state}: {engine.tickets.show(ticket_id).summary}"
        time.sleep(0.1)
    return state


def types_of(engine: Engine, ticket_id: str) -> list[str]:
    return [event.type for event in engine.audit.history(ticket_id)]


def cli(home: Home, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """The real command line on the home."""
    return subprocess.run([sys.executable, "-m", "qtorrentino", "--home", str(home.data_dir), *args],
                          capture_output=True, text=True, timeout=timeout, check=False,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


def headless(home: Home, *args: str) -> subprocess.Popen[str]:
    """`qtorrentino headless` as a child process (stderr to a file in the home, so it never blocks)."""
    log = (home.data_dir / "headless.stderr").open("a")
    return subprocess.Popen([sys.executable, "-m", "qtorrentino", "--home", str(home.data_dir), "headless", *args],
                            stdout=subprocess.DEVNULL, stderr=log, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})


def show(home: Home, ticket_id: str) -> dict[str, object]:
    shown = cli(home, "ticket", "show", ticket_id, "--json")
    assert shown.returncode == 0, shown.stderr
    return dict(json.loads(shown.stdout))


def audit_lines(home: Home) -> list[dict[str, object]]:
    return [json.loads(line) for line in home.audit_jsonl.read_text().splitlines()]

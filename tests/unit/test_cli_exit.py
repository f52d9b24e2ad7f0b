"""The `qtorrentino` entry leaves without Python's teardown: every line still arrives, the exit code is the
command's, and a reader that stops early gets no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qtorrentino.engine.core import Core
from qtorrentino.engine.tickets_api import TicketsAPI
from tests.conftest import REPO, make_home, run_cli

TICKETS = 400
"""About 150 KB of `ticket list --json`: more than a pipe holds, so an early reader really cuts it."""


@pytest.fixture(scope="module")
def filed_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("filed")
    core = Core.open(make_home(folder))
    TicketsAPI(core).add_json([{"kind": "generic", "query": {"text": f"Ticket number {n}"}} for n in range(TICKETS)],
                              actor="test")
    core.close()
    return folder


def test_every_line_arrives_and_the_exit_code_is_the_commands(filed_home: Path) -> None:
    home = filed_home
    listed = run_cli(home, "ticket", "list", "--json", "--limit", "1000")
    assert listed.returncode == 0, listed.stderr
    assert len([json.loads(line) for line in listed.stdout.splitlines()]) == TICKETS
    missing = run_cli(home, "ticket", "show", "nope")
    assert missing.returncode == 1
    assert missing.stderr == ("qtorrentino: error: no ticket with id 'nope' "
                              "(hint: `qtorrentino ticket list` shows the ids)\n")


def test_a_reader_that_stops_early_gets_no_traceback(filed_home: Path) -> None:
    home = filed_home
    command = [sys.executable, "-m", "qtorrentino", "--home", str(home), "ticket", "list", "--json", "--limit", "1000"]
    cli = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    assert cli.stdout is not None and cli.stderr is not None
    first = cli.stdout.readline()
    cli.stdout.close()
    errors = cli.stderr.read()
    assert cli.wait(timeout=60) == 0
    assert json.loads(first)["title"].startswith("Ticket number")
    assert errors == b""

"""Commands that only read answer while an engine holds the write lock; writes wait their turn."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest

from tests.conftest import REPO, run_cli

if TYPE_CHECKING:
    from collections.abc import Iterator

    from qtorrentino.config.home import Home

PATIENCE_SECONDS = 10.0
"""Well under the database's 15 s busy timeout: a read that waited on the lock would pass it."""
WRITER_HOLDS_SECONDS = 2.0


@contextmanager
def writer_holding_the_lock(home: Home) -> Iterator[None]:
    """Another connection in the middle of a write transaction, as an engine committing one."""
    connection = sqlite3.connect(home.database, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE ticket SET priority = priority + 1")
        yield
        connection.execute("ROLLBACK")
    finally:
        connection.close()


def answered(home: Home, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return run_cli(home, *args, timeout=PATIENCE_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`qtorrentino {' '.join(args)}` waited on the writer's lock")


@pytest.fixture
def ticket_id(home: Home) -> str:
    added = run_cli(home, "ticket", "add", "--movie", "Big Buck Bunny", "--year", "2008", "--json")
    assert added.returncode == 0, added.stderr
    return str(json.loads(added.stdout)["id"])


def test_reads_answer_while_a_writer_holds_the_database(home: Home, ticket_id: str) -> None:
    with writer_holding_the_lock(home):
        listed = answered(home, "ticket", "list", "--json")
        shown = answered(home, "ticket", "show", ticket_id[:6], "--json")
        events = answered(home, "audit", "--ticket", ticket_id, "--json")
    assert listed.returncode == 0, listed.stderr
    assert [json.loads(line)["id"] for line in listed.stdout.splitlines()] == [ticket_id]
    assert json.loads(listed.stdout)["priority"] == 100, "a read sees only committed rows"
    assert shown.returncode == 0 and json.loads(shown.stdout)["title"] == "Big Buck Bunny (2008)"
    assert events.returncode == 0
    assert [json.loads(line)["type"] for line in events.stdout.splitlines()] == ["TicketCreated"]


def test_a_write_waits_for_the_lock_then_commits(home: Home, ticket_id: str) -> None:
    command = [
        sys.executable,
        "-m",
        "qtorrentino",
        "--home",
        str(home.data_dir),
        "ticket",
        "cancel",
        ticket_id,
    ]
    with writer_holding_the_lock(home):
        cancel = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        time.sleep(WRITER_HOLDS_SECONDS)
        still_waiting = cancel.poll() is None
    _, stderr = cancel.communicate(timeout=PATIENCE_SECONDS)
    assert still_waiting, "the cancel did not wait for the writer"
    assert cancel.returncode == 0, stderr
    shown = json.loads(run_cli(home, "ticket", "show", ticket_id, "--json").stdout)
    assert shown["state"] == "cancelled"

"""One engine per home, CLI beside a running engine, headless --exit-when-idle, clean stop on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from qtorrentino.config.home import Home
from qtorrentino.engine.lock import running_pid
from tests.conftest import REPO, run_cli


def start_headless(home: Home, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "qtorrentino", "--home", str(home.data_dir), "headless", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})


def wait_for(condition: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def audit_types(home: Home) -> list[str]:
    return [json.loads(line)["type"] for line in home.audit_jsonl.read_text().splitlines()]


def test_second_engine_is_refused_then_takeover_stops_the_first(home: Home) -> None:
    first = start_headless(home)
    try:
        wait_for(lambda: running_pid(home.lock_file) == first.pid)
        second = run_cli(home, "headless", "--exit-when-idle")
        assert second.returncode == 1
        assert "already running" in second.stderr and str(first.pid) in second.stderr
        third = subprocess.Popen([sys.executable, "-m", "qtorrentino", "--home", str(home.data_dir), "headless",
                                  "--exit-when-idle", "--takeover"], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
        assert first.wait(timeout=30) == 0
        assert third.wait(timeout=30) == 0
    finally:
        first.kill()
    types = audit_types(home)
    assert types.count("ServiceStarted") == 2 and types.count("ServiceStopped") == 2


def test_cli_writes_while_the_engine_runs_and_the_engine_sees_them(home: Home) -> None:
    (home.data_dir / "config.toml").write_text(
        (home.data_dir / "config.toml").read_text().replace("poll_interval_seconds = 0.2",
                                                            "poll_interval_seconds = 30"))
    engine = start_headless(home)
    try:
        wait_for(lambda: running_pid(home.lock_file) == engine.pid)
        added_at = time.monotonic()
        added = run_cli(home, "ticket", "add", "--movie", "Sintel", "--json")
        assert added.returncode == 0, added.stderr
        ticket_id = json.loads(added.stdout)["id"]

        def picked_up() -> bool:
            shown = json.loads(run_cli(home, "ticket", "show", ticket_id, "--json").stdout)
            return shown["state"] != "pending"

        wait_for(picked_up, timeout=10)
        assert time.monotonic() - added_at < 10
        engine.send_signal(signal.SIGTERM)
        assert engine.wait(timeout=30) == 0
        _, stderr = engine.communicate()
    finally:
        engine.kill()
    assert f"ticket {ticket_id}: pending → acquiring" in stderr
    assert "no indexers configured" in stderr
    assert audit_types(home)[-1] == "ServiceStopped"


def test_exit_when_idle_codes(home: Home) -> None:
    assert run_cli(home, "headless", "--exit-when-idle").returncode == 0
    ticket_id = run_cli(home, "ticket", "add", "--movie", "Sintel").stdout.strip()
    run_cli(home, "ticket", "cancel", ticket_id)
    assert run_cli(home, "headless", "--exit-when-idle").returncode == 0


def test_sighup_does_not_stop_headless(home: Home, tmp_path: Path) -> None:
    engine = start_headless(home)
    try:
        wait_for(lambda: running_pid(home.lock_file) == engine.pid)
        engine.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        assert engine.poll() is None
        engine.send_signal(signal.SIGTERM)
        assert engine.wait(timeout=30) == 0
    finally:
        engine.kill()
    assert running_pid(home.lock_file) is None

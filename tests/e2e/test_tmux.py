"""The real program in a real terminal (a private tmux server): approve from Approvals; survive a hang-up."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import psutil
import pytest

from qtorrentino.engine.lock import running_pid
from tests.conftest import REPO, make_home, run_cli
from tests.servers.torznab import DEFAULT_API_KEY, Release, TorznabServer

pytestmark = [pytest.mark.tmux, pytest.mark.skipif(shutil.which("tmux") is None,
                                                   reason="needs tmux (apt-get install tmux; .ci/run does)")]

GB = 1024**3
RELEASES = [Release(title=title, size=size, seeders=seeders, info_hash=f"{number:040x}", category=2000,
                    magnet=f"magnet:?xt=urn:btih:{number:040x}&dn=Sintel")
            for number, (title, size, seeders) in enumerate(
                (("Sintel (2010) 1080p BluRay x264-GRP", 2 * GB, 40), ("Sintel (2010) 720p WEB-DL x264-OTHER", GB, 35),
                 ("Sintel 2 (2031) 1080p WEB-DL x264-GRP", 2 * GB, 30)), start=1)]
"""Two close candidates: acquisition leaves the ticket waiting for a person."""


class TmuxTerminal:
    """A real terminal: a private tmux server running one 120×40 session."""

    def __init__(self, socket_name: str) -> None:
        self._tmux = ["tmux", "-L", socket_name, "-f", "/dev/null"]
        self._programs: list[psutil.Process] = []

    def start(self, argv: Sequence[str], env: Mapping[str, str]) -> None:
        env_flags = [flag for name, value in env.items() for flag in ("-e", f"{name}={value}")]
        self._run("new-session", "-d", "-s", "qt", "-x", "120", "-y", "40", *env_flags, shlex.join(argv),
                  ";", "set-option", "-p", "remain-on-exit", "on")  # in one call: the pane may end at once

    def press(self, *keys: str) -> None:
        for key in keys:
            self._run("send-keys", "-t", "qt", key)
            time.sleep(0.05)

    def screen(self) -> str:
        return self._run("capture-pane", "-p", "-t", "qt").stdout

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in (screen := self.screen()):
                self._remember_programs()
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} not on screen after {timeout}s:\n{self.screen()}")

    def wait_for_exit(self, timeout: float = 60.0) -> int:
        """Wait for the program to end and return its status (minus the signal number if one killed it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            dead, status, killed_by = self._run("display-message", "-p", "-t", "qt",
                                                "#{pane_dead},#{pane_dead_status},#{pane_dead_signal}"
                                                ).stdout.strip().split(",")
            if dead == "1":
                return -int(killed_by) if killed_by else int(status or 0)
            time.sleep(0.2)
        raise AssertionError(f"still running after {timeout}s:\n{self.screen()}")

    def _remember_programs(self) -> None:
        """The pane's processes, to stop them at the end even after the pane is gone."""
        with contextlib.suppress(psutil.NoSuchProcess, ValueError, subprocess.CalledProcessError):
            shell = psutil.Process(self.pane_pid())
            known = {process.pid for process in self._programs}
            self._programs += [process for process in (shell, *shell.children(recursive=True))
                               if process.pid not in known]

    def pane_pid(self) -> int:
        return int(self._run("display-message", "-p", "-t", "qt", "#{pane_pid}").stdout.strip())

    def kill_pane(self) -> None:
        """What a dropped SSH session does to the program: its terminal goes away (SIGHUP)."""
        self._run("kill-pane", "-t", "qt")

    def close(self) -> None:
        """Stop whatever the test left running (a hung-up program serves on headless), then the server."""
        alive = [process for process in self._programs if _alive(process)]
        for process in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.terminate()
        _, still_alive = psutil.wait_procs(alive, timeout=60)
        for process in still_alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        subprocess.run([*self._tmux, "kill-server"], check=False, capture_output=True)

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self._tmux, *args], check=True, capture_output=True, text=True)


def _alive(process: psutil.Process) -> bool:
    """Running and not a zombie (an ended pane's process may wait for tmux to collect it)."""
    try:
        return bool(process.is_running() and process.status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


@pytest.fixture
def terminal() -> Iterator[TmuxTerminal]:
    opened = TmuxTerminal(f"qtorrentino-test-{os.getpid()}")
    yield opened
    opened.close()


@pytest.fixture
def waiting_home(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A home whose ticket the real engine searched for and left waiting for approval (via the real CLI)."""
    with TorznabServer(releases=list(RELEASES)) as server:
        indexer = (f'\n[[indexers]]\nname = "jackett"\nurl = "{server.url}"\napi_key = "{DEFAULT_API_KEY}"\n'
                   "timeout_seconds = 3\nrate_limit_per_minute = 0\n\n[textbrain]\nauto_approve_threshold = 0.8\n")
        make_home(tmp_path, indexer)
        added = run_cli(tmp_path, "ticket", "add", "--movie", "Sintel")
        assert added.returncode == 0, added.stderr
        idle = run_cli(tmp_path, "headless", "--exit-when-idle", timeout=120)
        assert idle.returncode == 0, idle.stderr
        ticket_id = added.stdout.strip()
        assert show(tmp_path, ticket_id)["state"] == "needs_approval"
        yield tmp_path, ticket_id


def show(home: Path, ticket_id: str) -> dict[str, object]:
    shown = run_cli(home, "ticket", "show", ticket_id, "--json")
    assert shown.returncode == 0, shown.stderr
    return dict(json.loads(shown.stdout))


def program(home: Path) -> tuple[list[str], dict[str, str]]:
    return ([sys.executable, "-m", "qtorrentino", "--home", str(home)],
            {"TERM": "xterm-256color", "PYTHONPATH": str(REPO), "TEXTUAL_ANIMATIONS": "none"})


def test_approving_from_a_real_terminal(waiting_home: tuple[Path, str], terminal: TmuxTerminal) -> None:
    home, ticket_id = waiting_home
    terminal.start(*program(home))
    terminal.wait_for("1 Tickets")
    terminal.press("3")
    terminal.wait_for("needs_approval")
    terminal.wait_for("(recommended)")
    terminal.press("Tab", "y")
    terminal.wait_for(f"Approved {ticket_id[:8]} (candidate 0)")
    terminal.wait_for("0 need approval · 0 found nothing · nothing waiting for you")
    terminal.press("q")
    assert terminal.wait_for_exit() == 0
    assert show(home, ticket_id)["state"] in {"approved", "downloading"}
    granted = run_cli(home, "audit", "--ticket", ticket_id, "--json")
    assert '"ApprovalGranted"' in granted.stdout and '"tui:' in granted.stdout


def test_a_hang_up_leaves_the_engine_running_headless(waiting_home: tuple[Path, str],
                                                      terminal: TmuxTerminal) -> None:
    home, ticket_id = waiting_home
    terminal.start(*program(home))
    terminal.wait_for("1 Tickets")
    engine_pid = running_pid(home / "engine.lock")
    assert engine_pid is not None
    terminal.kill_pane()
    time.sleep(1.0)
    assert psutil.pid_exists(engine_pid) and running_pid(home / "engine.lock") == engine_pid
    listed = run_cli(home, "ticket", "list", "--json")
    assert listed.returncode == 0 and ticket_id in listed.stdout
    os.kill(engine_pid, signal.SIGTERM)
    with contextlib.suppress(psutil.NoSuchProcess):
        psutil.Process(engine_pid).wait(timeout=60)
    assert running_pid(home / "engine.lock") is None
    stopped = run_cli(home, "audit", "--json")
    assert '"ServiceStopped"' in stopped.stdout and "SIGTERM" in stopped.stdout

"""`qtorrentino demo` in a real terminal: a person approves the ambiguous ticket from the Approvals screen."""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli
from tests.e2e.test_tmux import TmuxTerminal, terminal  # noqa: F401 - the fixture

pytestmark = [pytest.mark.tmux, pytest.mark.skipif(shutil.which("tmux") is None,
                                                   reason="needs tmux (apt-get install tmux; .ci/run does)")]


def wait_until_all_completed(home: Path, timeout: float) -> list[dict[str, str]]:
    """The demo's tickets once every one is Completed (the auto-approved decoy falls back after a stall)."""
    deadline = time.monotonic() + timeout
    while True:
        tickets = [json.loads(line) for line in run_cli(home, "ticket", "list", "--json").stdout.splitlines()]
        if len(tickets) == 5 and all(ticket["state"] == "completed" for ticket in tickets):
            return tickets
        assert time.monotonic() < deadline, [(ticket["title"], ticket["state"]) for ticket in tickets]
        time.sleep(0.5)


def ticket_row_completed(screen: str, ticket_id: str) -> bool:
    """Whether the Tickets screen shows this ticket's row in state completed."""
    return any(line.lstrip().startswith(ticket_id[:8]) and "completed" in line for line in screen.splitlines())


def test_demo_ambiguous_ticket_is_approved_from_the_approvals_screen(tmp_path: Path,
                                                                      terminal: TmuxTerminal) -> None:  # noqa: F811
    home = tmp_path / "demo"
    terminal.start([sys.executable, "-m", "qtorrentino", "demo", "--home", str(home)],
                   {"TERM": "xterm-256color", "PYTHONPATH": str(REPO), "TEXTUAL_ANIMATIONS": "none"})
    terminal.wait_for("1 Tickets", timeout=120)
    terminal.wait_for("needs_approval", timeout=120)
    terminal.press("3")
    terminal.wait_for("(recommended)")
    waiting = [json.loads(line) for line in run_cli(home, "ticket", "list", "--state", "needs_approval",
                                                    "--json").stdout.splitlines()]
    assert len(waiting) == 1
    candidates = json.loads(run_cli(home, "ticket", "show", waiting[0]["id"], "--json").stdout)["candidates"]
    wanted = next(c["rank"] for c in candidates if "(2018)" in c["title"])
    terminal.press("Tab")
    for _ in range(wanted):
        terminal.press("j")
    terminal.press("y")
    terminal.wait_for("nothing waiting for you")
    terminal.press("1")
    tickets = wait_until_all_completed(home, timeout=180)
    deadline = time.monotonic() + 30
    while not all(ticket_row_completed(screen := terminal.screen(), ticket["id"]) for ticket in tickets):
        assert time.monotonic() < deadline, screen
        time.sleep(0.5)
    terminal.press("q")
    assert terminal.wait_for_exit() == 0
    placed = sorted(path.name for path in (home / "library/music/Night Patterns/Echoes (2018)").iterdir())
    assert placed == ["01 - Reflections.opus", "02 - Delay Line.opus", "03 - Reverb Room.opus",
                      "04 - Feedback.opus", "cover.jpg"]
    shown = run_cli(home, "audit", "--type", "ApprovalGranted", "--json").stdout
    granted = [json.loads(line) for line in shown.splitlines()]
    assert len(granted) == 1 and granted[0]["actor"].startswith("tui:")

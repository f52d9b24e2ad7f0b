"""The everyday commands load only what they use: no Textual, libtorrent, guessit, ffmpeg, HTTP.

Each command runs in a fresh interpreter through the real entry point, then reports which modules it
loaded; the time this saves is measured by tests/benchmarks/bench_cli_start.py, never here.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from qtorrentino.cli.main import COMMAND_MODULES, COMMANDS, build_parser
from qtorrentino.db.database import write_transaction
from qtorrentino.db.models import TorrentRow
from qtorrentino.domain.states import TicketState
from tests.conftest import REPO
from tests.tui.seed import add, album, give_candidates, move

if TYPE_CHECKING:
    from qtorrentino.engine.engine import Engine

HEAVY = (
    "textual",
    "rich",
    "libtorrent",
    "guessit",
    "rebulk",
    "rapidfuzz",
    "apprise",
    "mutagen",
    "ffmpeg",
    "imageio_ffmpeg",
    "requests",
    "urllib3",
    "musicbrainzngs",
    "tmdbsimple",
    "defusedxml",
    "psutil",
    "qtorrentino.tui",
    "qtorrentino.engine.engine",
    "qtorrentino.workers",
    "qtorrentino.torrent",
    "qtorrentino.media",
    "qtorrentino.search",
    "qtorrentino.textbrain",
    "qtorrentino.library",
    "qtorrentino.metadata",
    "qtorrentino.net",
    "qtorrentino.demo",
    "qtorrentino.domain.release",
)
"""Packages and modules the everyday commands must not load: the engine, the screen, their parts."""
WRITER = (
    "qtorrentino.audit.record",
    "qtorrentino.events",
    "qtorrentino.tickets.unit_of_work",
    "qtorrentino.tickets.service",
    "qtorrentino.tickets.creation",
    "playhouse.migrate",
    "platformdirs",
    "qtorrentino.cli.demo_cmd",
    "qtorrentino.cli.doctor",
    "qtorrentino.cli.torrents",
    "qtorrentino.config.load",
    "qtorrentino.config.model",
)
"""What a command that only reads never loads: the audit writer, the bus, the ticket commands,
the schema migrations (the database is up to date), the XDG lookup (--home is given), other
commands, the whole validated config (the secrets its output hides are read from config.toml alone)."""

PROBE = """
import contextlib, io, json, sys
from qtorrentino.cli.main import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(json.loads(sys.argv[1]))
heavy = json.loads(sys.argv[2])
loaded = sorted(n for n in heavy if any(m == n or m.startswith(n + ".") for m in sys.modules))
print(json.dumps({"code": code, "loaded": loaded}))
"""


def loaded_by(argv: list[str], watched: tuple[str, ...] = HEAVY) -> tuple[int, list[str]]:
    """Run the CLI in a fresh interpreter; its exit code and which watched modules it loaded."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv), json.dumps(watched)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.splitlines()[-1])
    return answer["code"], answer["loaded"]


@pytest.fixture
def waiting_ticket(engine: Engine) -> str:
    """A ticket waiting for a person, with candidates, on the engine's home."""
    ticket = add(engine, album("Radiohead", "OK Computer"))
    give_candidates(
        ticket, ["Radiohead - OK Computer (1997) [FLAC]", "Radiohead - OK Computer [MP3 320]"]
    )
    move(engine, ticket, TicketState.ACQUIRING, TicketState.NEEDS_APPROVAL)
    return ticket


@pytest.mark.parametrize(
    "command",
    [
        ["ticket", "list"],
        ["ticket", "list", "--json"],
        ["ticket", "show", "{id}"],
        ["ticket", "show", "{id}", "--json"],
        ["ticket", "approve", "{id}", "--candidate", "1"],
        ["audit"],
        ["audit", "--ticket", "{id}", "--json"],
    ],
    ids=" ".join,
)
def test_everyday_commands_answer_without_the_engine_parts(
    engine: Engine, waiting_ticket: str, command: list[str]
) -> None:
    argv = [
        "--home",
        str(engine.home.data_dir),
        *(word.format(id=waiting_ticket[:6]) for word in command),
    ]
    code, loaded = loaded_by(argv)
    assert code == 0
    assert loaded == []


@pytest.mark.parametrize(
    "command",
    [
        ["ticket", "list"],
        ["ticket", "list", "--json"],
        ["ticket", "show", "{id}"],
        ["ticket", "show", "{id}", "--json"],
        ["audit"],
        ["audit", "--ticket", "{id}", "--json"],
    ],
    ids=" ".join,
)
def test_reading_commands_load_no_writer(
    engine: Engine, waiting_ticket: str, command: list[str]
) -> None:
    argv = [
        "--home",
        str(engine.home.data_dir),
        *(word.format(id=waiting_ticket[:6]) for word in command),
    ]
    code, loaded = loaded_by(argv, WRITER)
    assert code == 0
    assert loaded == []


def test_each_command_is_registered_by_the_module_named_for_it() -> None:
    """COMMANDS says which module builds a command's parser; the whole parser has exactly those."""
    whole = _command_names(build_parser())
    assert whole == set(COMMANDS)
    for module in COMMAND_MODULES:
        alone = {name for name, owner in COMMANDS.items() if owner == module}
        assert alone, f"{module} registers no command of COMMANDS"
        for name in alone:
            assert _command_names(build_parser(["--home", "/nowhere", name, "--help"])) == alone


def _command_names(parser: argparse.ArgumentParser) -> set[str]:
    (commands,) = (
        action for action in parser._actions if isinstance(action, argparse._SubParsersAction)
    )
    return set(commands.choices)


@pytest.fixture
def held_torrent(engine: Engine) -> str:
    """A seeding torrent in the catalog of the engine's home."""
    now = datetime.now(UTC)
    info_hash = "ab" * 20
    with write_transaction():
        TorrentRow.create(
            info_hash=info_hash,
            name="Radiohead - OK Computer",
            total_size=400_000_000,
            save_path=str(engine.home.data_dir),
            progress=1.0,
            state="seeding",
            added_at=now,
            last_access_at=now,
        )
    return info_hash


@pytest.mark.parametrize(
    "command", [["torrent", "list"], ["torrent", "list", "--json"]], ids=" ".join
)
def test_torrent_list_answers_without_libtorrent(
    engine: Engine, held_torrent: str, command: list[str]
) -> None:
    """The catalog is a database read: libtorrent (~30 ms to load) is for the engine's session."""
    code, loaded = loaded_by(["--home", str(engine.home.data_dir), *command])
    assert code == 0
    assert "libtorrent" not in loaded


def test_approve_through_the_lean_path_still_approves(engine: Engine, waiting_ticket: str) -> None:
    code, _ = loaded_by(
        [
            "--home",
            str(engine.home.data_dir),
            "ticket",
            "approve",
            waiting_ticket,
            "--candidate",
            "1",
        ]
    )
    detail = engine.tickets.show(waiting_ticket)
    granted = engine.audit.latest(waiting_ticket, "ApprovalGranted")
    assert code == 0 and detail.state is TicketState.APPROVED
    assert (
        granted is not None
        and granted.data["candidate_rank"] == 1
        and granted.actor.startswith("cli:")
    )


def test_building_the_parser_loads_no_database_or_engine() -> None:
    probe = (
        "import sys; from qtorrentino.cli.main import build_parser; build_parser(); "
        "print(sorted(m for m in sys.modules if m == 'peewee' or m.startswith(("
        "'qtorrentino.engine', 'qtorrentino.db', 'qtorrentino.tickets', 'qtorrentino.audit', "
        "'textual', 'libtorrent'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert result.stdout.strip() == "[]"


def test_search_kinds_are_still_checked_and_listed() -> None:
    """The --kind choices load on first use; a wrong kind is still a usage error naming them."""
    result = subprocess.run(
        [sys.executable, "-m", "qtorrentino", "search", "x", "--kind", "vinyl"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 2
    assert "invalid choice: 'vinyl'" in result.stderr and "'music', 'movie', 'tv'" in result.stderr
    shown = subprocess.run(
        [sys.executable, "-m", "qtorrentino", "search", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    assert all(kind in shown.stdout.split("--kind", 1)[1] for kind in ("music", "movie", "tv"))

"""The engine runs without Textual: headless entry points never load it (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

HEADLESS_ENTRY_POINTS = ["qtorrentino.engine.engine", "qtorrentino.cli.main", "qtorrentino.cli.headless",
                         "qtorrentino.workers.manager"]


@pytest.mark.parametrize("module", HEADLESS_ENTRY_POINTS)
def test_headless_entry_points_do_not_load_textual(module: str) -> None:
    probe = f"import sys, {module}; print('textual' in sys.modules, 'qtorrentino.tui' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO)
    assert result.stdout.split() == ["False", "False"]


def test_ticket_list_runs_without_loading_textual(tmp_path: object) -> None:
    probe = ("import sys; from qtorrentino.cli.main import main; "
             f"code = main(['--home', {str(tmp_path)!r}, 'ticket', 'list']); "
             "print('textual' in sys.modules, code)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO)
    assert result.stdout.split()[-2:] == ["False", "0"]


def test_engine_packages_never_import_textual_or_the_tui() -> None:
    engine_side = [path for package in ("engine", "workers", "tickets", "audit", "db", "config", "domain",
                                        "search", "textbrain", "torrent", "media", "library", "metadata", "net")
                   for path in (REPO / "qtorrentino" / package).rglob("*.py")]
    offenders = [str(path) for path in engine_side
                 if any(word in path.read_text(encoding="utf-8")
                        for word in ("import textual", "from textual", "qtorrentino.tui"))]
    assert offenders == []


def test_import_contracts_hold() -> None:
    """import-linter's contracts in pyproject.toml: layers, no Textual below the faces, libtorrent in one place."""
    result = subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command; "
                             "lint_imports_command()"], capture_output=True, text=True, cwd=REPO, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_missing_libtorrent_is_exit_3_with_one_line() -> None:
    probe = ("import sys\n"
             "class Block:\n"
             "    def find_spec(self, name, path=None, target=None):\n"
             "        if name == 'libtorrent':\n"
             "            raise ImportError('No module named libtorrent', name='libtorrent')\n"
             "sys.meta_path.insert(0, Block())\n"
             "from qtorrentino.cli.main import main\n"
             "raise SystemExit(main(['ticket', 'list']))\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, check=False)
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and "libtorrent" in result.stderr and "Traceback" not in result.stderr

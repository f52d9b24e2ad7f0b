"""CI runs exactly the README's test command, and that command checks lint, types and import contracts."""

from __future__ import annotations

import re

from tests.conftest import REPO


def _readme_test_command() -> str:
    block = re.search(r"```sh\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), re.DOTALL)
    assert block is not None, "the README opens with a sh block of two commands"
    return block.group(1).splitlines()[1]


def _ci_command() -> str:
    lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    return next(line for line in reversed(lines) if line.startswith("pip install"))


def test_ci_runs_the_readmes_test_command() -> None:
    assert _ci_command().replace("pip install -q ", "pip install ") == _readme_test_command()


def test_the_test_command_lints_type_checks_and_checks_imports_before_the_tests() -> None:
    steps = [step.strip() for step in _readme_test_command().split("&&")]
    assert steps == ["pip install '.[test]'", "ruff check qtorrentino tests", "mypy", "lint-imports",
                     "python -m pytest"]


def test_ci_stops_at_the_first_failing_step() -> None:
    assert "set -euo pipefail" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_the_checkers_are_in_the_test_extra() -> None:
    extra = (REPO / "pyproject.toml").read_text(encoding="utf-8").split("[project.optional-dependencies]")[1]
    test_extra = extra.split("]")[0]
    for tool in ("ruff", "mypy", "import-linter"):
        assert f'"{tool}>=' in test_extra

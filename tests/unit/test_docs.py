"""The pages under docs/ say what the code does: generated parts current, examples valid."""

from __future__ import annotations

import ast
import json
import re
from typing import TYPE_CHECKING

import pytest

from qtorrentino.config.home import Home
from qtorrentino.config.load import parse_config
from qtorrentino.docs.config_page import sections
from qtorrentino.docs.pages import DOCS_DIR, PAGES, stale
from qtorrentino.docs.regions import MissingRegion, fill
from qtorrentino.domain.states import TicketState
from qtorrentino.domain.ticket_json import spec_from_json, spec_to_json
from tests.conftest import REPO

if TYPE_CHECKING:
    from pathlib import Path

STATES_SENTENCE = re.compile(
    r"States as the CLI's `--json` output and the audit log spell them:(.*?)\.\s*\n", re.DOTALL
)


def page(name: str) -> str:
    return (DOCS_DIR / name).read_text(encoding="utf-8")


def code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


def test_the_generated_parts_equal_what_the_code_says() -> None:
    assert [path.name for path in stale()] == [], "run `python -m qtorrentino.docs --write`"


def test_the_states_page_lists_exactly_the_ticket_states_in_order() -> None:
    found = STATES_SENTENCE.search(page("states.md"))
    assert found is not None, "docs/states.md lost its sentence listing the states"
    assert re.findall(r"`([a-z_]+)`", found.group(1)) == [state.value for state in TicketState]


def test_every_config_key_says_what_it_means() -> None:
    undocumented = [
        f"{section.heading} {key.name}"
        for section in sections()
        for key in section.keys
        if not key.meaning
    ]
    assert undocumented == []
    assert all(section.description for section in sections())


def test_every_ticket_example_is_valid_ticket_json_that_round_trips() -> None:
    examples = code_blocks(page("ticket-json.md"), "json")
    assert len(examples) >= 3
    for example in examples:
        spec = spec_from_json(json.loads(example))
        assert spec_from_json(spec_to_json(spec)) == spec


def test_the_config_example_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    for folder in ("media/music", "media/movies"):
        (tmp_path / folder).mkdir(parents=True)
    import tomllib

    (example,) = code_blocks(page("configuration.md"), "toml")
    config = parse_config(
        tomllib.loads(example), Home.at(tmp_path / "home"), tmp_path / "config.toml"
    )
    assert [library.name for library in config.libraries] == ["Music", "Movies"]
    assert config.paths.download_dir == tmp_path / "downloads" / "qtorrentino"


def test_a_page_without_a_region_s_markers_is_an_error_naming_it() -> None:
    with pytest.raises(MissingRegion, match="no region config-keys"):
        fill("# a page\n", {"config-keys": "x"})
    filled = fill(
        "a\n<!-- BEGIN GENERATED: x (note) -->\nold\n<!-- END GENERATED: x -->\nb\n", {"x": "new"}
    )
    assert (
        "new" in filled
        and "old" not in filled
        and filled.startswith("a\n")
        and filled.endswith("b\n")
    )


def test_the_readme_links_every_reference_page() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in [*PAGES, "states.md"]:
        assert f"docs/{name}" in readme


def test_nothing_a_user_reads_sends_them_to_the_design_document() -> None:
    """Users have the README, docs/ and the program's messages; DESIGN.md is not among them."""
    readable = [REPO / "README.md", *DOCS_DIR.glob("*.md")]
    assert [path.name for path in readable if "DESIGN" in path.read_text(encoding="utf-8")] == []
    messages = []
    for path in (REPO / "qtorrentino").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        docstrings |= {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
        messages += [
            f"{path.name}: {node.value}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and "DESIGN" in node.value
            and id(node) not in docstrings
        ]
    assert messages == []

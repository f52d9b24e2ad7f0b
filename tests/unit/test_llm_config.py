"""[textbrain.llm]: DESIGN's keys load with their defaults; the api_key never shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from qtorrentino.config.home import Home
from qtorrentino.config.load import load_config
from qtorrentino.errors import ConfigError

if TYPE_CHECKING:
    from pathlib import Path

DESIGN_BLOCK = """
[textbrain.llm]
provider = "anthropic"
base_url = "http://127.0.0.1:11434"
model = "llama3.1"
api_key = "sk-ant-config-test-0123456789"
timeout_seconds = 60
max_candidates = 7
temperature = 0.2
"""


def home_with(tmp_path: Path, text: str) -> Home:
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    return Home.at(tmp_path)


def test_designs_llm_keys_load(tmp_path: Path) -> None:
    llm = load_config(home_with(tmp_path, DESIGN_BLOCK)).textbrain.llm
    assert (llm.provider, llm.model, llm.timeout_seconds) == ("anthropic", "llama3.1", 60.0)
    assert (llm.max_candidates, llm.temperature) == (7, 0.2)


def test_defaults_show_five_candidates_at_temperature_zero(tmp_path: Path) -> None:
    llm = load_config(Home.at(tmp_path)).textbrain.llm
    assert (llm.max_candidates, llm.temperature) == (5, 0.0)


def test_the_api_key_is_a_secret_that_never_shows_in_a_repr(tmp_path: Path) -> None:
    config = load_config(home_with(tmp_path, DESIGN_BLOCK))
    assert "sk-ant-config-test-0123456789" not in repr(config)
    assert "sk-ant-config-test-0123456789" in config.secrets


@pytest.mark.parametrize(
    ("line", "message"),
    [('max_candidates = "five"', "max_candidates = 'five': expected a whole number"),
     ("temperature = -1", "temperature = -1: expected a number"),
     ('provider = "claude"', "provider = 'claude': expected one of openai, ollama, anthropic")],
)
def test_a_wrong_value_names_the_key(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(home_with(tmp_path, f"[textbrain.llm]\n{line}\n"))

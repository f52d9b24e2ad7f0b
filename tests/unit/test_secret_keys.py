"""One list says which config values are secrets; reading them from config.toml alone gives what the
validated config gives, and a reading command hides them without loading the whole config."""

from __future__ import annotations

import json
import typing
from dataclasses import fields, is_dataclass
from pathlib import Path

from qtorrentino.config.load import load_config
from qtorrentino.config.model import Config, Secret
from qtorrentino.config.secret_keys import SECRET_KEYS, secrets_of_text
from qtorrentino.engine.core import Core
from qtorrentino.engine.tickets_api import TicketsAPI
from tests.conftest import make_home, run_cli

CONFIGURED_KEYS = """
[[indexers]]
name = "Private"
url = "http://127.0.0.1:9117/api"
api_key = "indexerkey0123456789"

[[indexers]]
name = "Other"
url = "http://127.0.0.1:9118/api"
api_key = "otherkey9876543210"

[textbrain.llm]
api_key = "llmkey-abcdef123456"

[tmdb]
api_key = "tmdbkey-0123456789"

[notify]
urls = ["ntfy://ntfytopicsecret42", "json://127.0.0.1:9/hook"]

[network]
proxy = "socks5://user:proxypass99@127.0.0.1:1080"
"""


def secret_fields(cls: type, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Every path to a field typed Secret in the config model, through sections and lists of sections."""
    found: set[tuple[str, ...]] = set()
    hints = typing.get_type_hints(cls)
    for each in fields(cls):
        hint = hints[each.name]
        inner = [arg for arg in typing.get_args(hint) if isinstance(arg, type)] or [hint]
        for candidate in inner:
            if candidate is Secret:
                found.add((*prefix, each.name))
            elif isinstance(candidate, type) and is_dataclass(candidate):
                found |= secret_fields(candidate, (*prefix, each.name))
    return found


def test_every_secret_field_of_the_config_model_is_in_the_one_list() -> None:
    assert secret_fields(Config) <= set(SECRET_KEYS)
    assert ("notify", "urls") in SECRET_KEYS, "notification URLs carry tokens"


def test_config_toml_alone_gives_the_secrets_the_validated_config_gives(tmp_path: Path) -> None:
    home = make_home(tmp_path, CONFIGURED_KEYS)
    validated = load_config(home).secrets
    assert len(validated) == 7
    assert secrets_of_text(home.config_file.read_text(encoding="utf-8")) == validated


def test_a_reading_command_hides_a_key_configured_after_the_ticket_was_filed(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    core = Core.open(home)
    TicketsAPI(core).add_json({"kind": "generic", "query": {"text": "leak indexerkey0123456789 here"}},
                              actor="test")
    core.close()
    with home.config_file.open("a", encoding="utf-8") as config:
        config.write(CONFIGURED_KEYS)
    shown = run_cli(home, "ticket", "list", "--json")
    assert shown.returncode == 0, shown.stderr
    (ticket,) = [json.loads(line) for line in shown.stdout.splitlines()]
    assert "indexerkey0123456789" not in shown.stdout and "***" in ticket["title"]

"""The seedbox keys: -1 = no limit for seed goals, per-indexer goals, on_seed_goal, reflink and the proxy."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from qtorrentino.config.home import Home
from qtorrentino.config.load import load_config
from qtorrentino.errors import ConfigError

if TYPE_CHECKING:
    from pathlib import Path

BASE = """
[torrent]
seed_ratio = {ratio}
seed_time_hours = -1
on_seed_goal = "{action}"

[[indexers]]
name = "private"
url = "http://127.0.0.1:9117/api"
seed_ratio = 2.5
seed_time_hours = 72
min_seed_time_hours = 48

[[indexers]]
name = "public"
url = "http://127.0.0.1:9118/api"

[[libraries]]
name = "Music"
kind = "music"
path = "{root}/music"
link = "reflink"

[network]
proxy = "{proxy}"
"""


def load(tmp_path: Path, *, ratio: str = "-1", action: str = "remove_data", proxy: str = "") -> object:
    (tmp_path / "music").mkdir(exist_ok=True)
    (tmp_path / "config.toml").write_text(BASE.format(root=tmp_path, ratio=ratio, action=action, proxy=proxy),
                                          encoding="utf-8")
    return load_config(Home.at(tmp_path))


def test_seed_goals_take_minus_one_for_no_limit_and_indexers_override_them(tmp_path: Path) -> None:
    config = load(tmp_path, proxy="socks5://user:pa%40ss@127.0.0.1:1080")
    assert (config.torrent.seed_ratio, config.torrent.seed_time_hours, config.torrent.on_seed_goal) == (
        -1.0, -1.0, "remove_data")
    private, public = config.indexers
    assert (private.seed_ratio, private.seed_time_hours, private.min_seed_time_hours) == (2.5, 72.0, 48.0)
    assert (public.seed_ratio, public.seed_time_hours, public.min_seed_time_hours) == (None, None, 0.0)
    assert config.libraries[0].link == "reflink"
    assert config.network.proxy in config.secrets  # the proxy's password never reaches a log line
    assert "pa@ss" not in repr(config)


@pytest.mark.parametrize(("ratio", "action", "proxy", "words"), [
    ("-2", "pause", "", "seed_ratio = -2: expected a number ≥ 0, or -1 for no limit"),
    ("1.0", "delete", "", "on_seed_goal = 'delete': expected one of pause, remove, remove_data"),
    ("1.0", "pause", "ftp://127.0.0.1:21", "proxy scheme 'ftp' is not one of socks5, socks5h, http"),
    ("1.0", "pause", "socks5://127.0.0.1", "proxy needs a host and a port"),
])
def test_a_wrong_seedbox_key_names_the_key(tmp_path: Path, ratio: str, action: str, proxy: str, words: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, ratio=ratio, action=action, proxy=proxy)
    assert words in raised.value.message
    assert raised.value.hint


@pytest.mark.parametrize(("given", "expected"), [(None, ""), ('""', ""), ('"drop"', "{root}/drop"),
                                                 ('"{root}/abs"', "{root}/abs")])
def test_watch_dir_is_off_by_default_and_a_relative_one_lies_beside_the_config(
        tmp_path: Path, given: str | None, expected: str) -> None:
    line = f"watch_dir = {given.format(root=tmp_path)}\n" if given else ""
    (tmp_path / "config.toml").write_text(f"[paths]\n{line}")
    assert load_config(Home.at(tmp_path)).paths.watch_dir == expected.format(root=tmp_path)


def test_watch_dir_must_be_a_string(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[paths]\nwatch_dir = 3\n")
    with pytest.raises(ConfigError, match="watch_dir"):
        load_config(Home.at(tmp_path))

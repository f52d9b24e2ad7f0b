"""Config loading: defaults, the contract's keys, and errors that name the key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from qtorrentino.config.home import Home
from qtorrentino.config.load import load_config
from qtorrentino.errors import ConfigError

FULL = """
[paths]
download_dir = "{root}/dl"
staging_dir = "{root}/stage"

[torrent]
listen_interfaces = "0.0.0.0:6881"
enable_dht = true
enable_lsd = true
enable_upnp = false
enable_natpmp = false
enable_utp = true
allow_local_peers = false
encryption = "enabled"
seed_ratio = 1.0
seed_time_hours = 0
max_active_downloads = 3
max_active_seeds = 20
connections_limit = 200
download_rate_limit_kib = 0
upload_rate_limit_kib = 0
metadata_timeout_seconds = 120
stall_minutes = 30
storage_budget_gb = 0

[[indexers]]
name = "jackett"
url = "http://127.0.0.1:9117/api/v2.0/indexers/all/results/torznab/api"
api_key = "sekrit-key-123"
categories = [3000, 2000, 5000]
rate_limit_per_minute = 30
timeout_seconds = 20

[textbrain]
mode = "dumb_only"
auto_approve_threshold = 0.85

[textbrain.llm]
provider = "openai"
base_url = "http://127.0.0.1:11434"
model = "llama3.1"
api_key = ""
timeout_seconds = 60

[[libraries]]
name = "Music"
kind = "music"
path = "{root}/music"
naming = "{{artist}}/{{album}} ({{year}})/{{disc_prefix}}{{number:02d}} - {{title}}.{{ext}}"
format = "copy"
link = "hardlink"
cover_file = "cover.jpg"
trash_days = 30

[workers]
acquisition = 2
conversion = 0
poll_interval_seconds = 2

[musicbrainz]
base_url = "https://musicbrainz.org"
cache_days = 30
user_agent = "qtorrentino/0.1 ( you@example.org )"

[tmdb]
api_key = ""
base_url = "https://api.themoviedb.org/3"
cache_days = 30

[ui]
theme = "qtorrentino-dark"

[ui.keys]
"approvals.approve" = "y"
"""


def write(tmp_path: Path, text: str) -> Home:
    (tmp_path / "music").mkdir(exist_ok=True)
    (tmp_path / "config.toml").write_text(text.format(root=tmp_path), encoding="utf-8")
    return Home.at(tmp_path)


def test_every_key_of_the_contract_loads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL))
    assert config.paths.download_dir == tmp_path / "dl"
    assert config.indexers[0].categories == (3000, 2000, 5000)
    assert config.libraries[0].template.startswith("{artist}/{album}")
    assert config.ui.keys == {"approvals.approve": "y"}
    assert config.musicbrainz is not None and config.tmdb is not None
    assert "sekrit-key-123" not in repr(config)
    assert config.secrets == ("sekrit-key-123",)


def test_a_missing_library_root_loads_so_the_rest_of_the_program_runs(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[[libraries]]\nname = "NAS"\nkind = "music"\npath = "/mnt/nowhere/music"\n'))
    assert config.libraries[0].path == Path("/mnt/nowhere/music")


def test_no_file_means_defaults_inside_the_home(tmp_path: Path) -> None:
    config = load_config(Home.at(tmp_path))
    assert config.paths.download_dir == tmp_path / "downloads"
    assert config.textbrain.auto_approve_threshold == 0.85
    assert config.torrent.seed_ratio == 1.0
    assert config.musicbrainz is None


@pytest.mark.parametrize(
    ("text", "message", "fix"),
    [
        ('[torrent]\nseed_ratio = "high"\n', r"\[torrent\]: seed_ratio = 'high': expected a number",
         "seed_ratio = 1.0"),
        ("[torrent]\nsead_ratio = 1.0\n", "unknown key 'sead_ratio'", "did you mean 'seed_ratio'"),
        ("[tornado]\nx = 1\n", "unknown key 'tornado'", "known keys"),
        ("[torrent]\nenable_dht = 1\n", "enable_dht = 1: expected true or false", "enable_dht = true"),
        ('[[libraries]]\nname = "M"\nkind = "music"\npath = "{root}/config.toml"\n',
         r"\[\[libraries\]\] #1: path = \".*/config.toml\" is not a folder", "root folder"),
        ('[[libraries]]\nname = "M"\nkind = "musik"\npath = "{root}/music"\n', "kind = 'musik'", 'kind = "music"'),
        ('[[libraries]]\nkind = "music"\npath = "{root}/music"\n', "missing key 'name'", "name ="),
        ('[[indexers]]\nname = "j"\nurl = "ftp://x"\n', "expected an http", "url ="),
        ("[textbrain]\nauto_approve_threshold = 2\n", "between 0 and 1", "0.85"),
        ('[workers]\nacquisition = "two"\n', "acquisition = 'two'", "acquisition = 3"),
        ("[paths\n", "not valid TOML", "fix the syntax"),
        ('[textbrain]\nmode = "llm-first"\n',
         "mode = 'llm-first': expected one of dumb_only, dumb_first, llm_first, llm_only",
         'mode = "dumb_only"'),
    ],
)
def test_bad_config_names_key_and_fix(tmp_path: Path, text: str, message: str, fix: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(write(tmp_path, text))
    assert fix in caught.value.hint


def test_a_naming_template_with_an_unknown_field_names_it(tmp_path: Path) -> None:
    text = '[[libraries]]\nname = "M"\nkind = "music"\npath = "{root}/music"\nnaming = "{{artsit}}/{{title}}.{{ext}}"\n'
    with pytest.raises(ConfigError, match="artsit"):
        load_config(write(tmp_path, text))

"""Every command refuses a bad config.toml, naming the key; a config that validated once is not validated
again by each short command (its stamp in the home), and any edit is validated afresh."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from qtorrentino.config.checked import STAMP_NAME
from tests.conftest import REPO, make_home, run_cli

LOADED = """
import contextlib, io, json, sys
from qtorrentino.cli.main import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "loaded": "qtorrentino.config.load" in sys.modules}))
"""


def config_loaded_by(home: Path, *args: str) -> bool:
    """Whether a command on this home loaded the config validator (in a fresh interpreter)."""
    result = subprocess.run([sys.executable, "-c", LOADED, "--home", str(home), *args],
                            capture_output=True, text=True, cwd=REPO, check=False)
    answer = json.loads(result.stdout.splitlines()[-1])
    assert answer["code"] == 0, result.stderr
    return bool(answer["loaded"])


def test_a_checked_config_is_not_validated_again_until_it_changes(tmp_path: Path) -> None:
    make_home(tmp_path)
    assert config_loaded_by(tmp_path, "ticket", "list"), "the first command validates"
    assert (tmp_path / STAMP_NAME).exists()
    assert not config_loaded_by(tmp_path, "ticket", "list")
    assert not config_loaded_by(tmp_path, "audit", "--json")
    with (tmp_path / "config.toml").open("a", encoding="utf-8") as config:
        config.write("\n[ui]\n")
    assert config_loaded_by(tmp_path, "ticket", "list"), "an edit is validated afresh"
    assert not config_loaded_by(tmp_path, "ticket", "list")


def test_a_bad_edit_after_a_good_config_stops_every_command_naming_the_key(tmp_path: Path) -> None:
    make_home(tmp_path)
    assert run_cli(tmp_path, "ticket", "list").returncode == 0
    with (tmp_path / "config.toml").open("a", encoding="utf-8") as config:
        config.write('\n[watch]\nrss_interval_seconds = "often"\n')
    for command in (("ticket", "list"), ("audit",), ("ticket", "show", "abcd")):
        refused = run_cli(tmp_path, *command)
        assert refused.returncode == 2, (command, refused.stderr)
        assert "rss_interval_seconds" in refused.stderr and "Traceback" not in refused.stderr

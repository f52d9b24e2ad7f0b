"""A folder the scanner cannot read (chmod 000) makes its files unreadable, not missing.

The tests run as root, and root reads any folder: the scan runs through the real CLI with
CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH dropped from its capability bounding set (`setpriv`), so it
is still root, owns every file of the home, and is refused a mode-000 folder like any other user.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qtorrentino.db.models import MediaFileStateRow
from qtorrentino.engine.engine import Engine
from tests.conftest import REPO

pytestmark = pytest.mark.skipif(
    shutil.which("setpriv") is None or os.geteuid() != 0,
    reason="needs root and util-linux's setpriv to drop the permission override",
)


def scan_obeying_permissions(home: Path, library: str) -> dict[str, int]:
    """`qtorrentino scan LIBRARY --json` as root without the capabilities to ignore permissions."""
    done = subprocess.run(
        [
            "setpriv",
            "--bounding-set",
            "-dac_override,-dac_read_search",
            sys.executable,
            "-m",
            "qtorrentino",
            "--home",
            str(home),
            "scan",
            library,
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_a_folder_that_denies_reading_keeps_its_files_as_unreadable_then_available_again(
    engine: Engine,
) -> None:
    root = engine.home.data_dir
    album = root / "music" / "Locked Artist" / "Locked Album (2004)"
    album.mkdir(parents=True)
    for number in (1, 2):
        (album / f"{number:02d} - Song {number:02d}.flac").write_bytes(
            b"fLaC" + bytes([number]) * 64
        )
    (root / "music" / "Open Artist - Open Album (2005)").mkdir()
    (root / "music" / "Open Artist - Open Album (2005)" / "01 - Free.flac").write_bytes(b"fLaC")
    engine.library.scan("Music", actor="test")
    album.chmod(0)
    try:
        report = scan_obeying_permissions(root, "Music")
    finally:
        album.chmod(0o755)

    assert (report["seen"], report["missing"], report["unreadable"]) == (1, 0, 2)
    artists = {item.title: item for item in engine.library.items("Music")}
    assert artists["Locked Artist"].status == "unreadable"
    assert artists["Open Artist"].status == "available"
    tracks = engine.library.items(
        "Music", engine.library.items("Music", artists["Locked Artist"].id)[0].id
    )
    assert [track.status for track in tracks] == ["unreadable", "unreadable"]
    assert all(state.exists for state in MediaFileStateRow.select())

    again = engine.library.scan("Music", actor="test")

    assert (again.seen, again.missing, again.unreadable) == (3, 0, 0)
    assert {item.status for item in engine.library.items("Music")} == {"available"}

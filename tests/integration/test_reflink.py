"""link = "reflink": a copy-on-write clone on a real btrfs image (loop-mounted), a recorded copy elsewhere."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import pytest

from qtorrentino.library.placer import PlannedFile, place_files
from qtorrentino.library.reflink import can_clone
from tests.conftest import make_home, run_cli

if TYPE_CHECKING:
    from collections.abc import Iterator

IMAGE_BYTES = 320 << 20
"""Sparse; the placer keeps a 64 MiB margin free."""
CONTENT = bytes(range(256)) * 4096


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


@pytest.fixture
def btrfs(tmp_path: Path) -> Iterator[Path]:
    """A 320 MiB btrfs filesystem on a loop device, mounted for the test (root only)."""
    if shutil.which("mkfs.btrfs") is None:
        pytest.skip("mkfs.btrfs is not installed (apt-get install btrfs-progs): only the fallback is tested")
    image, mount = tmp_path / "btrfs.img", tmp_path / "btrfs"
    with image.open("wb") as sparse:
        sparse.truncate(IMAGE_BYTES)
    mount.mkdir()
    made = _run("mkfs.btrfs", "-q", str(image))
    assert made.returncode == 0, made.stderr
    mounted = _run("mount", "-o", "loop", str(image), str(mount))
    if mounted.returncode != 0:
        pytest.skip(f"cannot loop-mount here ({mounted.stderr.strip()}): only the fallback is tested")
    try:
        yield mount
    finally:
        _run("umount", str(mount))


def place_one(downloads: Path, library: Path, trash: Path) -> tuple[Path, Path, str]:
    source = downloads / "Album" / "01 - Track.flac"
    source.parent.mkdir(parents=True)
    source.write_bytes(CONTENT)
    library.mkdir(parents=True, exist_ok=True)
    result = place_files(library, [PlannedFile("t1", source, PurePosixPath("Artist/Album/01 - Track.flac"),
                                               len(CONTENT))],
                         link="reflink", replace_existing=False, trash_dir=trash, verify=None)
    (placed,) = result.files
    return source, placed.path, placed.method


def test_reflink_on_btrfs_clones_a_library_file_independent_of_the_seeding_data(btrfs: Path) -> None:
    source, placed, method = place_one(btrfs / "downloads", btrfs / "music", btrfs / "trash")

    assert method == "reflink"
    assert placed.read_bytes() == CONTENT
    assert os.stat(placed).st_ino != os.stat(source).st_ino  # not a hardlink: a file of its own
    with placed.open("r+b") as retag:  # another tool re-tags the library copy in place
        retag.write(b"ID3 new tags")
    assert source.read_bytes() == CONTENT  # what is seeded is untouched
    assert can_clone(btrfs / "downloads", btrfs / "music")


def test_reflink_where_the_filesystem_cannot_clone_is_a_copy_recorded_as_such(tmp_path: Path) -> None:
    source, placed, method = place_one(tmp_path / "downloads", tmp_path / "music", tmp_path / "trash")

    if can_clone(tmp_path / "downloads", tmp_path / "music"):
        assert method == "reflink"  # this machine's tmp is itself a cloning filesystem
    else:
        assert method == "copy"
    assert placed.read_bytes() == CONTENT and os.stat(placed).st_ino != os.stat(source).st_ino
    assert os.stat(source).st_nlink == 1


def test_doctor_says_which_link_policies_the_filesystems_allow(tmp_path: Path, btrfs: Path) -> None:
    plain_home = make_home(tmp_path / "plain")
    text = plain_home.config_file.read_text(encoding="utf-8").replace('path = "', 'link = "reflink"\npath = "', 1)
    plain_home.config_file.write_text(text, encoding="utf-8")
    plain = run_cli(tmp_path / "plain", "doctor").stdout
    cloning = can_clone(tmp_path / "plain" / "downloads", tmp_path / "plain" / "music")
    assert ("ok   links → Music: reflink, hardlink, copy possible; link = reflink" if cloning else
            "ok   links → Music: hardlink, copy possible; link = reflink: no copy-on-write clones here") in plain

    on_btrfs = make_home(btrfs / "home")
    text = on_btrfs.config_file.read_text(encoding="utf-8").replace('path = "', 'link = "reflink"\npath = "', 1)
    on_btrfs.config_file.write_text(text, encoding="utf-8")
    assert "ok   links → Music: reflink, hardlink, copy possible; link = reflink" in run_cli(
        btrfs / "home", "doctor").stdout

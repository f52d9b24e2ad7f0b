"""FileProcessor on real files: a ticket lands whole or not at all; sources are never touched."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import replace
from pathlib import Path, PurePosixPath
from types import SimpleNamespace
from typing import TYPE_CHECKING, NamedTuple

import pytest

from qtorrentino.errors import PlacementError, UnsafePath
from qtorrentino.library.placer import (
    PARTIAL_NAME,
    PlacedFile,
    PlacementFailed,
    PlannedFile,
    clean_partial_files,
    place_files,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from qtorrentino.library.placer import LinkPolicy


class World(NamedTuple):
    """A download folder, a library root and a trash folder on one filesystem."""

    downloads: Path
    library: Path
    trash: Path


@pytest.fixture
def world(tmp_path: Path) -> World:
    paths = World(tmp_path / "downloads", tmp_path / "library", tmp_path / "trash")
    for folder in paths:
        folder.mkdir()
    return paths


def make_source(folder: Path, name: str, content: bytes) -> Path:
    source = folder / name
    source.write_bytes(content)
    return source


def album_plan(world: World, count: int = 5) -> list[PlannedFile]:
    """count tracks of one album, each with distinct content."""
    plan = []
    for number in range(1, count + 1):
        content = f"track {number} ".encode() * (1000 + number)
        source = make_source(world.downloads, f"{number:02d}.flac", content)
        plan.append(
            PlannedFile(
                f"t{number}",
                source,
                PurePosixPath(f"Artist/Album/{number:02d} - T.flac"),
                len(content),
            )
        )
    return plan


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file under folder with its digest, mtime and mode, to prove nothing changed."""
    return {
        str(path.relative_to(folder)): (
            hashlib.sha256(path.read_bytes()).digest(),
            path.stat().st_mtime_ns,
            path.stat().st_mode,
        )
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def library_files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if not path.is_dir())


def place(
    world: World,
    plan: list[PlannedFile],
    *,
    link: LinkPolicy = "hardlink",
    verify: Callable[[Path], None] | None = None,
) -> tuple[PlacedFile, ...]:
    """Place plan into the world's library without replacing anything; it must succeed."""
    result = place_files(
        world.library, plan, link=link, replace_existing=False, trash_dir=world.trash, verify=verify
    )
    assert result.rollback_status == "none"
    return result.files


@pytest.fixture
def other_filesystem() -> Iterator[Path]:
    """A folder on a different filesystem than the test's temporary folder (tmpfs)."""
    with tempfile.TemporaryDirectory(dir="/dev/shm") as folder:
        yield Path(folder)


def test_hardlink_on_the_same_filesystem_shares_the_inode_and_leaves_the_source(
    world: World,
) -> None:
    plan = album_plan(world, 3)
    before = snapshot(world.downloads)
    placed = place(world, plan, link="hardlink")
    assert [file.method for file in placed] == ["hardlink"] * 3
    for planned, file in zip(plan, placed, strict=True):
        assert file.path == world.library.resolve() / planned.relative
        assert file.path.stat().st_ino == planned.source.stat().st_ino
    assert snapshot(world.downloads) == before
    assert not [
        name for name in library_files(world.library) if PARTIAL_NAME.match(Path(name).name)
    ]


def test_copy_policy_copies_with_the_same_bytes(world: World) -> None:
    plan = album_plan(world, 2)
    before = snapshot(world.downloads)
    placed = place(world, plan, link="copy")
    assert [file.method for file in placed] == ["copy", "copy"]
    for planned, file in zip(plan, placed, strict=True):
        assert file.path.stat().st_ino != planned.source.stat().st_ino
        assert file.path.read_bytes() == planned.source.read_bytes()
        assert file.size == planned.expected_size
    assert snapshot(world.downloads) == before
    assert library_files(world.library) == ["Artist/Album/01 - T.flac", "Artist/Album/02 - T.flac"]


def test_hardlink_policy_copies_across_filesystems(world: World, other_filesystem: Path) -> None:
    plan = album_plan(world, 2)
    library = World(world.downloads, other_filesystem, world.trash)
    placed = place(library, plan, link="hardlink")
    assert [file.method for file in placed] == ["copy", "copy"]
    assert (other_filesystem / "Artist/Album/02 - T.flac").read_bytes() == plan[
        1
    ].source.read_bytes()


def test_hardlink_or_fail_refuses_across_filesystems(world: World, other_filesystem: Path) -> None:
    library = World(world.downloads, other_filesystem, world.trash)
    with pytest.raises(PlacementFailed, match="another filesystem") as failure:
        place(library, album_plan(world, 2), link="hardlink_or_fail")
    assert failure.value.rollback_status == "none"
    assert library_files(other_filesystem) == []


def test_third_of_five_failing_leaves_nothing_of_the_ticket(world: World) -> None:
    unrelated = make_source(world.library, "keep-me.txt", b"someone else's file")
    (world.library / "Blocked").write_bytes(b"a regular file where a folder is needed")
    plan = album_plan(world, 5)
    plan[2] = replace(plan[2], relative=PurePosixPath("Blocked/03 - T.flac"))
    before = snapshot(world.downloads)
    with pytest.raises(PlacementFailed, match="placing t3") as failure:
        place_files(
            world.library,
            plan,
            link="copy",
            replace_existing=False,
            trash_dir=world.trash,
            verify=None,
        )
    assert failure.value.rollback_status == "rolled_back"
    assert failure.value.remaining == ()
    assert isinstance(failure.value, PlacementError)
    assert failure.value.retryable
    assert library_files(world.library) == ["Blocked", "keep-me.txt"]
    assert not (world.library / "Artist").exists()
    assert unrelated.read_bytes() == b"someone else's file"
    assert snapshot(world.downloads) == before


def test_rollback_restores_a_replaced_file(world: World) -> None:
    old = world.library / "Artist/Album/01 - T.flac"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"the old, different recording")
    (world.library / "Blocked").write_bytes(b"file")
    plan = album_plan(world, 3)
    plan[2] = replace(plan[2], relative=PurePosixPath("Blocked/03.flac"))
    with pytest.raises(PlacementFailed) as failure:
        place_files(
            world.library,
            plan,
            link="hardlink",
            replace_existing=True,
            trash_dir=world.trash,
            verify=None,
        )
    assert failure.value.rollback_status == "rolled_back"
    assert old.read_bytes() == b"the old, different recording"
    assert library_files(world.library) == ["Artist/Album/01 - T.flac", "Blocked"]
    assert library_files(world.trash) == []


def test_replacing_with_trash_on_another_filesystem_keeps_and_restores_the_old_file(
    world: World, other_filesystem: Path
) -> None:
    old = world.library / "Artist/Album/01 - T.flac"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"the old recording")
    (world.library / "Blocked").write_bytes(b"file")
    plan = album_plan(world, 2)
    failing = [*plan, replace(plan[1], item_id="t3", relative=PurePosixPath("Blocked/x.flac"))]
    with pytest.raises(PlacementFailed) as failure:
        place_files(
            world.library,
            failing,
            link="copy",
            replace_existing=True,
            trash_dir=other_filesystem,
            verify=None,
        )
    assert failure.value.rollback_status == "rolled_back"
    assert old.read_bytes() == b"the old recording"
    assert library_files(other_filesystem) == []
    result = place_files(
        world.library,
        plan,
        link="copy",
        replace_existing=True,
        trash_dir=other_filesystem,
        verify=None,
    )
    assert old.read_bytes() == plan[0].source.read_bytes()
    assert [moved.trash_path.read_bytes() for moved in result.replaced] == [b"the old recording"]


def test_failing_verification_places_nothing(world: World) -> None:
    plan = album_plan(world, 5)
    checked: list[Path] = []

    def verify(source: Path) -> None:
        checked.append(source)
        if source == plan[2].source:
            raise PlacementError("decoded duration 12 s, expected 284 s")

    with pytest.raises(PlacementFailed, match="expected 284 s") as failure:
        place(world, plan, verify=verify)
    assert failure.value.rollback_status == "none"
    assert checked == [planned.source for planned in plan[:3]]
    assert library_files(world.library) == []


def test_existing_different_file_is_refused_then_replaced_into_trash(world: World) -> None:
    plan = album_plan(world, 2)
    existing = world.library / "Artist/Album/02 - T.flac"
    existing.parent.mkdir(parents=True)
    existing.write_bytes(b"an older rip")
    with pytest.raises(PlacementFailed, match=r"02 - T\.flac already exists") as failure:
        place(world, plan)
    assert failure.value.rollback_status == "none"
    assert existing.read_bytes() == b"an older rip"
    assert library_files(world.library) == ["Artist/Album/02 - T.flac"]

    result = place_files(
        world.library,
        plan,
        link="hardlink",
        replace_existing=True,
        trash_dir=world.trash,
        verify=None,
    )
    assert existing.read_bytes() == plan[1].source.read_bytes()
    [replaced] = result.replaced
    assert replaced.path == existing.resolve()
    assert replaced.trash_path.read_bytes() == b"an older rip"
    assert replaced.trash_path.is_relative_to(world.trash)


def test_identical_existing_file_counts_as_placed(world: World) -> None:
    plan = album_plan(world, 2)
    existing = world.library / "Artist/Album/01 - T.flac"
    existing.parent.mkdir(parents=True)
    shutil.copyfile(plan[0].source, existing)
    inode_before = existing.stat().st_ino
    placed = place(world, plan, link="copy")
    assert placed[0].already_present
    assert not placed[1].already_present
    assert existing.stat().st_ino == inode_before
    assert placed[0].method == "copy"


def test_file_already_hardlinked_from_the_source_is_a_no_op(world: World) -> None:
    plan = album_plan(world, 1)
    existing = world.library / plan[0].relative
    existing.parent.mkdir(parents=True)
    os.link(plan[0].source, existing)
    [placed] = place(world, plan, link="hardlink_or_fail")
    assert placed.already_present
    assert placed.method == "hardlink"
    assert plan[0].source.stat().st_nlink == 2


def test_planted_symlink_at_the_destination_is_not_followed(world: World) -> None:
    plan = album_plan(world, 1)
    victim = world.library / "victim.flac"
    victim.write_bytes(b"do not touch")
    planted = world.library / plan[0].relative
    planted.parent.mkdir(parents=True)
    planted.symlink_to(victim)
    with pytest.raises(PlacementFailed, match="already exists"):
        place(world, plan)
    place_files(
        world.library, plan, link="copy", replace_existing=True, trash_dir=world.trash, verify=None
    )
    assert victim.read_bytes() == b"do not touch"
    assert not planted.is_symlink()
    assert planted.read_bytes() == plan[0].source.read_bytes()


def test_not_enough_free_space_refuses_before_writing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = album_plan(world, 3)
    nearly_full = SimpleNamespace(total=10**12, used=10**12 - 1024, free=1024)
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: nearly_full)
    with pytest.raises(PlacementFailed, match="not enough free space") as failure:
        place(world, plan, link="copy")
    assert failure.value.rollback_status == "none"
    assert library_files(world.library) == []


def test_hostile_relative_paths_land_inside_the_root(world: World) -> None:
    source = make_source(world.downloads, "x.flac", b"x")
    plan = [
        PlannedFile("a", source, PurePosixPath("../../etc/cron.d/evil"), 1),
        PlannedFile("b", source, PurePosixPath("/abs/-rf"), 1),
    ]
    placed = place(world, plan)
    assert [file.path for file in placed] == [
        world.library.resolve() / "etc/cron.d/evil",
        world.library.resolve() / "abs/_rf",
    ]


def test_symlinked_folder_inside_the_library_is_refused(world: World, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (world.library / "Artist").symlink_to(outside)
    with pytest.raises(UnsafePath):
        place(world, album_plan(world, 1))
    assert list(outside.iterdir()) == []


def test_missing_library_root_is_refused_and_not_created(world: World) -> None:
    world.library.rmdir()
    with pytest.raises(PlacementFailed, match="missing or not a folder"):
        place(world, album_plan(world, 1))
    assert not world.library.exists()


def test_wrong_source_size_and_duplicate_destinations_are_refused(world: World) -> None:
    plan = album_plan(world, 2)
    with pytest.raises(PlacementFailed, match=r"expected 1\b"):
        place(world, [PlannedFile("t1", plan[0].source, plan[0].relative, 1)])
    with pytest.raises(PlacementFailed, match="2 items would be placed at"):
        place(world, [plan[0], PlannedFile("t2", plan[1].source, plan[0].relative, None)])
    assert library_files(world.library) == []


def test_clean_partial_files_removes_only_placer_temporaries(world: World) -> None:
    album = world.library / "Artist/Album"
    album.mkdir(parents=True)
    temp = album / ".qtorrentino-0123456789abcdef.part"
    temp.write_bytes(b"half")
    keep = [album / "01 - T.flac", album / ".qtorrentino-notes", world.library / "x.part"]
    for path in keep:
        path.write_bytes(b"keep")
    assert clean_partial_files(world.library) == (temp,)
    assert all(path.exists() for path in keep)


CHILD_PLACEMENT = textwrap.dedent(
    """
    import sys
    from pathlib import Path, PurePosixPath
    from qtorrentino.library.placer import PlannedFile, place_files
    source, library, trash = map(Path, sys.argv[1:4])
    place_files(library, [PlannedFile("movie", source, PurePosixPath("Big (2008)/Big (2008).mkv"))],
                link="copy", replace_existing=False, trash_dir=trash, verify=None)
    """
)


def test_kill_during_a_copy_leaves_no_file_under_its_final_name(world: World) -> None:
    source = world.downloads / "big.mkv"
    with source.open("wb") as writer:
        writer.truncate(384 * 1024 * 1024)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD_PLACEMENT, str(source), str(world.library), str(world.trash)],
        cwd=Path(__file__).parents[2],
    )
    movie_folder = world.library / "Big (2008)"
    try:
        deadline = time.monotonic() + 30
        while not [
            path for path in movie_folder.glob(".qtorrentino-*.part") if path.stat().st_size
        ]:
            assert child.poll() is None, "the placement ended before it could be interrupted"
            assert time.monotonic() < deadline, "no temporary file appeared"
            time.sleep(0.002)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL
    assert not (movie_folder / "Big (2008).mkv").exists()
    [temp] = movie_folder.iterdir()
    assert PARTIAL_NAME.match(temp.name)
    assert clean_partial_files(world.library) == (temp,)
    assert list(movie_folder.iterdir()) == []
    assert source.stat().st_size == 384 * 1024 * 1024

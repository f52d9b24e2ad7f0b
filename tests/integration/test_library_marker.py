"""Library root markers on real folders: written at first sight, never into what looks like a bare
mountpoint; a root without its marker is refused by scans, organize and the trash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qtorrentino.db.database import close_database, database, open_database
from qtorrentino.db.migrations import SCHEMA_VERSION, current_version
from qtorrentino.db.models import LibraryRow, MediaFileStateRow, SchemaVersion
from qtorrentino.engine.engine import Engine
from qtorrentino.errors import LibraryOffline
from qtorrentino.library.marker import MARKER_NAME, require_online_by_name
from tests.conftest import run_cli


def _track(root: Path, artist: str, number: int) -> Path:
    path = root / "music" / artist / "Album (2001)" / f"{number:02d} - Song {number:02d}.flac"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"fLaC" + bytes([number]) * 64)
    return path


@pytest.fixture
def root(engine: Engine) -> Path:
    return engine.home.data_dir


def test_every_library_is_marked_when_the_engine_first_sees_it(engine: Engine, root: Path) -> None:
    for name, folder in (("Music", "music"), ("Movies", "movies"), ("TV", "tv")):
        row = LibraryRow.get(LibraryRow.name == name)
        assert (
            (root / folder / MARKER_NAME).read_text(encoding="utf-8").endswith(f"id = {row.id}\n")
        )
        assert row.marker_root == str(root / folder)


def test_a_root_that_lost_its_marker_is_refused_and_nothing_is_marked_missing(
    engine: Engine, root: Path
) -> None:
    _track(root, "Artist", 1)
    engine.library.scan("Music", actor="test")
    marker = root / "music" / MARKER_NAME
    saved = marker.read_bytes()
    marker.unlink()

    with pytest.raises(
        LibraryOffline,
        match=r"library Music at .*/music is offline: its marker file "
        r"\.qtorrentino-library is missing; is the disk mounted\?",
    ):
        engine.library.scan("Music", actor="test")

    failed = engine.audit.latest(None, "ScanFailed")
    assert failed is not None and (failed.data["fault"], failed.data["library"]) == (
        "library_offline",
        "Music",
    )
    assert not marker.exists(), "a known library's lost marker is never rewritten"
    assert all(state.exists for state in MediaFileStateRow.select())
    with pytest.raises(LibraryOffline):
        engine.library.organize("Music", apply=True, actor="test")
    marker.write_bytes(saved)
    assert engine.library.scan("Music", actor="test").missing == 0


def test_a_home_from_before_markers_does_not_mark_an_empty_mountpoint(
    engine: Engine, root: Path
) -> None:
    _track(root, "Artist", 1)
    engine.library.scan("Music", actor="test")
    LibraryRow.update(marker_root=None).execute()
    (root / "music" / MARKER_NAME).unlink()
    (root / "music").rename(root / "music-disk")
    (root / "music").mkdir()

    with pytest.raises(LibraryOffline, match="none of the files on record under it is there"):
        engine.library.scan("Music", actor="test")

    assert list((root / "music").iterdir()) == []
    (root / "music").rmdir()
    (root / "music-disk").rename(root / "music")
    assert engine.library.scan("Music", actor="test").missing == 0
    assert (root / "music" / MARKER_NAME).is_file()


def test_a_library_moved_to_a_new_root_is_marked_there(engine: Engine, root: Path) -> None:
    shutil.copytree(root / "movies", root / "bigger-disk")
    (root / "bigger-disk" / MARKER_NAME).unlink()
    LibraryRow.update(root=str(root / "bigger-disk")).where(LibraryRow.name == "Movies").execute()

    assert require_online_by_name("Movies") == str(root / "bigger-disk")
    assert (root / "bigger-disk" / MARKER_NAME).is_file()


def test_trash_restore_into_an_unmounted_library_moves_nothing(engine: Engine, root: Path) -> None:
    _track(root, "Artist", 1)
    engine.library.scan("Music", actor="test")
    artist = engine.library.items("Music")[0]
    trashed = engine.library.trash_item(artist.id, actor="test")
    (root / "music" / MARKER_NAME).unlink()

    with pytest.raises(LibraryOffline):
        engine.library.restore(trashed.id, actor="test")

    assert list((root / "music").rglob("*.flac")) == []
    assert engine.library.trash()[0].id == trashed.id


def test_the_scan_command_names_the_offline_library_on_one_line(engine: Engine, root: Path) -> None:
    (root / "tv" / MARKER_NAME).unlink()

    done = run_cli(root, "scan", "TV")

    assert done.returncode == 1
    assert done.stderr.startswith(f"qtorrentino: error: library TV at {root}/tv is offline")
    assert "is the disk mounted?" in done.stderr and len(done.stderr.splitlines()) == 1


def test_a_database_from_before_markers_gains_the_library_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    open_database(path)
    for column in ("marker_root", "scan_state"):
        database.execute_sql(f'ALTER TABLE "library" DROP COLUMN "{column}"')
    SchemaVersion.update(version=2).execute()
    close_database()

    open_database(path)
    try:
        columns = {column.name for column in database.get_columns("library")}
        assert {"marker_root", "scan_state"} <= columns
        assert current_version(database) == SCHEMA_VERSION
    finally:
        close_database()

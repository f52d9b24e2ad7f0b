"""Rescans on a real tree: an unchanged folder is recognised without reading the record, and any
change to the folder or to the record behind the scanner's back still gets the full comparison."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest

from qtorrentino.clock import FrozenClock, iso
from qtorrentino.db.database import database
from qtorrentino.db.models import LibraryRow, MediaFileStateRow
from qtorrentino.engine.engine import Engine
from qtorrentino.engine.library_api import ScanResult


@pytest.fixture
def music(engine: Engine) -> Path:
    """Two albums of three tracks, each track of its own size."""
    root = engine.home.data_dir / "music"
    for artist in ("Alpha", "Beta"):
        album = root / artist / "Record (2001)"
        album.mkdir(parents=True)
        for number in (1, 2, 3):
            track = album / f"{number:02d} - Song {number}.flac"
            track.write_bytes(b"fLaC" * (10 * number + len(artist)))
    return root


def _verified(engine: Engine) -> dict[int, object]:
    return {row.media_file_id: row.last_verified_at for row in MediaFileStateRow.select()}


def test_an_unchanged_rescan_reports_the_same_and_keeps_the_time_on_the_library(
        engine: Engine, music: Path, clock: FrozenClock) -> None:
    first = engine.library.scan("Music", actor="test")
    before = _verified(engine)
    clock.advance(timedelta(hours=1))

    again = engine.library.scan("Music", actor="test")

    assert (first.seen, first.new) == (6, 6)
    assert again == ScanResult("Music", 6, 0, 0, 0, 0, 0)
    assert _verified(engine) == before
    state = json.loads(LibraryRow.get(LibraryRow.name == "Music").scan_state)
    assert state["verified_at"] == iso(clock.now())
    completed = engine.audit.latest(None, "ScanCompleted")
    assert completed is not None and completed.data["seen"] == 6 and completed.data["new"] == 0


def test_a_record_changed_behind_the_scanners_back_is_repaired_though_the_folder_is_unchanged(
        engine: Engine, music: Path) -> None:
    engine.library.scan("Music", actor="test")
    database.execute_sql('UPDATE media_file_state SET "exists" = 0 WHERE media_file_id = '
                         "(SELECT MIN(id) FROM media_file)")

    repaired = engine.library.scan("Music", actor="test")

    assert (repaired.changed, repaired.missing, repaired.new) == (1, 0, 0)
    assert all(row.exists for row in MediaFileStateRow.select())
    database.execute_sql("DELETE FROM media_file WHERE id = (SELECT MAX(id) FROM media_file)")
    assert engine.library.scan("Music", actor="test").new == 1


def test_two_tracks_swapping_names_and_a_touched_track_are_changes(engine: Engine,
                                                                   music: Path) -> None:
    engine.library.scan("Music", actor="test")
    album = music / "Alpha" / "Record (2001)"
    (album / "01 - Song 1.flac").rename(album / "swap")
    (album / "02 - Song 2.flac").rename(album / "01 - Song 1.flac")
    (album / "swap").rename(album / "02 - Song 2.flac")
    touched = music / "Beta" / "Record (2001)" / "03 - Song 3.flac"
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 1_000))

    report = engine.library.scan("Music", actor="test")

    assert (report.changed, report.new, report.missing) == (3, 0, 0)
    assert engine.library.scan("Music", actor="test") == ScanResult("Music", 6, 0, 0, 0, 0, 0)

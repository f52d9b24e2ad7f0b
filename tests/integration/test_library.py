"""The library on a real temporary tree: scan, rescan, missing, renames, unmatched, organize, trash, hostile names."""

from __future__ import annotations

import json
import os
import shutil
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from qtorrentino.db.models import ImportRecordRow, LibraryItemRow, MediaFileRow, MediaFileStateRow
from qtorrentino.engine.library_api import LibraryAPI, ScanResult
from qtorrentino.errors import NotFound, QtorrentinoError
from qtorrentino.library import matcher, scan_diff
from qtorrentino.library import trash as trash_module
from qtorrentino.library.items import ItemFields, record_placed_file, set_item_status
from qtorrentino.library.scanner import LibraryScanner
from qtorrentino.library.unmatched import Suggester
from qtorrentino.media.tags import TrackTags
from tests.conftest import run_cli
from tests.media_fixtures import make_album, make_tagged_tone

if TYPE_CHECKING:
    from qtorrentino.clock import FrozenClock
    from qtorrentino.engine.engine import Engine

RELEASE_ID = "b84ee12a-09ef-421b-82de-0441a926375b"
RECORDING_ID = "c3e6d2b1-5f1b-4c3e-9e51-3f2a6c2d9a11"
BUNNY_NFO = ('<?xml version="1.0" encoding="UTF-8"?><movie><title>Big Buck Bunny</title><year>2008</year>'
             '<uniqueid type="tmdb" default="true">10378</uniqueid></movie>')


@pytest.fixture
def library(engine: Engine) -> LibraryAPI:
    return LibraryAPI(engine.core)


@pytest.fixture
def root(engine: Engine) -> Path:
    return engine.home.data_dir


@pytest.fixture
def tree(root: Path) -> Path:
    """Real tagged audio, name-only files, dummy videos and a sidecar: 10 media files in three libraries."""
    make_album(root / "music" / "Test Artist" / "Test Album (2001)", tracks=2, seconds=1.0)
    make_tagged_tone(root / "music" / "incoming" / "dump" / "take1.flac", TrackTags(
        title="Lucky", artist="Radiohead", albumartist="Radiohead", album="OK Computer", date="1997",
        track_number=11, musicbrainz_album_id=RELEASE_ID, musicbrainz_track_id=RECORDING_ID), seconds=1.0)
    _write(root / "music" / "Name Only Band - Quiet Album (2010)" / "03 - Soft Song.mp3", b"ID3")
    _write(root / "music" / "unsorted" / "xq7z.flac", b"fLaC")
    _write(root / "movies" / "The Matrix (1999)" / "The Matrix (1999).mkv", b"m" * 1000)
    _write(root / "movies" / "odd_name_rip.mkv", b"b" * 2000)
    _write(root / "movies" / "odd_name_rip.nfo", BUNNY_NFO.encode())
    _write(root / "movies" / "random_clip_0042.mkv", b"r" * 300)
    for number, title in ((1, "Pilot"), (2, "Second")):
        _write(root / "tv" / "Example Show" / "Season 01" / f"Example Show - S01E{number:02d} - {title}.mkv",
               bytes([number]) * 700)
    return root


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _titles(library: LibraryAPI, name: str, parent_id: int | None = None) -> dict[str, int]:
    return {item.title: item.id for item in library.items(name, parent_id)}


def _item(title: str, kind: str) -> LibraryItemRow:
    return LibraryItemRow.get(LibraryItemRow.title == title, LibraryItemRow.kind == kind)


def test_first_scan_identifies_by_ids_tags_and_names_and_queues_the_rest(
        engine: Engine, library: LibraryAPI, tree: Path) -> None:
    result = library.scan(actor="test")

    assert result == ScanResult("*", seen=10, new=10, changed=0, missing=0, matched=8, unmatched=2)
    music = engine.audit.latest(type_="ScanCompleted")
    assert music is not None and set(music.data) >= {"library", "seen", "new", "changed", "missing", "matched",
                                                     "unmatched"}
    artists = _titles(library, "Music")
    assert set(artists) == {"Test Artist", "Radiohead", "Name Only Band"}
    radiohead_albums = library.items("Music", artists["Radiohead"])
    assert [(album.title, album.year, album.status) for album in radiohead_albums] == [
        ("OK Computer", 1997, "available")]
    track = library.items("Music", radiohead_albums[0].id)[0]
    assert (track.title, track.number) == ("Lucky", 11)
    assert track.path is not None and track.path.endswith("incoming/dump/take1.flac")
    assert _item("OK Computer", "album").provider_id == f"musicbrainz:release/{RELEASE_ID}"
    quiet = library.items("Music", library.items("Music", artists["Name Only Band"])[0].id)
    assert [(t.title, t.number) for t in quiet] == [("Soft Song", 3)]
    movies = {item.title: item for item in library.items("Movies")}
    assert set(movies) == {"The Matrix", "Big Buck Bunny"}
    assert _item("Big Buck Bunny", "movie").provider_id == "tmdb:movie/10378"
    season = library.items("TV", library.items("TV")[0].id)
    assert [(item.kind, item.season) for item in season] == [("season", 1)]
    assert [(e.number, e.title) for e in library.items("TV", season[0].id)] == [(1, "Pilot"), (2, "Second")]
    queued = {Path(view.path).name: view for view in library.unmatched()}
    assert set(queued) == {"xq7z.flac", "random_clip_0042.mkv"}
    assert queued["random_clip_0042.mkv"].library == "Movies"
    records = list(ImportRecordRow.select())
    assert len(records) == 10 and {record.method for record in records} == {"scan"}
    assert sum(record.success for record in records) == 8


def test_rescan_of_an_unchanged_library_reads_no_file_contents(
        library: LibraryAPI, tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library.scan(actor="test")
    opened: list[object] = []

    def counting(real: object) -> object:
        def wrapper(*args: object) -> object:
            opened.append(args[0])
            return real(*args)  # type: ignore[operator]
        return wrapper

    monkeypatch.setattr(matcher, "read_tags", counting(matcher.read_tags))
    monkeypatch.setattr(matcher, "quick_hash", counting(matcher.quick_hash))
    monkeypatch.setattr(scan_diff, "quick_hash", counting(scan_diff.quick_hash))
    track = tree / "music" / "Test Artist" / "Test Album (2001)" / "01 - Track 01.flac"
    before = track.stat()
    with track.open("r+b") as handle:
        handle.seek(before.st_size // 2)
        handle.write(b"\0" * 64)
    os.utime(track, ns=(before.st_atime_ns, before.st_mtime_ns))

    report = library.scan_report("Music", actor="test")

    assert (report.seen, report.new, report.changed, report.missing, report.contents_read) == (5, 0, 0, 0, 0)
    assert opened == []
    assert library.scan(actor="test") == ScanResult("*", 10, 0, 0, 0, 0, 0)


def test_a_deleted_file_is_marked_missing_and_comes_back_when_restored(
        library: LibraryAPI, tree: Path) -> None:
    library.scan(actor="test")
    track = tree / "music" / "Test Artist" / "Test Album (2001)" / "02 - Track 02.flac"
    kept = track.read_bytes()
    stat = track.stat()
    track.unlink()

    gone = library.scan("Music", actor="test")

    assert (gone.missing, gone.new, gone.changed) == (1, 0, 0)
    album = library.items("Music", _titles(library, "Music")["Test Artist"])[0]
    assert album.status == "missing"
    statuses = {item.title: (item.status, item.path) for item in library.items("Music", album.id)}
    assert statuses["Track 02"] == ("missing", None)
    assert statuses["Track 01"][0] == "available"
    row = MediaFileRow.get(MediaFileRow.path == str(track))
    assert MediaFileStateRow.get(MediaFileStateRow.media_file == row).exists is False
    assert library.scan("Music", actor="test").missing == 0

    track.write_bytes(kept)
    os.utime(track, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    back = library.scan("Music", actor="test")

    assert (back.changed, back.new, back.missing) == (1, 0, 0)
    assert library.items("Music", _titles(library, "Music")["Test Artist"])[0].status == "available"


def test_a_moved_file_and_a_copied_then_deleted_file_are_recognised_as_renames(
        library: LibraryAPI, tree: Path) -> None:
    library.scan(actor="test")
    matrix = tree / "movies" / "The Matrix (1999)" / "The Matrix (1999).mkv"
    media_id = MediaFileRow.get(MediaFileRow.path == str(matrix)).id
    moved = tree / "movies" / "Sci-Fi" / "matrix.mkv"
    moved.parent.mkdir()
    matrix.rename(moved)
    episode = tree / "tv" / "Example Show" / "Season 01" / "Example Show - S01E02 - Second.mkv"
    copied = tree / "tv" / "Example Show" / "Specials" / episode.name
    copied.parent.mkdir()
    shutil.copyfile(episode, copied)
    os.utime(copied, (1_000_000, 1_000_000))
    episode.unlink()

    movies = library.scan_report("Movies", actor="test")
    tv = library.scan_report("TV", actor="test")

    assert (movies.renamed, movies.new, movies.missing, movies.changed) == (1, 0, 0, 1)
    assert (tv.renamed, tv.new, tv.missing) == (1, 0, 0)
    assert MediaFileRow.get_by_id(media_id).path == str(moved)
    assert {item.title: item.path for item in library.items("Movies")}["The Matrix"] == str(moved)
    assert ImportRecordRow.select().count() == 10


def test_unidentified_files_are_matched_from_a_suggestion_or_a_typed_target(
        engine: Engine, library: LibraryAPI, tree: Path) -> None:
    with engine.core.uow():
        set_item_status("Movies", ItemFields("movie", title="Sintel", year=2010), "wanted", clock=engine.clock)
    _write(tree / "movies" / "sintel_trailer_cut.mkv", b"s" * 900)
    library.scan(actor="test")
    queued = {Path(view.path).name: view for view in library.unmatched()}
    sintel = queued["sintel_trailer_cut.mkv"]
    assert sintel.suggestions[0].label == "Sintel (2010)"
    assert sintel.suggestions[0].source == "library" and sintel.suggestions[0].target.startswith("item:")

    library.match(sintel.id, 0, actor="test")
    library.match(queued["random_clip_0042.mkv"].id, target="Elephants Dream (2006)", actor="test")
    library.dismiss(queued["xq7z.flac"].id, actor="test")

    assert library.unmatched() == []
    movies = {item.title: item for item in library.items("Movies")}
    assert movies["Sintel"].status == "available" and movies["Sintel"].path.endswith("sintel_trailer_cut.mkv")
    assert movies["Elephants Dream"].year == 2006 and movies["Elephants Dream"].locked
    matched = engine.audit.latest(type_="UnmatchedMatched")
    assert matched is not None and matched.data["target"] == "Elephants Dream (2006)"
    dismissed = engine.audit.latest(type_="UnmatchedDismissed")
    assert dismissed is not None and dismissed.data["path"].endswith("xq7z.flac")
    manual = ImportRecordRow.select().where(ImportRecordRow.method == "manual_match")
    assert manual.count() == 2
    with pytest.raises(NotFound, match="already matched"):
        library.dismiss(sintel.id, actor="test")
    placed = _write(tree / "movies" / "Elephants Dream (2006)" / "Elephants Dream (2006).mkv", b"e" * 10)
    with engine.core.uow():
        record_placed_file("movies", placed, ItemFields("movie", title="Elephants Dream", tmdb_id=9999), "copy",
                           "T9", clock=engine.clock)
    locked = _item("Elephants Dream", "movie")
    assert (locked.year, locked.provider_id, locked.locked) == (2006, None, True)
    assert library.scan(actor="test").unmatched == 0


def test_organize_dry_run_changes_nothing_and_apply_renames_without_overwriting(
        engine: Engine, library: LibraryAPI, tree: Path) -> None:
    (tree / "music" / "incoming" / "dump" / "cover.jpg").write_bytes(b"\xff\xd8\xffcover")
    library.scan(actor="test")
    blocker = _write(tree / "movies" / "Big Buck Bunny (2008)" / "Big Buck Bunny (2008).mkv", b"someone else's")
    before = sorted(str(path) for path in tree.rglob("*") if path.is_file())

    plans = {Path(plan.source).name: plan for plan in library.organize("Music", apply=False, actor="test")}
    movie_plans = {Path(plan.source).name: plan for plan in library.organize("Movies", apply=False, actor="test")}

    assert sorted(str(path) for path in tree.rglob("*") if path.is_file()) == before
    assert plans["take1.flac"].target == str(tree / "music" / "Radiohead" / "OK Computer (1997)" / "11 - Lucky.flac")
    assert not plans["take1.flac"].collision
    assert "01 - Track 01.flac" not in plans
    assert movie_plans["odd_name_rip.mkv"].collision

    library.organize("Music", apply=True, actor="test")
    library.organize("Movies", apply=True, actor="test")

    lucky = tree / "music" / "Radiohead" / "OK Computer (1997)" / "11 - Lucky.flac"
    assert lucky.is_file() and (lucky.parent / "cover.jpg").is_file()
    assert not (tree / "music" / "incoming").exists()
    assert blocker.read_bytes() == b"someone else's" and (tree / "movies" / "odd_name_rip.mkv").is_file()
    event = engine.audit.latest(type_="LibraryOrganized")
    assert event is not None and event.data["collisions"] == 1
    assert library.scan(actor="test") == ScanResult("*", 11, 1, 0, 0, 1, 0)


def test_trash_moves_files_out_restore_brings_them_back_and_purge_forgets_them(
        engine: Engine, library: LibraryAPI, tree: Path, clock: FrozenClock) -> None:
    (tree / "music" / "Test Artist" / "Test Album (2001)" / "cover.jpg").write_bytes(b"\xff\xd8\xffcover")
    library.scan(actor="test")
    album_id = library.items("Music", _titles(library, "Music")["Test Artist"])[0].id
    folder = tree / "music" / "Test Artist" / "Test Album (2001)"

    trashed = library.trash_item(album_id, actor="test")

    assert not folder.exists()
    assert trashed.original_path == str(folder) and "2 file(s)" in trashed.description
    assert trashed.purge_after - trashed.trashed_at == timedelta(days=30)
    assert [view.id for view in library.trash()] == [trashed.id]
    assert library.items("Music", _titles(library, "Music")["Test Artist"])[0].trashed
    assert library.scan("Music", actor="test").missing == 0

    library.restore(trashed.id, actor="test")

    assert sorted(path.name for path in folder.iterdir()) == ["01 - Track 01.flac", "02 - Track 02.flac", "cover.jpg"]
    assert library.trash() == []
    assert library.scan("Music", actor="test") == ScanResult("Music", 5, 0, 0, 0, 0, 0)

    again = library.trash_item(album_id, actor="test")
    clock.advance(timedelta(days=29))
    assert library.purge_expired() == 0
    clock.advance(timedelta(days=2))
    assert library.purge_expired() == 1
    assert not Path(engine.home.trash_dir).exists() or not any(engine.home.trash_dir.iterdir())
    assert LibraryItemRow.get_or_none(LibraryItemRow.id == album_id) is None
    assert "Test Artist" not in _titles(library, "Music")
    purged = engine.audit.latest(type_="ItemPurged")
    assert purged is not None and purged.data["path"] == str(folder) and purged.data["trash_id"] == again.id


def test_a_trash_that_cannot_move_its_files_changes_nothing(
        engine: Engine, library: LibraryAPI, tree: Path) -> None:
    library.scan("Music", actor="test")
    folder = tree / "music" / "Test Artist" / "Test Album (2001)"
    engine.home.trash_dir.write_text("a file where the trash folder should be")
    album_id = library.items("Music", _titles(library, "Music")["Test Artist"])[0].id

    with pytest.raises(QtorrentinoError, match="cannot move"):
        library.trash_item(album_id, actor="test")

    assert sorted(path.name for path in folder.iterdir()) == ["01 - Track 01.flac", "02 - Track 02.flac"]
    assert library.trash() == []
    assert not library.items("Music", _titles(library, "Music")["Test Artist"])[0].trashed


def test_moves_that_fail_halfway_are_moved_back(tmp_path: Path) -> None:
    first = _write(tmp_path / "a" / "first.flac", b"1")
    moves = [(str(first), str(tmp_path / "bin" / "first.flac")),
             (str(tmp_path / "a" / "vanished.flac"), str(tmp_path / "bin" / "vanished.flac"))]

    with pytest.raises(QtorrentinoError, match=r"vanished\.flac"):
        trash_module._move_all(moves)

    assert first.read_bytes() == b"1"
    assert not (tmp_path / "bin" / "first.flac").exists()


def test_hostile_names_are_scanned_kept_losslessly_and_never_escape_the_root(
        engine: Engine, library: LibraryAPI, root: Path) -> None:
    movies = os.fsencode(root / "movies")
    raw_names = [b"Bad\xff\xfeBytes (2001).mkv", b"New\nLine (2002).mkv", b"-rf Dash (2003).mkv",
                 b"..Dots (2004).mkv", ("L" * 240 + " (2005).mkv").encode()]
    for name in raw_names:
        with open(os.path.join(movies, name), "wb") as handle:
            handle.write(b"v" * 100)
    os.mkfifo(os.path.join(movies, b"pipe (2006).mkv"))
    os.symlink(root / "movies", root / "movies" / "loop")
    os.symlink("/etc/hostname", root / "movies" / "outside (2007).mkv")
    _write(root / "movies" / ".qtorrentino-0123456789abcdef.part", b"partial")
    _write(root / "movies" / "Half Done (2008).mkv.parts", b"partial")

    first = library.scan_report("Movies", actor="test")

    assert (first.seen, first.new, first.matched) == (4, 4, 4)
    titles = {item.title for item in library.items("Movies")}
    assert titles == {"Bad\ufffd\ufffdBytes", "New Line", "rf Dash", "L" * 240}
    shown = [item.path for item in library.items("Movies")]
    assert any("Bad\\xff\\xfeBytes" in (path or "") for path in shown)
    assert library.scan("Movies", actor="test") == ScanResult("Movies", 4, 0, 0, 0, 0, 0)
    planned = library.organize("Movies", apply=True, actor="test")
    assert planned and all(plan.target.startswith(str(root / "movies") + "/") for plan in planned)
    assert all(len(os.fsencode(name)) <= 255 for _, _, names in os.walk(movies) for name in names)
    assert library.scan("Movies", actor="test") == ScanResult("Movies", 4, 0, 0, 0, 0, 0)
    assert os.path.exists(os.path.join(movies, b"..Dots (2004).mkv"))


def test_an_emptied_root_is_taken_for_an_unmounted_disk_and_nothing_is_marked_missing(
        library: LibraryAPI, tree: Path) -> None:
    library.scan("TV", actor="test")
    shutil.rmtree(tree / "tv" / "Example Show")

    with pytest.raises(QtorrentinoError, match="is empty but"):
        library.scan("TV", actor="test")

    assert all(item.status == "available" for item in library.items("TV"))
    shutil.rmtree(tree / "tv")
    with pytest.raises(QtorrentinoError, match="missing or not a folder"):
        library.scan("TV", actor="test")


def test_big_batches_parse_in_a_spawned_process_pool_with_the_same_result(
        engine: Engine, library: LibraryAPI, tree: Path, caplog: pytest.LogCaptureFixture) -> None:
    pooled = LibraryScanner(engine.core.uow, engine.clock, Suggester(None, None), pool_threshold=1)

    report = pooled.scan("Music", actor="test")

    assert "parsing pool failed" not in caplog.text
    assert (report.seen, report.new, report.matched, report.unmatched) == (5, 5, 4, 1)
    assert set(_titles(library, "Music")) == {"Test Artist", "Radiohead", "Name Only Band"}


def test_download_staging_and_trash_folders_inside_a_library_are_not_scanned(
        engine: Engine, library: LibraryAPI, root: Path) -> None:
    _write(root / "movies" / "incoming" / "Half Fetched (2011).mkv", b"d" * 50)
    _write(root / "movies" / "Kept (2012).mkv", b"k" * 50)
    scanning = LibraryScanner(engine.core.uow, engine.clock, Suggester(None, None),
                              excluded=[root / "movies" / "incoming"])

    report = scanning.scan("Movies", actor="test")

    assert (report.seen, report.new) == (1, 1)
    assert [item.title for item in library.items("Movies")] == ["Kept"]


def test_a_placed_file_is_recorded_with_its_items_and_import_and_a_rescan_knows_it(
        engine: Engine, library: LibraryAPI, root: Path) -> None:
    fields = ItemFields("episode", title="Pilot", series="Placed Show", season=1, number=1)
    with engine.core.uow():
        set_item_status("TV", fields, "downloading", clock=engine.clock, info_hash="ab" * 20)
    assert library.items("TV")[0].status == "downloading"
    placed = _write(root / "tv" / "Placed Show" / "Season 01" / "Placed Show - S01E01 - Pilot.mkv", b"p" * 64)

    with engine.core.uow():
        record_placed_file("TV", placed, fields, "hardlink", "T123", clock=engine.clock)

    show = library.items("TV")[0]
    assert (show.title, show.status) == ("Placed Show", "available")
    record = ImportRecordRow.get(ImportRecordRow.ticket_id == "T123")
    assert (record.method, record.source_type, record.success) == ("hardlink", "ticket", True)
    assert library.scan("TV", actor="test") == ScanResult("TV", 1, 0, 0, 0, 0, 0)


def test_the_scan_and_organize_commands_print_json(tree: Path) -> None:
    scanned = run_cli(tree, "scan", "Movies", "--json")
    assert scanned.returncode == 0, scanned.stderr
    assert json.loads(scanned.stdout) == {"library": "Movies", "seen": 3, "new": 3, "changed": 0, "missing": 0,
                                          "matched": 2, "unmatched": 1, "unreadable": 0}

    organized = run_cli(tree, "organize", "movies", "--json")

    planned = [json.loads(line) for line in organized.stdout.splitlines()]
    assert organized.returncode == 0 and [Path(plan["target"]).name for plan in planned] == [
        "Big Buck Bunny (2008).mkv"]
    assert "run with --apply" in organized.stderr and (tree / "movies" / "odd_name_rip.mkv").exists()
    unknown = run_cli(tree, "scan", "Nowhere")
    assert unknown.returncode == 1 and unknown.stderr.count("\n") == 1
    assert "no library called 'Nowhere'" in unknown.stderr

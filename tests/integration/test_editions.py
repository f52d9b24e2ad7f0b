"""Editions stay apart in the library on a real database: items per release year or MusicBrainz release,
and organize never moves one edition's file onto another's names (issue 18, observation 8)."""

from __future__ import annotations

from pathlib import Path

from qtorrentino.engine.engine import Engine
from qtorrentino.library.items import ItemFields, record_placed_file


def place(engine: Engine, path: Path, fields: ItemFields) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(path.name.encode() * 8)
    with engine.core.uow():
        record_placed_file("Music", path, fields, "copy", "T1", clock=engine.clock)


def track(year: int | None, number: int, title: str, release: str | None = None) -> ItemFields:
    return ItemFields("track", title=title, artist="Night Patterns", album="Echoes", year=year, disc=1, number=number,
                      musicbrainz_release_id=release)


def albums(engine: Engine) -> list[tuple[str, int | None, int]]:
    artist = next(item for item in engine.library.items("Music") if item.title == "Night Patterns")
    return sorted((album.title, album.year, len(engine.library.items("Music", album.id)))
                  for album in engine.library.items("Music", artist.id))


def test_two_release_years_are_two_albums_and_a_yearless_track_joins_the_first(engine: Engine, tmp_path: Path) -> None:
    music = tmp_path / "music" / "Night Patterns"
    place(engine, music / "Echoes (2018)" / "01 - Reflections.flac", track(2018, 1, "Reflections"))
    place(engine, music / "Echoes (2009)" / "01 - First Echo.flac", track(2009, 1, "First Echo"))
    place(engine, music / "Echoes (2018)" / "02 - Delay Line.flac", track(None, 2, "Delay Line"))
    assert albums(engine) == [("Echoes", 2009, 1), ("Echoes", 2018, 2)]
    assert engine.library.organize("Music", apply=False, actor="test") == []


def test_two_musicbrainz_releases_of_one_year_are_two_albums(engine: Engine, tmp_path: Path) -> None:
    music = tmp_path / "music" / "Night Patterns"
    place(engine, music / "a" / "01 - Reflections.flac", track(2018, 1, "Reflections", "11111111-aaaa"))
    place(engine, music / "b" / "01 - Reflections.flac", track(2018, 1, "Reflections", "22222222-bbbb"))
    assert albums(engine) == [("Echoes", 2018, 1), ("Echoes", 2018, 1)]


def test_an_album_stored_without_a_year_takes_the_first_edition_that_names_one(engine: Engine,
                                                                                tmp_path: Path) -> None:
    music = tmp_path / "music" / "Night Patterns"
    place(engine, music / "Echoes" / "01 - Reflections.flac", track(None, 1, "Reflections"))
    place(engine, music / "Echoes (2018)" / "02 - Delay Line.flac", track(2018, 2, "Delay Line"))
    place(engine, music / "Echoes (2009)" / "01 - First Echo.flac", track(2009, 1, "First Echo"))
    assert albums(engine) == [("Echoes", 2009, 1), ("Echoes", 2018, 2)]


def test_organize_leaves_a_file_whose_folder_names_another_edition_than_its_item(engine: Engine,
                                                                                  tmp_path: Path) -> None:
    """A database from before editions were kept apart: a 2009 track linked into the 2018 album."""
    music = tmp_path / "music" / "Night Patterns"
    place(engine, music / "Echoes (2018)" / "01 - Reflections.flac", track(2018, 1, "Reflections"))
    place(engine, music / "Echoes (2009)" / "02 - Tape Loop.flac", track(2018, 2, "Tape Loop"))
    planned = engine.library.organize("Music", apply=True, actor="test")
    assert [(Path(plan.source).parent.name, plan.collision) for plan in planned] == [("Echoes (2009)", True)]
    assert (music / "Echoes (2009)" / "02 - Tape Loop.flac").is_file()
    assert not (music / "Echoes (2018)" / "02 - Tape Loop.flac").exists()

"""A library scan reads artist folders named with numbers as artists (issue 14: "Artist 320")."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from qtorrentino.engine.library_api import LibraryAPI

if TYPE_CHECKING:
    from qtorrentino.engine.engine import Engine

ARTISTS = ("Artist 320", "Band 256", "Blink-182", "Sum 41", "Matchbox 20", "Level 42", "UB40",
           "Front 242", "Eiffel 65", "Galaxie 500", "Apollo 440", "Maroon 5")


def test_a_scan_takes_numbered_artist_folders_for_artists(engine: Engine) -> None:
    music = Path(engine.home.data_dir) / "music"
    for artist in ARTISTS:
        track = music / artist / "Album One (2001)" / "01 - First Song.mp3"
        track.parent.mkdir(parents=True)
        track.write_bytes(b"ID3")
    library = LibraryAPI(engine.core)

    result = library.scan(actor="test")

    assert (result.seen, result.matched, result.unmatched) == (len(ARTISTS), len(ARTISTS), 0)
    artists = {item.title: item.id for item in library.items("Music")}
    assert set(artists) == set(ARTISTS)
    for artist_id in artists.values():
        albums = library.items("Music", artist_id)
        assert [(album.title, album.year) for album in albums] == [("Album One", 2001)]
        assert [(track.title, track.number) for track in library.items("Music", albums[0].id)] == [
            ("First Song", 1)]

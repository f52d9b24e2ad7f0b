"""Issue 16: a torrent given directly files a ticket of the kind its files say."""

from __future__ import annotations

import pytest

from qtorrentino.domain.direct import DirectTorrent, direct_spec, guess_kind
from qtorrentino.domain.files import FileEntry
from qtorrentino.domain.ticket import TicketKind
from qtorrentino.errors import UsageError

MB = 1_000_000


def torrent(name: str, *files: tuple[str, int]) -> DirectTorrent:
    entries = tuple(
        FileEntry(index, f"{name}/{path}", size) for index, (path, size) in enumerate(files)
    )
    return DirectTorrent("ab" * 20, name, entries)


ALBUM = torrent(
    "Echo Band - Echoes (2018) [FLAC]",
    ("01 - One.flac", 30 * MB),
    ("02 - Two.flac", 30 * MB),
    ("cover.jpg", MB),
)
MOVIE = torrent(
    "stuff",
    ("Sintel.2010.1080p.BluRay.x264-GRP.mkv", 900 * MB),
    ("sample.mkv", 20 * MB),
    ("info.nfo", 1000),
)
EPISODE = torrent("pack", ("Some.Show.S01E02.720p.WEB-DL.mkv", 300 * MB))
SEASON = torrent("pack", *((f"Some.Show.S01E0{n}.720p.WEB-DL.mkv", 300 * MB) for n in (1, 2, 3)))
TWO_SEASONS = torrent(
    "pack", ("Some.Show.S01E01.720p.mkv", 300 * MB), ("Some.Show.S02E01.720p.mkv", 300 * MB)
)
TWO_MOVIES = torrent("pack", ("Sintel.2010.mkv", 900 * MB), ("Tears.of.Steel.2012.mkv", 900 * MB))
DOCUMENTS = torrent("Manual", ("book.pdf", 5 * MB))


@pytest.mark.parametrize(
    ("given", "kind"),
    [
        (ALBUM, TicketKind.ALBUM),
        (MOVIE, TicketKind.MOVIE),
        (EPISODE, TicketKind.EPISODE),
        (SEASON, TicketKind.SEASON),
        (TWO_SEASONS, TicketKind.GENERIC),
        (TWO_MOVIES, TicketKind.GENERIC),
        (DOCUMENTS, TicketKind.GENERIC),
    ],
)
def test_the_kind_is_guessed_from_the_files(given: DirectTorrent, kind: TicketKind) -> None:
    assert guess_kind(given) is kind


def test_the_query_is_read_from_the_name_or_else_the_main_file() -> None:
    album = direct_spec(ALBUM).query
    assert (album.artist, album.album, album.year) == ("Echo Band", "Echoes", 2018)
    movie = direct_spec(MOVIE).query
    assert (movie.title, movie.year) == ("Sintel", 2010), (
        "a neutral torrent name: the film's file names it"
    )
    episode = direct_spec(EPISODE).query
    assert (episode.series, episode.season, episode.episodes) == ("Some Show", 1, (2,))
    season = direct_spec(SEASON).query
    assert (season.series, season.season) == ("Some Show", 1)
    assert direct_spec(DOCUMENTS).query.text == "Manual"


def test_a_magnet_without_files_is_guessed_from_its_name() -> None:
    assert (
        guess_kind(DirectTorrent("ab" * 20, "Some.Show.S02E03.720p.WEB-DL")) is TicketKind.EPISODE
    )
    assert guess_kind(DirectTorrent("ab" * 20, "Sintel (2010) 1080p BluRay")) is TicketKind.MOVIE
    assert guess_kind(DirectTorrent("ab" * 20, "")) is TicketKind.GENERIC


def test_audio_whose_names_do_not_say_the_artist_is_generic_not_an_album_without_an_artist() -> (
    None
):
    assert guess_kind(torrent("upload", ("track1.flac", 30 * MB))) is TicketKind.GENERIC


def test_a_kind_asked_for_that_the_name_cannot_fill_is_refused_with_what_is_missing() -> None:
    with pytest.raises(UsageError, match="does not say the series"):
        direct_spec(ALBUM, TicketKind.SEASON)


def test_out_of_range_flags_are_refused() -> None:
    with pytest.raises(UsageError, match="priority"):
        direct_spec(ALBUM, priority=70000)
    with pytest.raises(UsageError, match="format"):
        direct_spec(ALBUM, target_format="wav9")

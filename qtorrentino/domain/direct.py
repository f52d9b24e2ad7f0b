"""Direct torrents: what a torrent a person gives (`ticket add --torrent`, watch_dir) asks for.

The ticket's kind is guessed from the files (from the name when a magnet's files are not known yet):
audio → an album, SxxEyy videos → an episode or a season, one main video → a movie, else generic.
Its query is what the torrent's name says, so the one scorer judges the torrent like any candidate.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from qtorrentino.domain.files import FileEntry
from qtorrentino.domain.release import ReleaseInfo, parse_release
from qtorrentino.domain.ticket import FORMATS, Constraints, TicketKind, TicketQuery, TicketSpec
from qtorrentino.domain.ticket_json import REQUIRED_QUERY
from qtorrentino.errors import UsageError

MAIN_VIDEO_SHARE = 0.3
"""A video at least this share of the largest one is content; smaller ones are samples, extras."""
KIND_OF_NAME = {
    "music": TicketKind.ALBUM,
    "movie": TicketKind.MOVIE,
    "episode": TicketKind.EPISODE,
    "season": TicketKind.SEASON,
}
"""The ticket kind a release name's parsed kind stands for (anything else is generic)."""


@dataclass(frozen=True, slots=True)
class DirectTorrent:
    """A torrent given directly: a .torrent's identity and files, or a magnet (files come later)."""

    info_hash: str
    name: str
    files: tuple[FileEntry, ...] = ()
    """Empty for a magnet: its file list comes with its metadata, checked at the download stage."""
    magnet: str | None = None
    torrent_file: bytes | None = None

    @property
    def title(self) -> str:
        """What the candidate is called: the torrent's name, else its info-hash."""
        return self.name or self.info_hash


def direct_spec(
    torrent: DirectTorrent,
    kind: TicketKind | None = None,
    *,
    library: str | None = None,
    priority: int | None = None,
    target_format: str | None = None,
) -> TicketSpec:
    """The ticket a direct torrent files: the kind given (else guessed), its query from its name.

    Items are not listed: the download stage learns them from the files (a whole album's tracks, a
    season's episodes, the movie, every file of a generic torrent).

    Raises:
        UsageError: the kind given needs what the torrent's name does not say (an album's artist).
    """
    if priority is not None and not 0 <= priority <= 65535:
        raise UsageError(f"priority {priority} is out of range", hint="use 0..65535")
    if target_format is not None and target_format not in FORMATS:
        raise UsageError(f"format {target_format!r} is not one of {', '.join(FORMATS)}")
    chosen = kind or guess_kind(torrent)
    query = direct_query(chosen, torrent)
    missing = [name for name in REQUIRED_QUERY[chosen] if getattr(query, name) in (None, ())]
    if missing:
        raise UsageError(
            f"cannot file a {chosen.value} ticket for {torrent.title!r}: its name does not say the "
            f"{' or the '.join(missing)}",
            hint="give another --kind (generic takes any torrent), or file a ticket JSON and use "
            "`ticket force-magnet`",
        )
    return TicketSpec(
        kind=chosen,
        query=query,
        constraints=Constraints(format=target_format),
        library=library,
        priority=100 if priority is None else priority,
    )


def guess_kind(torrent: DirectTorrent) -> TicketKind:
    """The kind a torrent's files (else its name) say, if a ticket of that kind can be filed."""
    guessed = (
        _kind_of_files(torrent.files)
        if torrent.files
        else _kind_of_name(parse_release(torrent.name))
    )
    query = direct_query(guessed, torrent)
    if any(getattr(query, name) in (None, ()) for name in REQUIRED_QUERY[guessed]):
        return TicketKind.GENERIC
    return guessed


def direct_query(kind: TicketKind, torrent: DirectTorrent) -> TicketQuery:
    """What a ticket of this kind asks for, read from the torrent's name (else its main files')."""
    named = parse_release(torrent.name)
    main = _main_files(torrent.files, kind)
    first = parse_release(main[0].path) if main else ReleaseInfo()
    if kind in (TicketKind.ALBUM, TicketKind.TRACK):
        return TicketQuery(
            artist=named.artist or first.artist,
            album=named.album or first.album or named.title,
            year=named.year or first.year,
        )
    if kind is TicketKind.MOVIE:
        said = named if named.kind == "movie" or not main else first
        return TicketQuery(title=said.title or named.title, year=said.year or named.year)
    if kind in (TicketKind.EPISODE, TicketKind.SEASON):
        episodes = sorted(
            {
                (release.season, number)
                for release in map(parse_release, (f.path for f in main))
                if release.season is not None
                for number in release.episodes
            }
        )
        season = (
            named.season
            if named.season is not None
            else (episodes[0][0] if episodes else first.season)
        )
        query = TicketQuery(series=named.series or first.series, season=season, year=named.year)
        if kind is TicketKind.SEASON:
            return query
        numbers = named.episodes or tuple(number for found, number in episodes if found == season)
        return replace(query, episodes=tuple(numbers))
    return TicketQuery(text=named.title or torrent.title)


def _kind_of_name(named: ReleaseInfo) -> TicketKind:
    kind = KIND_OF_NAME.get(named.kind, TicketKind.GENERIC)
    if kind is TicketKind.EPISODE and len(named.episodes) != 1:
        return (
            TicketKind.SEASON
            if named.season is not None and not named.seasons[1:]
            else TicketKind.GENERIC
        )
    if kind is TicketKind.SEASON and named.seasons[1:]:
        return TicketKind.GENERIC
    return kind


def _kind_of_files(files: tuple[FileEntry, ...]) -> TicketKind:
    audio = sum(entry.size for entry in files if entry.is_audio)
    videos = _main_files(files, TicketKind.MOVIE)
    if audio and audio >= sum(entry.size for entry in files if entry.is_video):
        return TicketKind.ALBUM
    if not videos:
        return TicketKind.GENERIC
    episodes = {
        (release.season, number)
        for release in (parse_release(entry.path) for entry in videos)
        if release.season is not None
        for number in release.episodes
    }
    if len(episodes) == 1:
        return TicketKind.EPISODE
    if episodes:
        return (
            TicketKind.SEASON
            if len({season for season, _ in episodes}) == 1
            else TicketKind.GENERIC
        )
    return TicketKind.MOVIE if len(videos) == 1 else TicketKind.GENERIC


def _main_files(files: tuple[FileEntry, ...], kind: TicketKind) -> list[FileEntry]:
    """The content files of a kind: audio for music, else videos but samples and extras."""
    if kind in (TicketKind.ALBUM, TicketKind.TRACK):
        return sorted((entry for entry in files if entry.is_audio), key=lambda entry: entry.path)
    videos = sorted((entry for entry in files if entry.is_video), key=lambda entry: -entry.size)
    return [entry for entry in videos if videos and entry.size >= videos[0].size * MAIN_VIDEO_SHARE]

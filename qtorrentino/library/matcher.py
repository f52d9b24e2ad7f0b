"""FileMatcher: the one rule saying which library item a file is, from ids and tags first, its name otherwise."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from qtorrentino.domain.files import AUDIO_EXTENSIONS, VIDEO_EXTENSIONS
from qtorrentino.domain.release import ReleaseInfo, parse_release
from qtorrentino.errors import QtorrentinoError
from qtorrentino.library.items import ItemFields, quick_hash
from qtorrentino.media.tags import TrackTags, read_tags
from qtorrentino.net.xml import local_name, parse_xml

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)

MATCH_THRESHOLD = 0.75
"""A file is linked to an item at or above this confidence; below it goes to the unmatched queue."""
MIN_TAGGED_BYTES = 128
"""Smaller files cannot hold a tagged audio stream; they are identified by name without being opened."""
NFO_MAX_BYTES = 256 * 1024
LIBRARY_EXTENSIONS = {"music": AUDIO_EXTENSIONS, "audiobooks": AUDIO_EXTENSIONS, "movies": VIDEO_EXTENSIONS,
                      "tv": VIDEO_EXTENSIONS, "other": AUDIO_EXTENSIONS | VIDEO_EXTENSIONS}
"""Which files each kind of library holds."""
LEAF_KIND = {"music": "track", "audiobooks": "track", "movies": "movie", "tv": "episode", "other": "file"}
_TMDB_URL = re.compile(r"themoviedb\.org/(?:movie|tv)/(\d{1,9})")
NO_TAGS = TrackTags()
_MBID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True, slots=True)
class NfoIds:
    """What a Kodi-style .nfo sidecar says: provider ids we trust, and the title it gives."""

    tmdb_id: int | None = None
    musicbrainz_release_id: str | None = None
    title: str | None = None
    year: int | None = None


@dataclass(frozen=True, slots=True)
class FileFacts:
    """Everything known about one file before matching: name, size, tags, sidecar ids."""

    path: str
    """Relative POSIX path inside the library root (or the torrent)."""
    size: int
    release: ReleaseInfo
    tags: TrackTags | None = None
    nfo: NfoIds | None = None
    content_hash: str | None = None
    """items.quick_hash of the content (None for empty files): how a renamed file is recognised."""


@dataclass(frozen=True, slots=True)
class FileMatch:
    """The matcher's answer: the item a file is (its best guess even when unsure), how sure, and why."""

    fields: ItemFields | None
    confidence: float
    method: str
    """musicbrainz_id | nfo | tags | name | library | none."""
    reason: str

    @property
    def identified(self) -> bool:
        return self.fields is not None and self.confidence >= MATCH_THRESHOLD


def gather_facts(root: str, entries: Sequence[tuple[str, int]]) -> list[FileFacts]:
    """Parse names, read tags and sidecars of files under root; picklable in and out (runs in a process pool)."""
    sidecars: dict[str, dict[str, str]] = {}
    return [read_facts(root, relative, size, sidecars) for relative, size in entries]


FactsRow = tuple[str, int, str | None, tuple[object, ...], tuple[object, ...] | None, tuple[object, ...] | None]
"""FileFacts as plain tuples: what the parsing pool sends back (cheap to pickle, unlike frozen dataclasses)."""


def gather_rows(root: str, entries: Sequence[tuple[str, int]]) -> list[FactsRow]:
    """gather_facts for the process pool: the same facts as plain tuples."""
    return [(facts.path, facts.size, facts.content_hash, _values(facts.release),
             _values(facts.tags) if facts.tags else None, _values(facts.nfo) if facts.nfo else None)
            for facts in gather_facts(root, entries)]


def facts_from_row(row: FactsRow) -> FileFacts:
    """The FileFacts a gather_rows tuple carries."""
    path, size, content_hash, release, tags, nfo = row
    return FileFacts(path=path, size=size, release=ReleaseInfo(*release), content_hash=content_hash,  # type: ignore[arg-type]
                     tags=TrackTags(*tags) if tags else None, nfo=NfoIds(*nfo) if nfo else None)  # type: ignore[arg-type]


def _values(value: object) -> tuple[object, ...]:
    return tuple(getattr(value, name) for name in getattr(value, "__slots__", ()))


def read_facts(root: str, relative: str, size: int,
               sidecars: dict[str, dict[str, str]] | None = None) -> FileFacts:
    """The facts of one file: tags only from audio big enough to hold them, ids from .nfo sidecars.

    sidecars caches each folder's .nfo names (casefolded → real) across the files of one batch.
    """
    readable = (relative if relative.isascii()
                else relative.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
    release = parse_release(readable)
    absolute = os.path.join(root, relative)
    tags = None
    audio = os.path.splitext(relative)[1].lower() in AUDIO_EXTENSIONS
    if audio and size >= MIN_TAGGED_BYTES:
        try:
            tags = read_tags(Path(absolute))
        except QtorrentinoError as error:
            log.info("no tags read from %r: %s", relative, error.message)
    return FileFacts(path=relative, size=size, release=release, tags=tags,
                     nfo=_read_nfo(absolute, audio, sidecars if sidecars is not None else {}),
                     content_hash=quick_hash(absolute) if size > 0 else None)


def _read_nfo(absolute: str, audio: bool, sidecars: dict[str, dict[str, str]]) -> NfoIds | None:
    """Ids from `album.nfo` beside a track, or `<name>.nfo`, `movie.nfo` or `tvshow.nfo` around a video."""
    folder, name = os.path.split(absolute)
    stem = os.path.splitext(name)[0].casefold()
    wanted = [(folder, "album.nfo")] if audio else [
        (folder, f"{stem}.nfo"), (folder, "movie.nfo"), (folder, "tvshow.nfo"), (os.path.dirname(folder), "tvshow.nfo")]
    for directory, nfo in wanted:
        if directory not in sidecars:
            try:
                sidecars[directory] = {entry.casefold(): entry for entry in os.listdir(directory)
                                       if entry.casefold().endswith(".nfo")}
            except OSError:
                sidecars[directory] = {}
        if nfo in sidecars[directory]:
            found = _parse_nfo(os.path.join(directory, sidecars[directory][nfo]))
            if found is not None:
                return found
    return None


def _parse_nfo(path: str) -> NfoIds | None:
    """A Kodi XML .nfo, or the one-line URL form; anything hostile or unreadable is ignored."""
    try:
        with open(path, "rb") as reader:
            body = reader.read(NFO_MAX_BYTES + 1)
    except OSError:
        return None
    if len(body) > NFO_MAX_BYTES:
        return None
    if not body.lstrip().startswith(b"<"):
        url = _TMDB_URL.search(body.decode("utf-8", "replace"))
        return NfoIds(tmdb_id=int(url.group(1))) if url else None
    try:
        root = parse_xml(body, source=os.path.basename(path), error_type=QtorrentinoError)
    except QtorrentinoError as error:
        log.info("ignoring sidecar: %s", error.message)
        return None
    values: dict[str, str] = {}
    for element in root.iter():
        tag, text = local_name(element), (element.text or "").strip()
        if tag == "uniqueid" and (element.get("type") or "").casefold() == "tmdb":
            tag = "tmdbid"
        if text and tag not in values:
            values[tag] = text
    tmdb = values.get("tmdbid", "")
    release = values.get("musicbrainzalbumid", "").casefold()
    year = values.get("year", "")[:4]
    return NfoIds(tmdb_id=int(tmdb) if tmdb.isdigit() else None,
                  musicbrainz_release_id=release if _MBID.match(release) else None,
                  title=values.get("title"), year=int(year) if year.isdigit() else None)


class FileMatcher:
    """Matches a file to the library item it is, for a library of one kind; any source, same rules."""

    def __init__(self, library_kind: str, known: Callable[[ItemFields], bool] | None = None) -> None:
        self.library_kind = library_kind
        self.leaf_kind = LEAF_KIND.get(library_kind, "file")
        self._known = known

    def match(self, facts: FileFacts) -> FileMatch:
        """The best identification of facts; below MATCH_THRESHOLD it is a guess for the unmatched queue."""
        suffix = os.path.splitext(facts.path)[1].lower()
        if suffix not in LIBRARY_EXTENSIONS.get(self.library_kind, frozenset()):
            return FileMatch(None, 0.0, "none", f"a {suffix or 'extensionless'} file does not belong in a "
                                                f"{self.library_kind} library")
        if self.leaf_kind == "track":
            found = self._track(facts)
        elif self.leaf_kind == "movie":
            found = self._movie(facts)
        elif self.leaf_kind == "episode":
            found = self._episode(facts)
        else:
            title = facts.release.title or PurePosixPath(facts.path).stem
            found = FileMatch(ItemFields("file", title=title, year=facts.release.year), 0.8, "name", "file name")
        if not found.identified and found.fields is not None and self._known and self._known(found.fields):
            return FileMatch(found.fields, 0.9, "library", f"names an item already in the library ({found.reason})")
        return found

    def _track(self, facts: FileFacts) -> FileMatch:
        info, tags = facts.release, facts.tags or NO_TAGS
        tag_artist = tags.albumartist or tags.artist
        release_id = _mbid(tags.musicbrainz_album_id) or (facts.nfo.musicbrainz_release_id if facts.nfo else None)
        recording_id = _mbid(tags.musicbrainz_track_id)
        merged = ItemFields(
            "track", title=tags.title or info.title, artist=tag_artist or info.artist, album=tags.album or info.album,
            year=tags.year or info.year, disc=tags.disc_number if tags.disc_number is not None else info.disc,
            number=tags.track_number if tags.track_number is not None else info.track,
            musicbrainz_artist_id=_mbid(tags.musicbrainz_albumartist_id or tags.musicbrainz_artist_id),
            musicbrainz_release_id=release_id, musicbrainz_recording_id=recording_id)
        complete = bool(merged.artist and merged.album and merged.title)
        if complete and _mbid(tags.musicbrainz_album_id) and recording_id:
            return FileMatch(merged, 1.0, "musicbrainz_id", "MusicBrainz ids in the tags")
        if tags.title and tag_artist and tags.album:
            return FileMatch(merged, 0.95, "tags", "artist, album and title tags")
        if complete and tags.title:
            return FileMatch(merged, 0.8, "tags", "title tag, artist and album from the folder names")
        if complete and merged.number is not None:
            return FileMatch(merged, 0.85, "name", "artist, album, number and title from the path")
        if complete:
            return FileMatch(merged, 0.78, "name", "artist, album and title from the path")
        missing = [name for name in ("artist", "album", "title") if not getattr(merged, name)]
        return FileMatch(merged, 0.4, "name", f"no {' or '.join(missing)} in the tags or the path")

    def _movie(self, facts: FileFacts) -> FileMatch:
        info, nfo = facts.release, facts.nfo
        title = (nfo.title if nfo and nfo.title else None) or info.title or info.series
        year = (nfo.year if nfo and nfo.year else None) or info.year
        fields = ItemFields("movie", title=title, year=year, tmdb_id=nfo.tmdb_id if nfo else None)
        if nfo is not None and nfo.tmdb_id and title:
            return FileMatch(fields, 1.0, "nfo", "TMDB id in the .nfo sidecar")
        if info.kind == "movie" and title and year:
            return FileMatch(fields, 0.85, "name", "movie title and year from the name")
        if info.kind == "movie" and title:
            return FileMatch(fields, 0.65, "name", "a movie title without a year")
        if title:
            return FileMatch(fields, 0.5 if info.kind == "generic" else 0.3, "name",
                             f"the name reads as {info.kind}, not as a movie")
        return FileMatch(None, 0.0, "none", "nothing usable in the name")

    def _episode(self, facts: FileFacts) -> FileMatch:
        info, nfo = facts.release, facts.nfo
        tmdb_id = nfo.tmdb_id if nfo else None
        if info.kind == "episode" and info.series and info.episodes:
            fields = ItemFields("episode", title=info.title, series=info.series, year=info.year,
                                season=info.season if info.season is not None else 1, number=info.episodes[0],
                                tmdb_id=tmdb_id)
            return FileMatch(fields, 1.0 if tmdb_id else 0.9, "nfo" if tmdb_id else "name",
                             "series, season and episode from the name")
        title = info.series or info.title
        if not title:
            return FileMatch(None, 0.0, "none", "nothing usable in the name")
        fields = ItemFields("episode", series=title, season=info.season, number=info.track, tmdb_id=tmdb_id)
        return FileMatch(fields, 0.3, "name", "no season and episode number in the name")


def _mbid(value: str | None) -> str | None:
    """A MusicBrainz id from a tag, only when it has the id's shape."""
    if not value:
        return None
    text = value.strip().casefold()
    return text if _MBID.match(text) else None

"""LibraryAPI: the library commands and queries the faces call (scan, organize, trash, unmatched, lookups)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process

from qtorrentino.config.proxy import parse_proxy
from qtorrentino.db.database import database
from qtorrentino.db.models import LibraryRow, TrashRow, UnmatchedFileRow
from qtorrentino.domain.release import parse_release
from qtorrentino.domain.similarity import normalise, title_similarity
from qtorrentino.errors import MetadataError
from qtorrentino.library import organizer
from qtorrentino.library.items import ItemFields, shown_path
from qtorrentino.library.marker import offline_reason
from qtorrentino.library.matcher import LEAF_KIND
from qtorrentino.library.scanner import LibraryScanner, ScanReport
from qtorrentino.library.trash import Trash
from qtorrentino.library.unmatched import Suggester, UnmatchedFiles, leaf_choices
from qtorrentino.metadata.cache import MetadataCache

if TYPE_CHECKING:
    from datetime import datetime

    from qtorrentino.engine.core import Core
    from qtorrentino.metadata.musicbrainz import MusicBrainz
    from qtorrentino.metadata.tmdb import Tmdb

log = logging.getLogger(__name__)

SEARCH_LIMIT = 10


@dataclass(frozen=True, slots=True)
class LibraryView:
    """A configured library and how many top-level items (artists, movies, series) it holds."""

    name: str
    kind: str
    root: str
    item_count: int
    offline: str | None = None
    """Why its disk is taken for unmounted (placement, organize and scans refuse it); None: it is
    there."""


@dataclass(frozen=True, slots=True)
class LibraryItemView:
    """One library item as the Library screen lists it."""

    id: int
    library: str
    kind: str
    title: str
    year: int | None
    number: int | None
    season: int | None
    status: str
    """wanted | downloading | available | missing | unreadable (its folder could not be read)."""
    progress: float | None
    """0..1 of the download it waits on, while downloading."""
    has_children: bool
    locked: bool
    trashed: bool
    path: str | None
    """Where its file is (for people: undecodable bytes as \\xNN), when one exists."""


@dataclass(frozen=True, slots=True)
class ScanResult:
    """A scan's counts (ScanCompleted's data)."""

    library: str
    seen: int
    new: int
    changed: int
    missing: int
    matched: int
    unmatched: int
    unreadable: int = 0
    """Files on record under folders the scan could not read: kept as they were, not missing."""


@dataclass(frozen=True, slots=True)
class RenamePlan:
    """One rename the organizer proposes; a collision is reported and never carried out."""

    source: str
    target: str
    collision: bool


@dataclass(frozen=True, slots=True)
class TrashView:
    """One trashed item, restorable until purge_after."""

    id: int
    original_path: str
    description: str
    trashed_at: datetime
    purge_after: datetime


@dataclass(frozen=True, slots=True)
class SuggestionView:
    """A possible identity for a file; target is what `match` takes."""

    label: str
    target: str
    confidence: float
    source: str
    """library | musicbrainz | tmdb."""


@dataclass(frozen=True, slots=True)
class UnmatchedView:
    """A file waiting for a person to say what it is."""

    id: int
    path: str
    size: int
    library: str | None
    status: str
    suggestions: tuple[SuggestionView, ...]
    note: str = ""
    """Why suggestions may be thin: a provider down or not yet asked."""


def _suggestion_view(value: dict[str, Any]) -> SuggestionView:
    return SuggestionView(str(value.get("label", "")), str(value.get("target", "")),
                          float(value.get("confidence", 0.0)), str(value.get("source", "")))


def _unmatched_view(row: UnmatchedFileRow) -> UnmatchedView:
    return UnmatchedView(row.id, shown_path(row.path), row.size, row.library.name if row.library is not None else None,
                         row.status, tuple(_suggestion_view(value) for value in row.suggestions or []),
                         str((row.parsed or {}).get("note") or ""))


class LibraryAPI:
    """Library commands and queries; thread-safe, each call its own transactions. Never call from a UI loop."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._cache = MetadataCache(core.clock)
        config = core.config
        self.musicbrainz: MusicBrainz | None = None
        self.tmdb: Tmdb | None = None
        if config.musicbrainz:
            from qtorrentino.metadata.musicbrainz import MusicBrainz

            self.musicbrainz = MusicBrainz(config.musicbrainz, self._cache,
                                           proxy=parse_proxy(config.network.proxy))
        if config.tmdb:
            from qtorrentino.metadata.tmdb import Tmdb

            self.tmdb = Tmdb(config.tmdb, self._cache, proxy=parse_proxy(config.network.proxy))
        self._suggester = Suggester(self.musicbrainz, self.tmdb)
        self._scanner = LibraryScanner(core.uow, core.clock, self._suggester, excluded=(
            config.paths.download_dir, config.paths.staging_dir, core.home.trash_dir))
        self._unmatched = UnmatchedFiles(core.uow, core.clock, self._suggester)
        self._trash = Trash(core.uow, core.clock, core.home.trash_dir, self._trash_days)

    def _trash_days(self, library: str) -> int:
        configured = self._core.config.library(library)
        return configured.trash_days if configured else 30

    def libraries(self) -> list[LibraryView]:
        """The configured libraries, in config order, each with whether its disk is there."""
        counts = dict(database.execute_sql(
            "SELECT library_id, COUNT(*) FROM library_item WHERE parent_id IS NULL AND trashed = 0 "
            "GROUP BY library_id").fetchall())
        rows = {row.name: row for row in LibraryRow.select()}
        return [LibraryView(row.name, row.kind, row.root, counts.get(row.id, 0),
                            offline_reason(row))
                for row in (rows.get(library.name) for library in self._core.config.libraries) if row is not None]

    def items(self, library: str, parent_id: int | None = None, limit: int = 500) -> list[LibraryItemView]:
        """A library's top-level items, or the children of parent_id, in disc/season and number order."""
        rows = database.execute_sql(
            "SELECT i.id, i.kind, i.title, i.year, i.number, i.season, i.status, i.locked, i.trashed, "
            "EXISTS(SELECT 1 FROM library_item c WHERE c.parent_id = i.id), "
            "(SELECT m.path FROM media_file m JOIN media_file_state s ON s.media_file_id = m.id "
            ' WHERE m.library_item_id = i.id AND s."exists" = 1 ORDER BY m.id LIMIT 1), '
            "(SELECT t.progress FROM torrent t WHERE t.info_hash = i.download_info_hash AND i.status = 'downloading') "
            "FROM library_item i JOIN library l ON l.id = i.library_id WHERE l.name = ? AND i.parent_id IS ? "
            "ORDER BY COALESCE(i.season, 0), COALESCE(i.disc, 0), COALESCE(i.number, 0), i.title, i.id LIMIT ?",
            (library, parent_id, limit)).fetchall()
        return [LibraryItemView(row[0], library, row[1], row[2], row[3], row[4], row[5], row[6], row[11],
                                bool(row[9]), bool(row[7]), bool(row[8]), shown_path(row[10]) if row[10] else None)
                for row in rows]

    def scan(self, library: str | None = None, *, actor: str) -> ScanResult:
        """Scan one library, or every one (the counts are then summed and library is "*")."""
        names = [library] if library is not None else [item.name for item in self._core.config.libraries]
        reports = [self.scan_report(name, actor=actor) for name in names]
        totals = {field.name: sum(getattr(report, field.name) for report in reports)
                  for field in fields(ScanResult) if field.name != "library"}
        return ScanResult(library=library if library is not None else "*", **totals)

    def scan_report(self, library: str, *, actor: str) -> ScanReport:
        """One library's scan with every count (renamed, contents read, warnings)."""
        return self._scanner.scan(library, actor=actor)

    def organize(self, library: str, *, apply: bool, actor: str) -> list[RenamePlan]:
        """The renames the naming template asks for; with apply, every one without a collision is done."""
        planned = organizer.plan(library)
        if apply:
            organizer.apply(library, planned, uow=self._core.uow, clock=self._core.clock, actor=actor)
        return [RenamePlan(shown_path(rename.source), shown_path(rename.target), rename.collision)
                for rename in planned]

    def trash_item(self, item_id: int, *, actor: str) -> TrashView:
        """Move an item (and everything below it) to the trash; restorable for the library's trash_days."""
        return _trash_view(self._trash.trash_item(item_id, actor=actor))

    def restore(self, trash_id: int, *, actor: str) -> None:
        """Put a trashed item's files back; refused, with nothing moved, if a place is taken."""
        self._trash.restore(trash_id, actor=actor)

    def trash(self) -> list[TrashView]:
        """What is in the trash now, newest first."""
        query = (TrashRow.select().where(TrashRow.restored_at.is_null(), TrashRow.purged_at.is_null())
                 .order_by(TrashRow.trashed_at.desc()))
        return [_trash_view(row) for row in query]

    def purge_expired(self) -> int:
        """The housekeeping chore: purge trash past its date and expired metadata cache entries."""
        self._cache.purge_expired()
        return self._trash.purge_expired()

    def unmatched(self, limit: int = 500) -> list[UnmatchedView]:
        """Open unmatched files, oldest first."""
        return [_unmatched_view(row) for row in self._unmatched.open_rows(limit)]

    def match(self, unmatched_id: int, suggestion_index: int | None = None, target: str | None = None, *,
              actor: str) -> None:
        """Say what a file is: a suggestion by index, or a target (item:ID, tmdb:movie/ID, "Title (Year)")."""
        self._unmatched.match(unmatched_id, suggestion_index, target, actor=actor)

    def dismiss(self, unmatched_id: int, *, actor: str) -> None:
        """Take a file off the queue; later scans leave it alone."""
        self._unmatched.dismiss(unmatched_id, actor=actor)

    def refresh(self, unmatched_id: int) -> UnmatchedView:
        """Ask the library and the providers again for a file's suggestions."""
        return _unmatched_view(self._unmatched.refresh(unmatched_id))

    def search_items(self, text: str) -> list[SuggestionView]:
        """Library items whose names resemble text, then what the providers know of it."""
        query = normalise(text)
        found: list[SuggestionView] = []
        for library in LibraryRow.select():
            choices = leaf_choices(library.id, LEAF_KIND.get(library.kind, "file"))
            texts = {item_id: " ".join((choice[0], normalise(choice[1].title or ""))) for item_id, choice in
                     choices.items()}
            for _, _, item_id in process.extract(query, texts, scorer=fuzz.token_set_ratio, limit=SEARCH_LIMIT,
                                                 score_cutoff=60):
                fields_found = choices[item_id][1]
                found.append(SuggestionView(f"{library.name}: {fields_found.label}", f"item:{item_id}",
                                            title_similarity(query, texts[item_id]), "library"))
        try:
            found += [_suggestion_view(suggestion.to_json())
                      for suggestion in self._suggester.from_providers(_typed_fields(text))]
        except MetadataError as error:
            log.info("search_items without providers: %s", error.message)
        return sorted(found, key=lambda suggestion: -suggestion.confidence)[:SEARCH_LIMIT * 2]

    def lookup_release(self, artist: str, album: str) -> list[dict[str, Any]]:
        """MusicBrainz release candidates (empty when not configured or down)."""
        if self.musicbrainz is None:
            return []
        try:
            return [candidate.to_json() for candidate in self.musicbrainz.search_releases(artist, album)]
        except MetadataError as error:
            log.info("release lookup failed: %s", error.message)
            return []

    def release_tracks(self, release_id: str) -> list[dict[str, Any]]:
        """A MusicBrainz release's tracks (disc, number, title, duration_secs, recording_id); empty when down."""
        if self.musicbrainz is None:
            return []
        try:
            return [{"disc": track.disc, "number": track.number, "title": track.title,
                     "duration_secs": track.duration_secs, "recording_id": track.recording_id}
                    for track in self.musicbrainz.release_tracks(release_id)]
        except MetadataError as error:
            log.info("track lookup failed: %s", error.message)
            return []

    def lookup_movie(self, title: str, year: int | None) -> list[dict[str, Any]]:
        """TMDB movie candidates (empty when not configured or down)."""
        if self.tmdb is None:
            return []
        try:
            return [movie.to_json() for movie in self.tmdb.search_movie(title, year)]
        except MetadataError as error:
            log.info("movie lookup failed: %s", error.message)
            return []


def _typed_fields(text: str) -> ItemFields:
    """What a typed search names: an album, an episode, or (by default) a movie."""
    info = parse_release(text)
    if info.kind == "music" and info.artist and info.album:
        return ItemFields("track", artist=info.artist, album=info.album, year=info.year)
    if info.kind == "episode" and info.series:
        return ItemFields("episode", series=info.series, season=info.season,
                          number=info.episodes[0] if info.episodes else None)
    return ItemFields("movie", title=info.title or info.series or text, year=info.year)


def _trash_view(row: TrashRow) -> TrashView:
    return TrashView(row.id, shown_path(row.original_path), row.description, row.trashed_at, row.purge_after)

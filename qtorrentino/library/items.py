"""Library items (artist → album → track, movie, series → season → episode, file) and the files that hold them."""

from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qtorrentino.db.database import database
from qtorrentino.db.fields import time_text
from qtorrentino.db.models import LibraryRow
from qtorrentino.domain.similarity import normalise
from qtorrentino.domain.ticket import ItemType, TicketItem, TicketKind, TicketQuery
from qtorrentino.errors import NotFound

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from qtorrentino.clock import Clock

LEAF_KINDS = frozenset({"track", "movie", "episode", "file"})
STATUS_ORDER = ("downloading", "missing", "unreadable", "wanted", "available")
"""A container's status is the first of these that any of its children has."""
HASH_EDGE_BYTES = 64 * 1024
IMPORT_INSERT = ("INSERT INTO import_record (media_file_id, path, method, source_type, source_id, ticket_id, success,"
                 " error, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
_TO_DB = {0xDC80 + byte: chr(0x10FF80 + byte) for byte in range(128)}
_FROM_DB = {0x10FF80 + byte: chr(0xDC80 + byte) for byte in range(128)}


def db_path(path: str | os.PathLike[str]) -> str:
    """A path as stored in SQLite: bytes that are not UTF-8 (surrogate escapes) map to private code points."""
    text = os.fspath(path)
    return text if text.isascii() else text.translate(_TO_DB)


def fs_path(text: str) -> str:
    """The filesystem path a stored path names (the inverse of db_path)."""
    return text if text.isascii() else text.translate(_FROM_DB)


def shown_path(text: str) -> str:
    """A stored path for people: undecodable bytes shown as \\xNN."""
    return text if text.isascii() else os.fsencode(fs_path(text)).decode("utf-8", "backslashreplace")


def quick_hash(path: str) -> str | None:
    """A content fingerprint from the size and the first and last 64 KiB; None when unreadable."""
    try:
        with open(path, "rb") as reader:
            size = os.fstat(reader.fileno()).st_size
            digest = hashlib.sha1(str(size).encode(), usedforsecurity=False)
            digest.update(reader.read(HASH_EDGE_BYTES))
            if size > 2 * HASH_EDGE_BYTES:
                reader.seek(size - HASH_EDGE_BYTES)
                digest.update(reader.read(HASH_EDGE_BYTES))
    except OSError:
        return None
    return f"q1:{digest.hexdigest()}"


@dataclass(frozen=True, slots=True)
class ItemFields:
    """What identifies one leaf item and its parents: the matcher's answer and placement's input."""

    kind: str
    """Leaf kind: track, movie, episode or file."""
    title: str | None = None
    artist: str | None = None
    album: str | None = None
    year: int | None = None
    disc: int | None = None
    number: int | None = None
    """Track or episode number."""
    series: str | None = None
    season: int | None = None
    musicbrainz_artist_id: str | None = None
    musicbrainz_release_id: str | None = None
    musicbrainz_recording_id: str | None = None
    tmdb_id: int | None = None
    """A movie's id, or an episode's series id."""

    def to_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> ItemFields:
        known = {field.name for field in fields(cls)}
        return cls(**{key: item for key, item in value.items() if key in known})

    @property
    def label(self) -> str:
        """How a person reads it: "Artist – Album – 01 Title", "Title (Year)", "Series S01E02 Title"."""
        year = f" ({self.year})" if self.year else ""
        if self.kind == "track":
            number = f"{self.number:02d} " if self.number is not None else ""
            return f"{self.artist or '?'} – {self.album or '?'}{year} – {number}{self.title or '?'}"
        if self.kind == "episode":
            code = f" S{self.season or 0:02d}E{self.number or 0:02d}"
            return f"{self.series or '?'}{code} {self.title or ''}".strip()
        return f"{self.title or '?'}{year}"


def fields_for_ticket_item(kind: TicketKind, query: TicketQuery, item: TicketItem) -> ItemFields:
    """The library item a ticket item fills (placement and the wanted/downloading statuses use it)."""
    if item.type is ItemType.TRACK or kind in (TicketKind.ALBUM, TicketKind.TRACK):
        return ItemFields("track", title=item.title or None, artist=query.artist, album=query.album,
                          year=query.year, disc=item.disc, number=item.number,
                          musicbrainz_release_id=query.musicbrainz_release_id)
    if item.type is ItemType.EPISODE or kind in (TicketKind.EPISODE, TicketKind.SEASON):
        return ItemFields("episode", title=item.title or None, series=query.series, year=query.year,
                          season=item.season if item.season is not None else query.season, number=item.number)
    if kind is TicketKind.MOVIE:
        return ItemFields("movie", title=query.title or item.title or None, year=query.year, tmdb_id=query.tmdb_id)
    return ItemFields("file", title=item.title or query.title or query.text, year=query.year)


def _chain(values: ItemFields) -> list[tuple[str, str, dict[str, Any], str | None]]:
    """(kind, title, columns, provider id) from the top container down to the leaf."""
    if values.kind == "track":
        return [("artist", values.artist or "Unknown Artist", {},
                 f"musicbrainz:artist/{values.musicbrainz_artist_id}" if values.musicbrainz_artist_id else None),
                ("album", values.album or "Unknown Album", {"year": values.year},
                 f"musicbrainz:release/{values.musicbrainz_release_id}" if values.musicbrainz_release_id else None),
                ("track", values.title or f"Track {values.number or 0:02d}",
                 {"disc": values.disc or 1, "number": values.number},
                 f"musicbrainz:recording/{values.musicbrainz_recording_id}"
                 if values.musicbrainz_recording_id else None)]
    if values.kind == "episode":
        season = values.season if values.season is not None else 1
        return [("series", values.series or "Unknown Series", {"year": values.year},
                 f"tmdb:tv/{values.tmdb_id}" if values.tmdb_id else None),
                ("season", f"Season {season}", {"season": season, "number": season}, None),
                ("episode", values.title or f"Episode {values.number or 0:02d}",
                 {"season": season, "number": values.number}, None)]
    if values.kind == "movie":
        return [("movie", values.title or "Untitled", {"year": values.year},
                 f"tmdb:movie/{values.tmdb_id}" if values.tmdb_id else None)]
    return [("file", values.title or "Untitled", {"year": values.year}, None)]


EDITION_KINDS = frozenset({"album", "movie"})
"""Kinds whose editions (release years) are items of their own: an album's 2009 and 2018 editions, a
film and its remake; a year-less lookup still finds the first of them."""
ANY_YEAR = "any year"
"""The key part under which every edition of a name is registered, for year-less lookups."""


def _keys(kind: str, title: str, columns: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The keys an item is looked up by among its siblings, most specific first.

    An album or movie with a year is that edition, or an edition stored without a year (which then
    takes the year); without a year, any edition.
    """
    name = normalise(title)
    if kind in EDITION_KINDS:
        year = columns.get("year")
        return [(kind, name, year), (kind, name, None)] if year is not None else [(kind, name, ANY_YEAR)]
    return _stored_keys(kind, title, columns)


def _stored_keys(kind: str, title: str, columns: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The keys an existing item is registered under among its siblings."""
    name = normalise(title)
    if kind == "track" and columns.get("number") is not None:
        return [("track", columns.get("disc") or 1, columns["number"]), ("track-title", name)]
    if kind in ("season", "episode") and columns.get("number") is not None:
        return [(kind, columns["number"])]
    if kind in EDITION_KINDS:
        return [(kind, name, columns.get("year")), (kind, name, ANY_YEAR)]
    return [(kind, name)]


UNIQUE_BY_PROVIDER = frozenset({"artist", "album", "movie", "series"})
"""Kinds that are one item per provider id in a library (a recording may sit on many albums)."""


def sql(query: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
    """Run one statement on this thread's connection: the bulk paths skip peewee's per-call cost."""
    return database.connection().execute(query, params)


def sql_many(query: str, rows: Iterable[Sequence[Any]]) -> None:
    database.connection().executemany(query, rows)


class ItemStore:
    """Finds or creates the items of one library; create and update only inside a write transaction."""

    def __init__(self, library_id: int, now: datetime) -> None:
        self.library_id = library_id
        self.now_text = time_text(now)
        self.touched_parents: set[int] = set()
        self._siblings: dict[int | None, dict[tuple[Any, ...], int]] = {}
        self._known: dict[int, tuple[int | None, str | None, bool]] = {}
        """Item id → (year, provider id, locked) as stored, so unchanged items are not rewritten."""

    def find(self, values: ItemFields) -> int | None:
        """The existing leaf item these fields name, or None (creates nothing)."""
        parent: int | None = None
        for kind, title, columns, provider in _chain(values):
            parent = self._lookup(parent, kind, title, columns, provider)
            if parent is None:
                return None
        return parent

    def ensure(self, values: ItemFields, *, status: str | None, locked: bool = False,
               info_hash: str | None = None) -> int:
        """The leaf item for these fields, created with its parents when missing; sets the leaf's status if given.

        An existing unlocked item gets a blank year and provider id filled in; a locked one keeps its fields.
        """
        parent: int | None = None
        chain = _chain(values)
        for depth, (kind, title, columns, provider) in enumerate(chain):
            leaf = depth == len(chain) - 1
            found = self._lookup(parent, kind, title, columns, provider)
            if found is None:
                found = self._create(parent, kind, title, columns, provider, locked=locked and leaf,
                                     status=(status or "wanted") if leaf else "wanted",
                                     info_hash=info_hash if leaf else None)
            else:
                self._fill(found, columns.get("year"), provider, locked and leaf)
                if leaf and status is not None:
                    sql("UPDATE library_item SET status = ?, download_info_hash = ?, updated_at = ? WHERE id = ?",
                        (status, info_hash, self.now_text, found))
            if parent is not None:
                self.touched_parents.add(parent)
            parent = found
        assert parent is not None  # noqa: S101 - _chain always names at least the leaf
        return parent

    def set_status(self, item_ids: Iterable[int], status: str, info_hash: str | None = None) -> None:
        """Set leaf statuses (an available item forgets its download); parents are refreshed later."""
        ids = list(item_ids)
        sql_many("UPDATE library_item SET status = ?, download_info_hash = ?, updated_at = ? WHERE id = ?",
                 [(status, info_hash, self.now_text, item_id) for item_id in ids])
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            self.touched_parents.update(parent for (parent,) in sql(
                f"SELECT DISTINCT parent_id FROM library_item WHERE parent_id IS NOT NULL AND id IN "
                f"({','.join('?' * len(chunk))})", chunk))

    def refresh_statuses(self) -> None:
        """Recompute the status of every touched container from its untrashed children, then their parents.

        A container whose children are all trashed keeps the status it had.
        """
        pending = set(self.touched_parents)
        while pending:
            ids = sorted(pending)[:500]
            pending.difference_update(ids)
            marks = ",".join("?" * len(ids))
            found: dict[int, set[str]] = {item_id: set() for item_id in ids}
            for parent, status in sql(f"SELECT parent_id, status FROM library_item WHERE trashed = 0 AND "
                                      f"parent_id IN ({marks}) GROUP BY parent_id, status", ids):
                found[parent].add(status)
            updates = [(next(s for s in STATUS_ORDER if s in statuses), self.now_text, item_id)
                       for item_id, statuses in found.items() if statuses]
            sql_many("UPDATE library_item SET status = ?, updated_at = ? WHERE id = ? AND status != ?",
                     [(*update, update[0]) for update in updates])
            pending.update(parent for (parent,) in sql(
                f"SELECT DISTINCT parent_id FROM library_item WHERE parent_id IS NOT NULL AND id IN ({marks})", ids))
        self.touched_parents.clear()

    def _fill(self, item_id: int, year: int | None, provider: str | None, locked: bool) -> None:
        """Fill an unlocked item's blank year and provider id (and lock it for a manual match)."""
        stored_year, stored_provider, stored_locked = self._known.get(item_id, (None, None, False))
        if stored_locked or not ((year and stored_year is None) or (provider and stored_provider is None) or locked):
            return
        sql("UPDATE library_item SET year = COALESCE(year, ?), provider_id = COALESCE(provider_id, ?), "
            "locked = MAX(locked, ?), updated_at = ? WHERE id = ?",
            (year, provider, int(locked), self.now_text, item_id))
        self._known[item_id] = (stored_year or year, stored_provider or provider, locked)

    def _lookup(self, parent: int | None, kind: str, title: str, columns: dict[str, Any],
                provider: str | None) -> int | None:
        if provider and kind in UNIQUE_BY_PROVIDER:
            row = sql("SELECT id, year, provider_id, locked FROM library_item WHERE library_id = ? AND kind = ? "
                      "AND provider_id = ?", (self.library_id, kind, provider)).fetchone()
            if row is not None:
                self._known[row[0]] = (row[1], row[2], bool(row[3]))
                return int(row[0])
        siblings = self._siblings_of(parent)
        for key in _keys(kind, title, columns):
            found = siblings.get(key)
            if found is not None and self._same_edition(found, kind, columns.get("year"), provider):
                return found
        return None

    def _same_edition(self, item_id: int, kind: str, year: int | None, provider: str | None) -> bool:
        """False when the stored item is another edition: another year, or another provider id."""
        stored_year, stored_provider, _ = self._known.get(item_id, (None, None, False))
        if kind in EDITION_KINDS and year is not None and stored_year not in (None, year):
            return False
        return not (kind in UNIQUE_BY_PROVIDER and provider and stored_provider and stored_provider != provider)

    def _siblings_of(self, parent: int | None) -> dict[tuple[Any, ...], int]:
        if parent not in self._siblings:
            found: dict[tuple[Any, ...], int] = {}
            rows = sql("SELECT id, kind, title, disc, number, year, provider_id, locked FROM library_item WHERE "
                       "library_id = ? AND " + ("parent_id IS NULL" if parent is None else "parent_id = ?")
                       + " ORDER BY id", (self.library_id,) if parent is None else (self.library_id, parent))
            for item_id, kind, title, disc, number, year, provider, locked in rows:
                self._known[item_id] = (year, provider, bool(locked))
                for key in _stored_keys(kind, title, {"disc": disc, "number": number, "year": year}):
                    found.setdefault(key, item_id)
            self._siblings[parent] = found
        return self._siblings[parent]

    def _create(self, parent: int | None, kind: str, title: str, columns: dict[str, Any], provider: str | None, *,
                locked: bool, status: str, info_hash: str | None) -> int:
        item_id = int(sql(  # type: ignore[arg-type]
            "INSERT INTO library_item (library_id, parent_id, kind, title, year, disc, number, season, provider_id,"
            " status, download_info_hash, locked, trashed, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
            (self.library_id, parent, kind, title, columns.get("year"), columns.get("disc"), columns.get("number"),
             columns.get("season"), provider, status, info_hash, int(locked), self.now_text, self.now_text),
        ).lastrowid)
        self._known[item_id] = (columns.get("year"), provider, locked)
        siblings = self._siblings_of(parent)
        for key in _stored_keys(kind, title, columns):
            siblings.setdefault(key, item_id)
        return item_id


def library_id(name: str) -> int:
    """The id of a configured library by name (case-insensitive, as config.library() finds it).

    Raises:
        NotFound: no library has that name.
    """
    found = next((row.id for row in LibraryRow.select(LibraryRow.id, LibraryRow.name)
                  if row.name.casefold() == name.casefold()), None)
    if found is None:
        raise NotFound(f"no library called {name!r}", hint="see the [[libraries]] in config.toml")
    return int(found)


def record_media_file(library: int, path_text: str, item_id: int | None, *, size: int, mtime: float,
                      content_hash: str | None, now_text: str) -> int:
    """Insert or update the media file at a stored path and mark it existing; returns its id."""
    media_id = int(sql(
        "INSERT INTO media_file (library_id, path, library_item_id, size, mtime, content_hash, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET library_id = excluded.library_id,"
        " library_item_id = excluded.library_item_id, size = excluded.size, mtime = excluded.mtime,"
        " content_hash = excluded.content_hash RETURNING id",
        (library, path_text, item_id, size, mtime, content_hash, now_text)).fetchone()[0])
    sql('INSERT INTO media_file_state (media_file_id, "exists", size, mtime, last_verified_at) VALUES (?, 1, ?, ?, ?)'
        ' ON CONFLICT(media_file_id) DO UPDATE SET "exists" = 1, size = excluded.size, mtime = excluded.mtime,'
        " last_verified_at = excluded.last_verified_at", (media_id, size, mtime, now_text))
    return media_id


def record_import(media_id: int | None, path_text: str, method: str, source_type: str, *, success: bool,
                  now_text: str, error: str | None = None, ticket_id: str | None = None,
                  source_id: str | None = None) -> None:
    """One import attempt: how a file came (or failed to come) into a library."""
    sql(IMPORT_INSERT, (media_id, path_text, method, source_type, source_id, ticket_id, int(success), error, now_text))


def record_placed_file(library_name: str, path: str | Path, values: ItemFields, method: str,
                       ticket_id: str | None, *, clock: Clock, source_id: str | None = None) -> int:
    """Record a file the placer put into a library: its items (now available), file, state and import.

    Call inside the placement's unit of work. An unmatched entry for the same path is resolved.
    Returns the media file's id.

    Raises:
        NotFound: no library has that name.
    """
    library = library_id(library_name)
    now = clock.now()
    store = ItemStore(library, now)
    item_id = store.ensure(values, status="available")
    resolved = Path(path).parent.resolve() / Path(path).name
    stat = os.stat(resolved)
    path_text = db_path(resolved)
    media_id = record_media_file(library, path_text, item_id, size=stat.st_size, mtime=stat.st_mtime,
                                 content_hash=quick_hash(str(resolved)), now_text=store.now_text)
    record_import(media_id, path_text, method, "ticket", success=True, now_text=store.now_text,
                  ticket_id=ticket_id, source_id=source_id)
    sql("UPDATE unmatched_file SET status = 'matched', target = ?, resolved_at = ? WHERE path = ? AND status = 'open'",
        (f"item:{item_id}", store.now_text, path_text))
    store.refresh_statuses()
    return media_id


def set_item_status(library_name: str, values: ItemFields, status: str, *, clock: Clock,
                    info_hash: str | None = None) -> int:
    """Mark the item a ticket wants as wanted or downloading (with the torrent it waits on); creates it.

    An item whose file is already in the library stays available. Call inside a unit of work.
    """
    store = ItemStore(library_id(library_name), clock.now())
    item_id = store.ensure(values, status=None)
    has_file = sql('SELECT 1 FROM media_file m JOIN media_file_state s ON s.media_file_id = m.id'
                   ' WHERE m.library_item_id = ? AND s."exists" = 1', (item_id,)).fetchone()
    if has_file is None:
        store.set_status([item_id], status, info_hash)
    store.refresh_statuses()
    return item_id

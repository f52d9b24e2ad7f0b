"""Unmatched files: suggestions from the library and the metadata providers; match, dismiss, refresh."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process

from qtorrentino.db.database import database
from qtorrentino.db.models import LibraryItemRow, LibraryRow, UnmatchedFileRow
from qtorrentino.domain.release import parse_release
from qtorrentino.domain.similarity import normalise, title_similarity
from qtorrentino.errors import MetadataError, NotFound, UsageError
from qtorrentino.library.items import (
    LEAF_KINDS,
    ItemFields,
    ItemStore,
    fs_path,
    record_import,
    record_media_file,
    shown_path,
)
from qtorrentino.library.matcher import LEAF_KIND, FileFacts, FileMatcher

if TYPE_CHECKING:
    from qtorrentino.clock import Clock
    from qtorrentino.metadata.musicbrainz import MusicBrainz
    from qtorrentino.metadata.tmdb import Tmdb
    from qtorrentino.tickets.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

PER_SOURCE = 3
"""Suggestions kept from each source (library, MusicBrainz, TMDB)."""
LIBRARY_CUTOFF = 55
"""rapidfuzz score below which a library item is no suggestion at all."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A possible identity for an unmatched file; stored as JSON on its row."""

    label: str
    target: str
    """item:ID, tmdb:movie/ID, tmdb:tv/ID or musicbrainz:release/ID."""
    confidence: float
    source: str
    """library | musicbrainz | tmdb."""
    fields: ItemFields

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "target": self.target, "confidence": round(self.confidence, 3),
                "source": self.source, "fields": self.fields.to_json()}


def leaf_choices(library: int, kind: str) -> dict[int, tuple[str, ItemFields]]:
    """Every leaf item of a library as (search text, fields), read in one query."""
    rows = database.execute_sql(
        "SELECT leaf.id, leaf.title, leaf.year, leaf.disc, leaf.number, leaf.season, up.title, up.year, "
        "top.title, top.year FROM library_item leaf LEFT JOIN library_item up ON leaf.parent_id = up.id "
        "LEFT JOIN library_item top ON up.parent_id = top.id "
        "WHERE leaf.library_id = ? AND leaf.kind = ? AND leaf.trashed = 0", (library, kind)).fetchall()
    choices = {}
    for item_id, title, year, disc, number, season, up_title, up_year, top_title, top_year in rows:
        if kind == "track":
            fields = ItemFields("track", title=title, artist=top_title, album=up_title, year=up_year, disc=disc,
                                number=number)
            text = f"{top_title} {up_title} {title}"
        elif kind == "episode":
            fields = ItemFields("episode", title=title, series=top_title, year=top_year, season=season,
                                number=number)
            text = top_title or ""
        else:
            fields, text = ItemFields(kind, title=title, year=year), title
        choices[item_id] = (normalise(text), fields)
    return choices


class Suggester:
    """Suggests identities for a file the matcher was unsure of."""

    def __init__(self, musicbrainz: MusicBrainz | None, tmdb: Tmdb | None) -> None:
        self.musicbrainz = musicbrainz
        self.tmdb = tmdb

    def suggest(self, guess: ItemFields | None, choices: dict[int, tuple[str, ItemFields]], *,
                providers: bool) -> tuple[list[Suggestion], str]:
        """Library suggestions, then provider ones (when asked); with a note on any provider left out."""
        if guess is None:
            return [], "nothing in the name to search for"
        found = self._from_library(guess, choices)
        note = ""
        try:
            if providers:
                found += self.from_providers(guess)
            elif self._provider_for(guess) is not None:
                note = "refresh to ask " + ("TMDB" if guess.kind in ("movie", "episode") else "MusicBrainz")
        except MetadataError as error:
            note = f"{error.message}; suggestions from the library only"
        return sorted(found, key=lambda suggestion: -suggestion.confidence), note

    def _provider_for(self, guess: ItemFields) -> object | None:
        return self.tmdb if guess.kind in ("movie", "episode") else self.musicbrainz if guess.kind == "track" else None

    def _from_library(self, guess: ItemFields, choices: dict[int, tuple[str, ItemFields]]) -> list[Suggestion]:
        if guess.kind == "track":
            text = f"{guess.artist or ''} {guess.album or ''} {guess.title or ''}"
        else:
            text = (guess.series if guess.kind == "episode" else guess.title) or ""
        query = normalise(text)
        texts = {item_id: choice[0] for item_id, choice in choices.items()}
        found = []
        for _, score, item_id in process.extract(query, texts, scorer=fuzz.token_set_ratio, limit=PER_SOURCE,
                                                 score_cutoff=LIBRARY_CUTOFF):
            fields = choices[item_id][1]
            confidence = title_similarity(query, texts[item_id]) if score else 0.0
            if guess.kind == "episode" and (guess.season, guess.number) != (fields.season, fields.number):
                confidence *= 0.7
            if guess.year and fields.year and guess.year != fields.year:
                confidence *= 0.8
            found.append(Suggestion(fields.label, f"item:{item_id}", confidence, "library", fields))
        return found

    def from_providers(self, guess: ItemFields) -> list[Suggestion]:
        """What TMDB (movies, series) or MusicBrainz (albums) offer for a guess.

        Raises:
            MetadataError: the provider is down, slow or refuses us.
        """
        if guess.kind == "movie" and self.tmdb is not None and guess.title:
            return [Suggestion(f"{movie.title} ({movie.year or '?'})", f"tmdb:movie/{movie.tmdb_id}",
                               title_similarity(guess.title, movie.title) * _year_factor(guess.year, movie.year),
                               "tmdb", ItemFields("movie", title=movie.title, year=movie.year, tmdb_id=movie.tmdb_id))
                    for movie in self.tmdb.search_movie(guess.title, guess.year, limit=PER_SOURCE)]
        if guess.kind == "episode" and self.tmdb is not None and guess.series:
            known_episode = 1.0 if guess.season is not None and guess.number is not None else 0.7
            suggestions = []
            for series in self.tmdb.search_tv(guess.series, limit=PER_SOURCE):
                fields = ItemFields("episode", title=guess.title, series=series.name, year=series.year,
                                    season=guess.season, number=guess.number, tmdb_id=series.tmdb_id)
                suggestions.append(Suggestion(f"{series.name} ({series.year or '?'}) – {fields.label}",
                                              f"tmdb:tv/{series.tmdb_id}",
                                              title_similarity(guess.series, series.name) * known_episode,
                                              "tmdb", fields))
            return suggestions
        if guess.kind == "track" and self.musicbrainz is not None and guess.album:
            known_track = 1.0 if guess.title and guess.number is not None else 0.8
            suggestions = []
            for release in self.musicbrainz.search_releases(guess.artist or "", guess.album, limit=PER_SOURCE):
                fields = ItemFields("track", title=guess.title, artist=release.artist, album=release.title,
                                    year=release.year, disc=guess.disc, number=guess.number,
                                    musicbrainz_artist_id=release.artist_id, musicbrainz_release_id=release.id)
                album = title_similarity(guess.album, release.title)
                artist = title_similarity(guess.artist, release.artist) if guess.artist else album
                confidence = (album + artist) / 2 * known_track
                suggestions.append(Suggestion(fields.label, f"musicbrainz:release/{release.id}",
                                              confidence * _year_factor(guess.year, release.year),
                                              "musicbrainz", fields))
            return suggestions
        return []


def _year_factor(guessed: int | None, offered: int | None) -> float:
    if guessed is None or offered is None:
        return 0.8
    return 1.0 if guessed == offered else 0.6


class UnmatchedFiles:
    """The person's side of the queue: match a file to an identity, dismiss it, or ask again."""

    def __init__(self, uow: UnitOfWork, clock: Clock, suggester: Suggester) -> None:
        self._uow = uow
        self._clock = clock
        self._suggester = suggester

    def open_rows(self, limit: int) -> list[UnmatchedFileRow]:
        """Open entries, oldest first."""
        query = (UnmatchedFileRow.select(UnmatchedFileRow, LibraryRow).join(LibraryRow)
                 .where(UnmatchedFileRow.status == "open").order_by(UnmatchedFileRow.id).limit(limit))
        return list(query)

    def refresh(self, unmatched_id: int) -> UnmatchedFileRow:
        """Ask the library and the providers again; the row's suggestions and note are replaced."""
        row, library = self._open_row(unmatched_id)
        guess = _guess(row)
        choices = leaf_choices(library.id, LEAF_KIND.get(library.kind, "file"))
        suggestions, note = self._suggester.suggest(guess, choices, providers=True)
        parsed = {**(row.parsed or {}), "note": note}
        with self._uow():
            (UnmatchedFileRow.update(suggestions=[suggestion.to_json() for suggestion in suggestions], parsed=parsed)
             .where(UnmatchedFileRow.id == row.id).execute())
        return self._open_row(unmatched_id)[0]

    def dismiss(self, unmatched_id: int, *, actor: str) -> None:
        """Take a file off the queue for good: later scans leave it alone."""
        row, _ = self._open_row(unmatched_id)
        with self._uow() as outbox:
            (UnmatchedFileRow.update(status="dismissed", resolved_at=self._clock.now())
             .where(UnmatchedFileRow.id == row.id).execute())
            self._uow.audit.record(outbox, "UnmatchedDismissed", ticket_id=None, actor=actor,
                                   data={"path": shown_path(row.path), "target": None})

    def match(self, unmatched_id: int, suggestion_index: int | None, target: str | None, *, actor: str) -> None:
        """Link the file to a suggestion (by index) or a typed target; the item is locked against automation.

        A typed target is item:ID, tmdb:movie/ID, or text such as "The Matrix (1999)" or "Show S01E02".

        Raises:
            NotFound: no open entry with that id, or the suggestion index is out of range.
            UsageError: neither a suggestion nor a target was given, or the target says nothing usable.
        """
        row, library = self._open_row(unmatched_id)
        if suggestion_index is not None:
            if not 0 <= suggestion_index < len(row.suggestions or []):
                raise NotFound(f"unmatched file {unmatched_id} has no suggestion {suggestion_index}",
                               hint=f"it has {len(row.suggestions or [])} suggestion(s), numbered from 0")
            chosen = row.suggestions[suggestion_index]
            target_text = str(chosen["target"])
            resolved: int | ItemFields = (int(target_text[5:]) if target_text.startswith("item:")
                                          else ItemFields.from_json(chosen["fields"]))
        elif target:
            target_text, resolved = target, self._resolve(target.strip(), row, library.kind)
        else:
            raise UsageError("say which suggestion or which target the file is")
        now = self._clock.now()
        with self._uow() as outbox:
            store = ItemStore(library.id, now)
            item_id = resolved if isinstance(resolved, int) else store.ensure(resolved, status=None, locked=True)
            _check_leaf(item_id, library.id)
            store.set_status([item_id], "available")
            media_id = self._link_file(row, library.id, item_id, store.now_text)
            record_import(media_id, row.path, "manual_match", row.source_type, success=True, now_text=store.now_text)
            (UnmatchedFileRow.update(status="matched", target=target_text, resolved_at=now)
             .where(UnmatchedFileRow.id == row.id).execute())
            store.refresh_statuses()
            self._uow.audit.record(outbox, "UnmatchedMatched", ticket_id=None, actor=actor,
                                   data={"path": shown_path(row.path), "target": target_text, "item_id": item_id})

    def _link_file(self, row: UnmatchedFileRow, library: int, item_id: int, now_text: str) -> int:
        found = database.execute_sql("SELECT id FROM media_file WHERE path = ?", (row.path,)).fetchone()
        if found is not None:
            database.execute_sql("UPDATE media_file SET library_item_id = ? WHERE id = ?", (item_id, found[0]))
            return int(found[0])
        stat = os.stat(fs_path(row.path))
        return record_media_file(library, row.path, item_id, size=stat.st_size, mtime=stat.st_mtime,
                                 content_hash=None, now_text=now_text)

    def _resolve(self, target: str, row: UnmatchedFileRow, library_kind: str) -> int | ItemFields:
        if target.startswith("item:") and target[5:].isdigit():
            return int(target[5:])
        movie_id = target.removeprefix("tmdb:movie/").removeprefix("tmdb:")
        if target.startswith("tmdb:") and movie_id.isdigit():
            if self._suggester.tmdb is None:
                raise UsageError("TMDB is not configured", hint="add a [tmdb] section with an api_key")
            movie = self._suggester.tmdb.movie(int(movie_id))
            return ItemFields("movie", title=movie.title, year=movie.year, tmdb_id=movie.tmdb_id)
        return typed_guess(target, library_kind, row.path)

    def _open_row(self, unmatched_id: int) -> tuple[UnmatchedFileRow, LibraryRow]:
        """The open entry and its library (the join keeps only entries that have one)."""
        row = (UnmatchedFileRow.select(UnmatchedFileRow, LibraryRow).join(LibraryRow)
               .where(UnmatchedFileRow.id == unmatched_id).first())
        if row is None or row.library is None:
            raise NotFound(f"no unmatched file {unmatched_id}")
        if row.status != "open":
            raise NotFound(f"unmatched file {unmatched_id} is already {row.status}",
                           hint="only open entries can be matched, dismissed or refreshed")
        return row, row.library


def _check_leaf(item_id: int, library: int) -> None:
    item = LibraryItemRow.get_or_none(LibraryItemRow.id == item_id)
    if item is None or item.library_id != library or item.kind not in LEAF_KINDS:
        raise UsageError(f"item {item_id} is not a track, movie, episode or file of this file's library",
                         hint="pick a suggestion, or a target such as item:ID of a leaf item")


def _guess(row: UnmatchedFileRow) -> ItemFields | None:
    stored = (row.parsed or {}).get("fields")
    return ItemFields.from_json(stored) if isinstance(stored, dict) else None


def typed_guess(text: str, library_kind: str, original_path: str) -> ItemFields:
    """A person's typed identity ("The Matrix (1999)", "Show S01E02", "Artist - Album - 01 - Title").

    Raises:
        UsageError: the text names nothing the library could hold.
    """
    suffix = PurePosixPath(fs_path(original_path)).suffix
    facts = FileFacts(path=text + suffix, size=0, release=parse_release(text + suffix))
    found = FileMatcher(library_kind).match(facts)
    if found.fields is None:
        raise UsageError(f"cannot read a {LEAF_KIND.get(library_kind, 'file')} from {text!r}",
                         hint='e.g. "The Matrix (1999)", "Show S01E02", "Artist - Album - 01 - Title"')
    return found.fields

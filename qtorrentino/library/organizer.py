"""The organizer: rename a library's files to its naming template; dry run first, collisions never overwritten."""

from __future__ import annotations

import errno
import logging
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from qtorrentino.db.database import database
from qtorrentino.db.models import LibraryRow
from qtorrentino.domain.files import AUDIO_EXTENSIONS, VIDEO_EXTENSIONS
from qtorrentino.domain.naming import NamingValues, render_name
from qtorrentino.domain.paths import ensure_inside
from qtorrentino.errors import NotFound, QtorrentinoError
from qtorrentino.library.items import db_path, fs_path, shown_path
from qtorrentino.library.marker import require_online

if TYPE_CHECKING:
    from qtorrentino.clock import Clock
    from qtorrentino.tickets.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

MEDIA_EXTENSIONS = AUDIO_EXTENSIONS | VIDEO_EXTENSIONS
AUDITED_RENAMES = 200
"""Renames listed one by one in the LibraryOrganized event; the count covers the rest."""
FOLDER_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
"""A release year in a folder name ("Echoes (2009)", "2009 - Echoes")."""


@dataclass(frozen=True, slots=True)
class Rename:
    """One file's move to where the template says it belongs; collision means it will not be moved."""

    media_id: int
    source: str
    """Stored path (db form) of the file now."""
    target: str
    """Stored path (db form) the template gives."""
    collision: bool
    reason: str = ""


def _naming_rows(library: int) -> list[tuple[Any, ...]]:
    """Every existing, linked, untrashed file with its item chain and the album's disc count."""
    return database.execute_sql(
        "SELECT m.id, m.path, leaf.kind, leaf.title, leaf.year, leaf.disc, leaf.number, leaf.season, "
        "up.title, up.year, top.title, top.year, "
        "(SELECT MAX(COALESCE(sibling.disc, 1)) FROM library_item sibling WHERE sibling.parent_id = leaf.parent_id "
        " AND leaf.kind = 'track') "
        "FROM media_file m JOIN media_file_state s ON s.media_file_id = m.id "
        "JOIN library_item leaf ON leaf.id = m.library_item_id "
        "LEFT JOIN library_item up ON up.id = leaf.parent_id LEFT JOIN library_item top ON top.id = up.parent_id "
        'WHERE m.library_id = ? AND s."exists" = 1 AND leaf.trashed = 0 ORDER BY m.path', (library,)).fetchall()


def _values(row: tuple[Any, ...]) -> NamingValues:
    (_, path, kind, title, year, disc, number, season, up_title, up_year, top_title, top_year, discs) = row
    ext = PurePosixPath(fs_path(path)).suffix.lstrip(".").lower()
    if kind == "track":
        return NamingValues(ext=ext, title=title, artist=top_title, album=up_title, year=up_year, disc=disc,
                            disc_count=discs, number=number)
    if kind == "episode":
        return NamingValues(ext=ext, title=title, series=top_title, year=top_year, season=season, number=number)
    return NamingValues(ext=ext, title=title, year=year)


def plan(library_name: str) -> list[Rename]:
    """Where every linked file of a library should be; only files not already there are listed.

    Raises:
        NotFound: no library has that name.
        LibraryOffline: the library's disk is not mounted (its root lacks its marker).
    """
    library = LibraryRow.get_or_none(LibraryRow.name == library_name)
    if library is None:
        raise NotFound(f"no library called {library_name!r}", hint="see the [[libraries]] in config.toml")
    root = Path(require_online(library))
    planned: list[Rename] = []
    for row in _naming_rows(library.id):
        source = str(row[1])
        other_edition = _other_edition(row)
        if other_edition:
            planned.append(Rename(int(row[0]), source, source, True, other_edition))
            continue
        try:
            target = db_path(ensure_inside(root, render_name(library.naming, _values(row))))
        except QtorrentinoError as error:
            planned.append(Rename(int(row[0]), source, source, True, error.message))
            continue
        if target != source:
            planned.append(Rename(int(row[0]), source, target, False))
    claimed: dict[str, int] = {}
    for rename in planned:
        claimed[rename.target] = claimed.get(rename.target, 0) + 1
    return [_with_collision(rename, claimed) for rename in planned]


def _other_edition(row: tuple[Any, ...]) -> str:
    """Why a file is not moved when its folder names another edition than its item's year ("" if it does not).

    A track in "Echoes (2009)" linked to the 2018 edition's item (a database from before editions were
    kept apart) would otherwise be renamed onto the 2018 edition's names.
    """
    kind, year, up_year = row[2], row[4], row[9]
    edition_year = up_year if kind == "track" else year if kind == "movie" else None
    folder = PurePosixPath(fs_path(str(row[1]))).parent.name
    years = {int(found) for found in FOLDER_YEAR.findall(folder)}
    if edition_year is None or not years or edition_year in years:
        return ""
    stated = ", ".join(str(found) for found in sorted(years))
    return (f"its folder names {stated}, its item the {edition_year} edition: "
            "match the file again rather than rename it onto another edition")


def _with_collision(rename: Rename, claimed: dict[str, int]) -> Rename:
    if rename.collision:
        return rename
    if claimed[rename.target] > 1:
        return Rename(rename.media_id, rename.source, rename.target, True, "several files would get this name")
    target = fs_path(rename.target)
    if os.path.lexists(target) and not _same_file(fs_path(rename.source), target):
        return Rename(rename.media_id, rename.source, rename.target, True, "another file already has this name")
    return rename


def _same_file(left: str, right: str) -> bool:
    try:
        return os.path.samefile(left, right)
    except OSError:
        return False


def apply(library_name: str, planned: list[Rename], *, uow: UnitOfWork, clock: Clock, actor: str) -> list[Rename]:
    """Carry out the renames without collisions; a file is never overwritten. Returns the renames.

    Raises:
        LibraryOffline: the library's disk is not mounted (its root lacks its marker); nothing
            was renamed.
    """
    root = require_online(LibraryRow.get(LibraryRow.name == library_name))
    done: list[Rename] = []
    for rename in planned:
        if rename.collision:
            continue
        try:
            _move(fs_path(rename.source), fs_path(rename.target), root)
        except OSError as error:
            log.warning("not renaming %s: %s", shown_path(rename.source), error.strerror or error)
            continue
        done.append(rename)
    _carry_sidecars(done, root)
    with uow() as outbox:
        database.cursor().executemany("UPDATE media_file SET path = ? WHERE id = ?",
                                      [(rename.target, rename.media_id) for rename in done])
        database.cursor().executemany("UPDATE unmatched_file SET path = ? WHERE path = ?",
                                      [(rename.target, rename.source) for rename in done])
        uow.audit.record(outbox, "LibraryOrganized", ticket_id=None, actor=actor, data={
            "library": library_name, "renamed": len(done),
            "collisions": sum(rename.collision for rename in planned),
            "files": [{"source": shown_path(rename.source), "target": shown_path(rename.target)}
                      for rename in done[:AUDITED_RENAMES]]})
    log.info("organized %s at %s: %d renamed", library_name, clock.now(), len(done))
    return done


def _move(source: str, target: str, root: str) -> None:
    """Rename within the library without ever replacing a file (a hardlink refuses an existing name)."""
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    if _same_file(source, target):
        temp = os.path.join(folder, f".qtorrentino-{secrets.token_hex(8)}.part")
        os.rename(source, temp)
        os.rename(temp, target)
    else:
        try:
            os.link(source, target, follow_symlinks=False)
        except OSError as error:
            if error.errno in (errno.EEXIST, errno.ENOENT):
                raise
            if os.path.lexists(target):
                raise FileExistsError(errno.EEXIST, "target exists", target) from error
            os.rename(source, target)
        else:
            os.unlink(source)


def _carry_sidecars(done: list[Rename], root: str) -> None:
    """Move what is left in a folder whose media all went to one new folder (cover.jpg, .nfo), then prune."""
    destinations: dict[str, set[str]] = {}
    for rename in done:
        destinations.setdefault(os.path.dirname(fs_path(rename.source)), set()).add(
            os.path.dirname(fs_path(rename.target)))
    for folder, targets in destinations.items():
        target = next(iter(targets))
        if len(targets) == 1 and target != folder and os.path.isdir(folder):
            with os.scandir(folder) as entries:
                leftovers = [entry for entry in entries if entry.is_file(follow_symlinks=False)]
            if all(os.path.splitext(entry.name)[1].lower() not in MEDIA_EXTENSIONS for entry in leftovers):
                for entry in leftovers:
                    try:
                        _move(entry.path, os.path.join(target, entry.name), root)
                    except OSError as error:
                        log.info("left %s behind: %s", entry.path, error.strerror or error)
        parent = folder
        while parent != root and parent.startswith(root + os.sep):
            try:
                os.rmdir(parent)
            except OSError:
                break
            parent = os.path.dirname(parent)

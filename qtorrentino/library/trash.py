"""The trash: removing an item moves its files into the home's trash folder, restorable until purged."""

from __future__ import annotations

import errno
import logging
import os
import secrets
import shutil
from datetime import timedelta
from typing import TYPE_CHECKING

from qtorrentino.db.database import database
from qtorrentino.db.fields import time_text
from qtorrentino.db.models import LibraryItemRow, LibraryRow, TrashRow
from qtorrentino.errors import NotFound, QtorrentinoError
from qtorrentino.library.items import ItemStore, db_path, fs_path, shown_path
from qtorrentino.library.marker import require_online

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime
    from pathlib import Path

    from qtorrentino.clock import Clock
    from qtorrentino.tickets.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


def _subtree(item_id: int) -> list[int]:
    """The item and every item below it."""
    rows = database.execute_sql(
        "WITH RECURSIVE tree(id) AS (SELECT ? UNION SELECT child.id FROM library_item child "
        "JOIN tree ON child.parent_id = tree.id) SELECT id FROM tree", (item_id,)).fetchall()
    return [int(row[0]) for row in rows]


def _existing_files(item_ids: list[int]) -> list[tuple[int, str]]:
    marks = ",".join("?" * len(item_ids))
    return [(int(media_id), str(path)) for media_id, path in database.execute_sql(
        f'SELECT m.id, m.path FROM media_file m JOIN media_file_state s ON s.media_file_id = m.id '
        f'WHERE s."exists" = 1 AND m.library_item_id IN ({marks})', item_ids).fetchall()]


def move_file(source: str, target: str) -> None:
    """Move one file, across filesystems too (copy, fsync, then unlink), never replacing a file."""
    os.makedirs(os.path.dirname(target), exist_ok=True)
    if os.path.lexists(target):
        raise FileExistsError(errno.EEXIST, "already exists", target)
    try:
        os.rename(source, target)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        temp = f"{target}.qtorrentino-{secrets.token_hex(4)}.part"
        shutil.copy2(source, temp, follow_symlinks=False)
        with open(temp, "rb") as written:
            os.fsync(written.fileno())
        os.link(temp, target)
        os.unlink(temp)
        os.unlink(source)


def _entries_below(folder: str) -> list[str]:
    """Every file, and every symlink (never followed), anywhere below folder."""
    found = []
    for parent, folders, names in os.walk(folder):
        found += [os.path.join(parent, name) for name in names]
        found += [os.path.join(parent, name) for name in folders if os.path.islink(os.path.join(parent, name))]
    return found


def _move_all(moves: list[tuple[str, str]]) -> None:
    """Move every (source, target); when one fails, move back the ones done and raise a typed error."""
    done: list[tuple[str, str]] = []
    try:
        for source, target in moves:
            move_file(source, target)
            done.append((source, target))
    except OSError as error:
        for source, target in reversed(done):
            try:
                move_file(target, source)
            except OSError as undo_error:
                log.error("could not move %s back to %s: %s", target, source, undo_error)
        raise QtorrentinoError(f"cannot move {shown_path(db_path(error.filename or ''))}: {error.strerror or error}",
                               hint="nothing was changed; check permissions and free space") from error


def _prune(folder: str) -> None:
    """Remove folder and its now-empty subfolders; anything still inside stays."""
    for parent, _, _ in os.walk(folder, topdown=False):
        try:
            os.rmdir(parent)
        except OSError:
            log.info("left %s in place: not empty", parent)


class Trash:
    """Soft delete of library items, restore, and the purge chore."""

    def __init__(self, uow: UnitOfWork, clock: Clock, trash_dir: Path, trash_days: Callable[[str], int]) -> None:
        self._uow = uow
        self._clock = clock
        self._trash_dir = trash_dir
        self._trash_days = trash_days

    def trash_item(self, item_id: int, *, actor: str) -> TrashRow:
        """Move an item's files (and what is left of their folder) into the trash; the item is marked trashed.

        Raises:
            NotFound: no such item, or it is already in the trash.
            LibraryOffline: the item's library is not mounted; nothing was moved.
        """
        item = LibraryItemRow.get_or_none(LibraryItemRow.id == item_id)
        if item is None or item.trashed:
            raise NotFound(f"no library item {item_id}" if item is None else f"item {item_id} is already in the trash")
        library = LibraryRow.get_by_id(item.library_id)
        root = require_online(library)
        subtree = _subtree(item_id)
        files = _existing_files(subtree)
        paths = [fs_path(path) for _, path in files]
        common = os.path.dirname(paths[0]) if len(paths) == 1 else os.path.commonpath(paths) if paths else root
        if not common.startswith(root + os.sep):
            common = root
        bin_folder = os.path.join(str(self._trash_dir), f"{self._clock.now():%Y%m%dT%H%M%S}-{secrets.token_hex(4)}")
        moved = self._move_in(paths, common, bin_folder, root, library.id, subtree)
        now = self._clock.now()
        description = f"{item.kind} {item.title}" + (f" ({item.year})" if item.year else "") + f", {moved} file(s)"
        with self._uow() as outbox:
            row = TrashRow.create(original_path=db_path(common), trash_path=db_path(bin_folder),
                                  library_item=item_id, description=description, trashed_at=now,
                                  purge_after=now + timedelta(days=self._trash_days(library.name)))
            _mark(subtree, trashed=True, files=[media_id for media_id, _ in files], exists=False, now=now)
            store = ItemStore(library.id, now)
            store.touched_parents.update(p for p in [item.parent_id] if p is not None)
            store.refresh_statuses()
            self._uow.audit.record(outbox, "ItemTrashed", ticket_id=None, actor=actor, data={
                "path": shown_path(db_path(common)), "item": description, "item_id": item_id, "trash_id": row.id})
        return row

    def _move_in(self, paths: list[str], common: str, bin_folder: str, root: str, library: int,
                 subtree: list[int]) -> int:
        """Move the files under bin_folder by their path below common; a folder holding nothing else goes whole."""
        prefix = db_path(common + os.sep)
        others = database.execute_sql(
            'SELECT COUNT(*) FROM media_file m JOIN media_file_state s ON s.media_file_id = m.id WHERE s."exists" = 1 '
            f"AND m.library_id = ? AND substr(m.path, 1, ?) = ? AND (m.library_item_id IS NULL OR "
            f"m.library_item_id NOT IN ({','.join('?' * len(subtree))}))",
            (library, len(prefix), prefix, *subtree)).fetchone()[0]
        whole = common != root and others == 0 and os.path.commonpath([common, bin_folder]) != common
        sources = _entries_below(common) if whole else paths
        _move_all([(path, os.path.join(bin_folder, os.path.relpath(path, common))) for path in sources])
        if whole:
            _prune(common)
        return len(paths)

    def restore(self, trash_id: int, *, actor: str) -> None:
        """Put a trashed item's files back where they were; nothing is moved if any place is taken.

        Raises:
            NotFound: no such trash entry, or it was restored or purged.
            QtorrentinoError: a file now occupies one of the original places.
            LibraryOffline: the item's library is not mounted; nothing was moved.
        """
        row = TrashRow.get_or_none(TrashRow.id == trash_id)
        if row is None or row.restored_at or row.purged_at:
            raise NotFound(f"no trash entry {trash_id} to restore" if row is None
                           else f"trash entry {trash_id} was already {'restored' if row.restored_at else 'purged'}")
        owner = LibraryItemRow.get_or_none(LibraryItemRow.id == row.library_item_id)
        if owner is not None:
            require_online(LibraryRow.get_by_id(owner.library_id))
        source_root, target_root = fs_path(row.trash_path), fs_path(row.original_path)
        moves = [(path, os.path.join(target_root, os.path.relpath(path, source_root)))
                 for path in _entries_below(source_root)]
        taken = [target for _, target in moves if os.path.lexists(target)]
        if taken:
            raise QtorrentinoError(f"cannot restore: {shown_path(db_path(taken[0]))} exists now",
                                   hint="move that file away first; nothing was restored")
        _move_all(moves)
        shutil.rmtree(source_root, ignore_errors=True)
        now = self._clock.now()
        with self._uow() as outbox:
            item = LibraryItemRow.get_or_none(LibraryItemRow.id == row.library_item_id)
            subtree = _subtree(item.id) if item is not None else []
            back = [db_path(target) for _, target in moves]
            marks = ",".join("?" * len(back))
            files = [int(media_id) for (media_id,) in database.execute_sql(
                f"SELECT id FROM media_file WHERE path IN ({marks})", back).fetchall()] if back else []
            _mark(subtree, trashed=False, files=files, exists=True, now=now)
            if item is not None:
                store = ItemStore(item.library_id, now)
                store.touched_parents.update(p for p in [item.parent_id] if p is not None)
                store.refresh_statuses()
            TrashRow.update(restored_at=now).where(TrashRow.id == trash_id).execute()
            self._uow.audit.record(outbox, "ItemRestored", ticket_id=None, actor=actor, data={
                "path": shown_path(row.original_path), "item": row.description, "item_id": row.library_item_id,
                "trash_id": trash_id})

    def purge_expired(self) -> int:
        """Delete trash entries past their purge date, with their items, file records and emptied parents.

        Returns how many entries were purged.
        """
        now = self._clock.now()
        due = list(TrashRow.select().where(TrashRow.purge_after <= now, TrashRow.restored_at.is_null(),
                                           TrashRow.purged_at.is_null()))
        for row in due:
            shutil.rmtree(fs_path(row.trash_path), ignore_errors=True)
            with self._uow() as outbox:
                if row.library_item_id is not None:
                    subtree = _subtree(row.library_item_id)
                    marks = ",".join("?" * len(subtree))
                    ancestors = [parent for (parent,) in database.execute_sql(
                        "WITH RECURSIVE up(id) AS (SELECT parent_id FROM library_item WHERE id = ? UNION "
                        "SELECT item.parent_id FROM library_item item JOIN up ON item.id = up.id) "
                        "SELECT id FROM up WHERE id IS NOT NULL", (row.library_item_id,)).fetchall()]
                    database.execute_sql(f"DELETE FROM media_file WHERE library_item_id IN ({marks})", subtree)
                    database.execute_sql("DELETE FROM library_item WHERE id = ?", (row.library_item_id,))
                    for parent in ancestors:
                        database.execute_sql("DELETE FROM library_item WHERE id = ? AND NOT EXISTS "
                                             "(SELECT 1 FROM library_item child WHERE child.parent_id = ?)",
                                             (parent, parent))
                TrashRow.update(purged_at=now).where(TrashRow.id == row.id).execute()
                self._uow.audit.record(outbox, "ItemPurged", ticket_id=None, actor="engine", data={
                    "path": shown_path(row.original_path), "item": row.description, "item_id": row.library_item_id,
                    "trash_id": row.id})
        return len(due)


def _mark(items: list[int], *, trashed: bool, files: list[int], exists: bool, now: datetime) -> None:
    """Flag items trashed or not, and their moved files as existing or not."""
    now_text = time_text(now)
    database.cursor().executemany("UPDATE library_item SET trashed = ?, updated_at = ? WHERE id = ?",
                                  [(int(trashed), now_text, item_id) for item_id in items])
    database.cursor().executemany(
        'UPDATE media_file_state SET "exists" = ?, last_verified_at = ? WHERE media_file_id = ?',
        [(int(exists), now_text, media_id) for media_id in files])

"""How a library's folder differs from its record: new, changed, reappeared, renamed, vanished and
unreadable files."""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from qtorrentino.library.items import db_path, fs_path, quick_hash, sql

if TYPE_CHECKING:
    from qtorrentino.library.walk import Seen, Walk


class Known(NamedTuple):
    """A media file on record that changed, reappeared, vanished or could not be read."""

    id: int
    path: str
    size: int
    mtime: float
    exists: int
    item_id: int | None
    content_hash: str | None
    verified_at: str | None


@dataclass(slots=True)
class Diff:
    """How the folder differs from the record, and the counts new files add as they are recorded."""

    stats: dict[str, tuple[int, float]] = field(default_factory=dict)
    """Relative path → (size, mtime) of every file that is not on record as it is now."""
    new: list[str] = field(default_factory=list)
    """Relative paths of files not on record."""
    changed: list[tuple[Known, str, str | None]] = field(default_factory=list)
    reappeared: list[tuple[Known, str]] = field(default_factory=list)
    renamed: list[tuple[Known, str]] = field(default_factory=list)
    vanished: list[Known] = field(default_factory=list)
    unreadable: list[Known] = field(default_factory=list)
    """Files on record under a folder (or themselves) that could not be read: kept, not missing."""
    contents_read: int = 0
    matched: int = 0
    unmatched: int = 0
    provider_lookups: int = 0


def load_known(library: int) -> set[Seen]:
    """(stored path, size, mtime) of every file on record as existing: one query, tuples from the
    cursor."""
    return set(
        sql(
            "SELECT m.path, m.size, m.mtime FROM media_file m JOIN media_file_state s "
            'ON s.media_file_id = m.id WHERE m.library_id = ? AND s."exists" = 1',
            (library,),
        )
    )


def details(library: int, paths: list[str]) -> dict[str, Known]:
    """Full records of the paths that need them (changed, reappeared, vanished), by stored path."""
    found: dict[str, Known] = {}
    for start in range(0, len(paths), 500):
        chunk = paths[start : start + 500]
        for row in sql(
            'SELECT m.id, m.path, m.size, m.mtime, COALESCE(s."exists", 0), m.library_item_id, '
            "m.content_hash, s.last_verified_at FROM media_file m LEFT JOIN media_file_state s "
            "ON s.media_file_id = m.id WHERE m.library_id = ? "
            f"AND m.path IN ({','.join('?' * len(chunk))})",
            (library, *chunk),
        ):
            found[row[1]] = Known._make(row)
    return found


def compare(library: int, root: str, walked: Walk, known: set[Seen]) -> Diff:
    """The difference between a walk and the record: set arithmetic first, so an unchanged rescan
    runs no Python loop over its files."""
    diff = Diff()
    found = walked.found
    appeared = found - known
    if not appeared and len(found) == len(known):
        return diff
    prefix = db_path(root + os.sep)
    cut = len(prefix)
    fresh = {key: (size, mtime) for key, size, mtime in appeared}
    diff.stats = {fs_path(key[cut:]): value for key, value in fresh.items()}
    changed_keys: list[str] = []
    gone: list[str] = []
    for key, _, _ in sorted(known - found):
        (changed_keys if key in fresh else gone).append(key)
    changed_set = set(changed_keys)
    others = sorted(key for key in fresh if key not in changed_set)
    on_record = sql("SELECT COUNT(*) FROM media_file WHERE library_id = ?", (library,)).fetchone()[0]
    records = details(library, changed_keys + gone + (others if on_record > len(known) else []))
    for key in changed_keys:
        relative = fs_path(key[cut:])
        size = fresh[key][0]
        diff.contents_read += size > 0
        diff.changed.append(
            (records[key], relative, quick_hash(os.path.join(root, relative)) if size else None)
        )
    for key in others:
        if key in records:
            diff.reappeared.append((records[key], fs_path(key[cut:])))
        else:
            diff.new.append(fs_path(key[cut:]))
    folders = tuple(path for path in walked.unreadable if path.endswith("/"))
    files = set(walked.unreadable)
    vanished: list[Known] = []
    for key in gone:
        (diff.unreadable if key in files or key.startswith(folders) else vanished).append(
            records[key]
        )
    if vanished and diff.new:
        _find_renames(root, diff, vanished)
    renamed = {entry.id for entry, _ in diff.renamed}
    diff.vanished = [entry for entry in vanished if entry.id not in renamed]
    return diff


def _find_renames(root: str, diff: Diff, vanished: list[Known]) -> None:
    """A new path is a known file renamed when size and mtime agree, or else name and content do."""
    by_stat: dict[tuple[int, float], list[Known]] = defaultdict(list)
    by_name: dict[str, list[Known]] = defaultdict(list)
    for entry in vanished:
        by_stat[(entry.size, entry.mtime)].append(entry)
        by_name[os.path.basename(entry.path)].append(entry)
    for relative in diff.new:
        name = db_path(os.path.basename(relative))
        same_stat = by_stat.get(diff.stats[relative], [])
        same_name = [entry for entry in same_stat if os.path.basename(entry.path) == name]
        chosen = same_name[0] if same_name else same_stat[0] if len(same_stat) == 1 else None
        if chosen is None and by_name.get(name):
            diff.contents_read += 1
            content = quick_hash(os.path.join(root, relative))
            chosen = next(
                (
                    entry
                    for entry in by_name[name]
                    if entry.content_hash and entry.content_hash == content
                ),
                None,
            )
        if chosen is not None:
            diff.renamed.append((chosen, relative))
            by_stat[(chosen.size, chosen.mtime)].remove(chosen)
            by_name[os.path.basename(chosen.path)].remove(chosen)
    moved = {relative for _, relative in diff.renamed}
    diff.new = [relative for relative in diff.new if relative not in moved]

"""What a scan writes: new files with their items and queue entries, and the fate of every file
on record."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from qtorrentino.library.items import ItemStore, db_path, sql, sql_many

if TYPE_CHECKING:
    from qtorrentino.library.matcher import FileFacts, FileMatch
    from qtorrentino.library.scan_diff import Diff
    from qtorrentino.library.walk import Walk


def record_new(
    library: int,
    prefix: str,
    stats: dict[str, tuple[int, float]],
    facts: list[FileFacts],
    matches: list[FileMatch],
    suggestions: dict[int, tuple[list[dict[str, Any]], str]],
    store: ItemStore,
) -> None:
    """Record a batch of new files: items for the identified, the unmatched queue for the rest, and
    an import record for each."""
    files: list[tuple[Any, ...]] = []
    imports: list[tuple[Any, ...]] = []
    queued: list[tuple[Any, ...]] = []
    now = store.now_text
    for index, (fact, match) in enumerate(zip(facts, matches, strict=True)):
        path_text = prefix + db_path(fact.path)
        item_id = (
            store.ensure(match.fields, status="available")
            if match.identified and match.fields
            else None
        )
        files.append(
            (library, path_text, item_id, fact.size, stats[fact.path][1], fact.content_hash, now)
        )
        imports.append(
            (
                path_text,
                int(item_id is not None),
                None if item_id is not None else f"not identified: {match.reason}",
                now,
                path_text,
            )
        )
        if item_id is None:
            listed, note = suggestions[index]
            parsed = {
                "fields": match.fields.to_json() if match.fields else None,
                "confidence": match.confidence,
                "method": match.method,
                "reason": match.reason,
                "note": note,
            }
            queued.append((library, path_text, fact.size, _json(parsed), _json(listed), now))
    sql_many(
        "INSERT INTO media_file (library_id, path, library_item_id, size, mtime, content_hash,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET"
        " library_item_id = excluded.library_item_id, size = excluded.size, mtime = excluded.mtime,"
        " content_hash = excluded.content_hash",
        files,
    )
    sql_many(
        'INSERT INTO media_file_state (media_file_id, "exists", size, mtime, last_verified_at)'
        " SELECT id, 1, size, mtime, ? FROM media_file WHERE path = ?"
        ' ON CONFLICT(media_file_id) DO UPDATE SET "exists" = 1, size = excluded.size,'
        " mtime = excluded.mtime,"
        " last_verified_at = excluded.last_verified_at",
        [(now, row[1]) for row in files],
    )
    sql_many(
        "INSERT INTO import_record (media_file_id, path, method, source_type, success, error, at)"
        " SELECT id, ?, 'scan', 'scan', ?, ?, ? FROM media_file WHERE path = ?",
        imports,
    )
    sql_many(
        "INSERT INTO unmatched_file (library_id, path, size, source_type, parsed, suggestions,"
        " status, created_at) VALUES (?, ?, ?, 'scan', ?, ?, 'open', ?)"
        " ON CONFLICT(path) DO NOTHING",
        queued,
    )


def record_known(library: int, prefix: str, walked: Walk, diff: Diff, store: ItemStore) -> None:
    """Record changed, reappeared, renamed, vanished and unreadable files, and that every other file
    was seen now."""
    for entry, relative, content in diff.changed:
        _update_file(entry.id, entry.path, *diff.stats[relative], content, store.now_text)
    for entry, relative in diff.reappeared + diff.renamed:
        path_text = prefix + db_path(relative)
        _update_file(entry.id, path_text, *diff.stats[relative], entry.content_hash, store.now_text)
        sql(
            "UPDATE unmatched_file SET path = ?,"
            " status = CASE status WHEN 'gone' THEN 'open' ELSE status END WHERE path = ?",
            (path_text, entry.path),
        )
    store.set_status(
        {entry.item_id for entry, _ in diff.reappeared + diff.renamed if entry.item_id}, "available"
    )
    if diff.vanished:
        sql_many(
            'UPDATE media_file_state SET "exists" = 0, last_verified_at = ?'
            " WHERE media_file_id = ?",
            [(store.now_text, entry.id) for entry in diff.vanished],
        )
        sql_many(
            "UPDATE unmatched_file SET status = 'gone' WHERE path = ? AND status = 'open'",
            [(entry.path,) for entry in diff.vanished],
        )
        orphaned = {entry.item_id for entry in diff.vanished if entry.item_id is not None}
        store.set_status(orphaned - {item for item, _ in _existing_files(orphaned)}, "missing")
    sql(
        'UPDATE media_file_state SET last_verified_at = ? WHERE "exists" = 1 AND media_file_id IN '
        "(SELECT id FROM media_file WHERE library_id = ?)",
        (store.now_text, library),
    )
    _record_unreadable(library, walked, diff, store)


def _record_unreadable(library: int, walked: Walk, diff: Diff, store: ItemStore) -> None:
    """Items whose files could not be read become unreadable (not missing); once their files are
    seen again, available again."""
    sql_many(
        "UPDATE media_file_state SET last_verified_at = ? WHERE media_file_id = ?",
        [(entry.verified_at, entry.id) for entry in diff.unreadable],
    )
    waiting = sql(
        "SELECT m.library_item_id, m.path FROM library_item i"
        " JOIN media_file m ON m.library_item_id = i.id"
        " WHERE i.library_id = ? AND i.status = 'unreadable'",
        (library,),
    ).fetchall()
    affected = {entry.item_id for entry in diff.unreadable if entry.item_id is not None}
    if not waiting and not affected:
        return
    seen = set(walked.keys)
    readable = {item for item, path in [*waiting, *_existing_files(affected)] if path in seen}
    store.set_status(affected - readable, "unreadable")
    store.set_status({item for item, _ in waiting} & (readable - affected), "available")


def _existing_files(items: set[int]) -> list[tuple[int, str]]:
    """(item id, stored path) of the files on record as existing for these items."""
    ordered = sorted(items)
    found: list[tuple[int, str]] = []
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        found += sql(
            "SELECT m.library_item_id, m.path FROM media_file m JOIN media_file_state s"
            ' ON s.media_file_id = m.id WHERE s."exists" = 1 AND m.library_item_id IN'
            f" ({','.join('?' * len(chunk))})",
            chunk,
        ).fetchall()
    return found


def _update_file(
    media_id: int, path_text: str, size: int, mtime: float, content_hash: str | None, now_text: str
) -> None:
    sql(
        "UPDATE media_file SET path = ?, size = ?, mtime = ?, content_hash = ? WHERE id = ?",
        (path_text, size, mtime, content_hash, media_id),
    )
    sql(
        'INSERT INTO media_file_state (media_file_id, "exists", size, mtime, last_verified_at)'
        ' VALUES (?, 1, ?, ?, ?) ON CONFLICT(media_file_id) DO UPDATE SET "exists" = 1,'
        " size = excluded.size, mtime = excluded.mtime,"
        " last_verified_at = excluded.last_verified_at",
        (media_id, size, mtime, now_text),
    )


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

"""What a library's last scan saw, so an unchanged rescan knows it without reading the record.

After a scan, the folder and the record agree. The scan keeps two things on the library's row: the
walk's fingerprint (every path, size and mtime it saw) and the record's signature (SQL aggregates of
the files on record as existing). A later walk with the same fingerprint saw the same folder; a
record with the same signature was not changed by anyone else (placement, organize and the trash
change both). When both hold, nothing is loaded, compared or rewritten: every file on record as
existing was verified at `verified_at`, which the scan keeps instead of rewriting each file's
last_verified_at (a rescan that finds any change rewrites them as before).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from qtorrentino.library.items import sql

if TYPE_CHECKING:
    from qtorrentino.db.models import LibraryRow

Signature = list[Any]
"""Count, total size, id sum, highest id and total mtime of the files on record as existing."""


@dataclass(frozen=True, slots=True)
class ScanState:
    """The last scan's view of a library."""

    fingerprint: str
    signature: Signature
    verified_at: str
    """When every file on record as existing was last seen as it is recorded."""


def record_signature(library: int) -> Signature:
    """Aggregates of the files on record as existing: one pass in SQLite; no row reaches Python.

    CROSS JOIN keeps SQLite's order: read the narrow state table straight through and fetch each
    file by its rowid, half the work of walking the library index and looking each state up.
    """
    row = sql("SELECT COUNT(*), COALESCE(SUM(m.size), 0), COALESCE(SUM(m.id), 0),"
              " COALESCE(MAX(m.id), 0), TOTAL(m.mtime) FROM media_file_state s"
              ' CROSS JOIN media_file m ON m.id = s.media_file_id WHERE s."exists" = 1'
              " AND m.library_id = ?", (library,)).fetchone()
    return list(row)


def stored(library: LibraryRow) -> ScanState | None:
    """The state the last scan kept, or None (never scanned, or an unreadable value)."""
    try:
        value = json.loads(library.scan_state or "null")
        return ScanState(str(value["fingerprint"]), list(value["signature"]),
                         str(value["verified_at"]))
    except (TypeError, KeyError, ValueError):
        return None


def keep(library: int, state: ScanState) -> None:
    """Keep a scan's state on its library's row; call inside the scan's unit of work."""
    sql("UPDATE library SET scan_state = ? WHERE id = ?", (json.dumps(asdict(state)), library))

"""Streaming JSON Lines export of the audit log."""

from __future__ import annotations

from typing import BinaryIO

from qtorrentino.audit.query import AuditFilter, _where
from qtorrentino.audit.record import JSONL_SELECT
from qtorrentino.db.database import database

EXPORT_BATCH = 10_000


def export_jsonl(output: BinaryIO, audit_filter: AuditFilter = AuditFilter()) -> int:
    """Write matching events oldest first, one JSON object per line; returns the count."""
    count = 0
    after = 0
    where, params = _where(audit_filter, None)
    joiner = " AND " if where else " WHERE "
    while True:
        rows = database.execute_sql(f"{JSONL_SELECT}{where}{joiner}seq > ? ORDER BY seq LIMIT ?",
                                    (*params, after, EXPORT_BATCH)).fetchall()
        if not rows:
            return count
        output.write(("\n".join(line for _, line in rows) + "\n").encode())
        count += len(rows)
        after = rows[-1][0]

"""A large audit log for benchmarks to read: rows inserted straight into SQLite (mirror it after).

This fills the log the measured reads (pages, export, the change watcher, the TUI) run against; it is
not how the engine writes. The engine records each event through `AuditLog.record` inside a unit of
work, and `bench_transitions.py` (run by `bench_audit.py` too) measures that path.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from qtorrentino.audit.record import encode_data
from qtorrentino.audit.vocabulary import shape_of
from qtorrentino.clock import iso
from qtorrentino.db.database import database, write_transaction

INSERT = "INSERT INTO audit_event (at, type, ticket_id, actor, data) VALUES (?, ?, ?, ?, ?)"


def fill(events: Iterable[tuple[str, str | None, str, dict[str, Any], datetime]]) -> int:
    """Insert (type, ticket_id, actor, data, at) rows in one transaction; returns how many."""
    rows = [(iso(at), str(shape_of(type_).type), ticket_id, actor, encode_data(data))
            for type_, ticket_id, actor, data, at in events]
    with write_transaction():
        database.cursor().executemany(INSERT, rows)
    return len(rows)

"""The one SQLite database: WAL, synchronous=FULL, and the one-writer discipline."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from peewee import SqliteDatabase

database = SqliteDatabase(None)
"""Bound by open_database(); models name this object, never a path."""

PRAGMAS = {"journal_mode": "wal", "synchronous": "full", "foreign_keys": 1, "cache_size": -32_000,
           "busy_timeout": 15_000}

_writer = threading.RLock()


def open_database(path: Path) -> SqliteDatabase:
    """Bind the models to the file at path and bring its schema up to date.

    A database already at this program's version is only read (no write lock: a read-only command
    never waits on a running engine's writes); otherwise the migration runs under the write lock.
    """
    from qtorrentino.db.migrations import SCHEMA_VERSION, current_version, migrate

    path.parent.mkdir(parents=True, exist_ok=True)
    if not database.is_closed():
        database.close()
    database.init(str(path), pragmas=PRAGMAS, timeout=15, check_same_thread=False)
    if current_version(database) != SCHEMA_VERSION:
        with write_transaction():
            migrate(database)
    return database


def close_database() -> None:
    """Close this thread's connection (other threads close theirs on exit)."""
    if not database.is_closed():
        database.close()


@contextmanager
def write_transaction() -> Iterator[None]:
    """Serialise writers in this process and take SQLite's write lock up front (BEGIN IMMEDIATE)."""
    with _writer, database.atomic("IMMEDIATE"):
        yield

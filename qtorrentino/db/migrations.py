"""Schema versions and ordered forward migrations, run when the database opens."""

from __future__ import annotations

from collections.abc import Callable

from peewee import SqliteDatabase

from qtorrentino.db.models import ALL_MODELS, FeedSeenRow, SchemaVersion, WatchRow
from qtorrentino.errors import QtorrentinoError

SCHEMA_VERSION = 6


def _create_v1(database: SqliteDatabase) -> None:
    database.create_tables(ALL_MODELS, safe=True)


def _narrow_audit_indexes_v2(database: SqliteDatabase) -> None:
    """Audit indexes keyed on ticket_id and on type alone: smaller entries, so bulk inserts dirty fewer pages."""
    for statement in (
        'DROP INDEX IF EXISTS "audit_event_ticket_id_type_seq"',
        'DROP INDEX IF EXISTS "audit_event_type_seq"',
        'CREATE INDEX IF NOT EXISTS "audit_event_ticket_id" ON "audit_event" ("ticket_id")',
        'CREATE INDEX IF NOT EXISTS "audit_event_type" ON "audit_event" ("type")',
    ):
        database.execute_sql(statement)


def _unknown_seeders_v3(database: SqliteDatabase) -> None:
    """A candidate's seeders may be unknown (NULL): some feeds do not say, and 0 would read as a dead torrent."""
    # imported here: an up-to-date database never loads the migrator (~4 ms)
    from playhouse.migrate import SqliteMigrator
    from playhouse.migrate import migrate as run_migrations

    run_migrations(SqliteMigrator(database).drop_not_null("candidate", "seeders"))


def _torrent_seed_columns_v4(database: SqliteDatabase) -> None:
    """Torrents remember their indexer (per-indexer seed goals) and how long they seeded."""
    present = {column.name for column in database.get_columns("torrent")}
    for name, definition in (("indexer", "VARCHAR(255)"), ("seed_seconds", "REAL NOT NULL DEFAULT 0")):
        if name not in present:
            database.execute_sql(f'ALTER TABLE "torrent" ADD COLUMN "{name}" {definition}')


def _library_marker_and_scan_state_v5(database: SqliteDatabase) -> None:
    """Where each library's marker file was written (a root without it is offline), and what its last
    scan saw (an unchanged rescan neither reads nor rewrites its files)."""
    present = {column.name for column in database.get_columns("library")}
    for name in ("marker_root", "scan_state"):
        if name not in present:
            database.execute_sql(f'ALTER TABLE "library" ADD COLUMN "{name}" TEXT')


def _watching_v6(database: SqliteDatabase) -> None:
    """Watched tickets: whether a ticket watches, its upgrade cutoff and placed quality, its schedule, and
    the recent-feed items already read."""
    present = {column.name for column in database.get_columns("ticket")}
    for name, definition in (("watching", "INTEGER NOT NULL DEFAULT 0"), ("upgrade_until", "VARCHAR(255)"),
                             ("quality", "VARCHAR(255)")):
        if name not in present:
            database.execute_sql(f'ALTER TABLE "ticket" ADD COLUMN "{name}" {definition}')
    database.create_tables([WatchRow, FeedSeenRow], safe=True)


STEPS: dict[int, Callable[[SqliteDatabase], None]] = {1: _create_v1, 2: _narrow_audit_indexes_v2,
                                                      3: _unknown_seeders_v3, 4: _torrent_seed_columns_v4,
                                                      5: _library_marker_and_scan_state_v5, 6: _watching_v6}
"""Step N brings a database from version N-1 to N."""


def current_version(database: SqliteDatabase) -> int:
    """The version stored in the file; 0 for an empty database."""
    if not database.table_exists(SchemaVersion._meta.table_name):
        return 0
    row = SchemaVersion.select().order_by(SchemaVersion.version.desc()).first()
    return row.version if row else 0


def migrate(database: SqliteDatabase) -> int:
    """Run every step past the stored version; refuse a database newer than this program."""
    version = current_version(database)
    if version > SCHEMA_VERSION:
        raise QtorrentinoError(
            f"the database is at schema version {version}, newer than this qtorrentino ({SCHEMA_VERSION})",
            hint="upgrade qtorrentino, or use another --home",
        )
    for target in range(version + 1, SCHEMA_VERSION + 1):
        STEPS[target](database)
        SchemaVersion.delete().execute()
        SchemaVersion.create(version=target)
    return SCHEMA_VERSION

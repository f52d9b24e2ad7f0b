"""peewee models, one per table: fields and indexes only, no behaviour."""

from __future__ import annotations

from typing import TYPE_CHECKING

from peewee import (
    AutoField,
    BigIntegerField,
    BlobField,
    BooleanField,
    CharField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from qtorrentino.db.database import database
from qtorrentino.db.fields import JsonField, UtcDateTimeField

if TYPE_CHECKING:
    from peewee import ModelSelect


class BaseModel(Model):
    """Every table's base; the ids, `<key>_id`s and backrefs code reads are declared so mypy knows them."""

    class Meta:
        database = database
        legacy_table_names = False


class SchemaVersion(BaseModel):
    """The schema version the file is at; migrations move it forward only."""

    version = IntegerField()


class TicketRow(BaseModel):
    """A ticket: what was asked (spec), where it is (state), and its retry bookkeeping."""

    id = CharField(primary_key=True)
    kind = CharField()
    title = TextField()
    state = CharField(index=True)
    priority = IntegerField(default=100)
    spec = JsonField()
    content_key = CharField(default="", index=True)
    """Names of the content asked for, normalised: the deduplication lookup."""
    library = CharField(null=True)
    dry_run = BooleanField(default=False)
    linked_to = CharField(null=True, index=True)
    retryable = BooleanField(default=False)
    attempts = IntegerField(default=0)
    next_attempt_at = UtcDateTimeField(null=True)
    failed_stage = CharField(null=True)
    error = TextField(null=True)
    lease_owner = CharField(null=True)
    lease_until = UtcDateTimeField(null=True)
    chosen_rank = IntegerField(null=True)
    forced_query = TextField(null=True)
    info_hash = CharField(null=True, index=True)
    stats = JsonField(null=True)
    created_at = UtcDateTimeField()
    updated_at = UtcDateTimeField()
    watching = BooleanField(default=False)
    """Still watching: waits for a release when nothing is found, or for an upgrade after completion."""
    upgrade_until = CharField(null=True)
    """The quality that ends an upgrading ticket's watch (the ticket JSON's, or `ticket watch --until`)."""
    quality = CharField(null=True)
    """The quality of the placed release (domain/quality.py names), NULL until placed or unknown."""

    items: ModelSelect[TicketItemRow]
    """The ticket's items (the backref TicketItemRow.ticket declares)."""
    candidates: ModelSelect[CandidateRow]
    """The ticket's candidates (the backref CandidateRow.ticket declares)."""

    class Meta:
        table_name = "ticket"
        indexes = ((("state", "priority", "created_at"), False),)


class TicketItemRow(BaseModel):
    """One deliverable of a ticket, with its own state, timestamps and file paths."""

    id = AutoField()
    ticket = ForeignKeyField(TicketRow, backref="items", on_delete="CASCADE")
    item_id = CharField()
    position = IntegerField()
    type = CharField()
    title = TextField(default="")
    disc = IntegerField(null=True)
    number = IntegerField(null=True)
    season = IntegerField(null=True)
    duration_secs = FloatField(null=True)
    requested = BooleanField(default=True)
    state = CharField(default="wanted")
    file_index = IntegerField(null=True)
    source_path = TextField(null=True)
    staged_path = TextField(null=True)
    path = TextField(null=True)
    error = TextField(null=True)
    downloaded_at = UtcDateTimeField(null=True)
    converted_at = UtcDateTimeField(null=True)
    placed_at = UtcDateTimeField(null=True)

    class Meta:
        table_name = "ticket_item"
        indexes = ((("ticket", "item_id"), True),)


class CandidateRow(BaseModel):
    """A scored candidate of a ticket's latest acquisition round; rank 0 is the recommended one."""

    ticket = ForeignKeyField(TicketRow, backref="candidates", on_delete="CASCADE")
    rank = IntegerField()
    score = FloatField()
    title = TextField()
    info_hash = CharField(null=True)
    indexer = CharField()
    size = BigIntegerField(default=0)
    seeders = IntegerField(null=True)
    """None when the indexer did not say (unknown is not zero)."""
    peers = IntegerField(default=0)
    magnet = TextField(null=True)
    link = TextField(null=True)
    published = UtcDateTimeField(null=True)
    reasons = JsonField(default=list)
    factors = JsonField(default=list)
    mapping = JsonField(null=True)
    files = JsonField(null=True)

    class Meta:
        table_name = "candidate"
        indexes = ((("ticket", "rank"), True),)


class BlocklistRow(BaseModel):
    """A release refused or failed for a ticket: never picked again for it."""

    ticket = ForeignKeyField(TicketRow, backref="blocklist", on_delete="CASCADE")
    release_key = CharField()
    title = TextField(default="")
    reason = TextField()
    at = UtcDateTimeField()

    class Meta:
        table_name = "blocklist"
        indexes = ((("ticket", "release_key"), True),)


class LibraryRow(BaseModel):
    """A library from config: name, kind, root and naming template."""

    id = AutoField()
    name = CharField(unique=True)
    kind = CharField()
    root = TextField()
    naming = TextField()
    marker_root = TextField(null=True)
    """The root this home wrote or found the library's marker file in; NULL until first seen."""
    scan_state = TextField(null=True)
    """JSON: the last scan's fingerprint of its folder, the record's signature, and verified_at (when
    every existing file was last seen as recorded: an unchanged rescan keeps each file's
    last_verified_at as it was); NULL until scanned."""

    class Meta:
        table_name = "library"


class LibraryItemRow(BaseModel):
    """Artist → album → track, movie, series → season → episode, with status and lock."""

    id = AutoField()
    library = ForeignKeyField(LibraryRow, backref="items", on_delete="CASCADE")
    library_id: int
    parent = ForeignKeyField("self", null=True, backref="children", on_delete="CASCADE")
    parent_id: int | None
    kind = CharField()
    title = TextField()
    year = IntegerField(null=True)
    disc = IntegerField(null=True)
    number = IntegerField(null=True)
    season = IntegerField(null=True)
    provider_id = CharField(null=True)
    status = CharField(default="wanted", index=True)
    download_info_hash = CharField(null=True)
    locked = BooleanField(default=False)
    trashed = BooleanField(default=False)
    created_at = UtcDateTimeField()
    updated_at = UtcDateTimeField()

    class Meta:
        table_name = "library_item"
        indexes = ((("library", "kind", "provider_id"), False), (("parent", "kind", "number"), False))


class MediaFileRow(BaseModel):
    """A file in a library: identity, location and probed media facts."""

    library = ForeignKeyField(LibraryRow, backref="files", on_delete="CASCADE")
    path = TextField(unique=True)
    library_item = ForeignKeyField(LibraryItemRow, null=True, backref="files", on_delete="SET NULL")
    size = BigIntegerField(default=0)
    mtime = FloatField(default=0)
    content_hash = CharField(null=True)
    duration_secs = FloatField(null=True)
    codec = CharField(null=True)
    bitrate = IntegerField(null=True)
    channels = IntegerField(null=True)
    sample_rate = IntegerField(null=True)
    width = IntegerField(null=True)
    height = IntegerField(null=True)
    created_at = UtcDateTimeField()

    class Meta:
        table_name = "media_file"


class MediaFileStateRow(BaseModel):
    """Whether a media file still exists as recorded; what the UI trusts before claiming a file."""

    media_file = ForeignKeyField(MediaFileRow, unique=True, backref="state", on_delete="CASCADE")
    exists = BooleanField(default=True)
    size = BigIntegerField(default=0)
    mtime = FloatField(default=0)
    last_verified_at = UtcDateTimeField()

    class Meta:
        table_name = "media_file_state"


class ImportRecordRow(BaseModel):
    """One attempt to bring a file into a library, successful or not."""

    media_file = ForeignKeyField(MediaFileRow, null=True, backref="imports", on_delete="SET NULL")
    path = TextField()
    method = CharField()
    source_type = CharField()
    source_id = CharField(null=True)
    ticket_id = CharField(null=True, index=True)
    success = BooleanField()
    error = TextField(null=True)
    at = UtcDateTimeField()

    class Meta:
        table_name = "import_record"


class UnmatchedFileRow(BaseModel):
    """A file that could not be identified, with suggestions, until matched or dismissed."""

    id = AutoField()
    library = ForeignKeyField(LibraryRow, null=True, backref="unmatched", on_delete="CASCADE")
    library_id: int | None
    path = TextField(unique=True)
    size = BigIntegerField(default=0)
    source_type = CharField(default="scan")
    parsed = JsonField(null=True)
    suggestions = JsonField(default=list)
    status = CharField(default="open", index=True)
    target = TextField(null=True)
    created_at = UtcDateTimeField()
    resolved_at = UtcDateTimeField(null=True)

    class Meta:
        table_name = "unmatched_file"


class TrashRow(BaseModel):
    """A soft-deleted file or item, restorable until purge_after."""

    id = AutoField()
    original_path = TextField()
    trash_path = TextField()
    library_item = ForeignKeyField(LibraryItemRow, null=True, on_delete="SET NULL")
    library_item_id: int | None
    description = TextField(default="")
    trashed_at = UtcDateTimeField()
    purge_after = UtcDateTimeField(index=True)
    restored_at = UtcDateTimeField(null=True)
    purged_at = UtcDateTimeField(null=True)

    class Meta:
        table_name = "trash"


class TorrentRow(BaseModel):
    """A torrent in the catalog: what it holds, where it seeds, how it has been used."""

    info_hash = CharField(primary_key=True)
    name = TextField()
    save_path = TextField()
    total_size = BigIntegerField(default=0)
    torrent_file = BlobField(null=True)
    magnet = TextField(null=True)
    progress = FloatField(default=0)
    state = CharField(default="queued")
    paused = BooleanField(default=False)
    ratio = FloatField(default=0)
    uploaded = BigIntegerField(default=0)
    downloaded = BigIntegerField(default=0)
    seeding_done = BooleanField(default=False)
    removed = BooleanField(default=False)
    command = CharField(null=True)
    """A person's pending request (pause, resume, remove, remove_data) for the running engine to carry out."""
    added_at = UtcDateTimeField()
    completed_at = UtcDateTimeField(null=True)
    last_access_at = UtcDateTimeField()
    progress_saved_at = UtcDateTimeField(null=True)
    indexer = CharField(null=True)
    """The indexer (tracker) the torrent came from: its [[indexers]] seed goals apply."""
    seed_seconds = FloatField(default=0)
    """Seconds spent seeding while the program ran, by our clock (libtorrent's own cannot be faked in tests)."""

    class Meta:
        table_name = "torrent"


class TorrentContentRow(BaseModel):
    """One file of a catalog torrent with what its name says it holds."""

    torrent = ForeignKeyField(TorrentRow, backref="contents", on_delete="CASCADE")
    file_index = IntegerField()
    path = TextField()
    size = BigIntegerField(default=0)
    parsed = JsonField(null=True)
    artist = TextField(null=True)
    album = TextField(null=True)
    title = TextField(null=True)
    disc = IntegerField(null=True)
    track = IntegerField(null=True)
    season = IntegerField(null=True)
    episode = IntegerField(null=True)

    class Meta:
        table_name = "torrent_content"
        indexes = ((("torrent", "file_index"), True),)


class AuditEventRow(BaseModel):
    """An audit event: append-only; seq is monotonic."""

    seq = AutoField()
    at = TextField()
    type = CharField()
    ticket_id = CharField(null=True)
    actor = CharField()
    data = TextField()

    class Meta:
        table_name = "audit_event"
        indexes = ((("ticket_id",), False), (("type",), False))
        """Each entry ends with the rowid (seq), so both keep events in seq order at the smallest entry size."""


class WatchRow(BaseModel):
    """A watched ticket's schedule and findings: its next search, what was seen, an upgrade's swap."""

    ticket = ForeignKeyField(TicketRow, primary_key=True, backref="watch", on_delete="CASCADE")
    next_search_at = UtcDateTimeField(null=True)
    """When the periodic search runs next (NULL: not scheduled)."""
    fruitless = IntegerField(default=0)
    """Searches in a row that found nothing acceptable: the back-off's exponent."""
    best_quality = CharField(null=True)
    """The best quality seen so far among releases that matched the ticket."""
    best_title = TextField(null=True)
    air_date = CharField(null=True)
    """An episode's air date as TMDB gives it (ISO date); no periodic search before it."""
    air_date_checked_at = UtcDateTimeField(null=True)
    first_placed_at = UtcDateTimeField(null=True)
    """When the upgrade window (upgrade_days) started: the first placement, or `ticket watch`."""
    placed_info_hash = CharField(null=True)
    """The torrent whose files are placed: the ticket holds it again when an upgrade search finds nothing."""
    found = JsonField(null=True)
    """Releases the RSS sync found for the ticket, handed to its next acquisition round."""
    swap = JsonField(null=True)
    """An upgrade's placement in progress: its trash folder, the library root and the files replaced."""

    class Meta:
        table_name = "watch"


class FeedSeenRow(BaseModel):
    """An item of an indexer's recent feed already read (by GUID, else info-hash): never parsed twice."""

    indexer = CharField()
    key = CharField()
    seen_at = UtcDateTimeField()

    class Meta:
        table_name = "feed_seen"
        indexes = ((("indexer", "key"), True), (("indexer", "seen_at"), False))


class MetadataCacheRow(BaseModel):
    """A cached metadata provider response, with its expiry."""

    key = CharField(unique=True)
    value = TextField()
    expires_at = UtcDateTimeField()

    class Meta:
        table_name = "metadata_cache"


ALL_MODELS: tuple[type[BaseModel], ...] = (
    SchemaVersion, TicketRow, TicketItemRow, CandidateRow, BlocklistRow, LibraryRow, LibraryItemRow,
    MediaFileRow, MediaFileStateRow, ImportRecordRow, UnmatchedFileRow, TrashRow, TorrentRow,
    TorrentContentRow, AuditEventRow, MetadataCacheRow, WatchRow, FeedSeenRow,
)

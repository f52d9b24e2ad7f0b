"""The words of the audit vocabulary: event types, data keys with JSON types, event shapes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from qtorrentino.audit.sentences import Sentence


class AuditType(StrEnum):
    """Every audit event type; values are the contract's spellings (equal to the plain strings)."""

    TICKET_CREATED = "TicketCreated"
    TICKET_STATE_CHANGED = "TicketStateChanged"
    TICKET_LINKED = "TicketLinked"
    TICKET_PRIORITY_CHANGED = "TicketPriorityChanged"
    SEARCH_EXECUTED = "SearchExecuted"
    MATCHING_COMPLETED = "MatchingCompleted"
    CANDIDATE_FILES_FETCHED = "CandidateFilesFetched"
    FILE_MAPPING_COMPLETED = "FileMappingCompleted"
    APPROVAL_REQUESTED = "ApprovalRequested"
    APPROVAL_GRANTED = "ApprovalGranted"
    APPROVAL_REJECTED = "ApprovalRejected"
    METADATA_REFUSED = "MetadataRefused"
    RELEASE_BLOCKLISTED = "ReleaseBlocklisted"
    DOWNLOAD_STARTED = "DownloadStarted"
    DOWNLOAD_COMPLETED = "DownloadCompleted"
    DOWNLOAD_FAILED = "DownloadFailed"
    DOWNLOAD_STALLED = "DownloadStalled"
    CONVERSION_STARTED = "ConversionStarted"
    CONVERSION_COMPLETED = "ConversionCompleted"
    CONVERSION_FAILED = "ConversionFailed"
    PLACEMENT_STARTED = "PlacementStarted"
    PLACEMENT_COMPLETED = "PlacementCompleted"
    PLACEMENT_FAILED = "PlacementFailed"
    SCAN_COMPLETED = "ScanCompleted"
    SCAN_FAILED = "ScanFailed"
    LIBRARY_ORGANIZED = "LibraryOrganized"
    UNMATCHED_MATCHED = "UnmatchedMatched"
    UNMATCHED_DISMISSED = "UnmatchedDismissed"
    ITEM_TRASHED = "ItemTrashed"
    ITEM_RESTORED = "ItemRestored"
    ITEM_PURGED = "ItemPurged"
    ADMIN_FORCE_SEARCH = "AdminForceSearch"
    ADMIN_FORCE_MAGNET = "AdminForceMagnet"
    ADMIN_RETRY = "AdminRetry"
    TICKET_CANCELLED = "TicketCancelled"
    SERVICE_STARTED = "ServiceStarted"
    SERVICE_STOPPED = "ServiceStopped"
    RELEASE_FOUND = "ReleaseFound"
    UPGRADE_STARTED = "UpgradeStarted"
    UPGRADE_COMPLETED = "UpgradeCompleted"
    WATCH_ENDED = "WatchEnded"
    TICKET_WATCHED = "TicketWatched"
    TORRENT_REMOVED = "TorrentRemoved"
    NOTIFICATION_FAILED = "NotificationFailed"
    TICKET_STUCK = "TicketStuck"
    DIRECT_TORRENT_REFUSED = "DirectTorrentRefused"


JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "number": lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
    "boolean": lambda value: isinstance(value, bool),
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "null": lambda value: value is None,
}
"""The JSON types a data key may hold, as docs/audit.md spells them."""


@dataclass(frozen=True, slots=True)
class DataKey:
    """One key of an event's data."""

    name: str
    types: tuple[str, ...]
    """Its JSON types (keys of JSON_TYPES); "null" among them when it may be null."""
    meaning: str = ""
    promised: bool = True
    """In the contract's table: every event of the type carries it, and it is never removed."""

    def accepts(self, value: Any) -> bool:
        return any(JSON_TYPES[name](value) for name in self.types)


@dataclass(frozen=True, slots=True)
class EventShape:
    """One event type: when it is recorded, its data keys, and how it reads in one line."""

    type: AuditType
    when: str
    keys: tuple[DataKey, ...] = ()
    sentence: Sentence | None = None
    """The one-line summary; None reads the telling keys (sentences.telling_keys)."""

    @property
    def promised(self) -> tuple[str, ...]:
        return tuple(key.name for key in self.keys if key.promised)


class AuditVocabularyError(ValueError):
    """A bug: an event of an undeclared type, or without a key its type promises."""

"""The audit log's vocabulary, declared once: each event type, when it is recorded, data, sentence.

The recorder refuses a type not declared here and an event without a key its type promises; the
screen's one-line summaries and docs/audit.md derive from this table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qtorrentino.audit import sentences
from qtorrentino.audit.event_types import AuditType, AuditVocabularyError, DataKey, EventShape

if TYPE_CHECKING:
    from collections.abc import Mapping

    from qtorrentino.audit.sentences import SizeFormat

__all__ = [
    "VOCABULARY",
    "AuditType",
    "AuditVocabularyError",
    "DataKey",
    "EventShape",
    "check_event",
    "conformance",
    "shape_of",
    "summarize",
]

T = AuditType
STRING = ("string",)
STRING_OR_NULL = ("string", "null")
INTEGER = ("integer",)
INTEGER_OR_NULL = ("integer", "null")
NUMBER_OR_NULL = ("number", "null")


def key(name: str, types: tuple[str, ...], meaning: str = "") -> DataKey:
    """A key every event of the type carries (the contract's table: never removed)."""
    return DataKey(name, types, meaning)


def extra(name: str, types: tuple[str, ...], meaning: str = "") -> DataKey:
    """A key recorded too, beyond the contract's table (additive; not promised on every event)."""
    return DataKey(name, types, meaning, promised=False)


DOWNLOAD = (
    key("info_hash", STRING),
    key("torrent_name", STRING_OR_NULL),
    key("size_bytes", INTEGER_OR_NULL),
    key("duration_secs", NUMBER_OR_NULL),
    key("error", STRING_OR_NULL),
)
CONVERSION = (
    key("item_id", STRING),
    key("input_path", STRING_OR_NULL),
    key("output_path", STRING_OR_NULL),
    key("duration_ms", INTEGER_OR_NULL),
    key("error", STRING_OR_NULL, "ffmpeg's stderr tail"),
)
PLACEMENT = (
    key("files", ("array",), "each `item_id`, `path`, `method`"),
    key("rollback_status", STRING_OR_NULL),
    key("error", STRING_OR_NULL),
)
APPROVAL = (
    key("candidate_rank", INTEGER_OR_NULL),
    key("info_hash", STRING_OR_NULL),
    key("correction", ("boolean",), "true when not the recommended one"),
    key("reason", STRING),
)
REFUSAL = (
    key("info_hash", STRING),
    key("reason", STRING),
    extra("title", STRING_OR_NULL, "the release's name"),
)
UNMATCHED = (key("path", STRING), key("target", STRING_OR_NULL))
TRASH = (
    key("path", STRING),
    key("item", STRING_OR_NULL),
    extra("item_id", INTEGER_OR_NULL, "the library item"),
    extra("trash_id", INTEGER, "the trash entry"),
)
UPGRADE = (
    key("info_hash", STRING),
    key("quality", STRING),
    key("replaced", ("array",), "files"),
    key("trashed", ("array", "boolean", "integer")),
    extra("from_quality", STRING_OR_NULL, "the quality placed before"),
    extra("title", STRING, "the better release"),
    extra("library", STRING),
)
FAULT = extra("fault", STRING, "`disk_full`, `library_offline`: what the notifier keys on")

SHAPES = (
    EventShape(
        T.TICKET_CREATED,
        "a ticket was filed",
        (key("ticket", ("object",), "the ticket as given"),
         extra("torrent", ("object",), "a torrent added directly: `info_hash`, `name`, `via` (`cli` or "
               "`watch_dir`), `source` (the file or the redacted magnet)")),
        sentences.ticket_created,
    ),
    EventShape(
        T.TICKET_STATE_CHANGED,
        "a ticket moved to another state",
        (key("from_state", STRING), key("to_state", STRING), key("reason", STRING_OR_NULL)),
        sentences.state_changed,
    ),
    EventShape(
        T.TICKET_LINKED,
        "a new ticket's content is covered by an active ticket",
        (key("linked_to", STRING), key("merged_items", ("array",))),
    ),
    EventShape(
        T.TICKET_PRIORITY_CHANGED,
        "a person changed a ticket's priority",
        (key("from_priority", INTEGER), key("to_priority", INTEGER)),
    ),
    EventShape(
        T.SEARCH_EXECUTED,
        "one indexer was searched for a ticket",
        (
            key("indexer", STRING),
            key("query", STRING),
            key("results_count", INTEGER),
            key("duration_ms", INTEGER_OR_NULL),
            key("error", STRING_OR_NULL),
            extra("cached", ("boolean",), "answered from the recent-search cache"),
        ),
    ),
    EventShape(
        T.MATCHING_COMPLETED,
        "a ticket's candidates were scored and a decision taken",
        (
            key("matcher", STRING),
            key(
                "candidates",
                ("array",),
                "each `rank`, `title`, `info_hash`, `score`, `reasons`; also `indexer`, and with an "
                "LLM `scores` (per matcher) and `llm_reason`",
            ),
            key("selected_rank", INTEGER_OR_NULL),
            key("confidence", ("number",)),
            key("threshold", ("number",)),
            extra("outcome", STRING, "`auto_approved`, `needs_approval`, `acquisition_failed`, …"),
            extra("reason", STRING),
            extra("queries", ("array",), "the queries searched"),
            extra("llm_provider", STRING, "the LLM asked, when one was"),
            extra("llm_model", STRING),
            extra("prompt_tokens", INTEGER),
            extra("completion_tokens", INTEGER),
            extra("llm_latency_ms", INTEGER),
            extra("llm_cached", ("boolean",), "answered from the response cache: nothing paid"),
            extra("llm_discarded", STRING_OR_NULL, "why the LLM's answer was not used"),
            extra("llm_error", STRING_OR_NULL),
        ),
        sentences.matching,
    ),
    EventShape(
        T.CANDIDATE_FILES_FETCHED,
        "a waiting candidate's file list arrived and was mapped onto the ticket's items",
        (
            key("candidate_rank", INTEGER),
            key("info_hash", STRING_OR_NULL),
            key("files", INTEGER),
            key("mapped", INTEGER),
            key("unmapped", ("array",), "the items no file was found for"),
        ),
    ),
    EventShape(
        T.FILE_MAPPING_COMPLETED,
        "the LLM was asked to place files the heuristic file mapping left unmapped",
        (
            key("info_hash", STRING),
            key("method", STRING, "`dumb` (the model placed nothing usable) or `dumb+llm`"),
            key("placed", ("array",), "each file the model placed: `item_id`, `path`, `reason`"),
            key("unmapped", ("array",), "the items still without a file"),
            extra("llm_provider", STRING),
            extra("llm_model", STRING),
            extra("prompt_tokens", INTEGER),
            extra("completion_tokens", INTEGER),
            extra("llm_latency_ms", INTEGER),
            extra("llm_cached", ("boolean",)),
            extra("llm_discarded", STRING_OR_NULL),
            extra("llm_error", STRING_OR_NULL),
        ),
    ),
    EventShape(T.APPROVAL_REQUESTED, "a ticket waits for a person to pick a candidate", APPROVAL),
    EventShape(
        T.APPROVAL_GRANTED,
        "a candidate was approved",
        (
            *APPROVAL,
            extra("title", STRING_OR_NULL, "the approved release"),
            extra("rejected", ("array",), "the hard constraints it breaks (a person may approve it)"),
        ),
    ),
    EventShape(T.APPROVAL_REJECTED, "a person rejected a ticket waiting for approval", APPROVAL),
    EventShape(
        T.METADATA_REFUSED,
        "a candidate's file list failed the checks before any content arrived",
        REFUSAL,
    ),
    EventShape(T.RELEASE_BLOCKLISTED, "a release will not be tried again for the ticket", REFUSAL),
    EventShape(
        T.DOWNLOAD_STARTED,
        "a torrent was added or raised for a ticket",
        (*DOWNLOAD, extra("files", INTEGER, "files the ticket wants")),
        sentences.download,
    ),
    EventShape(
        T.DOWNLOAD_COMPLETED, "the files a ticket needs are on disk", DOWNLOAD, sentences.download
    ),
    EventShape(
        T.DOWNLOAD_FAILED,
        "a download failed (disk full, file error, torrent lost)",
        (*DOWNLOAD, FAULT, extra("retryable", ("boolean",))),
        sentences.download,
    ),
    EventShape(
        T.DOWNLOAD_STALLED, "no progress for `stall_minutes`: the release is blocklisted", DOWNLOAD
    ),
    EventShape(
        T.CONVERSION_STARTED,
        "an item's conversion began",
        (*CONVERSION, extra("target", STRING, "the target format")),
        sentences.conversion,
    ),
    EventShape(
        T.CONVERSION_COMPLETED,
        "an item was converted and tagged into staging",
        CONVERSION,
        sentences.conversion,
    ),
    EventShape(
        T.CONVERSION_FAILED, "an item's conversion failed", CONVERSION, sentences.conversion
    ),
    EventShape(
        T.PLACEMENT_STARTED,
        "a ticket's files are being placed into its library",
        PLACEMENT,
        sentences.placement,
    ),
    EventShape(
        T.PLACEMENT_COMPLETED,
        "every file of a ticket is in its library",
        PLACEMENT,
        sentences.placement,
    ),
    EventShape(
        T.PLACEMENT_FAILED,
        "placement failed and was rolled back",
        (*PLACEMENT, FAULT, extra("library", STRING, "the library refused")),
        sentences.placement,
    ),
    EventShape(
        T.SCAN_COMPLETED,
        "a library scan finished",
        (
            key("library", STRING),
            *(
                key(name, INTEGER)
                for name in ("seen", "new", "changed", "missing", "matched", "unmatched")
            ),
            extra("renamed", INTEGER),
            extra("contents_read", INTEGER, "files whose content was opened"),
            extra("warnings", INTEGER),
        ),
    ),
    EventShape(
        T.SCAN_FAILED,
        "a library could not be scanned (its root is offline)",
        (
            key("error", STRING),
            key("fault", STRING, "`library_offline`: the root's marker file is missing"),
            key("library", STRING),
            extra("path", STRING, "the library's root"),
        ),
    ),
    EventShape(
        T.LIBRARY_ORGANIZED,
        "a library's files were renamed to its naming template",
        (
            key("library", STRING),
            key("renamed", INTEGER),
            key("collisions", INTEGER),
            key("files", ("array",), "each `source`, `target` (the first ones)"),
        ),
    ),
    EventShape(
        T.UNMATCHED_MATCHED,
        "a person matched an unidentified file",
        (*UNMATCHED, extra("item_id", INTEGER_OR_NULL, "the library item")),
    ),
    EventShape(T.UNMATCHED_DISMISSED, "a person dismissed an unidentified file", UNMATCHED),
    EventShape(T.ITEM_TRASHED, "a library item went to the trash", TRASH),
    EventShape(T.ITEM_RESTORED, "a library item came back from the trash", TRASH),
    EventShape(T.ITEM_PURGED, "a trashed item was deleted for good", TRASH),
    EventShape(
        T.ADMIN_FORCE_SEARCH, "a person searched again with a typed query", (key("query", STRING),)
    ),
    EventShape(
        T.ADMIN_FORCE_MAGNET,
        "a person chose a magnet for a ticket",
        (
            key("magnet_uri", STRING, "redacted"),
            extra("info_hash", STRING),
            extra("score", ("number",), "the release scored as any candidate"),
            extra("rejected", ("array",), "the hard constraints it breaks"),
        ),
    ),
    EventShape(
        T.ADMIN_RETRY,
        "a person retried a failed ticket",
        (extra("to_state", STRING, "the stage it goes back to"),),
    ),
    EventShape(T.TICKET_CANCELLED, "a ticket was cancelled", (key("reason", STRING),)),
    EventShape(
        T.SERVICE_STARTED,
        "an engine started on the home",
        (key("version", STRING), key("config_hash", STRING)),
    ),
    EventShape(T.SERVICE_STOPPED, "the engine stopped", (key("reason", STRING),)),
    EventShape(
        T.RELEASE_FOUND,
        "a watched ticket's release appeared",
        (
            key("indexer", STRING),
            key("title", STRING),
            key("info_hash", STRING_OR_NULL),
            key("via", STRING, "`rss` or `search`"),
            extra("size", INTEGER, "bytes"),
            extra("seeders", INTEGER_OR_NULL),
            extra("quality", STRING_OR_NULL, "the release's quality (docs/ticket-json.md)"),
        ),
    ),
    EventShape(
        T.UPGRADE_STARTED, "a better release is being fetched for a completed ticket", UPGRADE
    ),
    EventShape(T.UPGRADE_COMPLETED, "a better release replaced the placed files", UPGRADE),
    EventShape(
        T.WATCH_ENDED,
        "a ticket stopped watching for releases",
        (
            key("reason", STRING, "`cutoff_met`, `upgrade_days`, `unwatched`, `cancelled`"),
            extra("quality", STRING_OR_NULL, "the placed release's quality"),
            extra("upgrade_until", STRING_OR_NULL),
        ),
    ),
    EventShape(
        T.TICKET_WATCHED,
        "a person asked a ticket to watch (`ticket watch`)",
        (extra("upgrade_until", STRING_OR_NULL, "the quality that ends its upgrades"),),
    ),
    EventShape(
        T.TORRENT_REMOVED,
        "a torrent left the session",
        (
            key("info_hash", STRING),
            key("reason", STRING, "`seed_goal`, `storage_budget`, `cancelled`, `person`"),
            key("data_removed", ("boolean",)),
            extra("torrent_name", STRING_OR_NULL),
            extra("size_bytes", INTEGER_OR_NULL),
            extra("uploaded", INTEGER_OR_NULL, "bytes uploaded in all"),
        ),
    ),
    EventShape(
        T.NOTIFICATION_FAILED,
        "a notification could not be delivered",
        (key("service", STRING, "redacted URL scheme"), key("event", STRING), key("error", STRING)),
    ),
    EventShape(
        T.TICKET_STUCK,
        "a ticket stopped moving and needs a person",
        (key("state", STRING), key("reason", STRING)),
    ),
    EventShape(
        T.DIRECT_TORRENT_REFUSED,
        "a torrent given directly (`ticket add --torrent`, `[paths] watch_dir`) could not become a ticket",
        (
            key("source", STRING, "the .torrent file, or the magnet (redacted)"),
            key("via", STRING, "`cli` or `watch_dir`"),
            key("reason", STRING),
            extra("info_hash", STRING_OR_NULL, "when the torrent could be read"),
        ),
    ),
)
"""Every type in the order docs/audit.md lists them."""

VOCABULARY: Mapping[AuditType, EventShape] = {shape.type: shape for shape in SHAPES}


def shape_of(type_: str) -> EventShape:
    """The declared shape of a type; an undeclared type raises AuditVocabularyError."""
    try:
        return VOCABULARY[AuditType(type_)]
    except ValueError:
        raise AuditVocabularyError(
            f"audit event type {type_!r} is not declared in qtorrentino/audit/vocabulary.py"
        ) from None


def check_event(type_: str, data: Mapping[str, Any]) -> AuditType:
    """The declared type of an event about to be recorded; raises on a stray type or missing key."""
    shape = shape_of(type_)
    missing = [name for name in shape.promised if name not in data]
    if missing:
        raise AuditVocabularyError(
            f"{shape.type} event without {', '.join(missing)} "
            "(declared in qtorrentino/audit/vocabulary.py)"
        )
    return shape.type


def conformance(type_: str, data: Mapping[str, Any]) -> list[str]:
    """Every way an event differs from its declaration (type, keys, JSON types); [] when none."""
    try:
        shape = shape_of(type_)
    except AuditVocabularyError as error:
        return [str(error)]
    problems = [f"{type_}: no {name}" for name in shape.promised if name not in data]
    problems += [
        f"{type_}: {key.name} is {type(data[key.name]).__name__}, declared {' or '.join(key.types)}"
        for key in shape.keys
        if key.name in data and not key.accepts(data[key.name])
    ]
    return problems


def summarize(type_: str, data: Mapping[str, Any], size: SizeFormat) -> str:
    """What an event says in one line: its type's sentence, else its telling keys (any type)."""
    try:
        shape = VOCABULARY[AuditType(type_)]
    except ValueError:
        return sentences.telling_keys(data)
    if shape.sentence is not None and (line := shape.sentence(data, size)):
        return line
    return sentences.telling_keys(data)

"""docs/audit.md's generated parts: every event type with its data, from the audit vocabulary."""

from __future__ import annotations

from qtorrentino.audit.query import AuditEvent
from qtorrentino.audit.vocabulary import VOCABULARY, DataKey
from qtorrentino.docs.regions import prose, table
from qtorrentino.docs.samples import json_keys, sample


def _key(key: DataKey) -> str:
    meaning = f" — {key.meaning}" if key.meaning else ""
    return f"`{key.name}` ({' or '.join(key.types)}){meaning}"


def events_markdown() -> str:
    """One row per type: when it is recorded, the keys it always carries, the keys it may carry."""
    rows = [
        (
            f"`{shape.type}`",
            shape.when,
            "; ".join(_key(key) for key in shape.keys if key.promised) or "—",
            "; ".join(_key(key) for key in shape.keys if not key.promised),
        )
        for shape in VOCABULARY.values()
    ]
    return table(("type", "recorded when", "data", "also recorded"), rows)


def record_markdown() -> str:
    """The keys of one JSON Lines record."""
    return prose(
        "Each line: " + ", ".join(f"`{key}`" for key, _ in json_keys(sample(AuditEvent))) + "."
    )


def regions() -> dict[str, str]:
    return {"audit-events": events_markdown(), "audit-record": record_markdown()}

"""The metadata providers' answers cached in SQLite with an expiry, so lookups repeat for free."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from qtorrentino.db.database import write_transaction
from qtorrentino.db.models import MetadataCacheRow

if TYPE_CHECKING:
    from qtorrentino.clock import Clock

log = logging.getLogger(__name__)

KEY_MAX_CHARS = 200
"""Longer keys (built from a person's typed text) are shortened with a digest."""


def cache_key(*parts: object) -> str:
    """A cache key from its parts: provider, call and arguments; casefolded so spellings share an entry."""
    text = ":".join("" if part is None else str(part).casefold().strip() for part in parts)
    if len(text) <= KEY_MAX_CHARS:
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{text[:KEY_MAX_CHARS - 33]}#{digest}"


class MetadataCache:
    """Get and put JSON answers by key; an expired entry counts as absent."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def get(self, key: str) -> Any | None:
        """The cached value for key, or None when there is none or it has expired."""
        row = MetadataCacheRow.get_or_none(MetadataCacheRow.key == key)
        if row is None or row.expires_at <= self._clock.now():
            return None
        try:
            return json.loads(row.value)
        except ValueError:
            log.warning("ignoring an unreadable metadata cache entry %r", key)
            return None

    def put(self, key: str, value: Any, *, days: float) -> None:
        """Store value under key for days (0 or less: not cached at all)."""
        if days <= 0:
            return
        expires_at = self._clock.now() + timedelta(days=days)
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        with write_transaction():
            (MetadataCacheRow.insert(key=key, value=text, expires_at=expires_at)
             .on_conflict(conflict_target=[MetadataCacheRow.key],
                          update={MetadataCacheRow.value: text, MetadataCacheRow.expires_at: expires_at})
             .execute())

    def purge_expired(self) -> int:
        """Delete every expired entry (a housekeeping chore); returns how many went."""
        with write_transaction():
            return int(MetadataCacheRow.delete().where(MetadataCacheRow.expires_at <= self._clock.now()).execute())

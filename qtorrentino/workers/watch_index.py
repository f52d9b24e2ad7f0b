"""The watched tickets in memory, by the first word of the name they want: a feed item finds its
tickets without a look at the others (the RSS sync's cost grows with the items, not with items ×
tickets).

The index keeps only each ticket's wanted name, read from its stored JSON; the scoring view of a
ticket (its spec, threshold, upgrade floor) is built only for a ticket an item names, and kept until
it changes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qtorrentino.db.database import database
from qtorrentino.db.models import TicketItemRow, TicketRow
from qtorrentino.domain.similarity import normalise
from qtorrentino.domain.states import TicketState
from qtorrentino.domain.ticket import MUSIC_KINDS, TicketKind, TicketSpec
from qtorrentino.textbrain.decide import scoring_spec, threshold_for
from qtorrentino.tickets.rows import spec_of
from qtorrentino.workers.watch_state import UpgradeFloor, upgrade_floor

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from qtorrentino.config.model import Config
    from qtorrentino.search.result import SearchResult

_WATCHED_SQL = (
    'SELECT id, kind, updated_at, spec FROM "ticket" WHERE linked_to IS NULL AND '
    "(state = ? OR (state = ? AND watching = 1))"
)
_VERSIONS_SQL = (
    'SELECT id, updated_at FROM "ticket" WHERE linked_to IS NULL AND '
    "(state = ? OR (state = ? AND watching = 1))"
)
_STATES = (TicketState.WAITING.value, TicketState.COMPLETED.value)


@dataclass(frozen=True, slots=True)
class Watched:
    """A ticket the RSS sync scores items for: waiting, or completed and watching for an upgrade."""

    ticket_id: str
    spec: TicketSpec
    """The ticket as scoring sees it (its target format made effective)."""
    threshold: float
    floor: UpgradeFloor | None
    """Set for a ticket with placed files: only a better release is an upgrade."""


def wanted_name(kind: str, query: Mapping[str, Any]) -> str:
    """The normalised name a release must contain to be this ticket's (artist, title, series,
    text)."""
    ticket_kind = TicketKind(kind)
    if ticket_kind in MUSIC_KINDS:
        name = query.get("artist") or query.get("album")
    elif ticket_kind is TicketKind.MOVIE:
        name = query.get("title")
    elif ticket_kind in (TicketKind.EPISODE, TicketKind.SEASON):
        name = query.get("series")
    else:
        name = query.get("text") or query.get("title")
    return normalise(str(name or ""))


class WatchIndex:
    """Watched tickets by the first word of their wanted name; refreshed from the database
    cheaply."""

    def __init__(self) -> None:
        self._names: dict[str, tuple[str, str]] = {}
        """Ticket id → (its updated_at as stored, its wanted name)."""
        self._by_word: dict[str, set[str]] = {}
        self._scoring: dict[str, tuple[str, Watched]] = {}

    def __len__(self) -> int:
        return len(self._names)

    def refresh(self) -> None:
        """Follow the database: add new or changed watched tickets, drop those no longer watched."""
        current = dict(database.execute_sql(_VERSIONS_SQL, _STATES).fetchall())
        for ticket_id in [
            known for known in self._names if current.get(known) != self._names[known][0]
        ]:
            self._drop(ticket_id)
        missing = [ticket_id for ticket_id in current if ticket_id not in self._names]
        if not missing:
            return
        if len(missing) > len(current) // 2:
            rows = database.execute_sql(_WATCHED_SQL, _STATES).fetchall()
        else:
            rows = []
            for start in range(0, len(missing), 500):
                chunk = missing[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows += database.execute_sql(
                    f"{_WATCHED_SQL} AND id IN ({marks})", (*_STATES, *chunk)
                ).fetchall()
        for ticket_id, kind, updated_at, spec in rows:
            if ticket_id in self._names:
                continue
            name = wanted_name(kind, json.loads(spec).get("query") or {})
            if name:
                self._names[ticket_id] = (updated_at, name)
                self._by_word.setdefault(name.split()[0], set()).add(ticket_id)

    def matching(self, results: Iterable[SearchResult]) -> dict[str, list[SearchResult]]:
        """The items each watched ticket's wanted name appears in, by ticket id."""
        found: dict[str, list[SearchResult]] = {}
        for result in results:
            title = normalise(result.title, drop_article=False)
            padded = f" {title} "
            for word in set(title.split()):
                for ticket_id in self._by_word.get(word, ()):
                    if f" {self._names[ticket_id][1]} " in padded:
                        found.setdefault(ticket_id, []).append(result)
        return found

    def get(self, ticket_id: str, config: Config) -> Watched:
        """The ticket as scoring sees it, built once per version of the ticket."""
        version = self._names[ticket_id][0]
        kept = self._scoring.get(ticket_id)
        if kept is not None and kept[0] == version:
            return kept[1]
        row = TicketRow.get_by_id(ticket_id)
        items = list(
            TicketItemRow.select()
            .where(TicketItemRow.ticket == ticket_id)
            .order_by(TicketItemRow.position)
        )
        spec = scoring_spec(spec_of(row, items), config)
        placed = row.state == TicketState.COMPLETED.value or any(item.path for item in items)
        watched = Watched(
            ticket_id,
            spec,
            threshold_for(spec, config.textbrain.auto_approve_threshold),
            upgrade_floor(row) if placed else None,
        )
        self._scoring[ticket_id] = (version, watched)
        return watched

    def _drop(self, ticket_id: str) -> None:
        self._scoring.pop(ticket_id, None)
        known = self._names.pop(ticket_id, None)
        if known is not None:
            holders = self._by_word.get(known[1].split()[0])
            if holders is not None:
                holders.discard(ticket_id)

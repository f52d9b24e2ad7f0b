"""The watched tickets in memory, by the first word of the name they want: a feed item finds its tickets
without a look at the others (the RSS sync's cost grows with the items, not with items × tickets)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from qtorrentino.db.models import TicketItemRow, TicketRow
from qtorrentino.domain.similarity import normalise
from qtorrentino.domain.states import TicketState
from qtorrentino.domain.ticket import MUSIC_KINDS, TicketKind, TicketSpec
from qtorrentino.textbrain.decide import scoring_spec, threshold_for
from qtorrentino.tickets.rows import spec_of
from qtorrentino.workers.watch_state import UpgradeFloor, upgrade_floor

if TYPE_CHECKING:
    from collections.abc import Iterable

    from qtorrentino.config.model import Config
    from qtorrentino.search.result import SearchResult


@dataclass(frozen=True, slots=True)
class Watched:
    """A ticket the RSS sync matches items against: waiting, or completed and watching for an upgrade."""

    ticket_id: str
    spec: TicketSpec
    """The ticket as scoring sees it (its target format made effective)."""
    threshold: float
    name: str
    """The name it wants, normalised: an artist, a title, a series, the free text."""
    floor: UpgradeFloor | None
    """Set for a completed ticket: only a better release is an upgrade."""
    updated_at: datetime


def wanted_name(spec: TicketSpec) -> str:
    """The normalised name a release must contain to be this ticket's (artist, title, series, text)."""
    query = spec.query
    if spec.kind in MUSIC_KINDS:
        name = query.artist or query.album
    elif spec.kind is TicketKind.MOVIE:
        name = query.title
    elif spec.kind in (TicketKind.EPISODE, TicketKind.SEASON):
        name = query.series
    else:
        name = query.text or query.title
    return normalise(name or "")


class WatchIndex:
    """Watched tickets by the first word of their wanted name; refreshed from the database cheaply."""

    def __init__(self) -> None:
        self._tickets: dict[str, Watched] = {}
        self._by_word: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._tickets)

    def refresh(self, config: Config) -> None:
        """Follow the database: add new or changed watched tickets, drop those no longer watched."""
        rows = (TicketRow.select(TicketRow.id, TicketRow.updated_at)
                .where(((TicketRow.state == TicketState.WAITING.value)
                        | ((TicketRow.state == TicketState.COMPLETED.value) & (TicketRow.watching == True)))  # noqa: E712
                       & TicketRow.linked_to.is_null()).tuples())
        current = dict(rows)
        for ticket_id in [known for known in self._tickets if known not in current]:
            self._drop(ticket_id)
        changed = [ticket_id for ticket_id, updated in current.items()
                   if ticket_id not in self._tickets or self._tickets[ticket_id].updated_at != updated]
        for ticket_id in changed:
            self._drop(ticket_id)
        for start in range(0, len(changed), 500):
            self._load(changed[start:start + 500], config)

    def matching(self, results: Iterable[SearchResult]) -> dict[str, list[SearchResult]]:
        """The items each watched ticket's wanted name appears in, by ticket id."""
        found: dict[str, list[SearchResult]] = {}
        for result in results:
            title = normalise(result.title, drop_article=False)
            padded = f" {title} "
            for word in set(title.split()):
                for ticket_id in self._by_word.get(word, ()):
                    if f" {self._tickets[ticket_id].name} " in padded:
                        found.setdefault(ticket_id, []).append(result)
        return found

    def get(self, ticket_id: str) -> Watched:
        return self._tickets[ticket_id]

    def _load(self, ticket_ids: list[str], config: Config) -> None:
        rows = list(TicketRow.select().where(TicketRow.id.in_(ticket_ids)))
        items: dict[str, list[TicketItemRow]] = {}
        for item in (TicketItemRow.select().where(TicketItemRow.ticket.in_(ticket_ids))
                     .order_by(TicketItemRow.position)):
            items.setdefault(item.ticket_id, []).append(item)
        for row in rows:
            ticket_items = items.get(row.id, [])
            spec = scoring_spec(spec_of(row, ticket_items), config)
            name = wanted_name(spec)
            if not name:
                continue
            placed = any(item.path for item in ticket_items)
            self._tickets[row.id] = Watched(
                row.id, spec, threshold_for(spec, config.textbrain.auto_approve_threshold), name,
                upgrade_floor(row) if placed else None, row.updated_at)
            self._by_word.setdefault(name.split()[0], set()).add(row.id)

    def _drop(self, ticket_id: str) -> None:
        watched = self._tickets.pop(ticket_id, None)
        if watched is not None:
            holders = self._by_word.get(watched.name.split()[0])
            if holders is not None:
                holders.discard(ticket_id)

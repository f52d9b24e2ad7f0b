"""The Wanted list: the tickets the watch looks after, with the best quality seen and the next
search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from qtorrentino.db.models import TicketRow, WatchRow
from qtorrentino.domain.states import TicketState
from qtorrentino.tickets.rows import summary

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from qtorrentino.tickets.views import TicketSummary


@dataclass(frozen=True, slots=True)
class WantedView:
    """A waiting ticket, or a completed one watching for an upgrade, as the Wanted view shows it."""

    ticket: TicketSummary
    best_quality: str | None
    """The best quality among acceptable releases seen for it so far (None: none yet)."""
    best_title: str | None
    next_search_at: datetime | None
    """When its periodic search runs next (None: only the RSS sync looks for it)."""
    air_date: str | None
    """An episode's air date as TMDB gives it, when known."""

    @property
    def upgrading(self) -> bool:
        return self.ticket.state is TicketState.COMPLETED


def wanted(limit: int = 500, text: str | None = None) -> list[WantedView]:
    """Waiting tickets first, then those watching for an upgrade; by priority, then age."""
    query = TicketRow.select().where(
        (TicketRow.state == TicketState.WAITING.value)
        | ((TicketRow.state == TicketState.COMPLETED.value) & (TicketRow.watching == True))  # noqa: E712
    )
    if text:
        query = query.where(TicketRow.title.contains(text) | TicketRow.id.startswith(text.lower()))
    rows = list(
        query.order_by(
            TicketRow.state.desc(), TicketRow.priority.desc(), TicketRow.created_at
        ).limit(limit)
    )
    columns = (
        WatchRow.ticket,
        WatchRow.best_quality,
        WatchRow.best_title,
        WatchRow.next_search_at,
        WatchRow.air_date,
    )
    watches = {
        values[0]: values[1:]
        for values in cast(
            "Iterable[tuple[str, str | None, str | None, datetime | None, str | None]]",
            WatchRow.select(*columns).where(WatchRow.ticket.in_([row.id for row in rows])).tuples(),
        )
    }
    found = []
    for row in rows:
        best_quality, best_title, next_search_at, air_date = watches.get(
            row.id, (None, None, None, None)
        )
        found.append(WantedView(summary(row), best_quality, best_title, next_search_at, air_date))
    return found

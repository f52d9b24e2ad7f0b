"""Ticket queries for the faces: lists by state, the approval queue, counts; keyset-paginated."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from peewee import fn

from qtorrentino.db.models import TicketItemRow, TicketRow, TorrentRow, WatchRow
from qtorrentino.domain.states import ItemState, TicketState, is_idle_state
from qtorrentino.tickets.rows import SUMMARY_COLUMNS, detail, resolve_id, summary
from qtorrentino.tickets.views import TicketDetail, TicketSummary


def list_tickets(states: Iterable[TicketState] = (), *, limit: int = 200, after: tuple[int, str] | None = None,
                 text: str | None = None) -> list[TicketSummary]:
    """Tickets by priority (high first) then age; `after` = (priority, id) of the last row seen."""
    query = TicketRow.select(*SUMMARY_COLUMNS)
    wanted = [state.value for state in states]
    if wanted:
        query = query.where(TicketRow.state.in_(wanted))
    if text:
        query = query.where(TicketRow.title.contains(text) | TicketRow.id.startswith(text.lower()))
    if after is not None:
        priority, last_id = after
        query = query.where((TicketRow.priority < priority) | ((TicketRow.priority == priority)
                                                                & (TicketRow.id > last_id)))
    rows = list(query.order_by(TicketRow.priority.desc(), TicketRow.id).limit(limit).namedtuples())
    counts = _item_counts([row.id for row in rows])
    return [summary(row, *counts.get(row.id, (0, 0))) for row in rows]


def ticket_detail(ticket_id: str) -> TicketDetail:
    """One ticket whole, by id or unique prefix."""
    return detail(TicketRow.get_by_id(resolve_id(ticket_id)))


def _item_counts(ticket_ids: list[str]) -> dict[str, tuple[int, int]]:
    if not ticket_ids:
        return {}
    placed = fn.SUM(TicketItemRow.state == ItemState.PLACED.value)
    rows = cast("Iterable[tuple[str, int, int | None]]",  # .tuples(): peewee's stubs say model rows
                TicketItemRow.select(TicketItemRow.ticket, fn.COUNT(TicketItemRow.id), placed)
                .where(TicketItemRow.ticket.in_(ticket_ids) & (TicketItemRow.requested == True))  # noqa: E712
                .group_by(TicketItemRow.ticket).tuples())
    return {ticket: (total, int(done or 0)) for ticket, total, done in rows}


def counts_by_state() -> dict[TicketState, int]:
    """How many tickets are in each state (the header's totals)."""
    rows = cast("Iterable[tuple[str, int]]",
                TicketRow.select(TicketRow.state, fn.COUNT(TicketRow.id)).group_by(TicketRow.state).tuples())
    return {TicketState(state): count for state, count in rows}


def all_idle() -> bool:
    """True when no ticket can move without a person (headless --exit-when-idle)."""
    for state, retryable in TicketRow.select(TicketRow.state, TicketRow.retryable).tuples().iterator():
        if not is_idle_state(TicketState(state), retryable=retryable):
            return False
    return not unfinished_upgrades()


def unfinished_upgrades() -> bool:
    """An upgrade committed but its old files not yet trashed (a crash came between): the watch finishes it."""
    return bool(WatchRow.select().join(TicketRow).where(
        WatchRow.swap.is_null(False) & (TicketRow.state == TicketState.COMPLETED.value)).exists())


def any_failed() -> bool:
    return TicketRow.select().where(TicketRow.state == TicketState.FAILED.value).exists()


HOLDING_STATES: frozenset[TicketState] = frozenset({
    TicketState.APPROVED, TicketState.AUTO_APPROVED, TicketState.DOWNLOADING, TicketState.CONVERTING,
    TicketState.PLACING, TicketState.COMPLETED, TicketState.FAILED})
"""A ticket in these states holds its torrent (`ticket.info_hash`): it downloads, reads or seeds its files."""


def _holders(info_hash: str) -> list[tuple[str, str, bool]]:
    """(id, state, retryable) of the tickets holding a torrent, newest change first."""
    rows = (TicketRow.select(TicketRow.id, TicketRow.state, TicketRow.retryable)
            .where((TicketRow.info_hash == info_hash) & TicketRow.linked_to.is_null()
                   & TicketRow.state.in_([state.value for state in HOLDING_STATES]))
            .order_by(TicketRow.updated_at.desc()).tuples())
    return list(cast("Iterable[tuple[str, str, bool]]", rows))


def tickets_of_torrent(info_hash: str) -> list[str]:
    """The one rule for "which tickets does this torrent serve": the holders, downloading ones first."""
    found = _holders(info_hash)
    return [ticket for ticket, state, _ in found if state == TicketState.DOWNLOADING.value] + [
        ticket for ticket, state, _ in found if state != TicketState.DOWNLOADING.value]


def live_tickets_of_torrent(info_hash: str) -> list[str]:
    """The holders still in progress (not completed, not failed for good): the torrent is never removed
    while one needs it (the storage budget's and the seed goal's rule)."""
    return [ticket for ticket, state, retryable in _holders(info_hash)
            if not is_idle_state(TicketState(state), retryable=retryable)]


def ticket_of_torrent(info_hash: str) -> str | None:
    """The ticket a torrent's progress is shown under: a downloading holder, else the latest one."""
    holders = tickets_of_torrent(info_hash)
    return holders[0] if holders else None


def left_torrents() -> dict[str, set[str]]:
    """Torrents still held in the catalog that some ticket has left (cancelled, or gone back to acquiring),
    with those tickets' ids: their files may be lowered, or the torrent removed."""
    holding = [state.value for state in HOLDING_STATES]
    rows = cast("Iterable[tuple[str, str]]",
                TicketRow.select(TicketRow.id, TicketRow.info_hash)
                .join(TorrentRow, on=(TorrentRow.info_hash == TicketRow.info_hash))
                .where((TorrentRow.removed == False) & TicketRow.state.not_in(holding)  # noqa: E712
                       & TicketRow.linked_to.is_null()).tuples())
    found: dict[str, set[str]] = {}
    for ticket_id, info_hash in rows:
        found.setdefault(info_hash, set()).add(ticket_id)
    return found

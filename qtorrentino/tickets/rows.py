"""Ticket rows ⇄ read models, and id lookup by unique prefix."""

from __future__ import annotations

from typing import Any

from qtorrentino.db.models import CandidateRow, TicketItemRow, TicketRow
from qtorrentino.domain.states import ItemState, TicketState
from qtorrentino.domain.ticket import ItemType, TicketItem, TicketSpec
from qtorrentino.domain.ticket_json import spec_from_json
from qtorrentino.errors import NotFound
from qtorrentino.tickets.views import CandidateView, ItemView, TicketDetail, TicketSummary

MIN_PREFIX = 4


def resolve_id(prefix: str) -> str:
    """The full id of the one ticket whose id starts with prefix (at least 4 characters)."""
    prefix = prefix.strip().lower()
    if len(prefix) < MIN_PREFIX:
        raise NotFound(f"ticket id {prefix!r} is too short", hint=f"give at least {MIN_PREFIX} characters")
    matches = [row.id for row in TicketRow.select(TicketRow.id).where(TicketRow.id.startswith(prefix)).limit(2)]
    if not matches:
        raise NotFound(f"no ticket with id {prefix!r}", hint="`qtorrentino ticket list` shows the ids")
    if len(matches) > 1:
        raise NotFound(f"ticket id {prefix!r} is ambiguous", hint="give more characters of the id")
    return matches[0]


SUMMARY_COLUMNS = (TicketRow.id, TicketRow.kind, TicketRow.title, TicketRow.state, TicketRow.priority,
                   TicketRow.created_at, TicketRow.updated_at, TicketRow.linked_to, TicketRow.retryable,
                   TicketRow.attempts, TicketRow.next_attempt_at, TicketRow.error, TicketRow.library,
                   TicketRow.info_hash, TicketRow.watching, TicketRow.quality, TicketRow.upgrade_until)
"""The columns a summary reads: lists select only these (no spec or stats JSON to decode per row)."""


def summary(row: Any, items_total: int = 0, items_done: int = 0) -> TicketSummary:
    """A ticket row, or a row of SUMMARY_COLUMNS read as named tuples, as lists show it."""
    return TicketSummary(
        id=row.id, kind=row.kind, title=row.title, state=TicketState(row.state), priority=row.priority,
        created_at=row.created_at, updated_at=row.updated_at, linked_to=row.linked_to,
        retryable=row.retryable, attempts=row.attempts, next_attempt_at=row.next_attempt_at, error=row.error,
        library=row.library, info_hash=row.info_hash, items_total=items_total, items_done=items_done,
        watching=row.watching, quality=row.quality, upgrade_until=row.upgrade_until,
    )


def item_view(row: TicketItemRow) -> ItemView:
    return ItemView(
        id=row.item_id, type=row.type, title=row.title, state=ItemState(row.state), disc=row.disc,
        number=row.number, season=row.season, duration_secs=row.duration_secs, requested=row.requested,
        file_index=row.file_index, source_path=row.source_path, staged_path=row.staged_path, path=row.path,
        error=row.error,
    )


def candidate_view(row: CandidateRow) -> CandidateView:
    return CandidateView(
        rank=row.rank, score=row.score, title=row.title, info_hash=row.info_hash, indexer=row.indexer,
        size=row.size, seeders=row.seeders, peers=row.peers, magnet=row.magnet, link=row.link,
        reasons=tuple(row.reasons or ()), factors=tuple(row.factors or ()), mapping=row.mapping,
        files=tuple(row.files or ()),
    )


def spec_of(row: TicketRow, items: list[TicketItemRow] | None = None) -> TicketSpec:
    """The ticket as given, with its current item list (the given items only pass validation)."""
    spec = spec_from_json(dict(row.spec))
    item_rows = items if items is not None else list(row.items.order_by(TicketItemRow.position))
    return TicketSpec(
        kind=spec.kind, query=spec.query, constraints=spec.constraints, library=spec.library,
        priority=row.priority, dry_run=spec.dry_run, requested_by=spec.requested_by,
        auto_approve_threshold=spec.auto_approve_threshold, watch=spec.watch, upgrade_until=spec.upgrade_until,
        items=tuple(
            TicketItem(id=item.item_id, type=ItemType(item.type), title=item.title, disc=item.disc,
                       number=item.number, season=item.season, duration_secs=item.duration_secs,
                       requested=item.requested, state=ItemState(item.state))
            for item in item_rows
        ),
    )


def detail(row: TicketRow) -> TicketDetail:
    items = list(row.items.order_by(TicketItemRow.position))
    candidates = list(row.candidates.order_by(CandidateRow.rank))
    done = sum(1 for item in items if item.requested and item.state == ItemState.PLACED.value)
    return TicketDetail(
        summary=summary(row, sum(1 for item in items if item.requested), done),
        spec=spec_of(row, items),
        items=tuple(item_view(item) for item in items),
        candidates=tuple(candidate_view(candidate) for candidate in candidates),
        chosen_rank=row.chosen_rank,
        forced_query=row.forced_query,
        stats=row.stats,
    )

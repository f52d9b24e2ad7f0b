"""The RSS sync: each indexer's recent feed, each new item read once, matched against every watched
ticket through the in-memory index, scored by the one scorer and decided by the one rule
(docs/states.md)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from qtorrentino.db.database import database
from qtorrentino.db.models import FeedSeenRow, TicketRow
from qtorrentino.domain.states import TicketState
from qtorrentino.textbrain.decide import Outcome, decide
from qtorrentino.tickets.watching import watch_row
from qtorrentino.workers.watch_index import Watched, WatchIndex
from qtorrentino.workers.watch_outcome import only_upgrades
from qtorrentino.workers.watch_state import (
    RSS,
    note_seen,
    nothing_acceptable,
    quality_of,
    record_found,
    result_json,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from qtorrentino.search.result import SearchResult
    from qtorrentino.textbrain.matching import TextBrain
    from qtorrentino.textbrain.score import ScoredCandidate
    from qtorrentino.tickets.service import Outbox
    from qtorrentino.workers.base import WorkerContext

log = logging.getLogger(__name__)

SEEN_KEPT = 5000
"""Feed items remembered per indexer (by info-hash, else GUID, else title): older ones are
forgotten."""
_FORGET_SQL = (
    'DELETE FROM "feed_seen" WHERE indexer = ? AND id NOT IN (SELECT id FROM "feed_seen" '
    "WHERE indexer = ? ORDER BY seen_at DESC, id DESC LIMIT ?)"
)
"""All but the newest SEEN_KEPT items of an indexer are forgotten (the later insert wins a tie)."""


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one read of a feed did."""

    items: int
    new: int
    matched: int
    """Watched tickets at least one new item named."""
    handed: tuple[str, ...]
    """Tickets whose release was found: back to acquisition with it."""
    matching_seconds: float = 0.0
    """Reading what was seen, the index, the matching, the scoring and the decisions."""
    writing_seconds: float = 0.0
    """The one unit of work: what each named ticket saw, and each found release handed on."""


def item_key(result: SearchResult) -> str:
    """How a feed item is remembered: its info-hash (the content itself), else its GUID, else its
    title."""
    return (result.info_hash or result.guid or result.title)[:255]


def new_items(indexer: str, results: Sequence[SearchResult], now: datetime) -> list[SearchResult]:
    """The items not read before (each remembered from now on, at most SEEN_KEPT per indexer)."""
    keyed = {item_key(result): result for result in results}
    if not keyed:
        return []
    rows = (
        FeedSeenRow.select(FeedSeenRow.key)
        .where((FeedSeenRow.indexer == indexer) & FeedSeenRow.key.in_(list(keyed)))
        .tuples()
    )
    seen = {key for (key,) in cast("Iterable[tuple[str]]", rows)}
    fresh = [result for key, result in keyed.items() if key not in seen]
    if fresh:
        FeedSeenRow.insert_many(
            [{"indexer": indexer, "key": item_key(result), "seen_at": now} for result in fresh]
        ).on_conflict_ignore().execute()
        database.execute_sql(_FORGET_SQL, (indexer, indexer, SEEN_KEPT))
    return fresh


@dataclass(frozen=True, slots=True)
class _Verdict:
    """One ticket's items, scored, and whether the rule found its release among them."""

    watched: Watched
    scored: list[ScoredCandidate]
    accepted: bool


class RssSync:
    """Matches feed items against the watched tickets and hands each found release to
    acquisition."""

    def __init__(self, context: WorkerContext, brain: TextBrain) -> None:
        self.context = context
        self.brain = brain
        self.index = WatchIndex()

    def sync(self, indexer: str, results: Sequence[SearchResult]) -> SyncReport:
        """Read one feed: new items only, matched through the index, each ticket scored and decided
        on its own; what was seen and what was found are written in one unit of work."""
        context = self.context
        started = time.perf_counter()
        with context.uow():
            fresh = new_items(indexer, results, context.clock.now())
        if not fresh:
            return SyncReport(len(results), 0, 0, (), time.perf_counter() - started)
        self.index.refresh()
        matches = self.index.matching(fresh)
        verdicts = [
            self._decide(self.index.get(ticket_id, context.config), found)
            for ticket_id, found in matches.items()
        ]
        matched_at = time.perf_counter()
        handed: tuple[str, ...] = ()
        if verdicts:
            with context.uow() as outbox:
                handed = tuple(
                    verdict.watched.ticket_id
                    for verdict in verdicts
                    if self._record(outbox, verdict)
                )
        report = SyncReport(
            len(results),
            len(fresh),
            len(matches),
            handed,
            matched_at - started,
            time.perf_counter() - matched_at,
        )
        if handed:
            context.wake_stage(TicketState.ACQUIRING)
        log.info(
            "%s: recent feed, %d item(s), %d new, %d watched ticket(s) named, %d found "
            "(%.3f s matching, %.3f s writing)",
            indexer,
            report.items,
            report.new,
            report.matched,
            len(handed),
            report.matching_seconds,
            report.writing_seconds,
        )
        return report

    def _decide(self, watched: Watched, found: list[SearchResult]) -> _Verdict:
        """Score a ticket's items with the one scorer and decide with the one rule."""
        kind = watched.spec.kind.value
        scored = self.brain.rank(watched.spec, found, watched.threshold)
        if watched.floor is not None:
            scored = only_upgrades(scored, watched.floor, kind)
        decision = decide(scored, watched.threshold)
        if watched.floor is not None:
            accepted = decision.outcome is Outcome.AUTO_APPROVE
        else:
            accepted = not nothing_acceptable(decision, scored)
        return _Verdict(watched, scored, accepted)

    def _record(self, outbox: Outbox, verdict: _Verdict) -> bool:
        """The best quality seen; a found release: ReleaseFound (via rss), the acceptable releases
        kept for the ticket's acquisition round, which takes them at once. False when not found, or
        when the ticket moved meanwhile (a person acted on it)."""
        context = self.context
        watched, scored = verdict.watched, verdict.scored
        kind = watched.spec.kind.value
        watch = watch_row(watched.ticket_id)
        note_seen(watched.ticket_id, kind, scored, watch)
        if not verdict.accepted:
            return False
        upgrade = watched.floor is not None
        state, watching = cast(
            "tuple[str, bool]",
            TicketRow.select(TicketRow.state, TicketRow.watching)
            .where(TicketRow.id == watched.ticket_id)
            .tuples()
            .get(),
        )
        expected = TicketState.COMPLETED if upgrade else TicketState.WAITING
        if state != expected.value or (upgrade and not watching):
            return False
        acceptable = [
            candidate for candidate in scored if not candidate.rejected and not candidate.red_flags
        ]
        best = acceptable[0]
        quality = quality_of(best.result.title, kind, best)
        record_found(
            outbox,
            context,
            watched.ticket_id,
            best.result,
            RSS,
            quality=quality.name if quality else None,
        )
        watch.found = [result_json(candidate.result) for candidate in acceptable]
        watch.save()
        changes = {"info_hash": None} if upgrade else {}
        context.tickets.transition(
            outbox,
            watched.ticket_id,
            TicketState.ACQUIRING,
            actor="engine",
            reason=f"the RSS sync found {best.result.title}",
            lease_owner=None,
            lease_until=None,
            **changes,
        )
        return True

"""Acquiring: the torrent catalog first, then the query ladder over the indexers, scoring and the decision."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from qtorrentino.db.models import CandidateRow
from qtorrentino.domain.states import TicketState
from qtorrentino.domain.ticket import MUSIC_KINDS, TicketKind, TicketSpec
from qtorrentino.errors import IndexerError
from qtorrentino.search.indexers import IndexerSet, SearchReport
from qtorrentino.search.result import SearchResult
from qtorrentino.search.torznab import SearchRequest
from qtorrentino.textbrain.decide import Decision, DumbMatcher, Matcher, Outcome, decide, threshold_for
from qtorrentino.textbrain.queries import build_queries
from qtorrentino.textbrain.score import ScoredCandidate
from qtorrentino.tickets.claims import Claim
from qtorrentino.workers.catalog_lookup import CatalogHit, find_covering_torrent
from qtorrentino.workers.base import BaseWorker, WorkerContext
from qtorrentino.workers.candidates import audit_candidates, release_key, store_candidates
from qtorrentino.workers.library_status import mark_library_items
from qtorrentino.workers.stages import ACQUISITION, owned_by

log = logging.getLogger(__name__)

MAX_QUERIES = 4
"""Rungs of the query ladder tried before settling for what was found."""


def search_request(spec: TicketSpec, query: str, *, structured: bool) -> SearchRequest:
    """The indexer request for one rung: structured fields on the first rung, plain text after."""
    q = spec.query
    if spec.kind in MUSIC_KINDS:
        if structured:
            return SearchRequest(kind="music", q=query, artist=q.artist, album=q.album or None, year=q.year)
        return SearchRequest(kind="music", q=query)
    if spec.kind is TicketKind.MOVIE:
        if structured:
            return SearchRequest(kind="movie", q=query, year=q.year, imdb_id=q.imdb_id, tmdb_id=q.tmdb_id)
        return SearchRequest(kind="movie", q=query)
    if spec.kind in (TicketKind.EPISODE, TicketKind.SEASON) and structured:
        episode = q.episodes[0] if spec.kind is TicketKind.EPISODE and len(q.episodes) == 1 else None
        return SearchRequest(kind="tv", q=q.series or query, season=q.season, episode=episode)
    return SearchRequest(kind="tv" if spec.kind in (TicketKind.EPISODE, TicketKind.SEASON) else "generic", q=query)


class AcquisitionWorker(BaseWorker):
    """Turns a pending ticket into ranked, explained candidates and a decision."""

    stages = owned_by(ACQUISITION)
    name = ACQUISITION

    def __init__(self, context: WorkerContext, indexers: IndexerSet, *, matcher: Matcher | None = None,
                 concurrency: int = 1, poll_seconds: float = 2.0) -> None:
        super().__init__(context, concurrency=concurrency, poll_seconds=poll_seconds)
        self.indexers = indexers
        self.matcher = matcher or DumbMatcher()

    def process(self, claim: Claim) -> None:
        commands = self.context.tickets
        if claim.state is TicketState.PENDING:
            with self.context.uow() as outbox:
                commands.transition(outbox, claim.ticket_id, TicketState.ACQUIRING, reason="acquisition started",
                                    actor="engine")
                mark_library_items(self.context, claim.ticket_id, "wanted")
        detail = commands.get(claim.ticket_id)
        spec = detail.spec
        blocked = commands.blocklisted(claim.ticket_id)
        if detail.forced_query is None and not spec.dry_run:
            hit = find_covering_torrent(spec, exclude=blocked)
            if hit is not None:
                self._take_from_catalog(claim.ticket_id, spec, hit)
                return
        queries = [detail.forced_query] if detail.forced_query else build_queries(spec)[:MAX_QUERIES]
        threshold = threshold_for(spec, self.context.config.textbrain.auto_approve_threshold)
        found: dict[str, SearchResult] = {}
        scored: list[ScoredCandidate] = []
        decision = decide([], threshold)
        answered = False
        for rung, query in enumerate(queries):
            report = self.indexers.search(search_request(spec, query, structured=rung == 0
                                                         and detail.forced_query is None))
            self._audit_search(claim.ticket_id, report)
            answered = answered or any(outcome.error is None for outcome in report.outcomes)
            for result in report.results:
                if release_key(result) not in blocked:
                    found.setdefault(release_key(result), result)
            scored = self.matcher.score(spec, list(found.values()))
            decision = decide(scored, threshold)
            if decision.outcome is Outcome.AUTO_APPROVE or self.stopping:
                break
        if not answered:
            errors = "; ".join(sorted({o.error or "" for o in report.outcomes}))
            raise IndexerError(f"no indexer answered: {errors}", hint="`qtorrentino doctor` checks the indexers")
        self._conclude(claim.ticket_id, spec, scored, decision, threshold, queries)

    def _audit_search(self, ticket_id: str, report: SearchReport) -> None:
        with self.context.uow() as outbox:
            for outcome in report.outcomes:
                self.context.audit.record(outbox, "SearchExecuted", ticket_id=ticket_id, actor="engine", data={
                    "indexer": outcome.indexer, "query": outcome.query, "results_count": len(outcome.results),
                    "duration_ms": outcome.duration_ms, "error": outcome.error, "cached": outcome.cached})

    def _conclude(self, ticket_id: str, spec: TicketSpec, scored: Sequence[ScoredCandidate], decision: Decision,
                  threshold: float, queries: Sequence[str]) -> None:
        commands = self.context.tickets
        with self.context.uow() as outbox:
            store_candidates(ticket_id, scored)
            self.context.audit.record(outbox, "MatchingCompleted", ticket_id=ticket_id, actor="engine", data={
                "matcher": self.matcher.name, "candidates": audit_candidates(scored),
                "selected_rank": decision.recommended_rank, "confidence": round(decision.confidence, 4),
                "threshold": threshold, "outcome": decision.outcome.value, "reason": decision.reason,
                "queries": list(queries)})
            if spec.dry_run:
                commands.transition(outbox, ticket_id, TicketState.DRY_RUN_COMPLETE, actor="engine",
                                    reason=f"dry run: {decision.reason}")
            elif decision.outcome is Outcome.AUTO_APPROVE:
                chosen = scored[0].result
                commands.transition(outbox, ticket_id, TicketState.AUTO_APPROVED, actor="engine",
                                    reason=decision.reason, chosen_rank=0, info_hash=chosen.info_hash,
                                    forced_query=None)
            elif decision.outcome is Outcome.NEEDS_APPROVAL:
                commands.transition(outbox, ticket_id, TicketState.NEEDS_APPROVAL, actor="engine",
                                    reason=decision.reason, forced_query=None)
                top = scored[0].result
                self.context.audit.record(outbox, "ApprovalRequested", ticket_id=ticket_id, actor="engine", data={
                    "candidate_rank": decision.recommended_rank, "info_hash": top.info_hash, "correction": False,
                    "reason": decision.reason})
            else:
                tried = ", ".join(f'"{query}"' for query in queries)
                commands.transition(outbox, ticket_id, TicketState.ACQUISITION_FAILED, actor="engine",
                                    reason=f"{decision.reason} (queries tried: {tried})", forced_query=None)
        self.context.wake_stage(TicketState.AUTO_APPROVED)

    def _take_from_catalog(self, ticket_id: str, spec: TicketSpec, hit: CatalogHit) -> None:
        """A torrent we already have holds every requested item: no new download."""
        commands = self.context.tickets
        with self.context.uow() as outbox:
            CandidateRow.delete().where(CandidateRow.ticket == ticket_id).execute()
            CandidateRow.create(ticket=ticket_id, rank=0, score=1.0, title=hit.name, info_hash=hit.info_hash,
                                indexer="catalog", size=hit.size, reasons=[hit.reason], mapping=hit.mapping_json,
                                files=hit.files_json)
            self.context.audit.record(outbox, "MatchingCompleted", ticket_id=ticket_id, actor="engine", data={
                "matcher": "catalog", "candidates": [{"rank": 0, "title": hit.name, "info_hash": hit.info_hash,
                                                      "score": 1.0, "reasons": [hit.reason]}],
                "selected_rank": 0, "confidence": 1.0, "threshold": threshold_for(
                    spec, self.context.config.textbrain.auto_approve_threshold), "outcome": "auto_approved",
                "reason": hit.reason, "queries": []})
            commands.transition(outbox, ticket_id, TicketState.AUTO_APPROVED, actor="engine", reason=hit.reason,
                                chosen_rank=0, info_hash=hit.info_hash)
        self.context.wake_stage(TicketState.AUTO_APPROVED)

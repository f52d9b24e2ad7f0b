"""Acquiring: held torrents and the query ladder over the indexers, scored together, then one decision."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qtorrentino.db.models import TicketRow
from qtorrentino.domain.states import TicketState
from qtorrentino.domain.ticket import MUSIC_KINDS, TicketKind, TicketSpec
from qtorrentino.errors import IndexerError
from qtorrentino.metadata.cache import MetadataCache
from qtorrentino.search.indexers import IndexerSet, SearchReport
from qtorrentino.search.result import SearchResult
from qtorrentino.search.torznab_request import SearchRequest
from qtorrentino.textbrain.decide import Decision, Outcome, decide, scoring_spec, threshold_for
from qtorrentino.textbrain.matching import Consultation, Matched, TextBrain
from qtorrentino.textbrain.queries import build_queries
from qtorrentino.textbrain.score import ScoredCandidate
from qtorrentino.tickets.claims import Claim
from qtorrentino.tickets.service import Outbox
from qtorrentino.workers.base import BaseWorker, WorkerContext
from qtorrentino.workers.candidates import audit_candidates, release_key, store_candidates
from qtorrentino.workers.catalog_lookup import catalog_candidates
from qtorrentino.workers.library_status import mark_library_items
from qtorrentino.workers.stages import ACQUISITION, owned_by
from qtorrentino.workers.watch_outcome import WatchRound, only_upgrades

log = logging.getLogger(__name__)

MAX_QUERIES = 4
"""Rungs of the query ladder tried before settling for what was found (and of LLM query variants)."""


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


@dataclass(frozen=True, slots=True)
class _Round:
    """Where a run of searches left the ticket: its candidates scored, the heuristic decision."""

    scored: list[ScoredCandidate]
    decision: Decision
    answered: bool
    """At least one indexer answered at least one of the searches."""
    errors: str
    """The indexers' errors of the last search, for the message when none answered."""


class AcquisitionWorker(BaseWorker):
    """Turns a pending ticket into ranked, explained candidates and a decision."""

    stages = owned_by(ACQUISITION)
    name = ACQUISITION

    def __init__(self, context: WorkerContext, indexers: IndexerSet, *, brain: TextBrain | None = None,
                 concurrency: int = 1, poll_seconds: float = 2.0) -> None:
        super().__init__(context, concurrency=concurrency, poll_seconds=poll_seconds)
        self.indexers = indexers
        self.brain = brain or TextBrain.from_config(context.config.textbrain,
                                                    cache=MetadataCache(context.clock))

    def process(self, claim: Claim) -> None:
        commands = self.context.tickets
        if claim.state is TicketState.PENDING:
            with self.context.uow() as outbox:
                commands.transition(outbox, claim.ticket_id, TicketState.ACQUIRING, reason="acquisition started",
                                    actor="engine")
                mark_library_items(self.context, claim.ticket_id, "wanted")
        detail = commands.get(claim.ticket_id)
        spec = scoring_spec(detail.spec, self.context.config)
        blocked = commands.blocklisted(claim.ticket_id)
        threshold = threshold_for(spec, self.context.config.textbrain.auto_approve_threshold)
        watched = WatchRound.of(claim.ticket_id)
        rank = self._ranker(spec, watched, threshold)
        found = {release_key(result): result for result in [*catalog_candidates(spec, exclude=blocked),
                                                             *watched.pinned]
                 if release_key(result) not in blocked}
        scored = rank(list(found.values()))
        if decide(scored, threshold).outcome is Outcome.AUTO_APPROVE and (watched.pinned
                                                                         or not self.indexers.names):
            self._conclude(claim.ticket_id, spec, self.brain.conclude(spec, scored, threshold), threshold, [],
                           watched)
            return
        queries = [detail.forced_query] if detail.forced_query else build_queries(spec)[:MAX_QUERIES]
        searched = self._search(claim.ticket_id, spec, queries, found, blocked, threshold, rank,
                                structured=detail.forced_query is None)
        if not searched.answered:
            raise IndexerError(f"no indexer answered: {searched.errors}",
                               hint="`qtorrentino doctor` checks the indexers")
        asked: list[Consultation] = []
        variants = (self.brain.query_variants(spec, queries)
                    if detail.forced_query is None and self.brain.wants_variants(searched.decision) else None)
        if variants is not None:
            asked.append(variants)
            extra = list(variants.advice.value or ())[:MAX_QUERIES]
            if extra:
                searched = self._search(claim.ticket_id, spec, extra, found, blocked, threshold, rank,
                                        structured=False, query_from="llm")
                queries = [*queries, *extra]
        matched = self.brain.conclude(spec, searched.scored, threshold, asked)
        self._conclude(claim.ticket_id, spec, matched, threshold, queries, watched)

    def _ranker(self, spec: TicketSpec, watched: WatchRound,
                threshold: float) -> Callable[[list[SearchResult]], list[ScoredCandidate]]:
        """The one scorer, told the ticket's threshold; in an upgrade search a release that is not
        better is rejected as no upgrade."""
        floor = watched.floor
        if floor is None:
            return lambda results: self.brain.rank(spec, results, threshold)
        return lambda results: only_upgrades(self.brain.rank(spec, results, threshold), floor,
                                             spec.kind.value)

    def _search(self, ticket_id: str, spec: TicketSpec, queries: Sequence[str], found: dict[str, SearchResult],
                blocked: set[str], threshold: float, rank: Callable[[list[SearchResult]], list[ScoredCandidate]],
                *, structured: bool, query_from: str | None = None) -> _Round:
        """Search rung by rung, adding what is new to found, until the heuristics would approve."""
        answered = False
        errors = ""
        scored: list[ScoredCandidate] = []
        decision = decide(scored, threshold)
        for rung, query in enumerate(queries):
            report = self.indexers.search(search_request(spec, query, structured=structured and rung == 0))
            self._audit_search(ticket_id, report, query_from)
            answered = answered or any(outcome.error is None for outcome in report.outcomes)
            errors = "; ".join(sorted({o.error or "" for o in report.outcomes}))
            for result in report.results:
                if release_key(result) not in blocked:
                    found.setdefault(release_key(result), result)
            scored = rank(list(found.values()))
            decision = decide(scored, threshold)
            if decision.outcome is Outcome.AUTO_APPROVE or self.stopping:
                break
        return _Round(scored, decision, answered, errors)

    def _audit_search(self, ticket_id: str, report: SearchReport, query_from: str | None) -> None:
        with self.context.uow() as outbox:
            for outcome in report.outcomes:
                data: dict[str, object] = {"indexer": outcome.indexer, "query": outcome.query,
                        "results_count": len(outcome.results), "duration_ms": outcome.duration_ms,
                        "error": outcome.error, "cached": outcome.cached}
                if query_from is not None:
                    data["query_from"] = query_from
                self.context.audit.record(outbox, "SearchExecuted", ticket_id=ticket_id, actor="engine", data=data)

    def _conclude(self, ticket_id: str, spec: TicketSpec, matched: Matched, threshold: float,
                  queries: Sequence[str], watched: WatchRound) -> None:
        commands = self.context.tickets
        scored, decision, failure = matched.scored, matched.decision, matched.failure
        if spec.dry_run:
            failure = None
        with self.context.uow() as outbox:
            if TicketRow.get_by_id(ticket_id).state != TicketState.ACQUIRING.value:
                log.info("acquisition: ticket %s moved on meanwhile (a person acted); dropping this round",
                         ticket_id)
                return
            store_candidates(ticket_id, scored)
            self.context.audit.record(outbox, "MatchingCompleted", ticket_id=ticket_id, actor="engine", data={
                "candidates": audit_candidates(matched.ranking),
                "selected_rank": decision.recommended_rank, "confidence": round(decision.confidence, 4),
                "threshold": threshold, "outcome": "failed" if failure else decision.outcome.value,
                "reason": failure.message if failure else decision.reason, "queries": list(queries),
                **matched.audit_fields()})
            if spec.dry_run:
                commands.transition(outbox, ticket_id, TicketState.DRY_RUN_COMPLETE, actor="engine",
                                    reason=f"dry run: {decision.reason}")
            elif failure is None and not watched.concluded(outbox, self.context, spec, scored, decision):
                self._move(outbox, ticket_id, scored, decision, queries)
        if failure is not None:
            raise failure
        self.context.wake_stage(TicketState.AUTO_APPROVED)

    def _move(self, outbox: Outbox, ticket_id: str, scored: Sequence[ScoredCandidate], decision: Decision,
              queries: Sequence[str]) -> None:
        """The ticket's next state as the decision says, in the decision's unit of work."""
        commands = self.context.tickets
        if decision.outcome is Outcome.AUTO_APPROVE and decision.recommended_rank is not None:
            chosen = scored[decision.recommended_rank].result
            commands.transition(outbox, ticket_id, TicketState.AUTO_APPROVED, actor="engine",
                                reason=decision.reason, chosen_rank=decision.recommended_rank,
                                info_hash=chosen.info_hash, forced_query=None)
        elif decision.outcome is Outcome.NEEDS_APPROVAL:
            commands.transition(outbox, ticket_id, TicketState.NEEDS_APPROVAL, actor="engine",
                                reason=decision.reason, forced_query=None)
            top = scored[decision.recommended_rank or 0].result
            self.context.audit.record(outbox, "ApprovalRequested", ticket_id=ticket_id, actor="engine", data={
                "candidate_rank": decision.recommended_rank, "info_hash": top.info_hash, "correction": False,
                "reason": decision.reason})
        else:
            tried = ", ".join(f'"{query}"' for query in queries)
            commands.transition(outbox, ticket_id, TicketState.ACQUISITION_FAILED, actor="engine",
                                reason=f"{decision.reason} (queries tried: {tried})", forced_query=None)

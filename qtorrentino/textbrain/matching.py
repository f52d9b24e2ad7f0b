"""The matcher modes: when the LLM is asked, and what its answer or its failure does to the decision.

The decision itself is always decide()'s one rule (hard constraints, red flags, the ticket's threshold,
a clear margin); the LLM only supplies scores for the candidates it saw. See docs/llm.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from qtorrentino.errors import ConfigError, LlmError, QtorrentinoError
from qtorrentino.textbrain.decide import (
    Decision,
    DumbMatcher,
    Matcher,
    Outcome,
    decide,
)
from qtorrentino.textbrain.judged import Ranking, judged_ranking, shown_to_judge
from qtorrentino.textbrain.llm.advisor import LlmAdvisor
from qtorrentino.textbrain.llm.exchange import Discard
from qtorrentino.textbrain.llm.judgements import JOB as JUDGE_JOB
from qtorrentino.textbrain.llm.query_variants import JOB as VARIANTS_JOB
from qtorrentino.textbrain.score import in_full

if TYPE_CHECKING:
    from collections.abc import Sequence

    from qtorrentino.config.model import TextbrainConfig
    from qtorrentino.domain.ticket import TicketSpec
    from qtorrentino.search.result import SearchResult
    from qtorrentino.textbrain.llm.client import ResponseCache
    from qtorrentino.textbrain.llm.exchange import Advice
    from qtorrentino.textbrain.score import ScoredCandidate


class MatcherMode(StrEnum):
    """[textbrain] mode."""

    DUMB_ONLY = "dumb_only"
    """Heuristics only."""
    DUMB_FIRST = "dumb_first"
    """Heuristics; the LLM judges only when they cannot approve alone (below the threshold, no clear
    margin, nothing resembling the ticket) and suggests queries when the searches find nothing."""
    LLM_FIRST = "llm_first"
    """The LLM judges every decision; the heuristics decide alone when it gives no usable answer."""
    LLM_ONLY = "llm_only"
    """The LLM judges every decision; without a usable answer a person decides or the ticket fails
    naming the LLM problem: never an approval on heuristics alone."""


CONFIG_PROBLEMS = frozenset({Discard.AUTH, Discard.MODEL_MISSING})
"""Answers no retry can fix: the config must change (llm_only fails the ticket, not retryable)."""
PASSING_PROBLEMS = frozenset({Discard.UNREACHABLE, Discard.TIMEOUT, Discard.RATE_LIMITED,
                              Discard.HTTP_ERROR})
"""The server could not answer now (llm_only fails the ticket, retried with backoff)."""
LLM_APPROVAL_FLOOR = 0.5
"""The LLM approves only a candidate the heuristics score at least this (most of what the ticket
names is there): a title that talks a model into 0.99 must still look like the ticket."""
STATED_FACTS = frozenset({"year", "edition"})
"""Facts a ticket states that a release name can contradict outright (2018 for a 2009 ticket, another
edition): the LLM may not overrule one, however sure it is."""
CONTRADICTED_AT = 0.5
"""A stated fact's factor at or below this is a contradiction (a year one off or not given is not)."""
RETRY_HINT = "retried automatically; `qtorrentino doctor` checks the LLM"


@dataclass(frozen=True, slots=True)
class Consultation:
    """One question put to the LLM during a decision, and what came of it."""

    job: str
    """query_variants | judge_candidates."""
    advice: Advice[Any]

    def audit_fields(self) -> dict[str, Any]:
        return {"job": self.job, **self.advice.audit_fields()}


@dataclass(frozen=True, slots=True)
class Matched:
    """A decision with its ranking, the matcher that made it and what the LLM was asked."""

    ranking: Ranking
    decision: Decision
    matcher: str
    """dumb | llm | dumb+llm: DESIGN's MatchingCompleted.matcher."""
    consultations: tuple[Consultation, ...] = ()
    failure: QtorrentinoError | None = None
    """llm_only without a usable answer that a retry or a config change may bring: the ticket fails
    with this after the decision is recorded."""

    @property
    def scored(self) -> list[ScoredCandidate]:
        return self.ranking.scored

    def audit_fields(self) -> dict[str, Any]:
        """MatchingCompleted's matcher and llm_* keys: the decisive consultation, costs summed."""
        fields: dict[str, Any] = {"matcher": self.matcher}
        if not self.consultations:
            return fields
        uses = [consultation.advice.use for consultation in self.consultations]
        fields.update(self.consultations[-1].advice.audit_fields())
        fields.update(prompt_tokens=sum(use.prompt_tokens for use in uses),
                      completion_tokens=sum(use.completion_tokens for use in uses),
                      llm_latency_ms=sum(use.latency_ms for use in uses),
                      llm_cached=all(use.cached for use in uses),
                      llm_jobs=[consultation.audit_fields() for consultation in self.consultations])
        return fields


class TextBrain:
    """Scores candidates and decides under the configured mode, asking the LLM when the mode says."""

    def __init__(self, mode: MatcherMode, advisor: LlmAdvisor | None = None,
                 matcher: Matcher | None = None) -> None:
        self.mode = mode if advisor is not None else MatcherMode.DUMB_ONLY
        self.advisor = advisor
        self.matcher = matcher or DumbMatcher()

    @classmethod
    def from_config(cls, config: TextbrainConfig, *, cache: ResponseCache | None = None,
                    mode: MatcherMode | None = None) -> TextBrain:
        """The configured mode (or mode), with an advisor for [textbrain.llm] when it asks the LLM."""
        chosen = mode or MatcherMode(config.mode)
        if chosen is MatcherMode.DUMB_ONLY:
            return cls(chosen)
        return cls(chosen, LlmAdvisor(config.llm, cache=cache))

    def rank(self, spec: TicketSpec, results: Sequence[SearchResult],
             threshold: float | None = None) -> list[ScoredCandidate]:
        """Every result scored by the heuristics, best first (cheap: once per search rung);
        threshold: the ticket's auto-approve threshold, which lets the scorer set more aside."""
        return self.matcher.score(spec, results, threshold)

    def wants_variants(self, decision: Decision) -> bool:
        """Whether to ask the LLM for other queries: the searches found nothing like the ticket."""
        return self.advisor is not None and decision.outcome is Outcome.ACQUISITION_FAILED

    def query_variants(self, spec: TicketSpec, tried: Sequence[str]) -> Consultation | None:
        """The LLM's other queries (alternate titles, transliterations) after tried found nothing."""
        if self.advisor is None:
            return None
        return Consultation(VARIANTS_JOB, self.advisor.query_variants(spec, tried))

    def conclude(self, spec: TicketSpec, scored: Sequence[ScoredCandidate], threshold: float,
                 earlier: Sequence[Consultation] = ()) -> Matched:
        """The decision on a ticket's candidates under the mode; earlier: consultations so far."""
        heuristic = decide(scored, threshold)
        plain = Ranking.heuristic(scored)
        asked = tuple(earlier)
        if self.advisor is None or not self._consults(heuristic, scored):
            return self._alone(plain, heuristic, asked)
        scored = in_full(spec, scored)
        shown = shown_to_judge(scored, self.advisor.max_candidates)
        advice = self.advisor.judge(spec, [candidate.result for candidate in shown])
        asked = (*asked, Consultation(JUDGE_JOB, advice))
        if advice.value is None:
            return self._alone(plain, heuristic, asked)
        ranking = judged_ranking(scored, shown, advice.value, advice.use.model)
        judged = _guarded(decide(ranking.scored, threshold), ranking, heuristic)
        who = f"LLM {advice.use.provider} {advice.use.model}"
        decision = replace(judged, reason=f"{who}: {judged.reason}")
        matcher = "dumb+llm" if self.mode is MatcherMode.DUMB_FIRST else "llm"
        return Matched(ranking, decision, matcher, asked)

    def _consults(self, heuristic: Decision, scored: Sequence[ScoredCandidate]) -> bool:
        """Whether the mode asks the LLM to judge: never when no candidate could be approved."""
        if not any(not candidate.rejected for candidate in scored):
            return False
        return self.mode is not MatcherMode.DUMB_FIRST or heuristic.outcome is not Outcome.AUTO_APPROVE

    def _alone(self, ranking: Ranking, heuristic: Decision,
               asked: tuple[Consultation, ...]) -> Matched:
        """The heuristics' decision, as far as the mode allows it when the LLM judged nothing."""
        helped = any(consultation.advice.usable for consultation in asked)
        matcher = "dumb+llm" if helped else self.matcher.name
        failed = next((c.advice for c in reversed(asked) if c.advice.problem is not None), None)
        if failed is None or failed.problem is None:
            return Matched(ranking, heuristic, matcher, asked)
        said = failed.explain()
        judge_failed = asked[-1].job == JUDGE_JOB and asked[-1].advice is failed
        if self.mode is not MatcherMode.LLM_ONLY or not judge_failed:
            decision = replace(heuristic, reason=f"{heuristic.reason} (heuristics alone; {said})")
            return Matched(ranking, decision, matcher, asked)
        problem = failed.problem
        failure: QtorrentinoError | None = None
        if problem.reason in CONFIG_PROBLEMS:
            failure = ConfigError(said, hint=problem.hint)
        elif problem.reason in PASSING_PROBLEMS:
            failure = LlmError(said, reason=problem.reason.value, hint=problem.hint or RETRY_HINT)
        return Matched(ranking, _person_decides(heuristic, ranking, said), matcher, asked, failure)


def _person_decides(heuristic: Decision, ranking: Ranking, said: str) -> Decision:
    """llm_only without an answer: what the heuristics would approve waits for a person instead."""
    if heuristic.outcome is Outcome.ACQUISITION_FAILED:
        return replace(heuristic, reason=f"{heuristic.reason} ({said})")
    rank = heuristic.recommended_rank or 0
    top = ranking.scored[rank]
    return Decision(Outcome.NEEDS_APPROVAL, rank, heuristic.confidence,
                    f"{said}; llm_only approves nothing on heuristics alone, a person decides "
                    f"(heuristics recommend {top.result.title}, {top.score:.2f})")


def _guarded(decision: Decision, ranking: Ranking, heuristic: Decision) -> Decision:
    """The LLM may not approve what the heuristics find unlike the ticket (below LLM_APPROVAL_FLOOR) or
    whose name contradicts a year or edition the ticket states, nor fail a ticket for which they found
    something like it: a person decides each."""
    rank = decision.recommended_rank
    if decision.outcome is Outcome.AUTO_APPROVE and rank is not None:
        top, origin = ranking.scored[rank], ranking.provenance[rank]
        if origin.llm is not None and origin.dumb < LLM_APPROVAL_FLOOR:
            return Decision(Outcome.NEEDS_APPROVAL, rank, decision.confidence,
                            f"the LLM rates {top.result.title} {origin.llm:.2f} but the heuristics "
                            f"find it unlike the ticket ({origin.dumb:.2f}): a person decides")
        contradicted = [factor.reason for factor in top.factors
                        if factor.name in STATED_FACTS and factor.value <= CONTRADICTED_AT]
        if origin.llm is not None and contradicted:
            return Decision(Outcome.NEEDS_APPROVAL, rank, decision.confidence,
                            f"the LLM rates {top.result.title} {origin.llm:.2f} but its name says "
                            f"{contradicted[0]}: a person decides")
    if (decision.outcome is Outcome.ACQUISITION_FAILED and ranking.scored
            and heuristic.outcome is not Outcome.ACQUISITION_FAILED):
        top = ranking.scored[0]
        return Decision(Outcome.NEEDS_APPROVAL, 0, top.score,
                        f"{decision.reason} by the LLM's judgement, though the heuristics found "
                        "candidates like the ticket: a person decides")
    return decision

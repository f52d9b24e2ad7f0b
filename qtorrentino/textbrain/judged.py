"""The LLM's judgements folded into a ranking: what it saw is re-scored and ranked first, the rest keep
their heuristic scores; broken hard constraints and red flags still count (docs/llm.md)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from qtorrentino.textbrain.factor import Factor
from qtorrentino.textbrain.llm.file_mapping import placed_by_llm
from qtorrentino.textbrain.score import RED_FLAG_PENALTY, ScoredCandidate

if TYPE_CHECKING:
    from collections.abc import Sequence

    from qtorrentino.textbrain.llm.judgements import CandidateJudgement

LLM_FACTOR = "llm"
"""The factor name of an LLM judgement in a candidate's breakdown."""


@dataclass(frozen=True, slots=True)
class Provenance:
    """Which method produced a candidate's score: its heuristic score, and the LLM's when it judged."""

    dumb: float
    llm: float | None = None
    """The model's own 0..1 judgement (before the red-flag penalty)."""
    llm_reason: str | None = None

    @property
    def method(self) -> str:
        """dumb | llm: what the candidate's final score is."""
        return "dumb" if self.llm is None else "llm"

    def audit_fields(self, candidate: ScoredCandidate) -> dict[str, Any]:
        """The per-candidate keys MatchingCompleted adds: each method's score, the LLM's reason."""
        scores: dict[str, float] = {"dumb": round(self.dumb, 4)}
        fields: dict[str, Any] = {"scores": scores, "score_method": self.method,
                                  "mapping_method": mapping_method(candidate)}
        if self.llm is not None:
            scores["llm"] = round(self.llm, 4)
            fields["llm_reason"] = self.llm_reason
        return fields


@dataclass(frozen=True, slots=True)
class Ranking:
    """Candidates in their final order with the provenance of each score."""

    scored: list[ScoredCandidate]
    provenance: tuple[Provenance, ...]

    @classmethod
    def heuristic(cls, scored: Sequence[ScoredCandidate]) -> Ranking:
        """The heuristic ranking as it is: every score the dumb matcher's."""
        return cls(list(scored), tuple(Provenance(candidate.score) for candidate in scored))


def shown_to_judge(scored: Sequence[ScoredCandidate], limit: int) -> list[ScoredCandidate]:
    """What the model is asked about: the best acceptable candidates in heuristic order.

    A candidate that breaks a hard constraint cannot be approved whatever the model says, so it is
    not shown. Replays build the same list from the stored candidates, so they hit the cache.
    """
    return [candidate for candidate in scored if not candidate.rejected][:max(1, limit)]


def judged_ranking(
    scored: Sequence[ScoredCandidate], shown: Sequence[ScoredCandidate],
    judgements: Sequence[CandidateJudgement], model: str,
) -> Ranking:
    """The judged candidates re-scored by the model and ranked first (each red flag still halves the
    score); the others after them in heuristic order, keeping their scores and never outranking what
    the model saw."""
    judged: list[tuple[ScoredCandidate, Provenance]] = []
    for judgement in judgements:
        candidate = shown[judgement.rank]
        score = round(judgement.score * RED_FLAG_PENALTY ** len(candidate.red_flags), 4)
        factor = Factor(LLM_FACTOR, judgement.score, f"LLM {model} {judgement.score:.2f} "
                        f"(heuristics {candidate.score:.2f}): {judgement.reason}")
        judged.append((replace(candidate, score=score, factors=(*candidate.factors, factor)),
                       Provenance(candidate.score, judgement.score, judgement.reason)))
    judged.sort(key=lambda pair: -pair[0].score)
    seen = {id(candidate) for candidate in shown}
    rest = [(candidate, Provenance(candidate.score)) for candidate in scored
            if id(candidate) not in seen]
    ordered = judged + [pair for pair in rest if not pair[0].rejected] + [
        pair for pair in rest if pair[0].rejected]
    return Ranking([pair[0] for pair in ordered], tuple(pair[1] for pair in ordered))


def mapping_method(candidate: ScoredCandidate) -> str | None:
    """dumb | dumb+llm (the model placed some files) | None (no file list known)."""
    if candidate.mapping is None:
        return None
    by_llm = any(placed_by_llm(entry) for entry in candidate.mapping.assignments)
    return "dumb+llm" if by_llm else "dumb"

"""Job (b): the model scores the top candidates 0..1, a reason each; checked before it counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qtorrentino.textbrain.llm import shape
from qtorrentino.textbrain.llm.exchange import Discard, LlmRequest, discarded
from qtorrentino.textbrain.llm.prompt_data import (
    STRANGERS_NOTE,
    candidate_data,
    listing,
    ticket_data,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from qtorrentino.domain.ticket import TicketSpec
    from qtorrentino.search.result import SearchResult

JOB = "judge_candidates"
MAX_REASON_CHARS = 300
MAX_ENTRIES = 100
SYSTEM = (
    "You judge torrent search results for one media request. For every candidate give a score from "
    "0 to 1: how sure you are that it is exactly the wanted content (the right artist and album or "
    "edition, movie and year, series, season and episodes), complete and usable. Score low for "
    "covers, tributes, karaoke, live or remixed versions, compilations, another edition or year, "
    "samples, trailers, missing files and executables. Alternate titles, transliterations and "
    "remasters of the same recording may still be right. Judge each candidate exactly once, by its "
    "number, with one short sentence of reasoning. " + STRANGERS_NOTE
)
SCHEMA = shape.object_schema({"judgements": {"type": "array", "items": shape.object_schema({
    "candidate": {"type": "integer"}, "score": {"type": "number"}, "reason": {"type": "string"}})}})


@dataclass(frozen=True, slots=True)
class CandidateJudgement:
    """The model's view of one candidate."""

    rank: int
    """The candidate's place in the list it was shown (0 = the heuristic's best)."""
    score: float
    """0..1."""
    reason: str


def judge_request(spec: TicketSpec, candidates: Sequence[SearchResult]) -> LlmRequest:
    """The question for these candidates (already cut to max_candidates), best first."""
    shown = [candidate_data(number, result) for number, result in enumerate(candidates)]
    prompt = listing([("Wanted", ticket_data(spec)), ("Candidates", shown)])
    return LlmRequest(job=JOB, system=SYSTEM, prompt=prompt, schema=SCHEMA,
                      max_tokens=200 + 120 * len(shown))


def judgement_validator(shown: int) -> Callable[[Any], tuple[CandidateJudgement, ...]]:
    """A validator for an answer about `shown` candidates: every one judged once, scores in 0..1."""

    def validate(answer: Any) -> tuple[CandidateJudgement, ...]:
        entries = shape.array(shape.obj(answer, ("judgements",), "the answer")["judgements"],
                              "judgements", MAX_ENTRIES)
        found: dict[int, CandidateJudgement] = {}
        for position, raw in enumerate(entries):
            where = f"judgement {position}"
            entry = shape.obj(raw, ("candidate", "score", "reason"), where)
            number = shape.integer(entry["candidate"], f"{where}.candidate")
            if not 0 <= number < shown:
                raise discarded(Discard.UNKNOWN_CANDIDATE, f"{where} names candidate {number}; "
                                f"only 0..{shown - 1} were shown")
            if number in found:
                raise discarded(Discard.DUPLICATE, f"candidate {number} was judged twice")
            score = shape.number(entry["score"], f"{where}.score")
            if not 0.0 <= score <= 1.0:
                raise discarded(Discard.OUT_OF_RANGE, f"{where} scores candidate {number} "
                                f"{score:g}, outside 0..1")
            reason = shape.text(entry["reason"], f"{where}.reason", MAX_REASON_CHARS)
            found[number] = CandidateJudgement(number, score, reason)
        missing = [number for number in range(shown) if number not in found]
        if missing:
            raise discarded(Discard.INCOMPLETE, "candidate(s) "
                            f"{', '.join(map(str, missing))} were not judged")
        return tuple(found[number] for number in range(shown))

    return validate

"""The labelled cases (tests/data) decided by the engine's TextBrain in an LLM mode, the model being a
loopback server that answers as a script says: from the labels (oracle), everything 0.99 (gullible,
as a model a title talked into it would be), or against the labels (contrarian).

Matching cases are decided on their own; decision cases as acquisition offers them (indexer results
and the held torrents that can serve the ticket), each as its own ticket (no linking).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from qtorrentino.domain.ticket import TicketSpec
from qtorrentino.domain.ticket_json import spec_from_json
from qtorrentino.search.result import SearchResult
from qtorrentino.textbrain.decide import Outcome, decide, scoring_spec, threshold_for
from qtorrentino.textbrain.matching import TextBrain
from qtorrentino.textbrain.score import CATALOG_INDEXER
from qtorrentino.workers.catalog_lookup import offerable
from tests.benchmarks.bench_matching import DATA
from tests.benchmarks.bench_matching import results_of as matching_results
from tests.decision_cases import config_for, load_cases
from tests.decision_cases import results_of as decision_results
from tests.servers.llm import LlmServer, prompt_section

THRESHOLD = 0.85


@dataclass(frozen=True)
class Case:
    """One labelled decision: the ticket as scoring sees it, its candidates, the right indexes."""

    description: str
    spec: TicketSpec
    results: list[SearchResult]
    threshold: float
    right: frozenset[int]


def labelled_cases() -> list[Case]:
    """Every matching case and every decision case, as the engine would decide them."""
    cases = []
    for raw in json.loads((DATA / "matching_cases.json").read_text(encoding="utf-8")):
        spec = spec_from_json(raw["ticket"])
        cases.append(Case(raw["description"], spec, matching_results(raw),
                          threshold_for(spec, THRESHOLD), frozenset(raw["right"])))
    for raw in load_cases():
        spec = scoring_spec(spec_from_json(raw["ticket"]), config_for(raw, THRESHOLD))
        results = decision_results(raw)
        held = [result for result in results if result.indexer == CATALOG_INDEXER]
        offered = {result.info_hash for result in offerable(spec, held)}
        results = [result for result in results
                   if result.indexer != CATALOG_INDEXER or result.info_hash in offered]
        cases.append(Case(raw["description"], spec, results, threshold_for(spec, THRESHOLD),
                          frozenset(raw["right"])))
    return cases


Script = Callable[[Case, dict[str, Any]], float]
"""How the scripted model scores one shown candidate of a case."""
SCRIPTS: dict[str, Script] = {
    "oracle": lambda case, shown: 0.95 if _right(case, shown) else 0.05,
    "gullible": lambda case, shown: 0.99,
    "contrarian": lambda case, shown: 0.05 if _right(case, shown) else 0.95,
}


def _right(case: Case, shown: dict[str, Any]) -> bool:
    """Whether a candidate the model was shown is labelled right (by its title and source)."""
    return any(int(result.info_hash or "0", 16) in case.right for result in case.results
               if (result.title, result.indexer) == (shown["title"], shown["indexer"]))


def scripted(server: LlmServer, case: Case, script: Script) -> None:
    """Make the server answer the next questions about case by script."""

    def respond(body: dict[str, Any]) -> Any:
        return {"judgements": [{"candidate": shown["candidate"], "score": script(case, shown),
                                "reason": "scripted"}
                               for shown in prompt_section(body, "Candidates")]}

    server.responder = respond


@dataclass
class Tally:
    """What a mode did with every case."""

    low_confidence: int = 0
    """Cases the heuristics could not approve alone (with an acceptable candidate)."""
    consulted: int = 0
    consulted_confident: int = 0
    """Cases the heuristics approved alone that the LLM was asked about anyway."""
    approved: int = 0
    approved_right: int = 0
    heuristic_approved: int = 0
    wrong: list[str] = field(default_factory=list)

    @property
    def precision(self) -> str:
        if not self.approved:
            return "n/a"
        return f"{self.approved_right}/{self.approved} = {self.approved_right / self.approved:.1%}"


def decide_all(brain: TextBrain, server: LlmServer, cases: list[Case], script: Script) -> Tally:
    """Decide every case through brain, counting consultations by the server's requests."""
    tally = Tally()
    for case in cases:
        scored = brain.rank(case.spec, case.results)
        alone = decide(scored, case.threshold).outcome is Outcome.AUTO_APPROVE
        tally.heuristic_approved += alone
        tally.low_confidence += not alone and any(not c.rejected for c in scored)
        scripted(server, case, script)
        before = server.chat_count
        matched = brain.conclude(case.spec, scored, case.threshold)
        asked = server.chat_count > before
        tally.consulted += asked
        tally.consulted_confident += asked and alone
        decision = matched.decision
        if decision.outcome is Outcome.AUTO_APPROVE and decision.recommended_rank is not None:
            chosen = int(matched.scored[decision.recommended_rank].result.info_hash or "0", 16)
            tally.approved += 1
            if chosen in case.right:
                tally.approved_right += 1
            else:
                tally.wrong.append(f"{case.description} (chose "
                                   f"{matched.scored[decision.recommended_rank].result.title})")
    return tally

"""The labelled decision cases (tests/data/decision_cases.json) run through the engine's own rules.

Each case is a ticket and its candidates, from the indexer or held in the torrent catalog, with the
candidates a person would accept (`right`); a linked case adds an existing ticket in some state and
whether the new ticket should follow it. Catalog candidates are offered as acquisition offers them
(only those whose files serve the ticket); every candidate is scored and decided by the one rule.
A linked ticket gets its primary's decision: it counts on the linked path, judged against what the
new ticket would accept.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qtorrentino.config.model import Config, LibraryConfig, PathsConfig, TextbrainConfig
from qtorrentino.domain.files import FileEntry
from qtorrentino.domain.states import TicketState
from qtorrentino.domain.ticket_json import spec_from_json
from qtorrentino.search.result import SearchResult
from qtorrentino.textbrain.decide import Outcome, decide, scoring_spec, threshold_for
from qtorrentino.textbrain.score import CATALOG_INDEXER, score_candidates
from qtorrentino.tickets.creation import relation_to
from qtorrentino.workers.catalog_lookup import offerable

DATA = Path(__file__).resolve().parent / "data" / "decision_cases.json"
PATHS = ("indexer", "catalog", "linked")


def load_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads(DATA.read_text(encoding="utf-8"))
    return cases


def config_for(case: dict[str, Any], threshold: float) -> Config:
    """The libraries the cases name; Music takes the case's library_format (else copy)."""
    root = Path("/nonexistent")
    libraries = (LibraryConfig(name="Music", kind="music", path=root / "music",
                               format=case.get("library_format", "copy")),
                 LibraryConfig(name="Movies", kind="movies", path=root / "movies"),
                 LibraryConfig(name="Movies 4K", kind="movies", path=root / "movies4k"),
                 LibraryConfig(name="TV", kind="tv", path=root / "tv"))
    return Config(PathsConfig(root / "downloads", root / "staging"), libraries=libraries,
                  textbrain=TextbrainConfig(auto_approve_threshold=threshold))


def results_of(case: dict[str, Any]) -> list[SearchResult]:
    """The case's candidates as results; their info-hash is their index, catalog ones carry their files."""
    return [SearchResult(title=entry["title"], indexer=CATALOG_INDEXER if entry["source"] == "catalog" else "bench",
                         size=entry["size"], seeders=entry.get("seeders"), info_hash=f"{index:040x}",
                         files=tuple(FileEntry(number, file["path"], file["size"])
                                     for number, file in enumerate(entry.get("files", ()))))
            for index, entry in enumerate(case["candidates"])]


@dataclass(frozen=True)
class Outcomes:
    """What the rules did with every case at one threshold."""

    approved: Counter[str] = field(default_factory=Counter)
    """Auto-approvals by path (the chosen candidate's source, or linked)."""
    right: Counter[str] = field(default_factory=Counter)
    """Auto-approvals by path that chose a right candidate."""
    links_right: int = 0
    links_total: int = 0
    wrong: list[str] = field(default_factory=list)
    """Descriptions of cases decided wrongly (a wrong approval or a wrong link decision)."""


def chosen_by_rules(ticket: dict[str, Any], case: dict[str, Any], config: Config) -> int | None:
    """The candidate index the rules auto-approve for a ticket, or None."""
    spec = scoring_spec(spec_from_json(ticket), config)
    results = results_of(case)
    held = [result for result in results if result.indexer == CATALOG_INDEXER]
    offered = {result.info_hash for result in offerable(spec, held)}
    candidates = [result for result in results if result.indexer != CATALOG_INDEXER or result.info_hash in offered]
    scored = score_candidates(spec, candidates)
    decision = decide(scored, threshold_for(spec, config.textbrain.auto_approve_threshold))
    if decision.outcome is not Outcome.AUTO_APPROVE or decision.recommended_rank is None:
        return None
    return int(scored[decision.recommended_rank].result.info_hash or "0", 16)


def evaluate(cases: list[dict[str, Any]], threshold: float) -> Outcomes:
    outcomes = Outcomes()
    links_right = links_total = 0
    for case in cases:
        config = config_for(case, threshold)
        right = set(case["right"])
        deciding = case["ticket"]
        path: str | None = None
        if "active" in case:
            active = spec_from_json(case["active"])
            relation = relation_to(active, TicketState(case["active_state"]), spec_from_json(case["ticket"]), config)
            linked = relation is not None
            links_total += 1
            links_right += linked == case["linked"]
            if linked != case["linked"]:
                outcomes.wrong.append(f"link: {case['description']}")
            if linked:
                deciding, path = case["active"], "linked"
        chosen = chosen_by_rules(deciding, case, config)
        if chosen is None:
            continue
        path = path or ("catalog" if case["candidates"][chosen]["source"] == "catalog" else "indexer")
        outcomes.approved[path] += 1
        if chosen in right:
            outcomes.right[path] += 1
        else:
            outcomes.wrong.append(f"{path}: {case['description']} (chose {case['candidates'][chosen]['title']})")
    return Outcomes(outcomes.approved, outcomes.right, links_right, links_total, outcomes.wrong)

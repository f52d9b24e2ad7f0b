"""A person's pick (force-magnet) judged by the one scorer, under the ticket's rules, like any candidate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qtorrentino.search.result import SearchResult
from qtorrentino.textbrain.decide import scoring_spec
from qtorrentino.textbrain.score import score_candidates
from qtorrentino.tickets.service import CandidateJudge, Judged

if TYPE_CHECKING:
    from qtorrentino.config.model import Config
    from qtorrentino.domain.ticket import TicketSpec

MANUAL_INDEXER = "manual"
"""The indexer name of a candidate a person gave (force-magnet)."""


def person_pick_judge(config: Config) -> CandidateJudge:
    """A judge for force-magnet: the release named by the magnet scored as any candidate would be."""

    def judge(spec: TicketSpec, title: str, info_hash: str) -> Judged:
        release = SearchResult(title=title, indexer=MANUAL_INDEXER, info_hash=info_hash)
        scored = score_candidates(scoring_spec(spec, config), [release])[0]
        return Judged(scored.score, scored.reasons, scored.factor_records, scored.rejected)

    return judge

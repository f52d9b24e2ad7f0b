"""A scored candidate and the one rule that combines its factors into a 0..1 score."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qtorrentino.domain.release import ReleaseInfo
from qtorrentino.tickets.views import REJECTED_PREFIX

if TYPE_CHECKING:
    from qtorrentino.search.result import SearchResult
    from qtorrentino.textbrain.factor import Factor
    from qtorrentino.textbrain.filemap import FileMapping

QUALITY_SHARE = 0.3
"""score = identity * (1 - QUALITY_SHARE + QUALITY_SHARE * quality) * RED_FLAG_PENALTY ** flags."""
RED_FLAG_PENALTY = 0.5
"""Each red flag or broken hard constraint halves the score; any of them blocks auto-approval
(see decide)."""
USELESS_BELOW = 0.35
"""When even the best candidate scores below this, nothing found resembles the ticket (decide; the
scorer's pre-check sets other content aside then too)."""
CATALOG_INDEXER = "catalog"
"""The indexer name of candidates the torrent catalog offers (torrents already held)."""


@dataclass(frozen=True, slots=True)
class ScoredCandidate:
    """A search result, its score, the factors behind it, and its file mapping when known."""

    result: SearchResult
    score: float
    """0..1."""
    factors: tuple[Factor, ...]
    mapping: FileMapping | None
    red_flags: tuple[str, ...] = ()
    release: ReleaseInfo = field(default_factory=ReleaseInfo)
    """What the result's title says, as parsed."""
    rejected: tuple[str, ...] = ()
    """The hard constraints it breaks (docs/decisions.md); any of them: never auto-approved."""

    @property
    def reasons(self) -> tuple[str, ...]:
        """A line per factor, red flag, broken hard constraint: what approvals and audits show."""
        return (tuple(factor.reason for factor in self.factors)
                + tuple(f"red flag: {flag}" for flag in self.red_flags)
                + tuple(f"{REJECTED_PREFIX}{why}" for why in self.rejected))

    @property
    def factor_records(self) -> tuple[dict[str, Any], ...]:
        """The factors as a candidate row and the approval screen keep them."""
        return tuple({"name": f.name, "value": round(f.value, 3), "reason": f.reason}
                     for f in self.factors)


def combined(
    log_sum: float, identity_weight: float, quality_sum: float, quality_weight: float
) -> float:
    """Weighted geometric mean of the identity factors times a weighted mean of the quality ones."""
    if not identity_weight:
        return 0.0
    quality = quality_sum / quality_weight if quality_weight else 0.5
    return math.exp(log_sum / identity_weight) * (1 - QUALITY_SHARE + QUALITY_SHARE * quality)


def identity_log(factor: Factor) -> float:
    """An identity factor's term of the geometric mean (a zero counts as 0.01, never -inf)."""
    return factor.weight * math.log(max(factor.value, 0.01))

"""Candidate scoring: per-factor values with one human reason each, combined into a 0..1 score.

The rules live beside it: kind_rules (names per ticket kind), quality_factors (quality, size,
files), verdicts (what a name tells, kept per ticket), wanted (the ticket prepared once), scored
(the result type and how factors combine).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qtorrentino.domain.release import ReleaseInfo
from qtorrentino.domain.similarity import normalise
from qtorrentino.textbrain.factor import Factor
from qtorrentino.textbrain.filemap import map_files
from qtorrentino.textbrain.quality_factors import (
    HELD,
    coverage_factor,
    file_flags,
    seeders_factor,
    size_factor,
    size_label,
)
from qtorrentino.textbrain.release_factors import revision_rank, without_revision
from qtorrentino.textbrain.scored import (
    CATALOG_INDEXER,
    RED_FLAG_PENALTY,
    USELESS_BELOW,
    ScoredCandidate,
    combined,
    identity_log,
)
from qtorrentino.textbrain.unrelated import FAST_PATH_FLOOR
from qtorrentino.textbrain.verdicts import new_verdict
from qtorrentino.textbrain.wanted import Wanted, wanted_for

if TYPE_CHECKING:
    from collections.abc import Sequence

    from qtorrentino.domain.ticket import TicketSpec
    from qtorrentino.search.result import SearchResult

UNPARSED = ReleaseInfo()
"""The parse a set-aside result carries: nothing read (its name was never parsed)."""

__all__ = [
    "CATALOG_INDEXER", "RED_FLAG_PENALTY", "Factor", "ScoredCandidate", "forget_past_scoring",
    "in_full", "score_candidates", "score_in_full",
]


def score_candidates(spec: TicketSpec, results: Sequence[SearchResult],
                     threshold: float | None = None) -> list[ScoredCandidate]:
    """Score every result against the ticket; acceptable ones first, best first (ties: a held
    torrent, more seeders, larger), rejected ones (a broken hard constraint) last. Names that do not
    name the ticket are set aside unparsed (score 0) when a name of it clearly is its content, when
    none even resembles it, or when none reaches the ticket's threshold (given by the engine, which
    knows it): then no such name can change an approval, there being none or no close rival."""
    wanted = wanted_for(spec)
    words = wanted.words
    if words is not None:
        named: list[SearchResult] = []
        aside: list[SearchResult] = []
        for result in results:
            (named if result.files or words.named_by(result.title) else aside).append(result)
        if aside:
            scored = [_score(wanted, result) for result in named]
            best = max((each.score for each in scored if not each.rejected), default=0.0)
            below = threshold is not None and best < threshold
            if best >= FAST_PATH_FLOOR or best < USELESS_BELOW or below:
                unnamed = Factor("name", 0.0, f"does not name {words.label}", 1.0, True)
                scored += [_set_aside(wanted, result, unnamed) for result in aside]
                return _ranked(scored)
    return score_in_full(spec, results)


def score_in_full(spec: TicketSpec, results: Sequence[SearchResult]) -> list[ScoredCandidate]:
    """Every result parsed and scored: what score_candidates gives whenever other content could be
    the close rival of a name of the ticket, and the reference it is measured against."""
    wanted = wanted_for(spec)
    return _ranked([_score(wanted, result) for result in results])


def in_full(spec: TicketSpec, scored: Sequence[ScoredCandidate]) -> list[ScoredCandidate]:
    """The candidates with any the pre-check set aside parsed and scored after all: what an LLM is
    shown must not depend on the pre-check."""
    if all(candidate.release is not UNPARSED for candidate in scored):
        return list(scored)
    return score_in_full(spec, [candidate.result for candidate in scored])


def _ranked(scored: list[ScoredCandidate]) -> list[ScoredCandidate]:
    """Best first: acceptable before rejected, by score and ties; held copies, revisions ahead."""
    scored.sort(key=_rank_key)
    return _revisions_first(_held_first(scored))


def _held_first(scored: list[ScoredCandidate]) -> list[ScoredCandidate]:
    """A held torrent goes before the other copies of the same release (same name): a tie that only
    seeders or a known file list decided, and nothing new to download."""
    held = [candidate for candidate in scored if candidate.result.indexer == CATALOG_INDEXER
            and not candidate.rejected and not candidate.red_flags]
    for candidate in held:
        name = normalise(candidate.result.title)
        ahead = next((index for index, other in enumerate(scored)
                      if other.result.indexer != CATALOG_INDEXER
                      and normalise(other.result.title) == name), None)
        if ahead is not None and ahead < scored.index(candidate):
            scored.remove(candidate)
            scored.insert(ahead, candidate)
    return scored


def _revisions_first(scored: list[ScoredCandidate]) -> list[ScoredCandidate]:
    """A PROPER, REPACK or vN goes before the copies of the same release (the same name but for its
    revision words) that revise less, whatever their seeders: it fixes what they got wrong."""
    revised = [candidate for candidate in scored if revision_rank(candidate.release) > (False, 1)
               and not candidate.rejected and not candidate.red_flags]
    if not revised:
        return scored
    alike = {_copy_key(candidate) for candidate in revised}
    copies: dict[str, list[ScoredCandidate]] = {}
    for candidate in scored:
        if _copy_key(candidate) in alike:
            copies.setdefault(without_revision(candidate.result.title), []).append(candidate)
    for candidate in sorted(revised, key=lambda each: revision_rank(each.release)):
        rank = revision_rank(candidate.release)
        place = {id(each): index for index, each in enumerate(scored)}
        ahead = min((place[id(other)] for other in copies[without_revision(candidate.result.title)]
                     if revision_rank(other.release) < rank), default=None)
        if ahead is not None and ahead < place[id(candidate)]:
            scored.remove(candidate)
            scored.insert(ahead, candidate)
    return scored


def _copy_key(candidate: ScoredCandidate) -> tuple[object, ...]:
    """What copies of one release share, read before their names are compared (cheaper)."""
    release = candidate.release
    return (release.release_group, release.series or release.title, release.episodes)


def _rank_key(scored: ScoredCandidate) -> tuple[bool, float, bool, int, int]:
    """Acceptable before rejected, then by score; on a tie a held torrent, more seeders, larger."""
    result = scored.result
    return (bool(scored.rejected), -scored.score, result.indexer != CATALOG_INDEXER,
            -result.seeders_order, -result.size)


def forget_past_scoring() -> None:
    """Drop what earlier runs kept per ticket and per title; the next run computes it afresh."""
    wanted_for.cache_clear()
    size_label.cache_clear()


def _set_aside(wanted: Wanted, result: SearchResult, unnamed: Factor) -> ScoredCandidate:
    """A result the pre-check set aside unparsed: it scores 0, its one factor says it does not name
    the ticket; a dead swarm, a must_not word and a size out of bounds still show."""
    flags = ("no seeders",) if result.seeders == 0 and result.indexer != CATALOG_INDEXER else ()
    hard = wanted.hard
    rejected: tuple[str, ...] = ()
    if hard.must_not:
        rejected = hard.title_violations(f" {normalise(result.title, drop_article=False)} ", None)
    if hard.min_size_mb or hard.max_size_mb:
        size_violation = hard.size_violation(result.size, size_label(result.size))
        rejected = (*rejected, size_violation) if size_violation else rejected
    return ScoredCandidate(result, 0.0, (unnamed,), None, flags, UNPARSED, rejected)


def _score(wanted: Wanted, result: SearchResult) -> ScoredCandidate:
    """One result: its name's verdict (parsed once per title), seeders, size, files."""
    verdict = wanted.verdicts.get(result.title) or new_verdict(wanted, result.title)
    seeding = HELD if result.indexer == CATALOG_INDEXER else seeders_factor(result.seeders)
    quality_sum = verdict.quality_sum + seeding.weight * seeding.value
    quality_weight = verdict.quality_weight + seeding.weight
    if result.size > 0:
        sized = size_factor(result.size, wanted.min_size_mb, wanted.max_size_mb,
                            verdict.small_mb, verdict.small_reason)
        quality_sum += sized.weight * sized.value
        quality_weight += sized.weight
        factors = (*verdict.factors, seeding, sized)
    else:
        factors = (*verdict.factors, seeding)
    log_sum, identity_weight = verdict.log_sum, verdict.identity_weight
    flags = verdict.flags + verdict.word_flags
    rejected = verdict.hard
    mapping = map_files(wanted.spec, result.files) if result.files else None
    if mapping is not None:
        coverage = coverage_factor(mapping)
        log_sum += identity_log(coverage)
        identity_weight += coverage.weight
        factors = (*factors, coverage)
        listed = file_flags(wanted.spec, result)
        flags = (*verdict.flags, *listed, *verdict.word_flags)
        rejected = (*rejected, *listed)
    if result.seeders == 0 and result.indexer != CATALOG_INDEXER:
        flags = (*flags, "no seeders")
    if wanted.min_size_mb or wanted.max_size_mb:
        size_violation = wanted.hard.size_violation(result.size, size_label(result.size))
        rejected = (*rejected, size_violation) if size_violation else rejected
    score = combined(log_sum, identity_weight, quality_sum, quality_weight)
    problems = len(flags) + sum(1 for why in rejected if why not in flags)
    if problems:
        score *= RED_FLAG_PENALTY ** problems
    return ScoredCandidate(result, round(score, 4), factors, mapping, flags, verdict.release,
                           tuple(rejected))

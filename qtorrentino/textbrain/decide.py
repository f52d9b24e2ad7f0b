"""The approval decision: auto-approve, ask a person, or give up; precision first."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from qtorrentino.domain.similarity import normalise
from qtorrentino.domain.ticket import effective_format
from qtorrentino.textbrain.score import ScoredCandidate, score_candidates
from qtorrentino.textbrain.scored import USELESS_BELOW as USELESS_BELOW

if TYPE_CHECKING:
    from collections.abc import Sequence

    from qtorrentino.config.model import Config
    from qtorrentino.domain.release import ReleaseInfo
    from qtorrentino.domain.ticket import TicketSpec
    from qtorrentino.search.result import SearchResult

DEFAULT_THRESHOLD = 0.85
CLEAR_MARGIN = 0.1
"""The top candidate must beat the best candidate of *other* content by this much to go alone."""


class Outcome(StrEnum):
    """What acquisition does next; values name the ticket state it leads to."""

    AUTO_APPROVE = "auto_approved"
    NEEDS_APPROVAL = "needs_approval"
    ACQUISITION_FAILED = "acquisition_failed"


@dataclass(frozen=True, slots=True)
class Decision:
    """The matcher's verdict on a ticket's scored candidates."""

    outcome: Outcome
    recommended_rank: int | None
    """Index into the scored list (0 = best); None when there is nothing to recommend."""
    confidence: float
    """The recommended candidate's score, 0..1 (0 when there is none)."""
    reason: str
    """One sentence for the audit log and the approval screen."""


class Matcher(Protocol):
    """Scores candidates for a ticket (the LLM's judgements are folded in by textbrain.matching)."""

    @property
    def name(self) -> str:
        """How the audit log names this matcher when it decides alone ("dumb")."""
        ...

    def score(self, spec: TicketSpec, results: Sequence[SearchResult],
              threshold: float | None = None) -> list[ScoredCandidate]:
        """Every result scored, best first; threshold: the ticket's, when the caller knows it."""
        ...


@dataclass(frozen=True, slots=True)
class DumbMatcher:
    """Heuristics only: fuzzy names, years, formats, red flags, file mapping; always available."""

    name: str = "dumb"

    def score(self, spec: TicketSpec, results: Sequence[SearchResult],
              threshold: float | None = None) -> list[ScoredCandidate]:
        """Every result scored, best first; threshold: the ticket's, when the caller knows it."""
        return score_candidates(spec, results, threshold)


def scoring_spec(spec: TicketSpec, config: Config) -> TicketSpec:
    """The ticket as scoring sees it: its target format made effective (its own, else its library's)."""
    library = config.library(spec.library) if spec.library else None
    target = effective_format(spec, library.format if library is not None else None)
    if target == spec.constraints.format:
        return spec
    return replace(spec, constraints=replace(spec.constraints, format=target))


def threshold_for(spec: TicketSpec, configured: float = DEFAULT_THRESHOLD) -> float:
    """The ticket's own auto-approve threshold when it sets one, else the configured one."""
    return spec.auto_approve_threshold if spec.auto_approve_threshold is not None else configured


def decide(scored: Sequence[ScoredCandidate], threshold: float = DEFAULT_THRESHOLD) -> Decision:
    """Auto-approve only an acceptable top score >= threshold, free of red flags, clearly ahead of rivals.

    Every candidate goes through here, whatever its source (indexer, catalog, force-magnet, a linked
    ticket's torrent); a candidate that breaks a hard constraint is never auto-approved.
    """
    if not scored:
        return Decision(Outcome.ACQUISITION_FAILED, None, 0.0, "no candidates were found")
    acceptable = [candidate for candidate in scored if not candidate.rejected]
    top = acceptable[0] if acceptable else max(scored, key=lambda candidate: candidate.score)
    rank = scored.index(top)
    if top.score < USELESS_BELOW:
        reason = f"the best candidate scored {top.score:.2f}: nothing found resembles the ticket"
        return Decision(Outcome.ACQUISITION_FAILED, None, top.score, reason)
    if top.rejected:
        return _ask(rank, top, f"every candidate breaks a hard constraint; the best, {top.result.title}: "
                               f"{'; '.join(top.rejected)}")
    if top.red_flags:
        return _ask(rank, top, f"the best candidate has red flags: {', '.join(top.red_flags)}")
    if top.score < threshold:
        return _ask(rank, top, f"the best score {top.score:.2f} is below the threshold {threshold:.2f}")
    rival = next((candidate for candidate in acceptable if candidate is not top
                  and not same_content(top, candidate)), None)
    if rival is not None and top.score - rival.score < CLEAR_MARGIN:
        rival_text = f"{rival.result.title} ({rival.score:.2f})"
        return _ask(rank, top, f"too close to a different release: {rival_text}")
    reason = f"{top.result.title} scored {top.score:.2f}"
    return Decision(Outcome.AUTO_APPROVE, rank, top.score, reason)


def same_content(first: ScoredCandidate, second: ScoredCandidate) -> bool:
    """True when two candidates are copies of the same content (other format, group, uploader)."""
    if first.result.info_hash and first.result.info_hash == second.result.info_hash:
        return True
    if _pack_holds(first.release, second.release) or _pack_holds(second.release, first.release):
        return True
    return _content_key(first.release) == _content_key(second.release) and _years_agree(
        first.release, second.release
    )


def _pack_holds(pack: ReleaseInfo, episode: ReleaseInfo) -> bool:
    """A season pack holds every episode of its seasons (only the wanted files are downloaded)."""
    return (
        pack.kind == "season" and episode.kind == "episode"
        and bool(pack.series) and bool(episode.series)
        and normalise(pack.series or "") == normalise(episode.series or "")
        and episode.season in (pack.seasons or (pack.season,))
    )


def _content_key(release: ReleaseInfo) -> tuple[object, ...]:
    """What names the content, not the copy: an episode's title or a format does not count."""
    title = release.title if release.kind in ("movie", "generic") else None
    names = (release.artist, release.album, title, release.series)
    return (
        release.kind, release.collection, *(normalise(name) if name else "" for name in names),
        release.seasons or release.season, release.episodes,
    )


def _years_agree(first: ReleaseInfo, second: ReleaseInfo) -> bool:
    return first.year is None or second.year is None or first.year == second.year


def _ask(rank: int, top: ScoredCandidate, reason: str) -> Decision:
    return Decision(Outcome.NEEDS_APPROVAL, rank, top.score, reason)

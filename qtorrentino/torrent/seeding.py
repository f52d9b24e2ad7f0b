"""The seeding policy: when a torrent has seeded enough, and what to clean up over a budget."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

from qtorrentino.config.model import NO_LIMIT

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from qtorrentino.config.model import IndexerConfig, TorrentConfig
    from qtorrentino.torrent.status import TorrentStatus

SECONDS_PER_HOUR = 3600


class SeedRecord(Protocol):
    """What the cleanup rule needs of a torrent: a catalog row or any view that carries these."""

    @property
    def size_bytes(self) -> int:
        """Bytes the torrent's data takes on disk."""

    @property
    def last_access(self) -> datetime:
        """When a ticket last used the torrent's files."""

    @property
    def policy_met(self) -> bool:
        """Whether `seeding_done()` holds for it."""


SeedRecordT = TypeVar("SeedRecordT", bound=SeedRecord)


@dataclass(frozen=True, slots=True)
class SeedGoals:
    """The goals a torrent seeds to: [torrent]'s, or its indexer's where that indexer sets them."""

    ratio: float
    """0 = no ratio goal (met at once); -1 = no limit (never met)."""
    time_hours: float
    """0 = no time goal (met at once); -1 = no limit (never met)."""
    min_time_hours: float = 0
    """Never stop or remove the torrent before it seeded this long, whatever the goals say."""


def goals_for(torrent: TorrentConfig, indexer: IndexerConfig | None) -> SeedGoals:
    """A torrent's goals: the indexer's overrides where given, else [torrent]'s."""
    if indexer is None:
        return SeedGoals(torrent.seed_ratio, torrent.seed_time_hours)
    return SeedGoals(
        torrent.seed_ratio if indexer.seed_ratio is None else indexer.seed_ratio,
        torrent.seed_time_hours if indexer.seed_time_hours is None else indexer.seed_time_hours,
        indexer.min_seed_time_hours,
    )


def goals_met(goals: SeedGoals, ratio: float, seeded_seconds: float) -> bool:
    """Whether ratio and seed time both met their goals, and the minimum seed time has passed."""
    if goals.ratio == NO_LIMIT or goals.time_hours == NO_LIMIT:
        return False
    ratio_met = goals.ratio <= 0 or ratio >= goals.ratio
    time_met = goals.time_hours <= 0 or seeded_seconds >= goals.time_hours * SECONDS_PER_HOUR
    return ratio_met and time_met and seeded_seconds >= goals.min_time_hours * SECONDS_PER_HOUR


def seeding_done(
    status: TorrentStatus, seed_ratio: float, seed_time_hours: float, *, seeded_seconds: float | None = None
) -> bool:
    """Whether a finished torrent met both goals: ratio ≥ seed_ratio and seeded ≥ seed_time_hours.

    A goal of 0 is no goal; -1 is no limit (never done). libtorrent's own ratio limits never stop a
    torrent, so this rule does. seeded_seconds defaults to libtorrent's own seeding time.
    """
    if not status.finished or status.error:
        return False
    seeded = status.seeding_seconds if seeded_seconds is None else seeded_seconds
    return goals_met(SeedGoals(seed_ratio, seed_time_hours), status.ratio, seeded)


def cleanup_candidates(torrents: Iterable[SeedRecordT], budget_bytes: int) -> list[SeedRecordT]:
    """Torrents past the policy, oldest access first, until the rest fit in the budget.

    A budget of 0 or less is no budget. Torrents still under the policy are never offered, so the
    result may leave the total over budget.
    """
    every_torrent = list(torrents)
    excess_bytes = sum(torrent.size_bytes for torrent in every_torrent) - budget_bytes
    if budget_bytes <= 0 or excess_bytes <= 0:
        return []
    chosen: list[SeedRecordT] = []
    for torrent in sorted(
        (torrent for torrent in every_torrent if torrent.policy_met),
        key=lambda torrent: torrent.last_access,
    ):
        if excess_bytes <= 0:
            break
        chosen.append(torrent)
        excess_bytes -= torrent.size_bytes
    return chosen

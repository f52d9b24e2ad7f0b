"""The seeding policy: when a torrent has seeded enough, and what to clean up over a budget."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

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


def seeding_done(status: TorrentStatus, seed_ratio: float, seed_time_hours: float) -> bool:
    """Whether a finished torrent met both goals: ratio ≥ seed_ratio and seeded ≥ seed_time_hours.

    A goal of 0 is no goal. libtorrent's own ratio limits never stop a torrent, so this rule does.
    """
    if not status.finished or status.error:
        return False
    ratio_met = seed_ratio <= 0 or status.ratio >= seed_ratio
    time_met = seed_time_hours <= 0 or status.seeding_seconds >= seed_time_hours * SECONDS_PER_HOUR
    return ratio_met and time_met


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

"""The seeding policy an engine runs each second: seed time, per-indexer goals, on_seed_goal, the storage budget."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from qtorrentino.db.database import write_transaction
from qtorrentino.db.models import TorrentRow
from qtorrentino.tickets.queries import live_tickets_of_torrent
from qtorrentino.torrent import catalog
from qtorrentino.torrent.seeding import cleanup_candidates, goals_for, goals_met

if TYPE_CHECKING:
    from datetime import datetime

    from qtorrentino.config.model import Config
    from qtorrentino.torrent.session import TorrentSession
    from qtorrentino.torrent.status import TorrentStatus
    from qtorrentino.workers.base import WorkerContext

log = logging.getLogger(__name__)

GIB = 1024**3
SAVE_SECONDS = 5.0
"""Seed time is written to the catalog at most this often (and at once when a goal is met)."""


class Remover(Protocol):
    """Removes a torrent from the session and the catalog, and records TorrentRemoved."""

    def __call__(self, info_hash: str, delete_data: bool, *, reason: str, actor: str) -> None: ...


@dataclass(frozen=True, slots=True)
class _Held:
    """A catalog torrent as the storage budget weighs it."""

    info_hash: str
    size_bytes: int
    last_access: datetime
    policy_met: bool


class SeedingPolicy:
    """Counts seed time by the engine's clock and acts on goals and the budget; one chore, one thread."""

    def __init__(self, context: WorkerContext, session: TorrentSession, remove: Remover) -> None:
        self._context = context
        self._session = session
        self._remove = remove
        self._ticked: dict[str, datetime] = {}
        self._seeded: dict[str, float] = {}
        self._unsaved: set[str] = set()
        self._saved_at = float("-inf")

    def run(self) -> None:
        """Count seed time, act on torrents that just met their goals, then keep under the budget."""
        statuses = {status.info_hash: status for status in self._session.statuses()}
        rows = {row.info_hash: row for row in TorrentRow.select().where(
            TorrentRow.info_hash.in_(list(statuses)) & (TorrentRow.removed == False))}  # noqa: E712
        self._count_seed_time(statuses, rows)
        reached = [info_hash for info_hash, row in rows.items()
                   if not row.seeding_done and self._goals_met(statuses[info_hash], row)]
        for info_hash in reached:
            self._goal_met(statuses[info_hash])
        self._save(force=bool(reached))
        self._keep_under_budget(statuses)

    def seeded_seconds(self, info_hash: str, stored: float = 0.0) -> float:
        """Seconds the torrent seeded while the program ran (the catalog's figure plus this run's)."""
        return self._seeded.get(info_hash, stored)

    def _count_seed_time(self, statuses: dict[str, TorrentStatus], rows: dict[str, TorrentRow]) -> None:
        now = self._context.clock.now()
        for info_hash, status in statuses.items():
            if info_hash not in rows or not status.finished or status.paused or status.error:
                self._ticked.pop(info_hash, None)
                continue
            before = self._ticked.get(info_hash)
            self._ticked[info_hash] = now
            seeded = self._seeded.setdefault(info_hash, float(rows[info_hash].seed_seconds))
            if before is not None and now > before:
                self._seeded[info_hash] = seeded + (now - before).total_seconds()
                self._unsaved.add(info_hash)

    def _goals_met(self, status: TorrentStatus, row: TorrentRow) -> bool:
        if not status.finished or status.error:
            return False
        config: Config = self._context.config
        indexer_name = row.indexer or catalog.indexer_of(row.info_hash)
        indexer = next((indexer for indexer in config.indexers if indexer.name == indexer_name), None)
        goals = goals_for(config.torrent, indexer)
        return goals_met(goals, status.ratio, self.seeded_seconds(row.info_hash, float(row.seed_seconds)))

    def _goal_met(self, status: TorrentStatus) -> None:
        """Do what on_seed_goal says; a torrent a live ticket still needs keeps seeding until it is done."""
        action = self._context.config.torrent.on_seed_goal
        info_hash = status.info_hash
        if action != "pause":
            if not live_tickets_of_torrent(info_hash):
                log.info("seed goals met: removing %s (%s)", status.name, action)
                self._remove(info_hash, action == "remove_data", reason="seed_goal", actor="engine")
            return
        if not status.paused:
            self._session.pause(info_hash)
            log.info("seed goals met: paused %s", status.name)
        with write_transaction():
            TorrentRow.update(seeding_done=True).where(TorrentRow.info_hash == info_hash).execute()

    def _save(self, *, force: bool) -> None:
        now = time.monotonic()
        if not self._unsaved or (not force and now - self._saved_at < SAVE_SECONDS):
            return
        with write_transaction():
            for info_hash in self._unsaved:
                TorrentRow.update(seed_seconds=self._seeded[info_hash]).where(
                    TorrentRow.info_hash == info_hash).execute()
        self._unsaved.clear()
        self._saved_at = now

    def _keep_under_budget(self, statuses: dict[str, TorrentStatus]) -> None:
        """Over storage_budget_gb: remove (with data) torrents past their goals, least recently used first."""
        budget = int(self._context.config.torrent.storage_budget_gb * GIB)
        if budget <= 0:
            return
        held = [self._held(row, statuses.get(row.info_hash))
                for row in TorrentRow.select().where(TorrentRow.removed == False)]  # noqa: E712
        for torrent in cleanup_candidates(held, budget):
            log.info("over the storage budget: removing %s with its data", torrent.info_hash)
            self._remove(torrent.info_hash, True, reason="storage_budget", actor="engine")

    def _held(self, row: TorrentRow, status: TorrentStatus | None) -> _Held:
        size = row.total_size if status is None else status.total_wanted_done
        past_goals = bool(row.seeding_done) or (status is not None and self._goals_met(status, row))
        return _Held(row.info_hash, size, row.last_access_at,
                     past_goals and not live_tickets_of_torrent(row.info_hash))

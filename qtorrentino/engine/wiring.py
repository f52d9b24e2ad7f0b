"""Which parts an engine runs: the stage workers, the housekeeping chores and the adapters they share."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from qtorrentino.search.indexers import IndexerSet
from qtorrentino.workers.acquisition import AcquisitionWorker
from qtorrentino.workers.base import BaseWorker, WorkerContext


@dataclass
class Parts:
    """The running pieces of an engine besides the core."""

    config_hash: str
    workers: list[BaseWorker] = field(default_factory=list)
    chores: list[Callable[[], None]] = field(default_factory=list)
    starters: list[Callable[[], None]] = field(default_factory=list)
    stoppers: list[Callable[[float], None]] = field(default_factory=list)

    def start(self) -> None:
        for starter in self.starters:
            starter()

    def stop(self, timeout: float) -> None:
        for stopper in reversed(self.stoppers):
            stopper(timeout)

    def worker(self, kind: type[BaseWorker]) -> BaseWorker:
        """The running worker of a class (tests drive it with run_once())."""
        return next(worker for worker in self.workers if isinstance(worker, kind))


def config_hash(context: WorkerContext) -> str:
    """A short fingerprint of the config in force (secrets are masked in the repr)."""
    return hashlib.sha256(repr(context.config).encode()).hexdigest()[:16]


def build_parts(context: WorkerContext) -> Parts:
    """Build the workers and adapters from config."""
    config = context.config
    poll = config.workers.poll_interval_seconds
    parts = Parts(config_hash=config_hash(context))
    indexers = IndexerSet(config.indexers, context.clock)
    context.parts["indexers"] = indexers
    parts.stoppers.append(lambda timeout: indexers.close())
    parts.workers.append(AcquisitionWorker(context, indexers, concurrency=config.workers.acquisition,
                                           poll_seconds=poll))
    return parts

"""Which parts an engine runs: the stage workers, the housekeeping chores and the adapters they share."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

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


def config_hash(context: WorkerContext) -> str:
    """A short fingerprint of the config in force (secrets are masked in the repr)."""
    return hashlib.sha256(repr(context.config).encode()).hexdigest()[:16]


def build_parts(context: WorkerContext) -> Parts:
    """Build the workers and adapters from config."""
    return Parts(config_hash=config_hash(context))

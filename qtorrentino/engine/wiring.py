"""Which parts an engine runs: the stage workers, the housekeeping chores and the adapters they share."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from qtorrentino.errors import LibraryOffline
from qtorrentino.library.marker import require_online_by_name
from qtorrentino.library.placer import clean_partial_files
from qtorrentino.media.convert import ConversionPool
from qtorrentino.notify.notifier import Notifier
from qtorrentino.search.indexers import IndexerSet
from qtorrentino.engine.torrent_part import TorrentPart
from qtorrentino.torrent.progress import PERSIST_SECONDS
from qtorrentino.workers.acquisition import AcquisitionWorker
from qtorrentino.workers.base import BaseWorker, WorkerContext
from qtorrentino.workers.candidate_files import CandidateFilesWorker
from qtorrentino.workers.conversion import ConversionWorker
from qtorrentino.workers.download import DownloadWorker
from qtorrentino.workers.placement import PlacementWorker

log = logging.getLogger(__name__)


@dataclass
class Parts:
    """The running pieces of an engine besides the core."""

    config_hash: str
    workers: list[BaseWorker] = field(default_factory=list)
    chores: list[Callable[[], None]] = field(default_factory=list)
    starters: list[Callable[[], None]] = field(default_factory=list)
    stoppers: list[Callable[[float], None]] = field(default_factory=list)
    torrent: TorrentPart | None = None
    finished: threading.Event = field(default_factory=threading.Event)
    """Set by the torrent listener when a download finishes, to run the monitor at once."""

    def start(self) -> None:
        for starter in self.starters:
            starter()

    def stop(self, timeout: float) -> None:
        for stopper in reversed(self.stoppers):
            stopper(timeout)

    def worker(self, kind: type[BaseWorker]) -> BaseWorker:
        """The running worker of a class (tests drive it with run_once())."""
        return next(worker for worker in self.workers if isinstance(worker, kind))


def every(seconds: float, chore: Callable[[], object]) -> Callable[[], None]:
    """A housekeeping chore that runs at most once per `seconds` (the loop ticks every second)."""
    last = [float("-inf")]

    def run() -> None:
        now = time.monotonic()
        if now - last[0] >= seconds:
            last[0] = now
            chore()

    run.__name__ = getattr(chore, "__name__", "chore")
    return run


def config_hash(context: WorkerContext) -> str:
    """A short fingerprint of the config in force (secrets are masked in the repr)."""
    return hashlib.sha256(repr(context.config).encode()).hexdigest()[:16]


def clean_libraries(context: WorkerContext) -> None:
    """A crash mid-placement leaves only hidden temp files: remove them from every library that is
    there (marked when first seen) and the trash; an offline library is left alone."""
    for library in context.config.libraries:
        try:
            root = require_online_by_name(library.name)
        except LibraryOffline as error:
            log.warning("%s (hint: %s)", error.message, error.hint)
            continue
        removed = clean_partial_files(Path(root))
        if removed:
            log.info("removed %d partial file(s) left in %s", len(removed), root)
    if context.home.trash_dir.exists():
        clean_partial_files(context.home.trash_dir)


def build_parts(context: WorkerContext) -> Parts:
    """Build the workers and adapters from config."""
    config = context.config
    poll = config.workers.poll_interval_seconds
    parts = Parts(config_hash=config_hash(context))
    notifier = Notifier(context)
    indexers = IndexerSet(config.indexers, context.clock)
    parts.stoppers.append(lambda timeout: indexers.close())
    parts.workers.append(AcquisitionWorker(context, indexers, concurrency=config.workers.acquisition,
                                           poll_seconds=poll))
    torrent = TorrentPart(context, parts.finished)
    parts.torrent = torrent
    parts.starters.append(torrent.restore)
    parts.stoppers.append(torrent.close)
    download = DownloadWorker(context, torrent.session, indexers, poll_seconds=poll)
    parts.workers.append(download)
    parts.workers.append(CandidateFilesWorker(context, torrent.session, indexers, poll_seconds=poll))
    parts.chores.extend([torrent.apply_commands, download.monitor, torrent.enforce_seeding_policy,
                         every(PERSIST_SECONDS, torrent.tracker.persist_pending)])
    pool = ConversionPool(config.workers.conversion)
    parts.stoppers.append(lambda timeout: pool.shutdown(cancel_running=True))
    parts.workers.append(ConversionWorker(context, pool, torrent.session, poll_seconds=poll))
    parts.workers.append(PlacementWorker(context, torrent.session, poll_seconds=poll))
    parts.starters.insert(0, lambda: clean_libraries(context))
    parts.starters.append(notifier.start)
    parts.stoppers.insert(0, notifier.stop)
    return parts

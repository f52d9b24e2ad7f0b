"""Which parts an engine runs: the stage workers, the housekeeping chores and the adapters they share."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from qtorrentino.config.proxy import parse_proxy
from qtorrentino.engine.torrent_part import TorrentPart
from qtorrentino.errors import LibraryOffline
from qtorrentino.library.marker import require_online_by_name
from qtorrentino.library.placer import clean_partial_files
from qtorrentino.media.convert import ConversionPool
from qtorrentino.notify.notifier import Notifier
from qtorrentino.search.indexers import IndexerSet
from qtorrentino.torrent.progress import PERSIST_SECONDS
from qtorrentino.workers.acquisition import AcquisitionWorker
from qtorrentino.workers.base import BaseWorker, WorkerContext
from qtorrentino.workers.candidate_files import CandidateFilesWorker
from qtorrentino.workers.conversion import ConversionWorker
from qtorrentino.workers.download import DownloadWorker
from qtorrentino.workers.downloading import DownloadingWorker
from qtorrentino.workers.placement import PlacementWorker
from qtorrentino.workers.stages import (
    ACQUISITION,
    CANDIDATE_FILES,
    CONVERSION,
    DOWNLOAD_START,
    DOWNLOADING,
    PLACEMENT,
    helper_names,
    worker_names,
)
from qtorrentino.workers.watch import Watch
from qtorrentino.workers.watch_dir import WATCH_SECONDS, WatchDir
from qtorrentino.workers.watchdog import Watchdog

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
    """Build the adapters from config and one worker per owner and per helper the stage table names."""
    config = context.config
    poll = config.workers.poll_interval_seconds
    parts = Parts(config_hash=config_hash(context))
    notifier = Notifier(context)
    indexers = IndexerSet(config.indexers, context.clock, proxy=parse_proxy(config.network.proxy))
    parts.stoppers.append(lambda timeout: indexers.close())
    downloading: list[DownloadingWorker] = []
    torrent = TorrentPart(context, lambda info_hash: downloading[0].torrent_changed(info_hash))
    parts.torrent = torrent
    parts.starters.append(torrent.restore)
    parts.stoppers.append(torrent.close)
    pool = ConversionPool(config.workers.conversion)
    parts.stoppers.append(lambda timeout: pool.shutdown(cancel_running=True))
    factories: dict[str, Callable[[], BaseWorker]] = {
        ACQUISITION: lambda: AcquisitionWorker(context, indexers, concurrency=config.workers.acquisition,
                                               poll_seconds=poll),
        DOWNLOAD_START: lambda: DownloadWorker(context, torrent.session, indexers, poll_seconds=poll),
        DOWNLOADING: lambda: DownloadingWorker(context, torrent.session, poll_seconds=poll),
        CONVERSION: lambda: ConversionWorker(context, pool, torrent.session, poll_seconds=poll),
        PLACEMENT: lambda: PlacementWorker(context, torrent.session, poll_seconds=poll),
    }
    helpers: dict[str, Callable[[], BaseWorker]] = {
        CANDIDATE_FILES: lambda: CandidateFilesWorker(context, torrent.session, indexers, poll_seconds=poll),
    }
    parts.workers.extend(factories[name]() for name in worker_names())
    parts.workers.extend(helpers[name]() for name in helper_names())
    downloading.append(next(w for w in parts.workers if isinstance(w, DownloadingWorker)))
    watchdog = Watchdog(context, torrent.session)
    parts.chores.extend([torrent.apply_commands, torrent.release_left_torrents, torrent.enforce_seeding_policy,
                         every(PERSIST_SECONDS, torrent.tracker.persist_pending),
                         every(watchdog.interval_seconds, watchdog.run)])
    if config.paths.watch_dir:
        parts.chores.append(every(WATCH_SECONDS, WatchDir(context).run))
    watch = Watch(context, indexers)
    parts.chores.append(watch.run)
    parts.stoppers.insert(0, watch.stop)
    parts.starters.insert(0, lambda: clean_libraries(context))
    parts.starters.append(notifier.start)
    parts.stoppers.insert(0, notifier.stop)
    return parts

"""Engine.open(home): the lock, the core, the torrent session and the workers; start(), stop(), is_idle()."""

from __future__ import annotations

import logging

from qtorrentino import __version__
from qtorrentino.clock import Clock
from qtorrentino.config.home import Home
from qtorrentino.config.model import Config
from qtorrentino.engine.api import AuditAPI, TicketsAPI
from qtorrentino.engine.changes import ChangeWatcher
from qtorrentino.engine.core import Core
from qtorrentino.engine.library_api import LibraryAPI
from qtorrentino.engine.lock import HomeLock
from qtorrentino.engine.torrents_api import TorrentsAPI
from qtorrentino.engine.wiring import build_parts, every
from qtorrentino.workers.base import WorkerContext
from qtorrentino.workers.manager import WorkerManager

log = logging.getLogger(__name__)

PURGE_SECONDS = 3600.0
"""How often expired trash and metadata cache entries are purged."""


class Engine:
    """One home's engine: one per process and per home; every face drives this object."""

    def __init__(self, core: Core, lock: HomeLock) -> None:
        self.core = core
        self._lock = lock
        self.home = core.home
        self.config = core.config
        self.clock = core.clock
        self.bus = core.bus
        self.tickets = TicketsAPI(core)
        self.audit = AuditAPI(core)
        self.torrents = TorrentsAPI(core.bus)
        self.library = LibraryAPI(core)
        self.context = WorkerContext(config=core.config, clock=core.clock, bus=core.bus, uow=core.uow,
                                     tickets=core.commands, home=core.home)
        self.parts = build_parts(self.context)
        self.parts.chores.append(every(PURGE_SECONDS, self.library.purge_expired))
        self.manager = WorkerManager(self.context, self.parts.workers, self.parts.chores)
        if self.parts.torrent is not None:
            self.torrents.controls = self.parts.torrent.controls
        core.uow.after_commit = self.manager.wake_all
        self.changes = ChangeWatcher(self.home.wake_file, self.bus, self.manager.wake_all)
        core.uow.on_published = self.changes.published
        self._started = False
        self._stopped = False

    @classmethod
    def open(cls, home: Home, *, clock: Clock | None = None, config: Config | None = None,
             takeover: bool = False) -> Engine:
        """Take the home's lock, open the database and build every part (nothing runs yet)."""
        lock = HomeLock(home.lock_file)
        home.data_dir.mkdir(parents=True, exist_ok=True)
        lock.acquire(takeover=takeover)
        try:
            core = Core.open(home, clock=clock, config=config)
            core.audit.mirror()
            return cls(core, lock)
        except BaseException:
            lock.release()
            raise

    def start(self, *, workers: bool = True) -> None:
        """Record ServiceStarted and start the workers and the change watcher."""
        with self.core.uow() as outbox:
            self.core.audit.record(outbox, "ServiceStarted", ticket_id=None, actor="engine",
                                   data={"version": __version__, "config_hash": self.parts.config_hash})
        self.changes.start()
        self.parts.start()
        if workers:
            self.manager.start()
        self._started = True

    def stop(self, timeout: float = 30.0, reason: str = "stopped") -> None:
        """Stop workers at a safe point, save torrent state, record ServiceStopped, release the home."""
        if self._stopped:
            return
        self._stopped = True
        try:
            self.manager.stop(timeout)
            self.parts.stop(timeout)
            if self._started:
                with self.core.uow() as outbox:
                    self.core.audit.record(outbox, "ServiceStopped", ticket_id=None, actor="engine",
                                           data={"reason": reason})
        finally:
            self.changes.stop(timeout)
            self.core.close()
            self._lock.release()

    def wake(self) -> None:
        self.manager.wake_all()

    def is_idle(self) -> bool:
        """True when no ticket can move without a person."""
        return self.tickets.is_idle()

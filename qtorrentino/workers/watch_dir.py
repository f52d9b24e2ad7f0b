"""[paths] watch_dir: .torrent files dropped there become tickets as `ticket add --torrent` files.

A chore looks every few seconds. Each file is taken once: renamed to NAME.torrent.added once its
ticket is filed, or NAME.torrent.refused when it cannot become one (DirectTorrentRefused says why);
a file that cannot be renamed is remembered until the engine stops. A file younger than
SETTLE_SECONDS may still be being written and waits for the next look.
"""

from __future__ import annotations

import logging
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from qtorrentino.domain.states import TicketState
from qtorrentino.errors import QtorrentinoError
from qtorrentino.tickets.creation import TicketCreator
from qtorrentino.workers.direct_torrents import VIA_WATCH_DIR, DirectTorrents

if TYPE_CHECKING:
    from qtorrentino.workers.base import WorkerContext

log = logging.getLogger(__name__)

WATCH_SECONDS = 2.0
"""How often the folder is looked at."""
SETTLE_SECONDS = 2.0
"""A file modified more recently than this may be half written: it is taken on a later look."""
TORRENT_SUFFIX = ".torrent"
ADDED_SUFFIX = ".added"
REFUSED_SUFFIX = ".refused"


class WatchDir:
    """The watch_dir chore: files dropped in the folder (not its subfolders) become tickets."""

    def __init__(
        self, context: WorkerContext, *, wall_clock: Callable[[], float] = time.time
    ) -> None:
        self._context = context
        self._folder = Path(context.config.paths.watch_dir)
        self._direct = DirectTorrents(
            context.config,
            context.home,
            TicketCreator(context.uow, context.clock, context.config),
            context.tickets,
        )
        self._wall_clock = wall_clock
        self._kept: set[Path] = set()
        """Files taken that could not be renamed aside: not taken again while the engine runs."""
        self._missing_logged = False

    def run(self) -> None:
        """Take every settled .torrent file in the folder."""
        try:
            entries = sorted(self._folder.iterdir())
        except OSError as error:
            if not self._missing_logged:
                log.warning(
                    "watch_dir %s cannot be read (%s); looking again every %g s",
                    self._folder,
                    error.strerror or error,
                    WATCH_SECONDS,
                )
                self._missing_logged = True
            return
        self._missing_logged = False
        for path in entries:
            if self._ready(path):
                self._take(path)

    def _ready(self, path: Path) -> bool:
        if path.suffix.lower() != TORRENT_SUFFIX or path.name.startswith(".") or path in self._kept:
            return False
        try:
            found = path.stat()
        except OSError:
            return False
        return stat.S_ISREG(found.st_mode) and self._wall_clock() - found.st_mtime >= SETTLE_SECONDS

    def _take(self, path: Path) -> None:
        """File the ticket (or have the refusal audited), then set the file aside."""
        suffix = REFUSED_SUFFIX
        try:
            created = self._direct.add(str(path), via=VIA_WATCH_DIR, actor="engine")
            suffix = ADDED_SUFFIX
            log.info("watch_dir: %s became ticket %s", path.name, created.id)
            self._context.wake_stage(TicketState.APPROVED)
        except QtorrentinoError as error:
            log.warning("watch_dir: %s refused: %s", path.name, error.message)
        finally:
            self._set_aside(path, suffix)

    def _set_aside(self, path: Path, suffix: str) -> None:
        """Rename NAME.torrent to NAME.torrent.added (or .refused), never over another file."""
        target = path.with_name(path.name + suffix)
        number = 2
        while target.exists():
            target, number = path.with_name(f"{path.name}.{number}{suffix}"), number + 1
        try:
            path.rename(target)
        except OSError as error:
            log.warning(
                "watch_dir: cannot rename %s (%s); it is not taken again until the engine restarts",
                path.name,
                error.strerror or error,
            )
            self._kept.add(path)

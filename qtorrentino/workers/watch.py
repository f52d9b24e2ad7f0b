"""The watch: the owner of `waiting` (workers/stages.py). On its own thread it reads the indexers'
recent feeds (RSS sync), starts the periodic searches that are due (not before an episode airs),
ends upgrade windows that passed, and finishes an upgrade a crash interrupted after its commit
(docs/states.md)."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, cast

from qtorrentino.db.database import database
from qtorrentino.db.models import TicketRow, WatchRow
from qtorrentino.domain.states import TicketState
from qtorrentino.domain.ticket import TicketKind
from qtorrentino.errors import QtorrentinoError
from qtorrentino.metadata.cache import MetadataCache
from qtorrentino.textbrain.matching import TextBrain
from qtorrentino.tickets.watching import UPGRADE_DAYS, end_watch
from qtorrentino.workers.upgrade_swap import finish_swap, pending_swaps
from qtorrentino.workers.watch_feed import RssSync, SyncReport

if TYPE_CHECKING:
    from collections.abc import Iterable

    from qtorrentino.metadata.tmdb import Tmdb
    from qtorrentino.search.indexers import IndexerSet
    from qtorrentino.workers.base import WorkerContext

log = logging.getLogger(__name__)

AIR_DATE_RECHECK = timedelta(days=1)
"""An episode's air date is asked of TMDB again after this long (schedules move)."""


def anything_watched() -> bool:
    """Whether any ticket is waiting, or completed and still watching for an upgrade."""
    return bool(
        TicketRow.select(TicketRow.id)
        .where(
            (TicketRow.state == TicketState.WAITING.value)
            | ((TicketRow.state == TicketState.COMPLETED.value) & (TicketRow.watching == True))  # noqa: E712
        )
        .exists()
    )


class Watch:
    """One pass at a time on its own thread, so a slow indexer never holds up the housekeeping
    loop."""

    def __init__(
        self, context: WorkerContext, indexers: IndexerSet, *, brain: TextBrain | None = None
    ) -> None:
        self.context = context
        self.indexers = indexers
        self.rss = RssSync(
            context,
            brain
            or TextBrain.from_config(context.config.textbrain, cache=MetadataCache(context.clock)),
        )
        self._read_at: dict[str, float] = {}
        self._recovered = False
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._tmdb: Tmdb | None = None
        if context.config.tmdb is not None:
            from qtorrentino.metadata.tmdb import Tmdb

            self._tmdb = Tmdb(context.config.tmdb, MetadataCache(context.clock))

    def run(self) -> None:
        """The housekeeping chore: start a pass unless one is still running."""
        if self._stopping.is_set() or (self._thread is not None and self._thread.is_alive()):
            return
        self._thread = threading.Thread(target=self._pass, name="watch", daemon=True)
        self._thread.start()

    def stop(self, timeout: float) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _pass(self) -> None:
        try:
            self.run_once()
        except Exception:
            log.exception("the watch's pass failed")
        finally:
            database.close()

    def run_once(self) -> None:
        """One pass: interrupted upgrades first (once), then the feeds, the due searches, the ended
        windows."""
        if not self._recovered:
            self.finish_interrupted_upgrades()
            self._recovered = True
        if not anything_watched():
            return
        self.read_feeds()
        self.start_due_searches()
        self.end_upgrade_windows()

    def finish_interrupted_upgrades(self) -> None:
        """An upgrade whose placement committed before a crash: its old files go to the trash
        now."""
        for ticket_id in pending_swaps():
            row = TicketRow.get_by_id(ticket_id)
            library = self.context.config.library(row.library or "")
            finish_swap(self.context, ticket_id, library.trash_days if library else 30)

    def read_feeds(self) -> list[SyncReport]:
        """Each indexer's recent feed, when its interval has passed (within its rate limit)."""
        interval = self.context.config.watch.rss_interval_seconds
        reports: list[SyncReport] = []
        if interval <= 0:
            return reports
        for name in self.indexers.names:
            if self._stopping.is_set():
                break
            now = time.monotonic()
            if now - self._read_at.get(name, float("-inf")) < interval:
                continue
            self._read_at[name] = now
            outcome = self.indexers.recent(name)
            if outcome.error is not None:
                log.warning("recent feed of %s not read: %s", name, outcome.error)
                continue
            reports.append(self.rss.sync(name, outcome.results))
        return reports

    def start_due_searches(self) -> None:
        """Waiting and upgrading tickets whose periodic search is due go back to acquisition."""
        context = self.context
        now = context.clock.now()
        due = (
            WatchRow.select(WatchRow.ticket)
            .join(TicketRow)
            .where(
                WatchRow.next_search_at.is_null(False)
                & (WatchRow.next_search_at <= now)
                & (
                    (TicketRow.state == TicketState.WAITING.value)
                    | (
                        (TicketRow.state == TicketState.COMPLETED.value)
                        & (TicketRow.watching == True)  # noqa: E712
                    )
                )
            )
            .tuples()
        )
        started = 0
        for (ticket_id,) in cast("Iterable[tuple[str]]", due):
            if self._stopping.is_set() or self._before_air_date(ticket_id, now):
                continue
            with context.uow() as outbox:
                row = TicketRow.get_by_id(ticket_id)
                upgrade = row.state == TicketState.COMPLETED.value
                changes = {"info_hash": None} if upgrade else {}
                WatchRow.update(next_search_at=None).where(WatchRow.ticket == ticket_id).execute()
                context.tickets.transition(
                    outbox,
                    ticket_id,
                    TicketState.ACQUIRING,
                    actor="engine",
                    reason="watching: the periodic search for "
                    + ("an upgrade" if upgrade else "a release"),
                    lease_owner=None,
                    lease_until=None,
                    **changes,
                )
            started += 1
        if started:
            context.wake_stage(TicketState.ACQUIRING)

    def end_upgrade_windows(self) -> None:
        """Upgrading tickets whose upgrade_days have passed since the first placement stop
        watching."""
        context = self.context
        cutoff = context.clock.now() - timedelta(days=context.config.watch.upgrade_days)
        ended = (
            WatchRow.select(WatchRow.ticket)
            .join(TicketRow)
            .where(
                WatchRow.first_placed_at.is_null(False)
                & (WatchRow.first_placed_at <= cutoff)
                & (TicketRow.state == TicketState.COMPLETED.value)
                & (TicketRow.watching == True)  # noqa: E712
            )
            .tuples()
        )
        for (ticket_id,) in cast("Iterable[tuple[str]]", ended):
            with context.uow() as outbox:
                end_watch(outbox, context.tickets, ticket_id, UPGRADE_DAYS)

    def _before_air_date(self, ticket_id: str, now: datetime) -> bool:
        """A waiting episode TMDB says has not aired is not searched yet (the RSS sync still matches
        it)."""
        row = TicketRow.get_by_id(ticket_id)
        if (
            self._tmdb is None
            or row.kind != TicketKind.EPISODE.value
            or row.state != TicketState.WAITING.value
        ):
            return False
        watch = WatchRow.get_by_id(ticket_id)
        if watch.air_date_checked_at is None or now - watch.air_date_checked_at >= AIR_DATE_RECHECK:
            air_date = self._air_date(ticket_id)
            with self.context.uow():
                WatchRow.update(air_date=air_date, air_date_checked_at=now).where(
                    WatchRow.ticket == ticket_id
                ).execute()
            watch.air_date = air_date
        if watch.air_date is None or date.fromisoformat(watch.air_date) <= now.date():
            return False
        airs = datetime.combine(date.fromisoformat(watch.air_date), datetime.min.time(), tzinfo=UTC)
        with self.context.uow():
            WatchRow.update(next_search_at=airs).where(WatchRow.ticket == ticket_id).execute()
        log.info("ticket %s airs on %s: not searched before then", ticket_id, watch.air_date)
        return True

    def _air_date(self, ticket_id: str) -> str | None:
        """TMDB's air date of the ticket's episode; None when TMDB does not say (or fails: search
        anyway)."""
        if self._tmdb is None:
            return None
        detail = self.context.tickets.get(ticket_id)
        query = detail.spec.query
        if not query.series or query.season is None or len(query.episodes) != 1:
            return None
        try:
            return self._tmdb.episode_air_date(
                query.series, query.season, query.episodes[0], query.tmdb_id
            )
        except QtorrentinoError as error:
            log.warning("no air date for ticket %s: %s", ticket_id, error.message)
            return None

"""The terminal app at scale: 10,000 tickets, 1,000 torrents, 1,000,000 audit events.

Run: python tests/benchmarks/bench_tui.py [AUDIT_EVENTS]
Reports time to first paint, time to switch to each screen (first visit and again), the longest event-loop
stall while 100 torrents update from another thread, and peak RSS.
Targets: first paint < 1.0 s, switch < 100 ms, no stall > 50 ms, RSS < 250 MB.
Tickets and torrents are inserted as rows (benchmark only: filing 10,000 tickets one by one takes hours).
"""

from __future__ import annotations

import asyncio
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from textual.css.query import QueryError
from textual.widgets import Static

from qtorrentino.clock import FrozenClock
from qtorrentino.db.database import write_transaction
from qtorrentino.db.models import TicketRow, TorrentRow
from qtorrentino.engine.engine import Engine
from qtorrentino.events import TorrentProgress
from qtorrentino.tui.app import QtorrentinoApp, UiSettings
from qtorrentino.tui.widgets.paged_table import PagedTable
from tests.benchmarks import audit_backlog
from tests.conftest import make_home

TICKETS = 10_000
TORRENTS = 1_000
LIVE_TORRENTS = 100
AUDIT_BATCH = 50_000
START = datetime(2026, 1, 1, tzinfo=UTC)
STATES = ["pending", "acquiring", "needs_approval", "downloading", "completed", "failed", "cancelled"]
SCREENS = [("downloads", "#downloads-table"), ("approvals", "#queue"), ("unmatched", "#files"),
           ("library", "#libraries"), ("audit", "#audit-table"), ("tickets", "#tickets-table")]
UPDATE_SECONDS = 5.0
UPDATES_PER_SECOND = 10


def seed(engine: Engine, audit_events: int) -> None:
    """Rows straight into the tables (benchmark only), audit events through the bulk path."""
    started = time.perf_counter()
    spec: dict[str, object] = {"kind": "generic", "query": {"text": "x"}, "items": [], "constraints": {},
            "library": None, "priority": 100, "dry_run": False}
    with write_transaction():
        for offset in range(0, TICKETS, 1_000):
            TicketRow.insert_many([
                {"id": f"{n:012x}", "kind": "generic", "title": f"Benchmark ticket {n}", "state": STATES[n % 7],
                 "priority": n % 500, "spec": spec, "created_at": START, "updated_at": START}
                for n in range(offset, offset + 1_000)]).execute()
        TorrentRow.insert_many([
            {"info_hash": f"{n:040x}", "name": f"Release {n} [FLAC]", "save_path": "/tmp", "total_size": n * 1_000_000,
             "progress": (n % 100) / 100, "added_at": START + timedelta(seconds=n), "last_access_at": START}
            for n in range(TORRENTS)]).execute()
    for offset in range(0, audit_events, AUDIT_BATCH):
        rows = [("TicketStateChanged", f"{n % TICKETS:012x}", "engine",
                 {"from_state": "acquiring", "to_state": "needs_approval", "reason": f"event {n}"},
                 START + timedelta(seconds=n)) for n in range(offset, min(audit_events, offset + AUDIT_BATCH))]
        audit_backlog.fill(rows)
    print(f"seeded {TICKETS:,} tickets, {TORRENTS:,} torrents, {audit_events:,} audit events "
          f"in {time.perf_counter() - started:.1f} s")


async def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.002)


async def painted(app: QtorrentinoApp) -> None:
    """Until the current screen has processed its messages and been drawn."""
    done = asyncio.Event()
    app.screen.call_after_refresh(done.set)
    await done.wait()


def rows_of(app: QtorrentinoApp, selector: str) -> int:
    try:
        return app.screen.query_one(selector, PagedTable).row_count
    except (LookupError, QueryError):
        return -1


def shown(app: QtorrentinoApp, selector: str) -> bool:
    """The screen holding this table is current, its load finished and its status line written."""
    try:
        table = app.screen.query_one(selector, PagedTable)
        status = str(app.screen.query_one("#status", Static).content)
    except (LookupError, QueryError):
        return False
    busy = any(worker.node is app.screen and not worker.is_finished for worker in app.workers)
    return bool(status) and not busy and table.is_mounted


class StallMeter:
    """Measures the event loop's longest stall: a 5 ms sleep that came back late."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._running = True

    async def run(self) -> None:
        while self._running:
            began = time.perf_counter()
            await asyncio.sleep(0.005)
            self.longest = max(self.longest, time.perf_counter() - began - 0.005)

    def stop(self) -> None:
        self._running = False


def publish_progress(engine: Engine, stop: threading.Event) -> int:
    """100 torrents' live numbers from another thread, as the torrent part publishes them."""
    published = 0
    tick = 0
    while not stop.is_set():
        tick += 1
        for n in range(LIVE_TORRENTS):
            engine.bus.publish(TorrentProgress(
                info_hash=f"{n:040x}", name=f"Release {n} [FLAC]", ticket_id=None, progress=(tick % 100) / 100,
                download_bps=1_000_000 + tick * 1_000 + n, upload_bps=50_000 + n, peers=5 + n % 7, seeds=2 + n % 3,
                eta_seconds=600 - tick, ratio=0.1 * (n % 10), state="downloading"))
            published += 1
        stop.wait(1 / UPDATES_PER_SECOND)
    return published


async def drive(engine: Engine, audit_events: int) -> None:
    started = time.perf_counter()
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(lambda: rows_of(app, "#tickets-table") > 0)
        await painted(app)
        print(f"first paint (tickets page shown): {(time.perf_counter() - started) * 1000:.0f} ms")
        for visit in ("first visit", "again"):
            for mode, selector in SCREENS:
                began = time.perf_counter()
                await app.run_action(f"switch_mode('{mode}')")
                await painted(app)
                switched = time.perf_counter() - began
                await wait_until(partial(shown, app, selector))
                await painted(app)
                print(f"switch to {mode} ({visit}): painted in {switched * 1000:.0f} ms, "
                      f"its data shown in {(time.perf_counter() - began) * 1000:.0f} ms")
        await pilot.press("2")
        await wait_until(lambda: rows_of(app, "#downloads-table") == TORRENTS)
        await pilot.pause()
        meter = StallMeter()
        measuring = asyncio.create_task(meter.run())
        stop = threading.Event()
        counted: list[int] = []
        publisher = threading.Thread(target=lambda: counted.append(publish_progress(engine, stop)))
        publisher.start()
        await asyncio.sleep(UPDATE_SECONDS)
        stop.set()
        publisher.join()
        await asyncio.sleep(0.5)
        meter.stop()
        await measuring
        print(f"longest event-loop stall while {LIVE_TORRENTS} torrents update ({counted[0]:,} events in "
              f"{UPDATE_SECONDS:.0f} s): {meter.longest * 1000:.1f} ms")
        await app.run_action("switch_mode('audit')")
        await wait_until(lambda: shown(app, "#audit-table"))
        began = time.perf_counter()
        await pilot.press("G")
        await wait_until(lambda: rows_of(app, "#audit-table") > 100)
        await painted(app)
        print(f"audit: the next page of {audit_events:,} events shown {(time.perf_counter() - began) * 1000:.0f} ms "
              "after G")


def import_seconds() -> float:
    """Loading the app's modules (Textual included) in a fresh interpreter, part of a real start."""
    probe = "import time; t = time.perf_counter(); import qtorrentino.tui.app; print(time.perf_counter() - t)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[2])
    return float(result.stdout)


def main() -> None:
    audit_events = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(f"importing the app's modules: {import_seconds() * 1000:.0f} ms")
    with tempfile.TemporaryDirectory() as folder:
        engine = Engine.open(make_home(Path(folder)), clock=FrozenClock(START + timedelta(days=30)))
        engine.start(workers=False)
        try:
            seed(engine, audit_events)
            asyncio.run(drive(engine, audit_events))
        finally:
            engine.stop()
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()

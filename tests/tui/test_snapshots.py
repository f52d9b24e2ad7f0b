"""Snapshots of every screen at 80×24 and 160×48 over a seeded engine (fixed home path, ids and clock)."""

from __future__ import annotations

import fcntl
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from qtorrentino.clock import FrozenClock
from qtorrentino.engine.engine import Engine
from qtorrentino.tui.app import QtorrentinoApp, UiSettings
from tests.conftest import make_home
from tests.tui.conftest import SEED_START
from tests.tui.seed import Seeded, fixed_ticket_ids, seed_library, seed_tickets, torrent_progress

SIZES = [(80, 24), (160, 48)]
SNAPSHOT_HOME = Path(tempfile.gettempdir()) / "qtorrentino-tui-snapshots"
"""A fixed path: paths and the config fingerprint show on screen, so they must not change between runs."""

SNAPSHOT_CONFIG_HASH = "0123456789abcdef"
"""ServiceStarted shows the config's fingerprint, which changes whenever a config key is added."""

Steps = Callable[[Pilot[None], Engine, Seeded], Awaitable[None]]


@pytest.fixture(scope="module")
def snapshot_world() -> Iterator[tuple[Engine, Seeded]]:
    """One seeded engine for every snapshot (they only look); a lock keeps two runs off the fixed path."""
    with (Path(tempfile.gettempdir()) / "qtorrentino-tui-snapshots.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        shutil.rmtree(SNAPSHOT_HOME, ignore_errors=True)
        clock = FrozenClock(SEED_START)
        engine = Engine.open(make_home(SNAPSHOT_HOME), clock=clock)
        engine.parts.config_hash = SNAPSHOT_CONFIG_HASH
        engine.start(workers=False)
        try:
            with fixed_ticket_ids():
                seeded = seed_tickets(engine, clock)
            seed_library(engine)
            yield engine, seeded
        finally:
            engine.stop()
            shutil.rmtree(SNAPSHOT_HOME, ignore_errors=True)


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every load (and the loads it starts) finished, then one event pump tick."""
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.05)
    await pilot.pause(0.2)


def keys(*pressed: str) -> Steps:
    async def steps(pilot: Pilot[None], engine: Engine, seeded: Seeded) -> None:
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)

    return steps


async def downloads(pilot: Pilot[None], engine: Engine, seeded: Seeded) -> None:
    await keys("2")(pilot, engine, seeded)
    for index in range(3):
        engine.bus.publish(torrent_progress(index, ticket_id=seeded.downloading if index == 0 else None,
                                            progress=0.3 * (index + 1), paused=index == 2))
    await settle(pilot)


SCREENS: dict[str, Steps] = {
    "tickets": keys("1"),
    "ticket_detail": keys("enter", "tab"),
    "downloads": downloads,
    "approvals": keys("3"),
    "unmatched": keys("4"),
    "library": keys("5"),
    "library_items": keys("5", "j", "enter"),
    "audit": keys("6"),
    "audit_event": keys("6", "j", "enter"),
    "new_ticket": keys("n"),
    "help": keys("3", "question_mark"),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen_snapshot(snap_compare: Callable[..., bool], snapshot_world: tuple[Engine, Seeded], screen: str,
                         size: tuple[int, int]) -> None:
    engine, seeded = snapshot_world
    app = QtorrentinoApp(engine, UiSettings.defaults(theme="qtorrentino-dark"))

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await SCREENS[screen](pilot, engine, seeded)

    assert snap_compare(app, terminal_size=size, run_before=run_before)

"""Wanted (w on Tickets) over a real engine: waiting and upgrading tickets, the best quality seen,
the next search, unwatch; watching shown on the Tickets screen; snapshots at 80×24 and 160×48."""

from __future__ import annotations

import fcntl
import shutil
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from qtorrentino.clock import FrozenClock
from qtorrentino.db.models import TicketRow
from qtorrentino.domain.states import TicketState
from qtorrentino.engine.engine import Engine
from qtorrentino.tickets.watching import watch_row
from qtorrentino.tui.app import QtorrentinoApp, UiSettings
from qtorrentino.tui.screens.wanted import WantedScreen
from tests.conftest import make_home
from tests.tui.conftest import SEED_START
from tests.tui.driving import column_text, status_text, table, toasts, until
from tests.tui.seed import add, album, fixed_ticket_ids, move

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from textual.pilot import Pilot

SIZES = [(80, 24), (160, 48)]
HOME = Path(tempfile.gettempdir()) / "qtorrentino-tui-snapshots-wanted"
"""A fixed path: paths show on screen, so they must not change between runs."""
S = TicketState


@dataclass(frozen=True, slots=True)
class Watched:
    album: str
    episode: str
    upgrading: str
    plain: str


def seed_watched(engine: Engine, clock: FrozenClock) -> Watched:
    """A waiting album that saw an MP3 320, an episode waiting for its air date, a completed album
    upgrading to FLAC, and a ticket that watches nothing."""
    waiting = add(engine, {**album("Boards of Canada", "Tomorrow's Harvest"), "watch": True})
    move(engine, waiting, S.ACQUIRING, S.WAITING)
    episode = add(
        engine,
        {
            "kind": "episode",
            "query": {"series": "Future Show", "season": 1, "episodes": [9]},
            "watch": True,
        },
    )
    move(engine, episode, S.ACQUIRING, S.WAITING)
    upgrading = add(
        engine, {**album("Nine Inch Nails", "Ghosts I-IV", tracks=2), "upgrade_until": "flac"}
    )
    move(
        engine,
        upgrading,
        S.ACQUIRING,
        S.AUTO_APPROVED,
        S.DOWNLOADING,
        S.CONVERTING,
        S.PLACING,
        S.COMPLETED,
    )
    unwatched = add(engine, {"kind": "movie", "query": {"title": "Sintel", "year": 2010}})
    with engine.core.uow():
        row = watch_row(waiting)
        row.best_quality, row.best_title = (
            "mp3_320",
            "Boards of Canada - Tomorrow's Harvest [MP3 320]",
        )
        row.next_search_at = clock.now() + timedelta(hours=11, minutes=59)
        row.save()
        row = watch_row(episode)
        row.air_date, row.next_search_at = "2026-01-20", SEED_START.replace(day=20, hour=0)
        row.save()
        row = watch_row(upgrading)
        row.next_search_at = clock.now() + timedelta(hours=12)
        row.save()
        TicketRow.update(watching=True, quality="mp3_320").where(
            TicketRow.id == upgrading
        ).execute()
    return Watched(waiting, episode, upgrading, unwatched)


@pytest.fixture(scope="module")
def wanted_world() -> Iterator[tuple[Engine, Watched]]:
    with (Path(tempfile.gettempdir()) / "qtorrentino-tui-snapshots-wanted.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        shutil.rmtree(HOME, ignore_errors=True)
        clock = FrozenClock(SEED_START)
        engine = Engine.open(make_home(HOME), clock=clock)
        engine.start(workers=False)
        try:
            with fixed_ticket_ids():
                watched = seed_watched(engine, clock)
            yield engine, watched
        finally:
            engine.stop()
            shutil.rmtree(HOME, ignore_errors=True)


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.05)
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_wanted_snapshot(
    snap_compare: Callable[..., bool], wanted_world: tuple[Engine, Watched], size: tuple[int, int]
) -> None:
    engine, _ = wanted_world
    app = QtorrentinoApp(engine, UiSettings.defaults(theme="qtorrentino-dark"))

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_wanted_lists_what_the_watch_looks_for_and_unwatch_takes_a_ticket_off(
    tmp_path: Path,
) -> None:
    clock = FrozenClock(SEED_START)
    engine = Engine.open(make_home(tmp_path), clock=clock)
    engine.start(workers=False)
    try:
        watched = seed_watched(engine, clock)
        app = QtorrentinoApp(engine, UiSettings.defaults())
        async with app.run_test(size=(160, 48)) as pilot:
            await until(
                pilot, lambda: table(app, "#tickets-table").row_count == 4, what="four tickets"
            )
            states = dict(
                zip(
                    table(app, "#tickets-table").keys,
                    column_text(app, "#tickets-table", "state"),
                    strict=True,
                )
            )
            assert states[watched.upgrading] == "completed ↑flac"
            assert states[watched.album] == "waiting" and states[watched.plain] == "pending"
            await pilot.press("w")
            await until(
                pilot,
                lambda: (
                    isinstance(app.screen, WantedScreen)
                    and table(app, "#wanted-table").row_count == 3
                ),
                what="three watched tickets",
            )
            shown = table(app, "#wanted-table")
            assert shown.keys == [watched.album, watched.episode, watched.upgrading]
            assert column_text(app, "#wanted-table", "watch") == ["waiting", "waiting", "upgrade"]
            assert column_text(app, "#wanted-table", "until") == ["any", "any", "flac"]
            assert column_text(app, "#wanted-table", "best") == ["mp3_320", "—", "mp3_320 placed"]
            assert column_text(app, "#wanted-table", "next") == [
                "in 11h59m",
                "airs 2026-01-20",
                "in 12h00m",
            ]
            assert "2 waiting · 1 upgrading" in status_text(app)
            shown.move_cursor(row=shown.get_row_index(watched.upgrading))
            await pilot.press("u")
            await until(pilot, lambda: table(app, "#wanted-table").row_count == 2, what="unwatched")
            await until(
                pilot,
                lambda: any("no longer watched" in text for _, text in toasts(app)),
                what="toast",
            )
            await pilot.press("escape")
            await until(pilot, lambda: not isinstance(app.screen, WantedScreen))
        detail = engine.tickets.show(watched.upgrading)
        assert (detail.state, detail.summary.watching) == (TicketState.COMPLETED, False)
        ended = [
            event for event in engine.audit.history(watched.upgrading) if event.type == "WatchEnded"
        ]
        assert [(event.actor.split(":")[0], event.data["reason"]) for event in ended] == [
            ("tui", "unwatched")
        ]
    finally:
        engine.stop()

"""Approvals snapshots at 80×24 and 120×40 for the demo's ambiguous ticket (issue 18, observation 12).

Its two candidates, the 2018 and the 2009 edition of one album, once both read "Night Patterns - Echoes
(20…"; the part that tells them apart (the year) and each candidate's file mapping must show.
"""

from __future__ import annotations

import fcntl
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from qtorrentino.clock import FrozenClock
from qtorrentino.demo.releases import SPEC, starting_tickets
from qtorrentino.domain.files import FileEntry
from qtorrentino.domain.states import TicketState
from qtorrentino.engine.engine import Engine
from qtorrentino.search.result import SearchResult
from qtorrentino.textbrain.decide import scoring_spec
from qtorrentino.textbrain.score import score_candidates
from qtorrentino.tui.app import QtorrentinoApp, UiSettings
from qtorrentino.workers.candidates import store_candidates
from tests.conftest import make_home
from tests.tui.conftest import SEED_START
from tests.tui.seed import fixed_ticket_ids

SIZES = [(80, 24), (120, 40)]
HOME = Path(tempfile.gettempdir()) / "qtorrentino-tui-snapshots-ambiguous"
"""A fixed path: paths show on screen, so they must not change between runs."""


@pytest.fixture(scope="module")
def ambiguous_world() -> Iterator[Engine]:
    """The demo's ambiguous ticket with its two editions as candidates, scored and stored as acquisition
    does, each with its file list (as the background fetch leaves it before approval)."""
    with (Path(tempfile.gettempdir()) / "qtorrentino-tui-snapshots-ambiguous.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        shutil.rmtree(HOME, ignore_errors=True)
        engine = Engine.open(make_home(HOME), clock=FrozenClock(SEED_START))
        engine.start(workers=False)
        try:
            with fixed_ticket_ids():
                ticket = engine.tickets.add_json(starting_tickets()[1], actor="cli:test")[0].id
            editions = [album for album in SPEC.albums if album.artist == "Night Patterns"]
            results = [SearchResult(
                title=album.title, indexer="loopback", size=61_000_000 + number, seeders=12 - number, peers=3,
                info_hash=f"{number + 1:040x}",
                files=tuple(FileEntry(index, f"{album.title}/{index + 1:02d} - {track}.flac", 14_000_000 + index)
                            for index, track in enumerate(album.tracks)))
                for number, album in enumerate(editions)]
            spec = scoring_spec(engine.tickets.show(ticket).spec, engine.config)
            with engine.core.uow() as outbox:
                engine.core.commands.transition(outbox, ticket, TicketState.ACQUIRING, reason="seeded",
                                                actor="engine")
                store_candidates(ticket, score_candidates(spec, results))
                engine.core.commands.transition(outbox, ticket, TicketState.NEEDS_APPROVAL, reason="seeded",
                                                actor="engine")
            yield engine
        finally:
            engine.stop()
            shutil.rmtree(HOME, ignore_errors=True)


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every load (and the loads it starts) finished, then one event pump tick."""
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.05)
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_ambiguous_candidates_read_differently_with_their_file_mapping(
        snap_compare: Callable[..., bool], ambiguous_world: Engine, size: tuple[int, int]) -> None:
    app = QtorrentinoApp(ambiguous_world, UiSettings.defaults(theme="qtorrentino-dark"))

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)

"""TUI fixtures: a real engine on a copy of a home seeded once (workers off, frozen clock, fixed ids)."""

from __future__ import annotations

import shutil
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import Input

from qtorrentino.clock import FrozenClock
from qtorrentino.engine.engine import Engine
from tests.conftest import make_home
from tests.tui.seed import Seeded, fixed_ticket_ids, seed_library, seed_tickets

SEED_START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class SeededHome:
    """A home seeded once per session, copied for each test (seeding costs ~40 fsynced commits)."""

    root: Path
    tickets: Seeded
    seeded_until: datetime


@pytest.fixture(autouse=True)
def own_signal_handlers() -> Iterator[None]:
    """The app leaves SIGTERM/SIGHUP handlers for the face that runs it; the test process gets its own back."""
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGHUP)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


@pytest.fixture(autouse=True)
def still_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor would make screens differ from one frame to the next."""

    def keep_visible(self: Input) -> None:
        self._cursor_visible = True

    monkeypatch.setattr(Input, "_toggle_cursor", keep_visible)


def seed_home(root: Path) -> SeededHome:
    """Seed a fresh home through the real engine API, then stop the engine so the files can be copied."""
    clock = FrozenClock(SEED_START)
    engine = Engine.open(make_home(root), clock=clock)
    engine.start(workers=False)
    try:
        with fixed_ticket_ids():
            tickets = seed_tickets(engine, clock)
    finally:
        engine.stop()
    return SeededHome(root, tickets, clock.now())


@pytest.fixture(scope="session")
def seeded_home(tmp_path_factory: pytest.TempPathFactory) -> SeededHome:
    return seed_home(tmp_path_factory.mktemp("seeded-home"))


def open_copy(template: SeededHome, root: Path) -> Engine:
    """An engine on a fresh copy of the seeded home at root, its clock where seeding left it."""
    shutil.copytree(template.root, root, ignore=shutil.ignore_patterns("engine.lock", "logs"))
    engine = Engine.open(make_home(root), clock=FrozenClock(template.seeded_until))
    engine.start(workers=False)
    return engine


@pytest.fixture
def engine(seeded_home: SeededHome, tmp_path: Path) -> Iterator[Engine]:
    """A real engine (workers off) on a private copy of the seeded home; replaces the bare one here."""
    engine = open_copy(seeded_home, tmp_path / "home")
    yield engine
    engine.stop()


@pytest.fixture
def scanned(engine: Engine) -> Engine:
    """The engine with files in its libraries, scanned (library rows hold absolute paths: never copied)."""
    seed_library(engine)
    return engine


@pytest.fixture
def seeded(seeded_home: SeededHome) -> Seeded:
    """The ids of the seeded tickets."""
    return seeded_home.tickets

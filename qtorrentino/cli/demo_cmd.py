"""`qtorrentino demo [--headless]`: the whole pipeline against a built-in loopback world, no indexer, no internet."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from qtorrentino.cli.home_args import cli_actor
from qtorrentino.cli.output import print_table
from qtorrentino.config.home import APP_NAME, HOME_ENV, Home
from qtorrentino.domain.states import TERMINAL_STATES, TicketState

if TYPE_CHECKING:
    from types import FrameType

    from qtorrentino.engine.engine import Engine
    from qtorrentino.events import AuditRecorded

log = logging.getLogger(__name__)

WAIT_SECONDS = 0.5


def register(add: Callable[..., argparse.ArgumentParser], global_options: Callable[..., None]) -> None:
    demo = add("demo", "watch the whole pipeline work against a built-in loopback world", run)
    demo.add_argument("--headless", action="store_true",
                      help="no screen: run until every demo ticket is done and print a summary")


def demo_home(args: argparse.Namespace) -> Home:
    """--home, else QTORRENTINO_HOME, else the XDG data folder's demo/ (never the person's real home)."""
    chosen = getattr(args, "home", None) or os.environ.get(HOME_ENV)
    return Home.at(Path(chosen) if chosen else Path(platformdirs.user_data_dir(APP_NAME)) / "demo")


def run(args: argparse.Namespace) -> int:
    from qtorrentino.cli.logs import setup_logging
    from qtorrentino.cli.tui_face import run_app
    from qtorrentino.config.load import load_config
    from qtorrentino.demo.releases import starting_tickets
    from qtorrentino.demo.world import DemoWorld
    from qtorrentino.engine.engine import Engine

    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    home = demo_home(args)
    home.ensure()
    for folder in ("music", "movies", "tv"):
        (home.data_dir / "library" / folder).mkdir(parents=True, exist_ok=True)
    say = _say if args.headless else (lambda text: None)
    world = DemoWorld(home.data_dir / "world")
    say(f"demo home: {home.data_dir}")
    world.prepare(say)
    world.start(say)
    try:
        home.config_file.write_text(world.config_text(home.data_dir), encoding="utf-8")
        config = load_config(home)
        setup_logging(home, config.secrets, to_stderr=False)
        engine = Engine.open(home, config=config, takeover=args.takeover)
        if not engine.tickets.list(limit=1):
            for ticket in starting_tickets():
                engine.tickets.add_json(ticket, actor=cli_actor())
        if args.headless:
            return _headless(engine, home)
        return run_app(engine)
    finally:
        world.stop()


def _say(text: str) -> None:
    sys.stdout.write(f"demo: {text}\n")
    sys.stdout.flush()


def _headless(engine: Engine, home: Home) -> int:
    """Run until every ticket is final; say what happens and what a person must do."""
    from qtorrentino.events import AuditRecorded

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    mailbox = engine.bus.open_mailbox()
    engine.start()
    try:
        while not stop.is_set():
            for event in mailbox.drain().ordered:
                if isinstance(event, AuditRecorded) and event.type == "TicketStateChanged":
                    _report(engine, home, event)
            tickets = engine.tickets.list(limit=1000)
            if tickets and all(_final(t.state, t.retryable) for t in tickets):
                break
            mailbox.wait(WAIT_SECONDS)
        tickets = engine.tickets.list(limit=1000)
        print_table(("TICKET", "STATE", "FILES", "TITLE"),
                    ((t.id, t.state.value, f"{t.items_done}/{t.items_total}", t.title) for t in tickets))
        completed = all(t.state is TicketState.COMPLETED for t in tickets)
        _say(f"library: {home.data_dir / 'library'}" if completed else "some tickets did not complete")
        return 0 if completed else 1
    finally:
        engine.bus.close_mailbox(mailbox)
        engine.stop(reason="demo finished")


def _final(state: TicketState, retryable: bool) -> bool:
    return state in TERMINAL_STATES or (state is TicketState.FAILED and not retryable)


def _report(engine: Engine, home: Home, event: AuditRecorded) -> None:
    to_state = event.data.get("to_state")
    ticket = engine.tickets.show(event.ticket_id or "")
    _say(f"{ticket.summary.title}: {event.data.get('from_state')} → {to_state}")
    if to_state == TicketState.NEEDS_APPROVAL.value:
        _say(f"  needs a person: qtorrentino --home {home.data_dir} ticket show {ticket.id}, then "
             f"qtorrentino --home {home.data_dir} ticket approve {ticket.id} [--candidate N]")

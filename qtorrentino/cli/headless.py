"""`qtorrentino headless [--exit-when-idle]`: the engine without a screen; SIGTERM/SIGINT stop it cleanly."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from qtorrentino.cli.home_args import home_from

if TYPE_CHECKING:
    from types import FrameType

    from qtorrentino.engine.engine import Engine

log = logging.getLogger(__name__)

IDLE_CHECK_SECONDS = 0.5


def register(add: Callable[..., argparse.ArgumentParser], global_options: Callable[..., None]) -> None:
    headless = add("headless", "run the engine without a screen (systemd, tmux-less boxes)", run)
    headless.add_argument("--exit-when-idle", action="store_true",
                          help="exit once no ticket can move without a person (1 if any failed)")


def run(args: argparse.Namespace) -> int:
    from qtorrentino.cli.logs import setup_logging
    from qtorrentino.config.load import load_config
    from qtorrentino.engine.engine import Engine

    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    home = home_from(args)
    config = load_config(home)
    setup_logging(home, config.secrets, to_stderr=True)
    engine = Engine.open(home, config=config, takeover=args.takeover)
    return serve(engine, exit_when_idle=args.exit_when_idle)


def serve(engine: Engine, *, exit_when_idle: bool, started: bool = False) -> int:
    """Run an engine until a signal (or idleness, when asked); returns the exit code."""
    from qtorrentino.events import AuditRecorded

    stop = threading.Event()
    reason = ["stopped"]

    def on_signal(signum: int, frame: FrameType | None) -> None:
        reason[0] = signal.Signals(signum).name
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    mailbox = engine.bus.open_mailbox()
    try:
        if not started:
            engine.start()
        while not stop.is_set():
            mailbox.wait(IDLE_CHECK_SECONDS)
            for event in mailbox.drain().ordered:
                if isinstance(event, AuditRecorded) and event.type == "TicketStateChanged":
                    log.info("ticket %s: %s → %s (%s)", event.ticket_id, event.data.get("from_state"),
                             event.data.get("to_state"), event.data.get("reason"))
            if exit_when_idle and engine.is_idle():
                reason[0] = "idle"
                break
            stop.wait(0.05)
        failed = engine.tickets.any_failed()
    finally:
        engine.bus.close_mailbox(mailbox)
        engine.stop(reason=reason[0])
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 1 if exit_when_idle and failed else 0

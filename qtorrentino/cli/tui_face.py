"""`qtorrentino` with no command: the engine plus the Textual app; a dropped SSH session leaves the engine running."""

from __future__ import annotations

import argparse
import logging
import signal

from qtorrentino.cli.headless import serve
from qtorrentino.cli.home_args import home_from
from qtorrentino.cli.logs import setup_logging
from qtorrentino.config.load import load_config
from qtorrentino.engine.engine import Engine

log = logging.getLogger(__name__)


def run_tui(args: argparse.Namespace) -> int:
    """Open the engine, run the app; on SIGHUP keep the engine running headless until SIGTERM."""
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    home = home_from(args)
    config = load_config(home)
    setup_logging(home, config.secrets, to_stderr=False)
    engine = Engine.open(home, config=config, takeover=args.takeover)
    return run_app(engine)


def run_app(engine: Engine, *, started: bool = False) -> int:
    """Run the app over an engine; the engine stops when the app quits, not when the terminal hangs up."""
    from qtorrentino.tui.app import QtorrentinoApp, UiSettings

    try:
        if not started:
            engine.start()
        app = QtorrentinoApp(engine, UiSettings.from_config(engine.config, engine.home))
        app.run()
    except BaseException:
        engine.stop(reason="error")
        raise
    if app.hung_up:
        log.info("terminal hung up: the engine keeps running headless (SIGTERM stops it)")
        return serve(engine, exit_when_idle=False, started=True)
    engine.stop(reason="quit")
    return 0

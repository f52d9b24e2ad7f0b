"""Turning --home into a Home, and opening the core for commands that work beside a running engine."""

from __future__ import annotations

import argparse

from qtorrentino.config.home import Home
from qtorrentino.engine.core import Core
from qtorrentino.engine.lock import touch_wake_file


def home_from(args: argparse.Namespace) -> Home:
    return Home.resolve(getattr(args, "home", None))


def open_core(args: argparse.Namespace) -> Core:
    """Open the home's database without the engine lock; commits wake a running engine."""
    home = home_from(args)
    core = Core.open(home)
    core.uow.after_commit = lambda: touch_wake_file(home.wake_file)
    return core

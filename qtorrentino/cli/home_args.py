"""Turning --home into a Home; the core and the actor (`cli:<user>`) of commands beside a running engine."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from qtorrentino.config.home import Home

if TYPE_CHECKING:
    from qtorrentino.engine.core import Core


def home_from(args: argparse.Namespace) -> Home:
    return Home.resolve(getattr(args, "home", None))


def open_core(args: argparse.Namespace) -> Core:
    """Open the home's database without the engine lock; commits wake a running engine."""
    from qtorrentino.engine.core import Core
    from qtorrentino.engine.lock import touch_wake_file

    home = home_from(args)
    return Core.open(home, after_commit=lambda: touch_wake_file(home.wake_file))


def cli_actor() -> str:
    """`cli:<user>`: who the audit log says acted."""
    from qtorrentino.engine.core import actor_name

    return actor_name("cli")

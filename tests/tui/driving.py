"""Driving the app in Pilot tests: wait for conditions (never blind sleeps), read tables and toasts."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.css.query import QueryError
from textual.pilot import Pilot
from textual.widgets import Static

from qtorrentino.tui.widgets.paged_table import PagedTable


async def until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 10.0,
                what: str = "condition") -> None:
    """Let the app run until condition holds; fail with a clear message instead of a blind sleep."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return
        except (LookupError, QueryError):
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout}s")
        await pilot.pause(0.05)


def table(app: App[Any], selector: str) -> PagedTable:
    return app.screen.query_one(selector, PagedTable)


def column_text(app: App[Any], selector: str, column: str) -> list[str]:
    """The plain text of one column of a table on the current screen, top to bottom."""
    shown = table(app, selector)
    return [shown.get_cell(key, column).plain for key in shown.keys]


def toasts(app: App[Any]) -> list[tuple[str, str]]:
    """(severity, message) of every notification the app raised so far."""
    return [(notification.severity, notification.message) for notification in app._notifications]


def status_text(app: App[Any]) -> str:
    """The status line under the header of the current screen."""
    return str(app.screen.query_one("#status", Static).content)


def shown_text(app: App[Any], selector: str) -> str:
    """The plain text a Static or Label on the current screen shows."""
    return str(app.screen.query_one(selector, Static).content)

"""The command palette reaches every action: the current screen's bindings and the sections, by name."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from textual.app import App, SystemCommand
from textual.screen import Screen

HIDDEN_PREFIXES = ("table.", "filter.")
"""Movement keys are not worth a palette entry; they stay in help."""


def binding_commands(app: App[Any], screen: Screen[Any]) -> Iterable[SystemCommand]:
    """One palette command per binding active on the screen (described, with an id), named with its key."""
    seen: set[str] = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.id or not binding.description or binding.id in seen:
            continue
        if binding.id.startswith(HIDDEN_PREFIXES):
            continue
        seen.add(binding.id)
        shown_key = app.get_key_display(binding.with_key(key))
        yield SystemCommand(f"{binding.description} ({shown_key})", f"{binding.id}",
                            partial(app.run_action, binding.action, active.node))

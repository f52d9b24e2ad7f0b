"""KeyFooter: the keys of the focused screen on one line, drawn as text (no widget per key)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


class KeyFooter(Widget):
    """The footer every screen shows: each key that can act, dimmed when it cannot act now.

    Textual's Footer builds one widget per key and rebuilds them all whenever bindings change (every screen
    switch and selection change); drawing one line of text keeps a switch under a frame.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-footer--key", "key-footer--description",
                                             "key-footer--disabled"}
    DEFAULT_CSS = """
    KeyFooter { dock: bottom; height: 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._actions: list[tuple[int, int, str, object]] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        self.refresh()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-footer--key")
        description_style = self.get_component_rich_style("key-footer--description")
        disabled_style = self.get_component_rich_style("key-footer--disabled")
        line = Text(no_wrap=True, overflow="crop", end="")
        shown: set[str] = set()
        self._actions = []
        palette = None
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if key == self.app.COMMAND_PALETTE_BINDING:
                palette = binding.with_key(key)
            if not binding.show or binding.action in shown:
                continue
            shown.add(binding.action)
            start = line.cell_len
            line.append(f" {self.app.get_key_display(binding.with_key(key))}",
                        style=key_style if active.enabled else disabled_style)
            line.append(f" {binding.description} ", style=description_style if active.enabled else disabled_style)
            self._actions.append((start, line.cell_len, binding.action, active.node))
        if palette is not None:
            hint = f" {self.app.get_key_display(palette)} palette "
            padding = self.size.width - line.cell_len - len(hint)
            if padding > 0:
                line.append(" " * padding)
                line.append(hint, style=description_style)
        return line

    async def on_click(self, event: events.Click) -> None:
        for start, end, action, node in self._actions:
            if start <= event.x < end:
                await self.app.run_action(action, node)  # type: ignore[arg-type]
                return

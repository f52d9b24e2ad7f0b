"""FilterBar: the `/` filter input; posts FilterBar.Edited as the person types, hides on escape."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input


class FilterBar(Input):
    """A one-line filter under a list: enter keeps the filter, escape clears it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear_filter", "Clear filter", id="filter.clear"),
    ]
    DEFAULT_CSS = """
    FilterBar { dock: bottom; display: none; height: 1; border: none; padding: 0 1; }
    FilterBar.-open { display: block; }
    """

    class Edited(Message):
        """The filter text changed (empty: no filter); not Input.Changed, which this class still posts."""

        def __init__(self, value: str) -> None:
            super().__init__()
            self.value = value

    class Done(Message):
        """The person finished typing: focus goes back to the list."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder="filter…  (enter: keep, escape: clear)", id=id, compact=True)

    def open(self) -> None:
        """Show the bar and put the cursor in it."""
        self.add_class("-open")
        self.focus()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Edited(event.value.strip()))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.value.strip():
            self.remove_class("-open")
        self.post_message(self.Done())

    def action_clear_filter(self) -> None:
        self.value = ""
        self.remove_class("-open")
        self.post_message(self.Done())

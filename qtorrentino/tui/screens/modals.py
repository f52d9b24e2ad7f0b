"""Typed modals: ConfirmModal[bool], TextPromptModal[str | None], PickModal[int | None]."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from qtorrentino.tui.text import plain


class ConfirmModal(ModalScreen[bool]):
    """Ask before something that cannot be undone; y/enter confirms, n/escape declines."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, details: Sequence[Text] = ()) -> None:
        super().__init__()
        self._question = question
        self._details = tuple(details)

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Label(plain(self._question, style="bold"), classes="modal-title")
            if self._details:
                with VerticalScroll(classes="modal-details"):
                    for line in self._details:
                        yield Static(line)
            yield Label(Text("y / enter: yes    n / escape: no", end=""), classes="modal-hint")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class TextPromptModal(ModalScreen[str | None]):
    """Ask for one line of text; enter returns it (maybe empty), escape returns None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="prompt.cancel"),
    ]

    def __init__(self, question: str, *, value: str = "", placeholder: str = "", hint: str = "") -> None:
        super().__init__()
        self._question = question
        self._value = value
        self._placeholder = placeholder
        self._hint = hint or "enter: OK    escape: cancel"

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Label(plain(self._question, style="bold"), classes="modal-title")
            yield Input(value=self._value, placeholder=self._placeholder, id="prompt-input")
            yield Label(plain(self._hint), classes="modal-hint")

    def on_mount(self) -> None:
        self.query_one("#prompt-input", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PickModal(ModalScreen[int | None]):
    """Pick one line of a list; enter returns its index, escape returns None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="pick.cancel"),
        Binding("j", "move(1)", "Down", show=False, id="pick.down"),
        Binding("k", "move(-1)", "Up", show=False, id="pick.up"),
    ]

    def __init__(self, question: str, options: Sequence[Text], *, hint: str = "") -> None:
        super().__init__()
        self._question = question
        self._options = tuple(options)
        self._hint = hint or "enter: pick    escape: cancel"

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Label(plain(self._question, style="bold"), classes="modal-title")
            yield OptionList(*(Option(option, id=str(index)) for index, option in enumerate(self._options)),
                             id="pick-list")
            yield Label(plain(self._hint), classes="modal-hint")

    def on_mount(self) -> None:
        self.query_one("#pick-list", OptionList).focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option_index)

    def action_move(self, step: int) -> None:
        options = self.query_one("#pick-list", OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)

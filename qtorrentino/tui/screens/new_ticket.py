"""n New ticket: kind, the fields that kind needs, library, format, priority, dry run → `tickets.add_json`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Input, Label, Select
from textual.worker import Worker

from qtorrentino.config.model import FORMATS
from qtorrentino.domain.ticket import TicketKind
from qtorrentino.engine.api import Created
from qtorrentino.tui.screens.base import TUI_ACTOR, toast_worker_error
from qtorrentino.tui.text import short_id

if TYPE_CHECKING:
    from qtorrentino.tui.app import QtorrentinoApp

QUERY_INPUTS = (("artist", "Artist"), ("album", "Album"), ("title", "Title"), ("year", "Year"),
                ("series", "Series"), ("season", "Season"), ("episodes", "Episodes (1,2 or 1-4)"),
                ("text", "What you want (free text)"))
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "album": ("artist", "album", "year"), "track": ("artist", "title", "album", "year"),
    "movie": ("title", "year"), "episode": ("series", "season", "episodes"), "season": ("series", "season"),
    "generic": ("text",),
}
NUMBER_FIELDS = frozenset({"year", "season"})


def parse_episodes(text: str) -> list[int]:
    """ "1,2,5-7" → [1, 2, 5, 6, 7]; raises ValueError with a readable message."""
    numbers: list[int] = []
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        low, _, high = part.partition("-")
        if not low.strip().isdigit() or (high and not high.strip().isdigit()):
            raise ValueError(f"episodes: {part!r} is not a number or a range like 1-4")
        first, last = int(low), int(high) if high else int(low)
        if last < first or last - first > 500:
            raise ValueError(f"episodes: {part!r} is not a sensible range")
        numbers.extend(range(first, last + 1))
    return numbers


class NewTicketScreen(ModalScreen[None]):
    """A form for one ticket; ctrl+s or enter in a field files it, escape leaves without filing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="new_ticket.cancel"),
        Binding("ctrl+s", "submit", "Add ticket", id="new_ticket.submit"),
    ]

    class Added(Message):
        """The ticket was filed."""

        def __init__(self, created: list[Created]) -> None:
            super().__init__()
            self.created = created

    def compose(self) -> ComposeResult:
        app = cast("QtorrentinoApp", self.app)
        libraries = [(library.name, library.name) for library in app.engine.config.libraries]
        with VerticalScroll(classes="form-box", id="new-ticket-form"):
            yield Label(Text("New ticket", style="bold", end=""), classes="modal-title")
            yield Label(Text("Kind", end=""))
            yield Select([(kind.value, kind.value) for kind in TicketKind], value="album", allow_blank=False,
                         id="kind")
            for key, label in QUERY_INPUTS:
                yield Label(Text(label, end=""), id=f"label-{key}", classes="query-label")
                yield Input(id=f"field-{key}", classes="query-field",
                            type="integer" if key in NUMBER_FIELDS else "text")
            yield Label(Text("Library (blank: the first of the kind)", end=""))
            yield Select(libraries, prompt="first library of the kind", id="library")
            yield Label(Text("Format (blank: the library's)", end=""))
            yield Select([(name, name) for name in FORMATS], prompt="library default", id="format")
            yield Label(Text("Priority (0–65535, higher first)", end=""))
            yield Input(value="100", type="integer", id="priority")
            yield Checkbox("Dry run (search and score only, download nothing)", id="dry-run")
            with Horizontal(classes="form-buttons"):
                yield Button("Add ticket", variant="primary", id="add")
                yield Button("Cancel", id="cancel")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._show_fields("album")
        self.query_one("#field-artist", Input).focus()

    @on(Select.Changed, "#kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        self._show_fields(str(event.value))

    def _show_fields(self, kind: str) -> None:
        wanted = KIND_FIELDS.get(kind, ())
        for key, _label in QUERY_INPUTS:
            self.query_one(f"#field-{key}", Input).display = key in wanted
            self.query_one(f"#label-{key}", Label).display = key in wanted

    def ticket_document(self) -> dict[str, Any]:
        """The ticket JSON the form describes; raises ValueError naming the field that is wrong."""
        kind = str(self.query_one("#kind", Select).value)
        query: dict[str, Any] = {}
        for key in KIND_FIELDS.get(kind, ()):
            value = self.query_one(f"#field-{key}", Input).value.strip()
            if not value:
                continue
            if key in NUMBER_FIELDS:
                query[key] = int(value)
            elif key == "episodes":
                query[key] = parse_episodes(value)
            else:
                query[key] = value
        priority_text = self.query_one("#priority", Input).value.strip() or "100"
        document: dict[str, Any] = {"kind": kind, "query": query, "priority": int(priority_text),
                                    "dry_run": self.query_one("#dry-run", Checkbox).value}
        library = self.query_one("#library", Select).value
        if isinstance(library, str):
            document["library"] = library
        chosen_format = self.query_one("#format", Select).value
        if isinstance(chosen_format, str):
            document["constraints"] = {"format": chosen_format}
        return document

    @on(Input.Submitted)
    def _field_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    @on(Button.Pressed, "#add")
    def _add_pressed(self, event: Button.Pressed) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        self.action_cancel()

    def action_submit(self) -> None:
        try:
            document = self.ticket_document()
        except ValueError as error:
            self.notify(str(error), title="Not filed", severity="error", markup=False)
            return
        self._add(document)

    @work(thread=True, exclusive=True, group="new-ticket-add", exit_on_error=False)
    def _add(self, document: dict[str, Any]) -> None:
        app = cast("QtorrentinoApp", self.app)
        self.post_message(self.Added(app.engine.tickets.add_json(document, actor=TUI_ACTOR)))

    @on(Added)
    def _added(self, message: Added) -> None:
        for created in message.created:
            follows = f", follows {short_id(created.linked_to)}" if created.linked_to else ""
            self.notify(f"Ticket {short_id(created.id)} filed ({created.state.value}{follows})", markup=False)
        self.dismiss()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        toast_worker_error(self, event)

    def action_cancel(self) -> None:
        self.dismiss()

"""n New ticket: kind, fields (looked up in MusicBrainz/TMDB when configured), library, priority, dry run."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select
from textual.worker import Worker

from qtorrentino.domain.ticket import FORMATS, TicketKind
from qtorrentino.engine.api import Created
from qtorrentino.tui.screens.base import TUI_ACTOR, toast_worker_error
from qtorrentino.tui.screens.lookup import MUSIC_KINDS, candidate_line, provider_for, track_items
from qtorrentino.tui.screens.modals import PickModal
from qtorrentino.tui.text import plain, short_id
from qtorrentino.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from qtorrentino.engine.engine import Engine
    from qtorrentino.tui.app import QtorrentinoApp

QUERY_INPUTS = (("artist", "Artist", "e.g. Radiohead"), ("album", "Album", "e.g. OK Computer"),
                ("title", "Title", "e.g. Big Buck Bunny"), ("year", "Year", "e.g. 1997"),
                ("series", "Series", "e.g. Example Show"), ("season", "Season", "e.g. 1"),
                ("episodes", "Episodes", "1,2 or 1-4"), ("text", "What", "free text: what you want"))
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
        Binding("ctrl+l", "lookup", "Look up", id="new_ticket.lookup"),
    ]

    class Added(Message):
        """The ticket was filed."""

        def __init__(self, created: list[Created]) -> None:
            super().__init__()
            self.created = created

    class Found(Message):
        """Releases or movies a provider knows for the typed fields."""

        def __init__(self, kind: str, candidates: list[dict[str, Any]]) -> None:
            super().__init__()
            self.kind = kind
            self.candidates = candidates

    class TracksFound(Message):
        """The tracks of the picked release."""

        def __init__(self, release_id: str, tracks: list[dict[str, Any]]) -> None:
            super().__init__()
            self.release_id = release_id
            self.tracks = tracks

    def __init__(self) -> None:
        super().__init__()
        self._picked: dict[str, Any] = {}
        """What a lookup added to the ticket: musicbrainz_release_id and items, or tmdb_id."""

    @property
    def engine(self) -> Engine:
        return cast("QtorrentinoApp", self.app).engine

    def compose(self) -> ComposeResult:
        libraries = [(library.name, library.name) for library in self.engine.config.libraries]
        with VerticalScroll(classes="form-box", id="new-ticket-form"):
            yield Label(Text("New ticket", style="bold", end=""), classes="modal-title")
            with Horizontal(classes="form-row"):
                yield Label(Text("Kind", end=""))
                yield Select([(kind.value, kind.value) for kind in TicketKind], value="album", allow_blank=False,
                             id="kind", compact=True)
            yield Label(Text("", end=""), id="lookup-note", classes="modal-hint")
            for key, label, placeholder in QUERY_INPUTS:
                with Horizontal(classes="form-row", id=f"row-{key}"):
                    yield Label(Text(label, end=""))
                    yield Input(id=f"field-{key}", placeholder=placeholder, compact=True,
                                type="integer" if key in NUMBER_FIELDS else "text")
            with Horizontal(classes="form-row"):
                yield Label(Text("Library", end=""))
                yield Select(libraries, prompt="the first of the kind", id="library", compact=True)
            with Horizontal(classes="form-row"):
                yield Label(Text("Format", end=""))
                yield Select([(name, name) for name in FORMATS], prompt="the library's", id="format", compact=True)
            with Horizontal(classes="form-row"):
                yield Label(Text("Priority", end=""))
                yield Input(value="100", type="integer", id="priority", compact=True)
            yield Checkbox("Dry run (search and score only, download nothing)", id="dry-run", compact=True)
            with Horizontal(classes="form-buttons"):
                yield Button("Add ticket", variant="primary", id="add", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self._show_fields("album")
        self.query_one("#field-artist", Input).focus()

    @on(Select.Changed, "#kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        self._picked = {}
        self._show_fields(str(event.value))

    def _show_fields(self, kind: str) -> None:
        wanted = KIND_FIELDS.get(kind, ())
        for key, _label, _placeholder in QUERY_INPUTS:
            self.query_one(f"#row-{key}", Horizontal).display = key in wanted
        provider = self._provider(kind)
        note = f"ctrl+l: look it up in {provider}" if provider else "type the fields (no lookup configured)"
        self._note(note)
        self.refresh_bindings()

    def _note(self, text: str) -> None:
        self.query_one("#lookup-note", Label).update(plain(text))

    def _provider(self, kind: str) -> str | None:
        config = self.engine.config
        return provider_for(kind, musicbrainz=config.musicbrainz is not None, tmdb=config.tmdb is not None)

    def _kind(self) -> str:
        return str(self.query_one("#kind", Select).value)

    def _field(self, key: str) -> str:
        return self.query_one(f"#field-{key}", Input).value.strip()

    def ticket_document(self) -> dict[str, Any]:
        """The ticket JSON the form describes; raises ValueError naming the field that is wrong."""
        kind = self._kind()
        query: dict[str, Any] = {}
        for key in KIND_FIELDS.get(kind, ()):
            value = self._field(key)
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
        if "items" in self._picked:
            document["items"] = self._picked["items"]
        query.update({key: value for key, value in self._picked.items() if key != "items"})
        return document

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "lookup":
            return True if self.is_mounted and self._provider(self._kind()) else None
        return True

    def action_lookup(self) -> None:
        kind = self._kind()
        if self._provider(kind) is None:
            return
        self._note("looking up…")
        self._lookup(kind, self._field("artist"), self._field("album") or self._field("title"), self._field("title"),
                     int(self._field("year")) if self._field("year").isdigit() else None)

    @work(thread=True, exclusive=True, group="new-ticket-lookup", exit_on_error=False)
    def _lookup(self, kind: str, artist: str, album: str, title: str, year: int | None) -> None:
        library = self.engine.library
        found = library.lookup_release(artist, album) if kind in MUSIC_KINDS else library.lookup_movie(title, year)
        self.post_message(self.Found(kind, found))

    @on(Found)
    def _found(self, message: Found) -> None:
        provider = self._provider(message.kind) or "the provider"
        if not message.candidates:
            self._note(f"{provider} knows nothing by that name (or did not answer): type the fields")
            return
        candidates = message.candidates

        def picked(index: int | None) -> None:
            if index is not None:
                self._use(message.kind, candidates[index])

        self.app.push_screen(PickModal(f"Which one? ({provider})", [candidate_line(message.kind, candidate)
                                                                    for candidate in candidates]), picked)

    def _use(self, kind: str, candidate: dict[str, Any]) -> None:
        def fill(key: str, value: object) -> None:
            if value not in (None, ""):
                self.query_one(f"#field-{key}", Input).value = str(value)

        fill("year", candidate.get("year"))
        if kind in MUSIC_KINDS:
            fill("artist", candidate.get("artist"))
            fill("album", candidate.get("title"))
            self._picked = {"musicbrainz_release_id": candidate["id"]}
            self._note("reading the release's tracks…")
            self._read_tracks(str(candidate["id"]))
        else:
            fill("title", candidate.get("title"))
            self._picked = {"tmdb_id": candidate.get("tmdb_id")}
            self._note(f"TMDB movie {candidate.get('tmdb_id')}")

    @work(thread=True, exclusive=True, group="new-ticket-lookup", exit_on_error=False)
    def _read_tracks(self, release_id: str) -> None:
        self.post_message(self.TracksFound(release_id, self.engine.library.release_tracks(release_id)))

    @on(TracksFound)
    def _tracks_found(self, message: TracksFound) -> None:
        if self._picked.get("musicbrainz_release_id") != message.release_id:
            return
        if message.tracks:
            self._picked["items"] = track_items(message.tracks)
        self._note(f"MusicBrainz release {message.release_id}: {len(message.tracks)} tracks")

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
        self.post_message(self.Added(self.engine.tickets.add_json(document, actor=TUI_ACTOR)))

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

"""AuditFilterModal: narrow the audit log by ticket, event types and a time window."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from qtorrentino.clock import iso, parse_iso
from qtorrentino.engine.api import AuditFilter
from qtorrentino.tui.text import plain

FIELDS = (("ticket", "Ticket id (4 characters or more)", "e.g. 1a2b3c4d"),
          ("types", "Event types, comma-separated", "e.g. TicketStateChanged, ApprovalGranted"),
          ("since", "Since (UTC)", "e.g. 2026-01-01T00:00:00Z"),
          ("until", "Until (UTC)", "e.g. 2026-01-31"))


class AuditFilterModal(ModalScreen[AuditFilter | None]):
    """A small form; enter applies, escape leaves the filter as it was, empty fields do not narrow."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="audit_filter.cancel")]

    def __init__(self, current: AuditFilter) -> None:
        super().__init__()
        self._current = current

    def compose(self) -> ComposeResult:
        values = {"ticket": self._current.ticket_id or "", "types": ", ".join(self._current.types),
                  "since": iso(self._current.since) or "", "until": iso(self._current.until) or ""}
        with Vertical(classes="modal-box"):
            yield Label(Text("Filter the audit log", style="bold", end=""), classes="modal-title")
            for key, label, placeholder in FIELDS:
                yield Label(Text(label, end=""))
                yield Input(value=values[key], placeholder=placeholder, id=f"filter-{key}")
            yield Label(Text("", end=""), id="filter-error", classes="modal-error")
            yield Label(Text("enter: apply    escape: cancel    empty fields: no limit", end=""),
                        classes="modal-hint")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            chosen = self._read()
        except ValueError as error:
            self.query_one("#filter-error", Label).update(plain(str(error)))
            return
        self.dismiss(chosen)

    def _read(self) -> AuditFilter:
        def value(key: str) -> str:
            return self.query_one(f"#filter-{key}", Input).value.strip()

        types = tuple(part.strip() for part in value("types").split(",") if part.strip())
        return replace(self._current, ticket_id=value("ticket") or None, types=types,
                       since=_moment(value("since"), "since"), until=_moment(value("until"), "until"))

    def action_cancel(self) -> None:
        self.dismiss(None)


def _moment(text: str, label: str) -> datetime | None:
    if not text:
        return None
    try:
        return parse_iso(text)
    except ValueError as error:
        raise ValueError(f"{label}: {text!r} is not a time; write it like 2026-01-31T12:00:00Z") from error

"""What each notification says: the ticket, what happened, the command to act; and which events stay silent."""

from __future__ import annotations

from typing import Any

import pytest

from qtorrentino.events import AuditRecorded
from qtorrentino.notify.messages import notification_for

TICKET = "a1b2c3d4e5f6"


def _event(kind: str, data: dict[str, Any], ticket: str | None = TICKET) -> AuditRecorded:
    return AuditRecorded(seq=1, type=kind, ticket_id=ticket, actor="engine", at="2026-01-01T12:00:00Z", data=data)


@pytest.mark.parametrize(
    ("event", "kind", "command"),
    [
        (_event("TicketStateChanged", {"to_state": "completed"}), "completed", f"ticket show {TICKET}"),
        (_event("TicketStateChanged", {"to_state": "acquisition_failed", "reason": "no candidates"}), "failed",
         f'ticket force-search {TICKET} "QUERY"'),
        (_event("UpgradeCompleted", {"quality": "flac"}), "upgraded", f"ticket show {TICKET}"),
        (_event("PlacementFailed", {"fault": "library_offline", "library": "Music", "error": "marker missing"}),
         "library_offline", f"ticket retry {TICKET}"),
        (_event("ScanCompleted", {"fault": "library_offline", "library": "Movies"}, ticket=None),
         "library_offline", "ticket list --state failed"),
    ],
    ids=["completed", "acquisition-failed", "upgraded", "placement-offline", "scan-offline"],
)
def test_each_event_names_what_happened_and_the_command(event: AuditRecorded, kind: str, command: str) -> None:
    note = notification_for(event, "Artist – Album (2001)")
    assert note is not None and note.event == kind
    assert f"qtorrentino {command}" in note.body
    if event.ticket_id:
        assert f"Ticket {TICKET} (Artist – Album (2001))" in note.body
    else:
        assert "Library Movies is offline" in note.body and note.subject == "library:Movies"


@pytest.mark.parametrize("event", [
    _event("TicketStateChanged", {"to_state": "downloading"}),
    _event("DownloadFailed", {"error": "tracker said no"}),
    _event("NotificationFailed", {"service": "json", "event": "failed", "error": "HTTP 500"}),
    _event("ServiceStarted", {"version": "0.1"}, ticket=None),
])
def test_other_events_stay_silent(event: AuditRecorded) -> None:
    assert notification_for(event, "") is None

"""Which audit events a person is told about, and what the message says: the ticket, what happened, what to type.

Pure code: an AuditRecorded event (and the ticket's title) in, a Notification or None out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qtorrentino.events import AuditRecorded

FAULT_EVENTS = {"disk_full": "disk_full", "library_offline": "library_offline"}
"""data["fault"] value → notification event; these say more than the `failed` that may come with them."""


@dataclass(frozen=True, slots=True)
class Notification:
    """One message to send: which configured event it is, about whom, and its text."""

    event: str
    """One of [notify] events' names (needs_approval, failed, completed, disk_full, library_offline, upgraded)."""
    subject: str
    """What it is about (a ticket id, or a library for library_offline): repeats about it are held back."""
    ticket_id: str | None
    title: str
    body: str


def notification_for(event: AuditRecorded, ticket_title: str) -> Notification | None:
    """The notification an audit event calls for, or None (ticket_title: "" when unknown)."""
    data = event.data
    ticket = event.ticket_id
    named = f"Ticket {ticket}" + (f" ({ticket_title})" if ticket_title else "") if ticket else ""
    fault = FAULT_EVENTS.get(str(data.get("fault") or ""))
    if fault == "disk_full":
        error = data.get("error") or "no space left on device"
        return Notification(fault, ticket or "disk", ticket, f"qtorrentino: download disk full{_for(ticket_title)}",
                            f"{named or 'A download'} stopped: the download disk is full ({error}). Free some "
                            f"space, then: {_command('retry', ticket)}")
    if fault == "library_offline":
        library = str(data.get("library") or "a library")
        waits = f" {named} waits for it." if named else ""
        return Notification(fault, f"library:{library}", ticket, f"qtorrentino: library {library} is offline",
                            f"Library {library} is offline: its root has no marker file (is the disk mounted?)."
                            f"{waits} Once it is back: {_command('retry', ticket)}")
    if event.type == "UpgradeCompleted" and ticket:
        quality = data.get("quality") or "a better release"
        return Notification("upgraded", ticket, ticket, f"qtorrentino: upgraded{_for(ticket_title)}",
                            f"{named} was upgraded to {quality}. Details: qtorrentino ticket show {ticket}")
    if event.type != "TicketStateChanged" or not ticket:
        return None
    reason = str(data.get("reason") or "").strip()
    because = f": {reason}" if reason else ""
    state = data.get("to_state")
    if state == "needs_approval":
        return Notification("needs_approval", ticket, ticket, f"qtorrentino: approval needed{_for(ticket_title)}",
                            f"{named} needs your approval{because}. Approve the recommended candidate: "
                            f"qtorrentino ticket approve {ticket} (another: --candidate N; none: "
                            f"qtorrentino ticket reject {ticket})")
    if state == "acquisition_failed":
        return Notification("failed", ticket, ticket, f"qtorrentino: nothing found{_for(ticket_title)}",
                            f"{named} found nothing acceptable{because}. Search with other words: "
                            f"qtorrentino ticket force-search {ticket} \"QUERY\"")
    if state == "failed":
        return Notification("failed", ticket, ticket, f"qtorrentino: failed{_for(ticket_title)}",
                            f"{named} failed{because}. Retry: {_command('retry', ticket)}")
    if state == "completed":
        return Notification("completed", ticket, ticket, f"qtorrentino: completed{_for(ticket_title)}",
                            f"{named} is completed and in the library. Details: qtorrentino ticket show {ticket}")
    return None


def _for(title: str) -> str:
    return f": {title}" if title else ""


def _command(action: str, ticket: str | None) -> str:
    return f"qtorrentino ticket {action} {ticket}" if ticket else "qtorrentino ticket list --state failed"

"""Which engine events become toasts: a ticket needs approval, completed, or failed; engine notices."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Literal

from textual.app import App

from qtorrentino.events import AuditRecorded, Batch, Notice
from qtorrentino.tui.text import short_id, visible

Severity = Literal["information", "warning", "error"]

TOASTED_STATES: dict[str, tuple[str, str, Severity]] = {
    "needs_approval": ("needs approval (press 3)", "need approval (press 3)", "warning"),
    "acquisition_failed": ("found nothing to download (press 3)", "found nothing to download (press 3)",
                           "warning"),
    "completed": ("completed", "completed", "information"),
    "failed": ("failed", "failed", "error"),
}
"""to_state → (one ticket's wording, several tickets' wording, severity)."""
MAX_SINGLE_TOASTS = 3
"""More tickets than this reaching one state in one batch get one summary toast."""
SEVERITIES: frozenset[str] = frozenset({"information", "warning", "error"})


def show_toasts(app: App[Any], batch: Batch) -> None:
    """Toast what a person should know about; many at once are summed up instead of flooding the screen."""
    reached: dict[str, list[AuditRecorded]] = defaultdict(list)
    for event in batch.ordered:
        if isinstance(event, Notice):
            severity: Severity = event.severity if event.severity in SEVERITIES else "information"  # type: ignore[assignment]
            app.notify(visible(event.message), severity=severity, markup=False)
        elif isinstance(event, AuditRecorded) and event.type == "TicketStateChanged":
            to_state = str(event.data.get("to_state"))
            if to_state in TOASTED_STATES:
                reached[to_state].append(event)
    for to_state, events in reached.items():
        one, many, severity = TOASTED_STATES[to_state]
        if len(events) > MAX_SINGLE_TOASTS:
            app.notify(f"{len(events)} tickets {many}", severity=severity, markup=False)
            continue
        for event in events:
            reason = event.data.get("reason")
            detail = f": {visible(reason, 200)}" if severity == "error" and reason else ""
            app.notify(f"Ticket {short_id(event.ticket_id)} {one}{detail}", severity=severity, markup=False)

"""Ticket commands shared by the Tickets list and the ticket detail: cancel (confirmed), retry, priority."""

from __future__ import annotations

from qtorrentino.domain.states import TERMINAL_STATES, TicketState
from qtorrentino.engine.api import TicketSummary
from qtorrentino.tui.screens.base import TUI_ACTOR, EngineScreen
from qtorrentino.tui.screens.modals import ConfirmModal
from qtorrentino.tui.text import plain, short_id

PRIORITY_STEP = 10
PRIORITY_MAX = 65_535
RETRYABLE_STATES = frozenset({TicketState.FAILED, TicketState.ACQUISITION_FAILED})


def can_act(ticket: TicketSummary | None, action: str) -> bool | None:
    """check_action's answer for a ticket command: None (shown dimmed) when it cannot apply."""
    if ticket is None:
        return None
    if action == "cancel" and ticket.state in TERMINAL_STATES:
        return None
    if action == "retry" and ticket.state not in RETRYABLE_STATES:
        return None
    return True


def cancel(screen: EngineScreen, ticket: TicketSummary) -> None:
    """Ask, then cancel the ticket."""
    ticket_id, tickets = ticket.id, screen.engine.tickets

    def confirmed(answer: bool | None) -> None:
        if answer:
            screen.run_command(lambda: tickets.cancel(ticket_id, actor=TUI_ACTOR),
                               f"Ticket {short_id(ticket_id)} cancelled")

    screen.app.push_screen(ConfirmModal(f"Cancel ticket {short_id(ticket_id)}?", [plain(ticket.title)]), confirmed)


def retry(screen: EngineScreen, ticket: TicketSummary) -> None:
    """Send a failed ticket back to the stage it failed in."""
    ticket_id, tickets = ticket.id, screen.engine.tickets
    screen.run_command(lambda: tickets.retry(ticket_id, actor=TUI_ACTOR),
                       f"Ticket {short_id(ticket_id)} sent back to work")


def change_priority(screen: EngineScreen, ticket: TicketSummary, direction: int) -> None:
    """Raise (direction 1) or lower (-1) a ticket's priority by one step."""
    priority = max(0, min(PRIORITY_MAX, ticket.priority + direction * PRIORITY_STEP))
    ticket_id, tickets = ticket.id, screen.engine.tickets
    screen.run_command(lambda: tickets.set_priority(ticket_id, priority, actor=TUI_ACTOR),
                       f"Ticket {short_id(ticket_id)} priority {priority}")

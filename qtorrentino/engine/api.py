"""The surface the faces call (TUI, CLI, headless, demo): tickets and audit commands and queries.

The CLI imports engine.tickets_api or engine.audit_api alone, so a command loads only its half.
"""

from __future__ import annotations

from qtorrentino.audit.query import AuditEvent, AuditFilter, AuditPage
from qtorrentino.audit.vocabulary import AuditType, summarize
from qtorrentino.domain.states import TicketState
from qtorrentino.engine.audit_api import AuditAPI
from qtorrentino.engine.tickets_api import TicketsAPI
from qtorrentino.tickets.creation import Created
from qtorrentino.tickets.views import CandidateView, ItemView, TicketDetail, TicketSummary
from qtorrentino.tickets.wanted import WantedView

__all__ = ["AuditAPI", "AuditEvent", "AuditFilter", "AuditPage", "AuditType", "CandidateView",
           "Created", "ItemView", "TicketDetail", "TicketState", "TicketSummary", "TicketsAPI",
           "WantedView", "summarize"]

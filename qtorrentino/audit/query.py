"""Audit queries: keyset pages by seq, filtered by ticket, type and time, newest first (never OFFSET)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from qtorrentino.clock import iso
from qtorrentino.db.database import database


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One stored audit event, as the faces see it."""

    seq: int
    at: str
    type: str
    ticket_id: str | None
    actor: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at, "type": self.type, "ticket_id": self.ticket_id,
                "actor": self.actor, "data": self.data}


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which events to show; every field narrows."""

    ticket_id: str | None = None
    types: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None
    """Substring of the type or the data (case-insensitive)."""


@dataclass(frozen=True, slots=True)
class AuditPage:
    """A page of events newest first, and the key to ask for the next (older) page."""

    events: tuple[AuditEvent, ...]
    next_before: int | None


def _where(audit_filter: AuditFilter, before: int | None) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if before is not None:
        clauses.append("seq < ?")
        params.append(before)
    if audit_filter.ticket_id is not None:
        clauses.append("ticket_id = ?")
        params.append(audit_filter.ticket_id)
    if audit_filter.types:
        # With a ticket, "+type" keeps SQLite on the ticket index: a ticket has few events, a type has many.
        column = "+type" if audit_filter.ticket_id is not None else "type"
        clauses.append(f"{column} IN ({','.join('?' * len(audit_filter.types))})")
        params.extend(audit_filter.types)
    if audit_filter.since is not None:
        clauses.append("at >= ?")
        params.append(iso(audit_filter.since))
    if audit_filter.until is not None:
        clauses.append("at <= ?")
        params.append(iso(audit_filter.until))
    if audit_filter.text:
        clauses.append("(type LIKE ? OR data LIKE ?)")
        params.extend([f"%{audit_filter.text}%"] * 2)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


_SELECT = "SELECT seq, at, type, ticket_id, actor, data FROM audit_event"


def page(audit_filter: AuditFilter = AuditFilter(), *, before: int | None = None, limit: int = 50) -> AuditPage:
    """Events matching the filter, newest first, older than `before` (a seq).

    Several types without a ticket: one index walk per type, each stopped at the page size, then merged.
    """
    if len(audit_filter.types) > 1 and audit_filter.ticket_id is None:
        branches: list[str] = []
        params: list[Any] = []
        for type_ in audit_filter.types:
            where, branch_params = _where(replace(audit_filter, types=(type_,)), before)
            branches.append(f"SELECT * FROM ({_SELECT}{where} ORDER BY seq DESC LIMIT ?)")
            params += [*branch_params, limit + 1]
        sql = " UNION ALL ".join(branches)
    else:
        where, params = _where(audit_filter, before)
        sql = f"{_SELECT}{where}"
    rows = database.execute_sql(f"{sql} ORDER BY seq DESC LIMIT ?", (*params, limit + 1)).fetchall()
    events = tuple(_event(row) for row in rows[:limit])
    next_before = events[-1].seq if len(rows) > limit and events else None
    return AuditPage(events, next_before)


def latest(ticket_id: str | None = None, type_: str | None = None) -> AuditEvent | None:
    """The newest event of a ticket (and type), if any."""
    found = page(AuditFilter(ticket_id=ticket_id, types=(type_,) if type_ else ()), limit=1).events
    return found[0] if found else None


def by_seq(seq: int) -> AuditEvent | None:
    """One event by its seq."""
    row = database.execute_sql(
        "SELECT seq, at, type, ticket_id, actor, data FROM audit_event WHERE seq = ?", (seq,)).fetchone()
    return _event(row) if row else None


def history(ticket_id: str) -> list[AuditEvent]:
    """Every event of one ticket, oldest first (the ticket detail's history)."""
    rows = database.execute_sql(
        "SELECT seq, at, type, ticket_id, actor, data FROM audit_event WHERE ticket_id = ? ORDER BY seq",
        (ticket_id,)).fetchall()
    return [_event(row) for row in rows]


def _event(row: tuple[Any, ...]) -> AuditEvent:
    seq, at, type_, ticket_id, actor, data = row
    return AuditEvent(seq=seq, at=at, type=type_, ticket_id=ticket_id, actor=actor, data=json.loads(data))

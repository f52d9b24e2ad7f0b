"""Training data for the matcher: one JSON line per decision, with what the person did about it.

A decision is a MatchingCompleted event. Its record holds the ticket as given, the candidates
(with their files, size, seeders and mapping from the candidate rows), each matcher's scores and
reasons, the LLM's cost when one was asked, and what followed until the ticket's next decision:
an automatic approval, a person's approval (a correction when not the recommended candidate),
a rejection, a force-search or force-magnet, and the releases later refused or blocklisted.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from peewee import fn

from qtorrentino.audit.query import history
from qtorrentino.clock import iso
from qtorrentino.db.models import AuditEventRow, CandidateRow
from qtorrentino.domain.redact import redact_value

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import BinaryIO

    from qtorrentino.audit.query import AuditEvent, AuditFilter

LLM_KEYS = ("llm_provider", "llm_model", "prompt_tokens", "completion_tokens", "llm_latency_ms",
            "llm_cached", "llm_discarded", "llm_error")
"""MatchingCompleted keys describing an LLM consultation (see textbrain.llm.exchange)."""
PERSON_ACTIONS = {"ApprovalGranted": "approved", "ApprovalRejected": "rejected",
                  "AdminForceSearch": "force_search", "AdminForceMagnet": "force_magnet"}
REFUSALS = ("ReleaseBlocklisted", "MetadataRefused")
ENGINE_ENDS = {"auto_approved": "auto_approved", "dry_run_complete": "dry_run",
               "acquisition_failed": "acquisition_failed"}
"""States the engine moves a ticket to right after a decision, and how the record names them."""


def export_training(output: BinaryIO, audit_filter: AuditFilter, secrets: Sequence[str]) -> int:
    """Write one training record per decision, oldest ticket first; returns how many."""
    count = 0
    for record in training_records(audit_filter):
        clean = redact_value(record, secrets)
        output.write(json.dumps(clean, ensure_ascii=False).encode("utf-8") + b"\n")
        count += 1
    return count


def training_records(audit_filter: AuditFilter) -> Iterator[dict[str, Any]]:
    """Every decision matching the filter (ticket, since, until), ticket by ticket."""
    for ticket_id in _decided_tickets(audit_filter):
        events = history(ticket_id)
        rows = list(CandidateRow.select().where(CandidateRow.ticket == ticket_id)
                    .order_by(CandidateRow.rank))
        ticket = next((event.data.get("ticket") for event in events
                       if event.type == "TicketCreated"), None)
        decisions = [n for n, event in enumerate(events) if event.type == "MatchingCompleted"]
        for place, start in enumerate(decisions):
            end = decisions[place + 1] if place + 1 < len(decisions) else len(events)
            decision = events[start]
            if not _in_window(decision, audit_filter):
                continue
            yield _record(ticket_id, ticket, decision, events[start + 1:end], rows)


def _decided_tickets(audit_filter: AuditFilter) -> list[str]:
    """Tickets with at least one decision, in the order of their first one."""
    decided = AuditEventRow.type == "MatchingCompleted"
    if audit_filter.ticket_id is not None:
        decided &= AuditEventRow.ticket_id == audit_filter.ticket_id
    query = (AuditEventRow.select(AuditEventRow.ticket_id).where(decided)
             .group_by(AuditEventRow.ticket_id).order_by(fn.MIN(AuditEventRow.seq)))
    return [str(row.ticket_id) for row in query if row.ticket_id is not None]


def _in_window(event: AuditEvent, audit_filter: AuditFilter) -> bool:
    since = iso(audit_filter.since)
    until = iso(audit_filter.until)
    return (since is None or event.at >= since) and (until is None or event.at <= until)


def _record(ticket_id: str, ticket: Any, decision: AuditEvent, after: Sequence[AuditEvent],
            rows: Sequence[CandidateRow]) -> dict[str, Any]:
    data = decision.data
    matcher = str(data.get("matcher") or "dumb")
    llm = {key: data[key] for key in LLM_KEYS if key in data}
    return {
        "ticket_id": ticket_id, "seq": decision.seq, "decided_at": decision.at, "ticket": ticket,
        "queries": data.get("queries", []), "matcher": matcher, "threshold": data.get("threshold"),
        "outcome": data.get("outcome"), "recommended_rank": data.get("selected_rank"),
        "confidence": data.get("confidence"),
        "candidates": [_candidate(entry, matcher, rows) for entry in data.get("candidates", [])],
        "llm": llm or None,
        **_what_followed(data, after),
    }


def _candidate(entry: dict[str, Any], matcher: str, rows: Sequence[CandidateRow]) -> dict[str, Any]:
    """One candidate with every matcher's score and reasons, and what its stored row knows."""
    scores = entry.get("scores") if isinstance(entry.get("scores"), dict) else {
        matcher: entry.get("score")}
    scorer = "catalog" if matcher == "catalog" else "dumb"
    reasons: dict[str, Any] = {scorer: entry.get("reasons", [])}
    if "llm_reason" in entry:
        reasons["llm"] = entry["llm_reason"]
    row = _row_for(entry, rows)
    return {
        "rank": entry.get("rank"), "title": entry.get("title"), "info_hash": entry.get("info_hash"),
        "indexer": entry.get("indexer", row.indexer if row else None),
        "size": row.size if row else None, "seeders": row.seeders if row else None,
        "files": row.files if row else None, "mapping": row.mapping if row else None,
        "score": entry.get("score"), "scores": scores, "reasons": reasons,
    }


def _row_for(entry: dict[str, Any], rows: Sequence[CandidateRow]) -> CandidateRow | None:
    """The stored row of the same release (rows hold the ticket's latest round only)."""
    info_hash, title = entry.get("info_hash"), entry.get("title")
    for row in rows:
        if (info_hash and row.info_hash == info_hash) or (not info_hash and row.title == title):
            return row
    return None


def _what_followed(data: dict[str, Any], after: Sequence[AuditEvent]) -> dict[str, Any]:
    """The final pick (the engine's or a person's), whether it corrected the matcher, refusals."""
    final: dict[str, Any] | None = None
    correction: bool | None = None
    for event in after:
        if event.type == "TicketStateChanged" and event.data.get("to_state") in ENGINE_ENDS:
            final = _engine_end(data, event)
            continue
        action = PERSON_ACTIONS.get(event.type)
        if action is None:
            continue
        final = {"action": action, "by": event.actor, "at": event.at,
                 "rank": event.data.get("candidate_rank"), "info_hash": event.data.get("info_hash"),
                 "title": event.data.get("title")}
        if action == "force_search":
            final["query"] = event.data.get("query")
        if action == "force_magnet":
            final["magnet_uri"] = event.data.get("magnet_uri")
        correction = bool(event.data.get("correction")) if action == "approved" else True
    refused = [{"type": event.type, "info_hash": event.data.get("info_hash"),
                "reason": event.data.get("reason")} for event in after if event.type in REFUSALS]
    return {"final": final, "correction": correction, "refused": refused}


def _engine_end(data: dict[str, Any], event: AuditEvent) -> dict[str, Any]:
    """The engine's own conclusion: an automatic approval (of the recommended one) or a dry run."""
    action = ENGINE_ENDS[str(event.data.get("to_state"))]
    if action != "auto_approved":
        return {"action": action, "by": event.actor, "at": event.at}
    top: dict[str, Any] = next((c for c in data.get("candidates", [])
                                if c.get("rank") == data.get("selected_rank")), {})
    return {"action": action, "by": event.actor, "at": event.at, "rank": data.get("selected_rank"),
            "info_hash": top.get("info_hash"), "title": top.get("title")}

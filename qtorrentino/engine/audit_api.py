"""AuditAPI: the audit log's pages, lookups and export for the faces."""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO

from qtorrentino.audit import query
from qtorrentino.audit.query import AuditEvent, AuditFilter, AuditPage

if TYPE_CHECKING:
    from qtorrentino.engine.core import Core

EVERY_EVENT = AuditFilter()


class AuditAPI:
    """Audit queries and export."""

    def __init__(self, core: Core) -> None:
        self._core = core

    def page(
        self, audit_filter: AuditFilter = EVERY_EVENT, *, before: int | None = None, limit: int = 50
    ) -> AuditPage:
        return query.page(audit_filter, before=before, limit=limit)

    def latest(self, ticket_id: str | None = None, type_: str | None = None) -> AuditEvent | None:
        return query.latest(ticket_id, type_)

    def history(self, ticket_id: str) -> list[AuditEvent]:
        return query.history(ticket_id)

    def event(self, seq: int) -> AuditEvent | None:
        return query.by_seq(seq)

    def export(self, output: BinaryIO, audit_filter: AuditFilter = EVERY_EVENT) -> int:
        # imported here: `audit` pages never load the audit writer the export shares its SQL with
        from qtorrentino.audit.export import export_jsonl

        return export_jsonl(output, audit_filter)

"""The LLM's file mapping where the download stage checks a file list: items the heuristics left
without a file are offered to the model, and what it placed (or why nothing) is audited.

The download stage's hook, one line where it checks the metadata's file list:
    mapping = check_file_list(detail.spec, files,
                              complete=mapping_completer(self.context, detail.id, info_hash))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qtorrentino.audit.event_types import AuditType
from qtorrentino.metadata.cache import MetadataCache
from qtorrentino.textbrain.llm.advisor import LlmAdvisor
from qtorrentino.textbrain.llm.file_mapping import placed_by_llm
from qtorrentino.textbrain.matching import MatcherMode

if TYPE_CHECKING:
    from collections.abc import Sequence

    from qtorrentino.domain.files import FileEntry
    from qtorrentino.domain.ticket import TicketSpec
    from qtorrentino.textbrain.filecheck import MappingCompleter
    from qtorrentino.textbrain.filemap import FileMapping
    from qtorrentino.workers.base import WorkerContext

"""The audit event of a file mapping the LLM was asked to complete."""


def mapping_completer(context: WorkerContext, ticket_id: str,
                      info_hash: str | None) -> MappingCompleter | None:
    """A completer for check_file_list in the LLM modes; None under dumb_only (nothing is asked)."""
    textbrain = context.config.textbrain
    if MatcherMode(textbrain.mode) is MatcherMode.DUMB_ONLY:
        return None
    advisor = LlmAdvisor(textbrain.llm, cache=MetadataCache(context.clock))

    def complete(spec: TicketSpec, files: Sequence[FileEntry], mapping: FileMapping) -> FileMapping:
        advice = advisor.complete_mapping(spec, files, mapping)
        if advice is None:
            return mapping
        completed = advice.value or mapping
        placed = [entry for entry in completed.assignments if placed_by_llm(entry)]
        with context.uow() as outbox:
            context.audit.record(outbox, AuditType.FILE_MAPPING_COMPLETED, ticket_id=ticket_id, actor="engine", data={
                "info_hash": info_hash, "method": "dumb+llm" if placed else "dumb",
                "placed": [{"item_id": entry.item_id, "path": entry.file.path, "reason": entry.reason}
                           for entry in placed],
                "unmapped": list(completed.unmapped), **advice.audit_fields()})
        return completed

    return complete

"""The download stage's failure event, recorded the same way wherever a download fails."""

from __future__ import annotations

from qtorrentino.audit.query import AuditFilter, page
from qtorrentino.db.models import TicketRow, TorrentRow
from qtorrentino.errors import QtorrentinoError, TorrentFileError
from qtorrentino.workers.base import WorkerContext


def record_download_failed(context: WorkerContext, ticket_id: str, error: QtorrentinoError,
                           *, info_hash: str | None = None) -> None:
    """DownloadFailed for a ticket: DESIGN's keys, plus `fault` (`disk_full` when the disk filled up)."""
    ticket = TicketRow.get_or_none(TicketRow.id == ticket_id)
    info_hash = info_hash or (ticket.info_hash if ticket is not None else None)
    torrent = TorrentRow.get_or_none(TorrentRow.info_hash == info_hash) if info_hash else None
    fault = error.fault if isinstance(error, TorrentFileError) else type(error).__name__
    with context.uow() as outbox:
        context.audit.record(outbox, "DownloadFailed", ticket_id=ticket_id, actor="engine", data={
            "info_hash": info_hash, "torrent_name": torrent.name if torrent is not None else None,
            "size_bytes": torrent.total_size if torrent is not None else None, "duration_secs": None,
            "error": error.message, "fault": fault, "retryable": error.retryable})


def failed_since_started(ticket_id: str) -> bool:
    """Whether the ticket's latest download event is a failure (its torrent waits for a restart)."""
    found = page(AuditFilter(ticket_id=ticket_id, types=("DownloadStarted", "DownloadFailed")), limit=1).events
    return bool(found) and found[0].type == "DownloadFailed"

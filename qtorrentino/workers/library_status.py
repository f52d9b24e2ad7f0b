"""What a ticket's library shows while it works: its requested items as wanted, then downloading."""

from __future__ import annotations

from qtorrentino.clock import Clock
from qtorrentino.config.model import Config
from qtorrentino.domain.ticket import ItemType, TicketItem
from qtorrentino.library.items import fields_for_ticket_item, set_item_status
from qtorrentino.tickets.views import TicketDetail
from qtorrentino.workers.base import WorkerContext
from qtorrentino.workers.candidates import known_query


def mark_library_items(context: WorkerContext, ticket_id: str, status: str, info_hash: str | None = None) -> None:
    """Show the ticket's requested items in its library as wanted or downloading (inside a unit of work)."""
    mark_items(context.config, context.clock, context.tickets.get(ticket_id), status, info_hash)


def mark_items(config: Config, clock: Clock, detail: TicketDetail, status: str, info_hash: str | None = None) -> None:
    """The same for a ticket already read; items whose file is in the library stay available.

    A cancelled ticket's items go back to wanted, as they were before its download.
    """
    spec = detail.spec
    if not spec.library or config.library(spec.library) is None:
        return
    query = known_query(detail)
    for item in detail.items:
        if item.requested:
            values = fields_for_ticket_item(spec.kind, query, TicketItem(
                id=item.id, type=ItemType(item.type), title=item.title, disc=item.disc, number=item.number,
                season=item.season))
            set_item_status(spec.library, values, status, clock=clock, info_hash=info_hash)

"""What a ticket's library shows while it works: its requested items as wanted, then downloading."""

from __future__ import annotations

from qtorrentino.clock import Clock
from qtorrentino.config.model import Config
from qtorrentino.domain.ticket import ItemType, TicketItem
from qtorrentino.library.items import (
    ItemFields,
    ItemStore,
    fields_for_ticket_item,
    library_id,
    set_item_status,
    sql,
)
from qtorrentino.tickets.views import TicketDetail
from qtorrentino.workers.base import WorkerContext
from qtorrentino.workers.candidates import known_query


def mark_library_items(context: WorkerContext, ticket_id: str, status: str, info_hash: str | None = None) -> None:
    """Show the ticket's requested items in its library as wanted or downloading (inside a unit of work)."""
    mark_items(context.config, context.clock, context.tickets.get(ticket_id), status, info_hash)


def mark_items(config: Config, clock: Clock, detail: TicketDetail, status: str, info_hash: str | None = None) -> None:
    """The same for a ticket already read; items whose file is in the library stay available."""
    spec = detail.spec
    if not spec.library or config.library(spec.library) is None:
        return
    for values in _item_fields(detail):
        set_item_status(spec.library, values, status, clock=clock, info_hash=info_hash)


def restore_items(config: Config, clock: Clock, detail: TicketDetail) -> None:
    """A cancelled ticket's items that wait on its download go back to wanted, as before it (no item is made)."""
    spec = detail.spec
    info_hash = detail.summary.info_hash
    if not spec.library or config.library(spec.library) is None or info_hash is None:
        return
    store = ItemStore(library_id(spec.library), clock.now())
    found = [store.find(values) for values in _item_fields(detail)]
    waiting = [item_id for item_id in found if item_id is not None and sql(
        "SELECT 1 FROM library_item WHERE id = ? AND status = 'downloading' AND download_info_hash = ?",
        (item_id, info_hash)).fetchone()]
    if waiting:
        store.set_status(waiting, "wanted")
        store.refresh_statuses()


def _item_fields(detail: TicketDetail) -> list[ItemFields]:
    query = known_query(detail)
    return [fields_for_ticket_item(detail.spec.kind, query, TicketItem(
        id=item.id, type=ItemType(item.type), title=item.title, disc=item.disc, number=item.number,
        season=item.season)) for item in detail.items if item.requested]

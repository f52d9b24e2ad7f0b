"""The torrent catalog as candidates: every torrent already held whose files can serve a ticket.

They are scored with the indexer's results by the same scorer and decided by the same rule; nothing
here approves anything.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from qtorrentino.db.models import TorrentRow
from qtorrentino.domain.ticket import TicketSpec
from qtorrentino.search.result import SearchResult
from qtorrentino.textbrain.decide import USELESS_BELOW
from qtorrentino.textbrain.score import CATALOG_INDEXER, score_candidates
from qtorrentino.torrent.catalog import files_of

LEAVING_COMMANDS = ("remove", "remove_data")
"""A torrent a person asked to remove is no longer held."""


def held_torrents(*, exclude: Collection[str] = ()) -> list[SearchResult]:
    """Every torrent the catalog holds (seeding or still downloading) with its file list, as a result."""
    rows = TorrentRow.select().where((TorrentRow.removed == False)  # noqa: E712 - a peewee expression
                                     & (TorrentRow.command.is_null() | TorrentRow.command.not_in(LEAVING_COMMANDS)))
    held = []
    for row in rows:
        if row.info_hash in exclude:
            continue
        files = files_of(row.info_hash)
        if files:
            held.append(SearchResult(title=row.name, indexer=CATALOG_INDEXER, size=row.total_size,
                                     info_hash=row.info_hash, magnet=row.magnet, files=files))
    return held


def catalog_candidates(spec: TicketSpec, *, exclude: Collection[str] = ()) -> list[SearchResult]:
    """Held torrents whose files hold every requested item and whose name resembles the ticket."""
    return offerable(spec, held_torrents(exclude=exclude))


def offerable(spec: TicketSpec, held: Sequence[SearchResult]) -> list[SearchResult]:
    """The held torrents that can serve the ticket: every requested item mapped, a name that resembles it."""
    offered = []
    for candidate in score_candidates(spec, held):
        mapping = candidate.mapping
        if mapping is None or not mapping.assignments or mapping.unmapped:
            continue
        if candidate.score >= USELESS_BELOW:
            offered.append(candidate.result)
    return offered

"""Look before approving: the file lists of a waiting ticket's top candidates, fetched in the background.

For each ticket in needs_approval, its top candidates without a file list get one: from the catalog
when the torrent is held, from the indexer's .torrent, else from the magnet's metadata (added
metadata-only, never started, removed once read; no content is downloaded). The files and their
mapping onto the ticket's items are stored on the candidate row for the approval screen.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from qtorrentino.db.database import write_transaction
from qtorrentino.db.models import CandidateRow, TicketRow
from qtorrentino.domain.files import FileEntry
from qtorrentino.errors import HostileMetadata, NotFound, QtorrentinoError
from qtorrentino.search.indexers import IndexerSet
from qtorrentino.textbrain.decide import scoring_spec
from qtorrentino.textbrain.filemap import map_files
from qtorrentino.textbrain.picks import MANUAL_INDEXER
from qtorrentino.textbrain.score import CATALOG_INDEXER
from qtorrentino.tickets.queries import tickets_of_torrent
from qtorrentino.torrent import catalog
from qtorrentino.torrent.session import TorrentSession, read_torrent_file
from qtorrentino.workers.base import BaseWorker, WorkerContext
from qtorrentino.workers.candidates import mapping_json, result_of
from qtorrentino.workers.stages import CANDIDATE_FILES, helped_by

log = logging.getLogger(__name__)

TOP_CANDIDATES = 3
"""How many of a waiting ticket's best candidates get their file list fetched."""
WAIT_SLICE_SECONDS = 0.5
"""Metadata is waited for in slices, so a stopping engine is not held up."""
FETCHED_EVENT = "CandidateFilesFetched"
"""The audit event of a file list fetched for a waiting candidate (the approval screen shows it)."""


@dataclass(frozen=True, slots=True)
class _Wanted:
    """One candidate row that lacks its file list."""

    ticket_id: str
    rank: int
    info_hash: str | None


class CandidateFilesWorker(BaseWorker):
    """Fetches the file lists of waiting tickets' top candidates, one at a time, without content."""

    stages = helped_by(CANDIDATE_FILES)
    name = CANDIDATE_FILES

    def __init__(self, context: WorkerContext, session: TorrentSession, indexers: IndexerSet, *,
                 poll_seconds: float = 2.0) -> None:
        super().__init__(context, concurrency=1, poll_seconds=poll_seconds)
        self.session = session
        self.indexers = indexers
        self._tried: set[tuple[str, int, str | None]] = set()
        """Candidates already tried this run (a dead magnet is not asked again and again)."""

    def run_once(self) -> bool:
        """Fetch one missing file list; False when none is missing (or left to try)."""
        wanted = self._next()
        if wanted is None:
            return False
        self._tried.add((wanted.ticket_id, wanted.rank, wanted.info_hash))
        try:
            self._fetch(wanted)
        except QtorrentinoError as error:
            log.info("candidate files: ticket %s candidate %d: %s", wanted.ticket_id, wanted.rank, error.message)
        return True

    def _next(self) -> _Wanted | None:
        query = (CandidateRow.select(CandidateRow.ticket, CandidateRow.rank, CandidateRow.info_hash)
                 .join(TicketRow)
                 .where(TicketRow.state.in_([state.value for state in self.stages]) & CandidateRow.files.is_null()
                        & (CandidateRow.rank < TOP_CANDIDATES)
                        & CandidateRow.indexer.not_in((CATALOG_INDEXER, MANUAL_INDEXER)))
                 .order_by(TicketRow.priority.desc(), TicketRow.updated_at, CandidateRow.rank))
        rows = cast("Iterable[tuple[str, int, str | None]]", query.tuples())
        for ticket_id, rank, info_hash in rows:
            wanted = _Wanted(ticket_id, rank, info_hash)
            if (wanted.ticket_id, wanted.rank, wanted.info_hash) not in self._tried:
                return wanted
        return None

    def _fetch(self, wanted: _Wanted) -> None:
        row = CandidateRow.get(CandidateRow.ticket == wanted.ticket_id, CandidateRow.rank == wanted.rank)
        files = self._held_files(row.info_hash)
        if files is None:
            source = self.indexers.fetch_torrent(result_of(row))
            if isinstance(source, bytes):
                files = list(read_torrent_file(source).files)
            else:
                files = self._magnet_files(source, self.context.config.paths.download_dir / wanted.ticket_id)
        if files is not None:
            self._store(wanted, files)

    def _held_files(self, info_hash: str | None) -> list[FileEntry] | None:
        """The file list when the torrent is known already: in the catalog, or in the session."""
        if not info_hash:
            return None
        known = catalog.files_of(info_hash)
        if known:
            return list(known)
        try:
            return self.session.wait_metadata(info_hash, 0)
        except NotFound:
            return None
        except QtorrentinoError:
            raise QtorrentinoError(f"torrent {info_hash} is in the session, its metadata not yet") from None

    def _magnet_files(self, magnet: str, save_dir: Path) -> list[FileEntry] | None:
        """Add the magnet metadata-only, read its file list, remove it (unless a ticket chose it meanwhile)."""
        info_hash = self.session.add_magnet(magnet, save_dir, metadata_only=True)
        deadline = time.monotonic() + self.context.config.torrent.metadata_timeout_seconds
        try:
            while True:
                try:
                    return self.session.wait_metadata(info_hash, WAIT_SLICE_SECONDS)
                except NotFound:
                    return None
                except HostileMetadata:
                    raise
                except QtorrentinoError:
                    if self.stopping or time.monotonic() >= deadline:
                        raise
        finally:
            self._drop_probe(info_hash)

    def _drop_probe(self, info_hash: str) -> None:
        """Remove the metadata-only torrent, unless a ticket now downloads it (approval waits on the lock)."""
        with write_transaction():
            if not tickets_of_torrent(info_hash):
                try:
                    self.session.remove(info_hash, delete_data=True)
                except NotFound:
                    log.debug("probe %s was already gone", info_hash)

    def _store(self, wanted: _Wanted, files: list[FileEntry]) -> None:
        """Keep the files and their mapping onto the ticket's items on the candidate row."""
        detail = self.context.tickets.get(wanted.ticket_id)
        mapping = map_files(scoring_spec(detail.spec, self.context.config), files)
        same_release = (CandidateRow.info_hash == wanted.info_hash if wanted.info_hash
                        else CandidateRow.info_hash.is_null())
        with self.context.uow() as outbox:
            stored = CandidateRow.update(files=[{"index": f.index, "path": f.path, "size": f.size} for f in files],
                                         mapping=mapping_json(mapping)).where(
                (CandidateRow.ticket == wanted.ticket_id) & (CandidateRow.rank == wanted.rank) & same_release
            ).execute()
            if stored:
                self.context.audit.record(outbox, FETCHED_EVENT, ticket_id=wanted.ticket_id, actor="engine", data={
                    "candidate_rank": wanted.rank, "info_hash": wanted.info_hash, "files": len(files),
                    "mapped": len(mapping.assignments), "unmapped": list(mapping.unmapped)})
        log.info("candidate files: ticket %s candidate %d: %d file(s)", wanted.ticket_id, wanted.rank, len(files))

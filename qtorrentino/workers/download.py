"""Starting a download: look before downloading, only the files needed, or join a torrent already held."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from qtorrentino.db.models import CandidateRow, TicketItemRow, TorrentRow
from qtorrentino.domain.files import FileEntry
from qtorrentino.domain.states import ItemState, TicketState
from qtorrentino.domain.ticket import MUSIC_KINDS, ItemType, TicketKind
from qtorrentino.errors import (
    HostileMetadata,
    MetadataRefused,
    NotFound,
    QtorrentinoError,
    TorrentError,
)
from qtorrentino.search.indexers import IndexerSet
from qtorrentino.textbrain.filecheck import check_file_list
from qtorrentino.textbrain.filemap import FileMapping
from qtorrentino.textbrain.score import CATALOG_INDEXER
from qtorrentino.tickets.claims import Claim
from qtorrentino.tickets.views import TicketDetail
from qtorrentino.torrent import catalog
from qtorrentino.torrent.session import TorrentSession, read_torrent_file
from qtorrentino.workers.base import BaseWorker, WorkerContext
from qtorrentino.workers.candidates import result_of
from qtorrentino.workers.direct_torrents import given_torrent
from qtorrentino.workers.download_events import record_download_failed
from qtorrentino.workers.library_status import mark_library_items
from qtorrentino.workers.llm_mapping import mapping_completer
from qtorrentino.workers.stages import DOWNLOAD_START, owned_by
from qtorrentino.workers.torrent_files import (
    add_from_catalog,
    cover_images,
    missing_bytes,
    require_room,
    wanted_file_indexes,
)

log = logging.getLogger(__name__)

METADATA_SLICE_SECONDS = 0.5
LEARNED_ITEM_TYPE = {TicketKind.ALBUM: ItemType.TRACK, TicketKind.TRACK: ItemType.TRACK,
                     TicketKind.SEASON: ItemType.EPISODE, TicketKind.EPISODE: ItemType.EPISODE,
                     TicketKind.MOVIE: ItemType.MOVIE}
"""What an item learned from a release's files is, by ticket kind (a whole album's tracks, a season's episodes)."""


class DownloadWorker(BaseWorker):
    """Approved tickets: fetch the chosen release's file list, check it, download only the files needed.

    A release already held (seeding or downloading for another ticket) is joined instead: its files this
    ticket needs are raised on the existing torrent, which then serves both.
    """

    stages = owned_by(DOWNLOAD_START)
    name = DOWNLOAD_START

    def __init__(self, context: WorkerContext, session: TorrentSession, indexers: IndexerSet, *,
                 poll_seconds: float = 2.0) -> None:
        super().__init__(context, concurrency=2, poll_seconds=poll_seconds)
        self.session = session
        self.indexers = indexers

    def save_dir(self, ticket_id: str) -> Path:
        """Each ticket's torrents download under download_dir/<ticket id>: no two releases that share a root
        folder name can write into each other's files."""
        return self.context.config.paths.download_dir / ticket_id

    def on_failure(self, claim: Claim, error: QtorrentinoError) -> None:
        if not isinstance(error, MetadataRefused):
            record_download_failed(self.context, claim.ticket_id, error)

    def process(self, claim: Claim) -> None:
        detail = self.context.tickets.get(claim.ticket_id)
        chosen = CandidateRow.get_or_none(CandidateRow.ticket == claim.ticket_id,
                                          CandidateRow.rank == detail.chosen_rank)
        if chosen is None:
            raise TorrentError(f"ticket {claim.ticket_id} has no chosen candidate", hint="approve a candidate")
        if chosen.info_hash and self._held(chosen.info_hash):
            self._join(detail, chosen.info_hash)
            return
        if chosen.indexer == CATALOG_INDEXER:
            raise TorrentError(f"the catalog torrent {chosen.info_hash} is no longer held",
                               hint="retry the ticket to acquire it again")
        self.save_dir(detail.id).mkdir(parents=True, exist_ok=True)
        result = result_of(chosen)
        source = (given_torrent(self.context.home, chosen.info_hash) or result.whole_magnet
                  or self.indexers.fetch_torrent(result))
        if isinstance(source, bytes):
            known = read_torrent_file(source).info_hash
            if self._held(known):
                self._join(detail, known)
                return
            info_hash = self.session.add_torrent_bytes(source, self.save_dir(detail.id), wanted_indexes=())
        else:
            info_hash = self.session.add_magnet(source, self.save_dir(detail.id), metadata_only=True)
        try:
            files = self._wait_metadata(info_hash, self.context.config.torrent.metadata_timeout_seconds)
            if files is None:
                return
            mapping = check_file_list(detail.spec, files,
                                      complete=mapping_completer(self.context, detail.id, info_hash))
            self._begin(detail, chosen, info_hash, files, mapping)
        except MetadataRefused as refusal:
            self._drop_unrecorded(info_hash)
            with self.context.uow() as outbox:
                self.context.audit.record(outbox, "MetadataRefused", ticket_id=detail.id, actor="engine",
                                          data={"info_hash": info_hash, "title": chosen.title,
                                                "reason": refusal.message})
            raise
        except BaseException:
            self._drop_unrecorded(info_hash)
            raise

    def _held(self, info_hash: str) -> bool:
        """Whether the catalog holds this torrent (the session has it, or can add it again from the catalog)."""
        row = TorrentRow.get_or_none(TorrentRow.info_hash == info_hash)
        return row is not None and not row.removed and (
            self.session.has(info_hash) or bool(row.torrent_file or row.magnet))

    def _wait_metadata(self, info_hash: str, timeout: float) -> list[FileEntry] | None:
        """The checked file list, waited for in short slices so a stopping engine is not held up (None then)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                return self.session.wait_metadata(info_hash, max(0.0, min(METADATA_SLICE_SECONDS, remaining)))
            except (MetadataRefused, HostileMetadata):
                raise
            except TorrentError as error:
                if self.stopping:
                    return None
                if remaining <= METADATA_SLICE_SECONDS:
                    if type(error) is TorrentError:
                        raise MetadataRefused(error.message, hint=error.hint) from error
                    raise

    def _drop_unrecorded(self, info_hash: str) -> None:
        """A torrent added for this ticket but never recorded in the catalog leaves the session again."""
        if TorrentRow.get_or_none(TorrentRow.info_hash == info_hash) is not None:
            return
        try:
            self.session.remove(info_hash, delete_data=True)
        except QtorrentinoError:
            log.debug("torrent %s was already gone", info_hash)

    def _begin(self, detail: TicketDetail, chosen: CandidateRow, info_hash: str, files: list[FileEntry],
               mapping: FileMapping) -> None:
        save_dir = self.save_dir(detail.id)
        wanted = set(mapping.file_indexes)
        if detail.spec.kind in MUSIC_KINDS:
            wanted |= cover_images(files, [a.file.path for a in mapping.assignments])
        wanted_bytes = sum(entry.size for entry in files if entry.index in wanted)
        require_room(self.context.config.paths.download_dir, wanted_bytes,
                     self.context.config.paths.min_free_gb)
        self.session.set_file_priorities(info_hash, sorted(wanted))
        torrent_bytes = self.session.torrent_file_bytes(info_hash)
        now = self.context.clock.now()
        with self.context.uow() as outbox:
            catalog.record_torrent(info_hash, chosen.title, save_dir, files, now=now,
                                   torrent_file=torrent_bytes, magnet=chosen.magnet, indexer=chosen.indexer)
            _apply_mapping(detail, mapping, save_dir, ItemState.DOWNLOADING)
            mark_library_items(self.context, detail.id, "downloading", info_hash)
            self.context.tickets.transition(outbox, detail.id, TicketState.DOWNLOADING, actor="engine",
                                            reason=f"downloading {len(mapping.assignments)} file(s) of "
                                                   f"{chosen.title}", info_hash=info_hash)
            self.context.audit.record(outbox, "DownloadStarted", ticket_id=detail.id, actor="engine", data={
                "info_hash": info_hash, "torrent_name": chosen.title, "size_bytes": wanted_bytes,
                "duration_secs": None, "error": None, "files": len(mapping.assignments)})
        self._hand_over(info_hash, self.session.start)

    def _join(self, detail: TicketDetail, info_hash: str) -> None:
        """A torrent already held serves this ticket too: raise the files it needs and wait for them."""
        row = TorrentRow.get_by_id(info_hash)
        save_path = Path(row.save_path)
        mapping = check_file_list(detail.spec, catalog.files_of(info_hash),
                                  complete=mapping_completer(self.context, detail.id, info_hash))
        if not self.session.has(info_hash):
            add_from_catalog(self.session, row, ())
        with self.context.uow() as outbox:
            catalog.touch(info_hash, self.context.clock.now())
            _apply_mapping(detail, mapping, save_path, ItemState.DOWNLOADING)
            mark_library_items(self.context, detail.id, "downloading", info_hash)
            self.context.tickets.transition(outbox, detail.id, TicketState.DOWNLOADING, actor="engine",
                                            reason=f"{len(mapping.assignments)} file(s) of {row.name}, a torrent "
                                                   "already held", info_hash=info_hash)
            self.context.audit.record(outbox, "DownloadStarted", ticket_id=detail.id, actor="engine", data={
                "info_hash": info_hash, "torrent_name": row.name, "size_bytes": sum(
                    a.file.size for a in mapping.assignments), "duration_secs": None, "error": None,
                "files": len(mapping.assignments), "shared": True})
        self._hand_over(info_hash, self._want)

    def _hand_over(self, info_hash: str, start: Callable[[str], None]) -> None:
        """Start the torrent of a ticket now downloading; one the session lost meanwhile is not this stage's
        failure: the downloading owner adds it again from the catalog."""
        try:
            start(info_hash)
        except NotFound:
            log.info("torrent %s left the session as its download began; the downloading owner adds it again",
                     info_hash)
        self.context.wake_stage(TicketState.DOWNLOADING)

    def _want(self, info_hash: str) -> None:
        """Download what the torrent's holders need (checking the disk first); nothing when all is there."""
        if not self.session.file_progress(info_hash):
            return
        wanted = wanted_file_indexes(info_hash)
        self.session.set_file_priorities(info_hash, sorted(wanted))
        needed = missing_bytes(self.session, info_hash, wanted)
        if needed > 0:
            require_room(self.context.config.paths.download_dir, needed, self.context.config.paths.min_free_gb)
            self.session.start(info_hash)


def _apply_mapping(detail: TicketDetail, mapping: FileMapping, save_path: Path, state: ItemState) -> None:
    """Record which torrent file serves which item; a whole-album ticket learns its tracks here."""
    known = {item.id for item in detail.items}
    position = len(detail.items)
    learned_type = LEARNED_ITEM_TYPE.get(detail.spec.kind, ItemType.FILE)
    for assignment in mapping.assignments:
        source = str(save_path / assignment.file.path)
        if assignment.item_id not in known:
            release = assignment.release
            title = release.title or "" if learned_type is not ItemType.FILE else PurePosixPath(
                assignment.file.path).stem
            TicketItemRow.create(ticket=detail.id, item_id=assignment.item_id, position=position,
                                 type=learned_type.value, title=title,
                                 disc=(release.disc or 1) if learned_type is ItemType.TRACK else None,
                                 number=release.track if learned_type is ItemType.TRACK else (
                                     release.episodes[0] if release.episodes else None),
                                 season=release.season if learned_type is ItemType.EPISODE else None,
                                 requested=True)
            position += 1
        TicketItemRow.update(file_index=assignment.file.index, source_path=source, state=state.value).where(
            (TicketItemRow.ticket == detail.id) & (TicketItemRow.item_id == assignment.item_id)).execute()

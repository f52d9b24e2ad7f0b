"""Downloading: look before downloading, only the mapped files, progress, completion, stalls and the catalog."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from qtorrentino.db.models import CandidateRow, TicketItemRow, TicketRow, TorrentRow
from qtorrentino.domain.files import FileEntry
from qtorrentino.domain.states import ItemState, TicketState
from qtorrentino.domain.ticket import MUSIC_KINDS, ItemType, TicketKind
from qtorrentino.errors import HostileMetadata, MetadataRefused, TorrentError
from qtorrentino.events import AuditRecorded
from qtorrentino.search.indexers import IndexerSet
from qtorrentino.textbrain.filecheck import check_file_list
from qtorrentino.textbrain.filemap import FileMapping
from qtorrentino.tickets.claims import Claim
from qtorrentino.tickets.views import TicketDetail
from qtorrentino.torrent import catalog
from qtorrentino.torrent.session import TorrentSession
from qtorrentino.workers.base import BaseWorker, WorkerContext
from qtorrentino.workers.candidates import release_key, result_of
from qtorrentino.workers.library_status import mark_library_items

log = logging.getLogger(__name__)

METADATA_SLICE_SECONDS = 0.5
FLUSH_TIMEOUT_SECS = 10.0
"""How long a finished download's last writes may take before the next look (the download stays Downloading)."""
LEARNED_ITEM_TYPE = {TicketKind.ALBUM: ItemType.TRACK, TicketKind.TRACK: ItemType.TRACK,
                     TicketKind.SEASON: ItemType.EPISODE, TicketKind.EPISODE: ItemType.EPISODE,
                     TicketKind.MOVIE: ItemType.MOVIE}
"""What an item learned from a release's files is, by ticket kind (a whole album's tracks, a season's episodes)."""
COVER_STEMS = frozenset({"cover", "folder", "front", "albumart"})
MAX_COVER_BYTES = 20 * 1024 * 1024


@dataclass
class _Watch:
    """What the monitor remembers of a downloading ticket between ticks."""

    done_bytes: int
    changed_at: float
    started_at: float


class DownloadWorker(BaseWorker):
    """Approved tickets: fetch the chosen release's file list, check it, download only the files needed."""

    stages = (TicketState.APPROVED, TicketState.AUTO_APPROVED)
    name = "download"

    def __init__(self, context: WorkerContext, session: TorrentSession, indexers: IndexerSet, *,
                 poll_seconds: float = 2.0) -> None:
        super().__init__(context, concurrency=2, poll_seconds=poll_seconds)
        self.session = session
        self.indexers = indexers
        self._watches: dict[str, _Watch] = {}
        self._monitor_lock = threading.Lock()

    def save_dir(self, ticket_id: str) -> Path:
        """Each ticket's torrents download under download_dir/<ticket id>: no two releases that share a root
        folder name can write into each other's files."""
        return self.context.config.paths.download_dir / ticket_id

    def process(self, claim: Claim) -> None:
        detail = self.context.tickets.get(claim.ticket_id)
        chosen = CandidateRow.get_or_none(CandidateRow.ticket == claim.ticket_id,
                                          CandidateRow.rank == detail.chosen_rank)
        if chosen is None:
            raise TorrentError(f"ticket {claim.ticket_id} has no chosen candidate", hint="approve a candidate")
        if chosen.indexer == "catalog":
            self._from_catalog(detail, chosen)
            return
        save_dir = self.save_dir(detail.id)
        save_dir.mkdir(parents=True, exist_ok=True)
        result = result_of(chosen)
        source = result.whole_magnet or self.indexers.fetch_torrent(result)
        timeout = self.context.config.torrent.metadata_timeout_seconds
        if isinstance(source, bytes):
            info_hash = self.session.add_torrent_bytes(source, save_dir, wanted_indexes=())
        else:
            info_hash = self.session.add_magnet(source, save_dir, metadata_only=True)
        try:
            files = self._wait_metadata(info_hash, timeout)
            if files is None:
                self._drop(info_hash)
                return
            mapping = check_file_list(detail.spec, files)
        except MetadataRefused as refusal:
            self._refuse(detail, chosen, info_hash, refusal.message)
            return
        except HostileMetadata as hostile:
            self._drop(info_hash)
            with self.context.uow() as outbox:
                self.context.tickets.blocklist(outbox, detail.id, release_key(result_of(chosen)), chosen.title,
                                               hostile.message)
            raise
        except TorrentError as error:
            self._refuse(detail, chosen, info_hash, error.message)
            return
        self._begin(detail, chosen, info_hash, files, mapping)

    def _wait_metadata(self, info_hash: str, timeout: float) -> list[FileEntry] | None:
        """The checked file list, waited for in short slices so a stopping engine is not held up (None then)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                return self.session.wait_metadata(info_hash, max(0.0, min(METADATA_SLICE_SECONDS, remaining)))
            except HostileMetadata:
                raise
            except TorrentError:
                if self.stopping:
                    return None
                if remaining <= METADATA_SLICE_SECONDS:
                    raise

    def _drop(self, info_hash: str) -> None:
        try:
            self.session.remove(info_hash, delete_data=True)
        except TorrentError:
            log.debug("torrent %s was already gone", info_hash)

    def _refuse(self, detail: TicketDetail, chosen: CandidateRow, info_hash: str, reason: str) -> None:
        """The release does not fit: blocklist it for this ticket and acquire again (nothing was downloaded)."""
        self._drop(info_hash)
        with self.context.uow() as outbox:
            self.context.audit.record(outbox, "MetadataRefused", ticket_id=detail.id, actor="engine",
                                      data={"info_hash": info_hash, "title": chosen.title, "reason": reason})
            self.context.tickets.blocklist(outbox, detail.id, release_key(result_of(chosen)), chosen.title, reason)
            self.context.tickets.transition(outbox, detail.id, TicketState.ACQUIRING, actor="engine",
                                            reason=f"metadata refused: {reason}; next candidate")
        self.context.wake_stage(TicketState.ACQUIRING)

    def _begin(self, detail: TicketDetail, chosen: CandidateRow, info_hash: str, files: list[FileEntry],
               mapping: FileMapping) -> None:
        save_dir = self.save_dir(detail.id)
        wanted = set(mapping.file_indexes)
        if detail.spec.kind in MUSIC_KINDS:
            wanted |= cover_images(files, mapping)
        self.session.set_file_priorities(info_hash, sorted(wanted))
        torrent_bytes = self.session.torrent_file_bytes(info_hash)
        now = self.context.clock.now()
        wanted_bytes = sum(entry.size for entry in files if entry.index in wanted)
        with self.context.uow() as outbox:
            catalog.record_torrent(info_hash, chosen.title, save_dir, files, now=now,
                                   torrent_file=torrent_bytes, magnet=chosen.magnet)
            _apply_mapping(detail, mapping, save_dir, ItemState.DOWNLOADING)
            mark_library_items(self.context, detail.id, "downloading", info_hash)
            self.context.tickets.transition(outbox, detail.id, TicketState.DOWNLOADING, actor="engine",
                                            reason=f"downloading {len(mapping.assignments)} file(s) of "
                                                   f"{chosen.title}", info_hash=info_hash)
            self.context.audit.record(outbox, "DownloadStarted", ticket_id=detail.id, actor="engine", data={
                "info_hash": info_hash, "torrent_name": chosen.title, "size_bytes": wanted_bytes,
                "duration_secs": None, "error": None, "files": len(mapping.assignments)})
        self.session.start(info_hash)

    def _from_catalog(self, detail: TicketDetail, chosen: CandidateRow) -> None:
        """A catalog torrent already holds the files: downloading completes at once."""
        info_hash = chosen.info_hash
        row = TorrentRow.get_by_id(info_hash)
        mapping = check_file_list(detail.spec, catalog.files_of(info_hash))
        save_path = Path(row.save_path)
        with self.context.uow() as outbox:
            catalog.touch(info_hash, self.context.clock.now())
            _apply_mapping(detail, mapping, save_path, ItemState.DOWNLOADED)
            self.context.tickets.transition(outbox, detail.id, TicketState.DOWNLOADING, actor="engine",
                                            reason="served from the torrent catalog", info_hash=info_hash)
            self._complete(outbox, detail.id, info_hash, row.name, 0, 0.0)
        self.context.wake_stage(TicketState.CONVERTING)

    def _complete(self, outbox: list[AuditRecorded], ticket_id: str, info_hash: str, name: str, size: int,
                  seconds: float) -> None:
        self.context.audit.record(outbox, "DownloadCompleted", ticket_id=ticket_id, actor="engine", data={
            "info_hash": info_hash, "torrent_name": name, "size_bytes": size,
            "duration_secs": round(seconds, 2), "error": None})
        TicketItemRow.update(state=ItemState.DOWNLOADED.value, downloaded_at=self.context.clock.now()).where(
            (TicketItemRow.ticket == ticket_id) & (TicketItemRow.state == ItemState.DOWNLOADING.value)).execute()
        self.context.tickets.transition(outbox, ticket_id, TicketState.CONVERTING, actor="engine",
                                        reason="download complete")

    def monitor(self) -> None:
        """Housekeeping: finish completed downloads, re-acquire stalled ones, re-add forgotten torrents."""
        with self._monitor_lock:
            rows = list(TicketRow.select().where((TicketRow.state == TicketState.DOWNLOADING.value)
                                                 & TicketRow.linked_to.is_null()))
            for row in rows:
                try:
                    self._check(row)
                except TorrentError as error:
                    self.context.tickets.fail(row.id, TicketState.DOWNLOADING, error)

    def _check(self, row: TicketRow) -> None:
        info_hash = row.info_hash
        try:
            status = self.session.status(info_hash)
        except TorrentError:
            self._readd(row)
            return
        now = time.monotonic()
        watch = self._watches.setdefault(row.id, _Watch(status.total_wanted_done, now, now))
        if status.finished and status.progress >= 1.0:
            if not self.session.flush_files(info_hash, FLUSH_TIMEOUT_SECS):
                log.info("download: %s finished; waiting for its last blocks to be written", status.name)
                return
            self._watches.pop(row.id, None)
            with self.context.uow() as outbox:
                TorrentRow.update(progress=1.0, completed_at=self.context.clock.now()).where(
                    TorrentRow.info_hash == info_hash).execute()
                self._complete(outbox, row.id, info_hash, status.name, status.total_wanted, now - watch.started_at)
            self.context.wake_stage(TicketState.CONVERTING)
            return
        if status.total_wanted_done != watch.done_bytes or status.paused:
            watch.done_bytes, watch.changed_at = status.total_wanted_done, now
            return
        stall_seconds = self.context.config.torrent.stall_minutes * 60
        if now - watch.changed_at >= stall_seconds:
            self._watches.pop(row.id, None)
            self._stalled(row, info_hash, status.name, f"no progress for {stall_seconds / 60:g} min "
                                                       f"({status.seeds} seeds, {status.peers} peers)")

    def _stalled(self, row: TicketRow, info_hash: str, name: str, reason: str) -> None:
        self._drop(info_hash)
        with self.context.uow() as outbox:
            self.context.audit.record(outbox, "DownloadStalled", ticket_id=row.id, actor="engine", data={
                "info_hash": info_hash, "torrent_name": name, "size_bytes": None, "duration_secs": None,
                "error": reason})
            self.context.tickets.blocklist(outbox, row.id, info_hash, name, reason)
            TorrentRow.update(removed=True).where(TorrentRow.info_hash == info_hash).execute()
            TicketItemRow.update(state=ItemState.WANTED.value, file_index=None, source_path=None).where(
                TicketItemRow.ticket == row.id).execute()
            self.context.tickets.transition(outbox, row.id, TicketState.ACQUIRING, actor="engine",
                                            reason=f"download stalled: {reason}; next candidate")
        self.context.wake_stage(TicketState.ACQUIRING)

    def _readd(self, row: TicketRow) -> None:
        """The session does not know the ticket's torrent (resume data lost): add it again from the catalog."""
        torrent = TorrentRow.get_or_none(TorrentRow.info_hash == row.info_hash)
        if torrent is None or not torrent.torrent_file:
            raise TorrentError(f"the torrent of ticket {row.id} is gone and the catalog has no copy of it",
                               hint="retry the ticket to acquire it again")
        wanted = [item.file_index for item in row.items if item.file_index is not None]
        self.session.add_torrent_bytes(bytes(torrent.torrent_file), Path(torrent.save_path), wanted_indexes=wanted)
        log.info("re-added the torrent of ticket %s from the catalog", row.id)

    def ticket_of(self, info_hash: str) -> str | None:
        row = (TicketRow.select(TicketRow.id).where((TicketRow.info_hash == info_hash)
                                                     & TicketRow.linked_to.is_null())
               .order_by(TicketRow.updated_at.desc()).first())
        return row.id if row else None


def cover_images(files: list[FileEntry], mapping: FileMapping) -> set[int]:
    """Cover images (cover/folder/front) beside the mapped tracks: small, and the album folder wants them."""
    folders = {PurePosixPath(a.file.path).parent for a in mapping.assignments}
    return {entry.index for entry in files if entry.is_image and entry.size <= MAX_COVER_BYTES
            and PurePosixPath(entry.path).parent in folders
            and PurePosixPath(entry.path).stem.casefold() in COVER_STEMS}


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

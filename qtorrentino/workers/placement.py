"""Placing: a ticket's files land in its library as one unit (verified, then committed, else rolled back)."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from pathlib import Path

from qtorrentino.domain.durations import LISTED_LENGTH_TOLERANCE_SECS
from qtorrentino.domain.files import AUDIO_EXTENSIONS, VIDEO_EXTENSIONS
from qtorrentino.domain.naming import naming_values, render_name
from qtorrentino.domain.states import ItemState, TicketState
from qtorrentino.domain.ticket import ItemType, TicketItem, TicketKind
from qtorrentino.errors import (
    LibraryOffline,
    PlacementError,
    QtorrentinoError,
    ReleaseBound,
    VerificationFailed,
)
from qtorrentino.library.items import fields_for_ticket_item, record_placed_file
from qtorrentino.library.placer import PlacedFile, PlannedFile, place_files
from qtorrentino.media.cover import find_cover, write_cover_file
from qtorrentino.media.probe import probe
from qtorrentino.tickets.claims import Claim
from qtorrentino.tickets.views import ItemView, TicketDetail
from qtorrentino.torrent.session import TorrentSession
from qtorrentino.workers.base import BaseWorker, WorkerContext
from qtorrentino.workers.candidates import known_query
from qtorrentino.workers.conversion import library_for
from qtorrentino.workers.stages import PLACEMENT, owned_by
from qtorrentino.workers.torrent_files import require_complete_files
from qtorrentino.workers.upgrade_swap import Swap, begin_swap, finish_swap
from qtorrentino.workers.watch_state import after_placement

log = logging.getLogger(__name__)

MEDIA_EXTENSIONS = AUDIO_EXTENSIONS | VIDEO_EXTENSIONS


def _ticket_item(item: ItemView) -> TicketItem:
    return TicketItem(id=item.id, type=ItemType(item.type), title=item.title, disc=item.disc, number=item.number,
                      season=item.season, duration_secs=item.duration_secs)


def _swapping(swap: Swap | None, plan: list[PlannedFile]) -> bool:
    """An upgrade replaces its own old files at the same paths (into its trash folder), never another's."""
    return swap is not None and swap.may_replace(plan)


def verify_duration(expected: dict[Path, float]) -> Callable[[Path], None]:
    """The placer's verify hook: media files probe, and last what the ticket expects (within
    LISTED_LENGTH_TOLERANCE_SECS) when it says."""

    def verify(path: Path) -> None:
        if path.suffix.lower() not in MEDIA_EXTENSIONS:
            return
        info = probe(path)
        if info.duration_secs is None:
            raise VerificationFailed(f"{path.name}: no duration could be read; the file may be broken")
        wanted = expected.get(path)
        if wanted is not None and abs(info.duration_secs - wanted) > LISTED_LENGTH_TOLERANCE_SECS:
            raise VerificationFailed(f"{path.name}: lasts {info.duration_secs:.1f} s, "
                                     f"the ticket expects {wanted:.0f} s")

    return verify


class PlacementWorker(BaseWorker):
    """Puts every converted item of a ticket into its library through the one FileProcessor."""

    stages = owned_by(PLACEMENT)
    name = PLACEMENT

    def __init__(self, context: WorkerContext, session: TorrentSession, *, poll_seconds: float = 2.0) -> None:
        super().__init__(context, concurrency=1, poll_seconds=poll_seconds)
        self.session = session

    def process(self, claim: Claim) -> None:
        detail = self.context.tickets.get(claim.ticket_id)
        spec = detail.spec
        library = library_for(self.context, spec)
        items = [item for item in detail.items if item.requested and item.state in
                 (ItemState.CONVERTED, ItemState.PLACED) and (item.staged_path or item.source_path)]
        require_complete_files(self.session, detail.summary.info_hash,
                               {item.file_index for item in items if item.file_index is not None
                                and item.staged_path in (None, item.source_path)})
        query = known_query(detail)
        disc_count = max((item.disc or 1 for item in items if item.type == ItemType.TRACK.value), default=1)
        plan: list[PlannedFile] = []
        expected: dict[Path, float] = {}
        for item in items:
            source = Path(item.staged_path or item.source_path or "")
            values = naming_values(query, _ticket_item(item), ext=source.suffix.lstrip(".").lower(),
                                   disc_count=disc_count)
            plan.append(PlannedFile(item.id, source, render_name(library.template, values), source.stat().st_size))
            if item.duration_secs:
                expected[source] = item.duration_secs
        with self.context.uow() as outbox:
            swap = begin_swap(self.context, detail, library)
            self.context.audit.record(outbox, "PlacementStarted", ticket_id=detail.id, actor="engine", data={
                "files": [{"item_id": p.item_id, "path": str(library.path / p.relative), "method": library.link}
                          for p in plan], "rollback_status": None, "error": None, "upgrade": swap is not None})
        try:
            result = place_files(library.path, plan, link=library.link,  # type: ignore[arg-type]
                                 replace_existing=spec.constraints.replace_existing or _swapping(swap, plan),
                                 trash_dir=swap.folder if swap else self.context.home.trash_dir,
                                 verify=verify_duration(expected), library=library.name)
        except PlacementError as error:
            with self.context.uow() as outbox:
                self.context.audit.record(outbox, "PlacementFailed", ticket_id=detail.id, actor="engine", data={
                    "files": [{"item_id": p.item_id, "path": str(library.path / p.relative), "method": None}
                              for p in plan],
                    "rollback_status": getattr(error, "rollback_status", "rolled_back"), "error": error.message,
                    "library": library.name, "fault": getattr(error, "fault", None),
                    **(error.audit_data() if isinstance(error, LibraryOffline) else {})})
            if isinstance(error.__cause__, ReleaseBound):
                raise VerificationFailed(error.message, hint="the release is blocklisted for this ticket and "
                                                             "the next candidate is tried") from error
            raise
        self._cover_file(detail, result.files, library.cover_file)
        self._commit(detail, result.files, library.name)
        shutil.rmtree(self.context.config.paths.staging_dir / detail.id, ignore_errors=True)
        if swap is not None:
            finish_swap(self.context, detail.id, library.trash_days)

    def _commit(self, detail: TicketDetail, placed: tuple[PlacedFile, ...], library_name: str) -> None:
        spec = detail.spec
        by_id = {item.id: item for item in detail.items}
        with self.context.uow() as outbox:
            for entry in placed:
                item = by_id[entry.item_id]
                values = fields_for_ticket_item(spec.kind, known_query(detail), _ticket_item(item))
                record_placed_file(library_name, entry.path, values, entry.method, detail.id,
                                   clock=self.context.clock, source_id=detail.summary.info_hash)
                self.context.tickets.set_item_states(detail.id, [entry.item_id], ItemState.PLACED,
                                                     path=str(entry.path))
            self.context.audit.record(outbox, "PlacementCompleted", ticket_id=detail.id, actor="engine", data={
                "files": [{"item_id": e.item_id, "path": str(e.path), "method": e.method} for e in placed],
                "rollback_status": "none", "error": None})
            stats = {"files_placed": len(placed), "final_size": sum(e.size for e in placed),
                     "methods": sorted({e.method for e in placed})}
            self.context.tickets.transition(outbox, detail.id, TicketState.COMPLETED, actor="engine",
                                            reason=f"{len(placed)} file(s) placed", stats=stats)
            after_placement(outbox, self.context, detail)

    def _cover_file(self, detail: TicketDetail, placed: tuple[PlacedFile, ...], cover_name: str) -> None:
        """Music libraries get the album's cover next to its tracks when they ask for it."""
        if not cover_name or not placed or detail.spec.kind not in (TicketKind.ALBUM, TicketKind.TRACK):
            return
        first = Path(placed[0].path)
        try:
            cover = find_cover(source_file=first)
            if cover is not None:
                write_cover_file(first.parent, cover_name, cover.data)
        except (QtorrentinoError, OSError):
            log.info("no cover file written for ticket %s", detail.id, exc_info=True)

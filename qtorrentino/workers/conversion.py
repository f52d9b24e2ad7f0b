"""Converting: each requested item to the ticket's format on a shared ffmpeg pool, tagged, into staging."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from qtorrentino.config.model import LibraryConfig
from qtorrentino.domain.states import ItemState, TicketState
from qtorrentino.domain.ticket import VIDEO_KINDS, ItemType, TicketQuery, TicketSpec
from qtorrentino.errors import ConfigError, ConversionError, DamagedSource, QtorrentinoError
from qtorrentino.events import ItemProgress
from qtorrentino.media.convert import ConversionJob, ConversionPool, ConvertedFile
from qtorrentino.media.cover import CoverArt, find_cover
from qtorrentino.media.tags import TrackTags, write_tags
from qtorrentino.tickets.claims import Claim
from qtorrentino.tickets.views import ItemView, TicketDetail
from qtorrentino.torrent.session import TorrentSession
from qtorrentino.workers.base import BaseWorker, Stopping, WorkerContext
from qtorrentino.workers.candidates import known_query
from qtorrentino.workers.stages import CONVERSION, owned_by
from qtorrentino.workers.torrent_files import require_complete_files

log = logging.getLogger(__name__)

CONVERTIBLE = (ItemState.DOWNLOADED, ItemState.CONVERTING)


def library_for(context: WorkerContext, spec: TicketSpec) -> LibraryConfig:
    """The ticket's library from config, or a ConfigError saying what to add."""
    library = context.config.library(spec.library) if spec.library else None
    if library is None:
        raise ConfigError(f"the ticket's library {spec.library or '(none)'} is not configured",
                          hint="add a [[libraries]] entry of the fitting kind to config.toml, then retry")
    return library


def track_tags(spec: TicketSpec, query: TicketQuery, item: ItemView, items: tuple[ItemView, ...]) -> TrackTags:
    """The tags a converted track gets, from the ticket (what was asked for is what is named)."""
    discs = [other.disc or 1 for other in items if other.type == ItemType.TRACK.value and other.requested]
    same_disc = [other for other in items if (other.disc or 1) == (item.disc or 1) and other.number is not None]
    return TrackTags(
        title=item.title or None, artist=query.artist, album=query.album, albumartist=query.artist,
        track_number=item.number, track_total=max((o.number or 0 for o in same_disc), default=0) or None,
        disc_number=item.disc or 1, disc_total=max(discs, default=1), date=str(query.year) if query.year else None,
        genre=query.genres[0] if query.genres else None, musicbrainz_album_id=query.musicbrainz_release_id)


class ConversionWorker(BaseWorker):
    """Runs a ticket's conversions in parallel; the original keeps seeding untouched."""

    stages = owned_by(CONVERSION)
    name = CONVERSION

    def __init__(self, context: WorkerContext, pool: ConversionPool, session: TorrentSession, *,
                 poll_seconds: float = 2.0) -> None:
        super().__init__(context, concurrency=2, poll_seconds=poll_seconds)
        self.pool = pool
        self.session = session

    def cancel(self) -> None:
        """Kill running ffmpegs so a stop does not wait for whole conversions (they redo on the next start)."""
        self.pool.shutdown(cancel_running=True)

    def process(self, claim: Claim) -> None:
        detail = self.context.tickets.get(claim.ticket_id)
        require_complete_files(self.session, detail.summary.info_hash,
                               {item.file_index for item in detail.items if item.requested
                                and item.file_index is not None and item.state in CONVERTIBLE})
        spec = detail.spec
        library = library_for(self.context, spec)
        target = "copy" if spec.kind in VIDEO_KINDS else (spec.constraints.format or library.format)
        pending = [item for item in detail.items if item.requested and item.state in CONVERTIBLE]
        if target == "copy":
            self._keep_originals(detail, pending)
        else:
            self._convert(detail, pending, target)
        with self.context.uow() as outbox:
            self.context.tickets.transition(outbox, detail.id, TicketState.PLACING, actor="engine",
                                            reason=f"{len(pending)} item(s) ready to place ({target})")
        self.context.wake_stage(TicketState.PLACING)

    def _keep_originals(self, detail: TicketDetail, items: list[ItemView]) -> None:
        """Target copy: nothing is re-encoded or re-tagged; placement hardlinks the seeding file itself."""
        with self.context.uow():
            for item in items:
                self.context.tickets.set_item_states(detail.id, [item.id], ItemState.CONVERTED,
                                                     staged_path=item.source_path)

    def _convert(self, detail: TicketDetail, items: list[ItemView], target: str) -> None:
        spec = detail.spec
        staging = self.context.config.paths.staging_dir / detail.id
        cover = self._cover(spec, items)
        with self.context.uow() as outbox:
            for item in items:
                self.context.tickets.set_item_states(detail.id, [item.id], ItemState.CONVERTING)
                self.context.audit.record(outbox, "ConversionStarted", ticket_id=detail.id, actor="engine", data={
                    "item_id": item.id, "input_path": item.source_path, "output_path": None, "target": target,
                    "duration_ms": None, "error": None})
        futures: dict[str, Future[ConvertedFile]] = {}
        for item in items:
            job = ConversionJob(source=Path(item.source_path or ""), dest_dir=staging / item.id, target=target,
                                bitrate_kbps=spec.constraints.bitrate_kbps,
                                sample_rate_hz=spec.constraints.sample_rate_hz)
            futures[item.id] = self.pool.submit(job, self._progress(detail.id, item.id))
        failures: list[tuple[str, QtorrentinoError]] = []
        for item in items:
            try:
                converted = futures[item.id].result()
                if spec.constraints.embed_tags:
                    write_tags(converted.path, track_tags(spec, known_query(detail), item, detail.items),
                               cover.data if cover and spec.constraints.embed_cover else None)
            except QtorrentinoError as error:
                if self.stopping:
                    raise Stopping(f"conversion of {item.label} cancelled by the stop") from error
                failures.append((item.label, error))
                self._record_failure(detail.id, item, error)
                continue
            with self.context.uow() as outbox:
                self.context.tickets.set_item_states(detail.id, [item.id], ItemState.CONVERTED,
                                                     staged_path=str(converted.path))
                self.context.audit.record(outbox, "ConversionCompleted", ticket_id=detail.id, actor="engine", data={
                    "item_id": item.id, "input_path": item.source_path, "output_path": str(converted.path),
                    "duration_ms": converted.duration_ms, "error": None})
        if failures:
            shutil.rmtree(staging, ignore_errors=True)
            damaged = [(label, error) for label, error in failures if isinstance(error, DamagedSource)]
            label, first = (damaged or failures)[0]
            summary = f"{len(failures)} of {len(items)} conversion(s) failed: {label}: {first.message}"
            if damaged:
                raise DamagedSource(summary, hint=first.hint)
            raise ConversionError(summary, hint="ffmpeg's message is in the ConversionFailed audit event")

    def _record_failure(self, ticket_id: str, item: ItemView, error: QtorrentinoError) -> None:
        with self.context.uow() as outbox:
            self.context.tickets.set_item_states(ticket_id, [item.id], ItemState.DOWNLOADED, error=error.message)
            self.context.audit.record(outbox, "ConversionFailed", ticket_id=ticket_id, actor="engine", data={
                "item_id": item.id, "input_path": item.source_path, "output_path": None, "duration_ms": None,
                "error": error.message})

    def _progress(self, ticket_id: str, item_id: str) -> Callable[[float], None]:
        bus = self.context.bus

        def report(fraction: float) -> None:
            bus.publish(ItemProgress(ticket_id=ticket_id, item_id=item_id, stage="converting", progress=fraction))

        return report

    def _cover(self, spec: TicketSpec, items: list[ItemView]) -> CoverArt | None:
        if not items or not spec.constraints.embed_cover or not items[0].source_path:
            return None
        first = Path(items[0].source_path)
        downloads = self.context.config.paths.download_dir
        try:
            inside = first.relative_to(downloads).parts
        except ValueError:
            inside = ()
        torrent_root = downloads / inside[0] if len(inside) > 1 else first.parent
        try:
            return find_cover(torrent_folder=torrent_root, source_file=first)
        except QtorrentinoError as error:
            log.info("no cover for ticket: %s", error.message)
            return None

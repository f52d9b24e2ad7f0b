"""The torrent part of an engine: the session, its listener, restore on start, commands, seeding policy."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from qtorrentino import __version__
from qtorrentino.db.database import write_transaction
from qtorrentino.db.models import TicketRow, TorrentRow
from qtorrentino.engine.torrents_api import TorrentControls
from qtorrentino.domain.redact import redact_text
from qtorrentino.domain.states import TicketState
from qtorrentino.errors import QtorrentinoError
from qtorrentino.tickets.queries import left_torrents, ticket_of_torrent, tickets_of_torrent
from qtorrentino.torrent.progress import ProgressTracker
from qtorrentino.torrent.seeding import seeding_done
from qtorrentino.torrent.session import TorrentSession
from qtorrentino.workers.base import WorkerContext
from qtorrentino.workers.torrent_files import wanted_file_indexes

log = logging.getLogger(__name__)

COMMANDS = ("pause", "resume", "remove", "remove_data")


class TorrentPart:
    """Owns the libtorrent session of an engine and what runs around it."""

    def __init__(self, context: WorkerContext, on_changed: Callable[[str], None]) -> None:
        self.context = context
        config = context.config
        self.tracker = ProgressTracker(context.bus, context.clock, ticket_of=ticket_of_torrent,
                                       on_finished=on_changed, on_error=on_changed, monotonic=time.monotonic)
        self.session = TorrentSession(config.torrent, context.home.torrents_dir, listener=self.tracker,
                                      user_agent=f"qtorrentino/{__version__}")
        self.controls = TorrentControls(pause=self.pause, resume=self.resume, remove=self.remove)

    def restore(self) -> None:
        """Re-add every catalog torrent with resume data, saving where our records say.

        A torrent whose resume data is unreadable, cut short or gone is added again from the .torrent or
        magnet the catalog kept: libtorrent checks the data on disk in full and its tickets go on (audited).
        """
        rows = TorrentRow.select(TorrentRow.info_hash, TorrentRow.save_path).where(TorrentRow.removed == False)  # noqa: E712
        report = self.session.restore({row.info_hash: Path(row.save_path) for row in rows})
        if report.restored or report.failed:
            log.info("restored %d torrent(s), rechecking %d, failed %d", len(report.restored),
                     len(report.rechecking), len(report.failed))
        lost = {**{info_hash: "no resume data" for info_hash in report.missing}, **report.failed}
        for info_hash, why in sorted(lost.items()):
            try:
                self._add_again(info_hash, why)
            except QtorrentinoError as error:
                log.warning("torrent %s could not be added again: %s", info_hash, error.message)

    def _add_again(self, info_hash: str, why: str) -> None:
        row = TorrentRow.get_by_id(info_hash)
        if not (row.torrent_file or row.magnet):
            return
        wanted = wanted_file_indexes(info_hash)
        self.session.add_stored(Path(row.save_path), torrent_file=bytes(row.torrent_file) if row.torrent_file
                                else None, magnet=row.magnet, wanted_indexes=sorted(wanted) if wanted else None)
        source = "its stored .torrent" if row.torrent_file else "its stored magnet"
        log.warning("torrent %s (%s): %s; added again from %s with a full check", row.name, info_hash, why, source)
        with self.context.uow() as outbox:
            holders: list[str | None] = [*tickets_of_torrent(info_hash)] or [None]
            for ticket_id in holders:
                self.context.audit.record(outbox, "DownloadStarted", ticket_id=ticket_id, actor="engine", data={
                    "info_hash": info_hash, "torrent_name": row.name, "size_bytes": None, "duration_secs": None,
                    "error": None, "resumed": f"resume data unusable ({redact_text(why)[:200]}); added again "
                                              f"from {source}, checking the data on disk"})

    def release_left_torrents(self) -> None:
        """Torrents tickets have left (cancelled, next candidate): lower the files nobody needs any more, or
        remove the torrent when nobody holds it (with the data a leaving ticket downloaded), audited."""
        for info_hash, leavers in left_torrents().items():
            holders = tickets_of_torrent(info_hash)
            if holders:
                self._lower(info_hash)
                continue
            row = TorrentRow.get_by_id(info_hash)
            started_by = Path(row.save_path).name
            delete_data = started_by in leavers
            self.remove(info_hash, delete_data)
            if delete_data and Path(row.save_path).parent == self.context.config.paths.download_dir:
                shutil.rmtree(row.save_path, ignore_errors=True)
            cancelled = TicketRow.get_or_none((TicketRow.id == started_by)
                                              & (TicketRow.state == TicketState.CANCELLED.value))
            with self.context.uow() as outbox:
                self.context.audit.record(outbox, "TorrentRemoved", ticket_id=started_by if delete_data else None,
                                          actor="engine", data={
                                              "info_hash": info_hash, "torrent_name": row.name,
                                              "reason": "cancelled" if cancelled else "released",
                                              "data_removed": delete_data})
        self._clean_staging()

    def _lower(self, info_hash: str) -> None:
        if not self.session.has(info_hash) or not self.session.file_progress(info_hash):
            return
        wanted = wanted_file_indexes(info_hash)
        if wanted and self.session.wanted_indexes(info_hash) != frozenset(wanted):
            self.session.set_file_priorities(info_hash, sorted(wanted))
            log.info("torrent %s now downloads only the %d file(s) its tickets need", info_hash, len(wanted))

    def _clean_staging(self) -> None:
        """A cancelled ticket's conversions are not kept."""
        staging = self.context.config.paths.staging_dir
        if not staging.is_dir():
            return
        names = [entry.name for entry in staging.iterdir() if entry.is_dir()]
        if not names:
            return
        for row in TicketRow.select(TicketRow.id).where(TicketRow.id.in_(names)
                                                        & (TicketRow.state == TicketState.CANCELLED.value)):
            shutil.rmtree(staging / row.id, ignore_errors=True)

    def pause(self, info_hash: str) -> None:
        self.session.pause(info_hash)

    def resume(self, info_hash: str) -> None:
        self.session.resume(info_hash)

    def remove(self, info_hash: str, delete_data: bool) -> None:
        try:
            self.session.remove(info_hash, delete_data)
        except QtorrentinoError:
            log.info("torrent %s was not in the session", info_hash)
        with write_transaction():
            TorrentRow.update(removed=True, command=None).where(TorrentRow.info_hash == info_hash).execute()

    def apply_commands(self) -> None:
        """Carry out pause/resume/remove asked for from the CLI (stored on the catalog row)."""
        for row in TorrentRow.select().where(TorrentRow.command.is_null(False)):
            command = row.command
            try:
                if command == "pause":
                    self.pause(row.info_hash)
                elif command == "resume":
                    self.resume(row.info_hash)
                elif command in ("remove", "remove_data"):
                    self.remove(row.info_hash, command == "remove_data")
            except QtorrentinoError as error:
                log.warning("torrent %s: %s failed: %s", row.info_hash, command, error.message)
            with write_transaction():
                TorrentRow.update(command=None).where(TorrentRow.info_hash == row.info_hash).execute()

    def enforce_seeding_policy(self) -> None:
        """Stop seeding torrents that met ratio/time goals; they become cleanup candidates."""
        torrent = self.context.config.torrent
        done = []
        for status in self.session.statuses():
            if not status.paused and seeding_done(status, torrent.seed_ratio, torrent.seed_time_hours):
                self.session.pause(status.info_hash)
                done.append(status.info_hash)
        if done:
            with write_transaction():
                TorrentRow.update(seeding_done=True).where(TorrentRow.info_hash.in_(done)).execute()
            log.info("seeding goals met, paused: %s", ", ".join(done))

    def close(self, timeout: float) -> None:
        self.session.close(timeout)

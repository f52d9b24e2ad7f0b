"""The torrent part of an engine: the session, its listener, restore on start, commands, seeding policy."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from qtorrentino.db.database import write_transaction
from qtorrentino.db.models import TicketRow, TorrentRow
from qtorrentino.domain.redact import redact_text
from qtorrentino.domain.states import TicketState
from qtorrentino.engine.seeding_policy import SeedingPolicy
from qtorrentino.engine.torrent_commands import DETAIL_SUFFIX, TorrentCommand
from qtorrentino.engine.torrents_api import TorrentControls
from qtorrentino.errors import QtorrentinoError
from qtorrentino.tickets.queries import left_torrents, ticket_of_torrent, tickets_of_torrent
from qtorrentino.torrent.progress import ProgressTracker
from qtorrentino.torrent.session import TorrentSession
from qtorrentino.workers.base import WorkerContext
from qtorrentino.workers.torrent_files import add_from_catalog, wanted_file_indexes

log = logging.getLogger(__name__)

CANCELLED = TicketState.CANCELLED.value
DELETE_WAIT_SECONDS = 10.0


class TorrentPart:
    """Owns the libtorrent session of an engine and what runs around it."""

    def __init__(self, context: WorkerContext, on_changed: Callable[[str], None]) -> None:
        self.context = context
        config = context.config
        self.tracker = ProgressTracker(context.bus, context.clock, ticket_of=ticket_of_torrent,
                                       on_finished=on_changed, on_error=on_changed, monotonic=time.monotonic)
        self.session = TorrentSession(config.torrent, context.home.torrents_dir, listener=self.tracker,
                                      proxy=config.network.proxy)
        session = self.session
        self.controls = TorrentControls(
            pause=self.pause, resume=self.resume, remove=self.remove, recheck=session.force_recheck,
            reannounce=session.reannounce, set_rate_limits=session.set_rate_limits,
            set_file_priority=session.set_file_priority, detail=session.detail)
        self.seeding = SeedingPolicy(context, self.session, self.remove)

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
        add_from_catalog(self.session, row, sorted(wanted) if wanted else None)
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
        remove the torrent when nobody holds it (with the data a leaving ticket downloaded), audited under the
        ticket that left last: `cancelled` when a cancel let it go, `released` when that ticket moved on."""
        for info_hash, leavers in left_torrents().items():
            holders = tickets_of_torrent(info_hash)
            if holders:
                self._lower(info_hash)
                continue
            row = TorrentRow.get_by_id(info_hash)
            delete_data = Path(row.save_path).name in leavers
            last = max(TicketRow.select(TicketRow.id, TicketRow.state, TicketRow.updated_at).where(
                TicketRow.id.in_(list(leavers))), key=lambda left: (left.updated_at, left.state == CANCELLED))
            self.remove(info_hash, delete_data, reason="cancelled" if last.state == CANCELLED else "released",
                        ticket_id=last.id)
            if delete_data and Path(row.save_path).parent == self.context.config.paths.download_dir:
                self.session.wait_data_deleted(info_hash, DELETE_WAIT_SECONDS)  # else a last write could recreate it
                shutil.rmtree(row.save_path, ignore_errors=True)
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

    def remove(self, info_hash: str, delete_data: bool, *, reason: str = "person", actor: str = "engine",
               ticket_id: str | None = None) -> None:
        """Remove a torrent (and its files with delete_data) and record TorrentRemoved with the reason.

        The one removal path (a person, the seeding policy, a ticket leaving): the event goes under
        ticket_id, else under the ticket the torrent serves.
        """
        try:
            self.session.remove(info_hash, delete_data)
        except QtorrentinoError:
            log.info("torrent %s was not in the session", info_hash)
        row = TorrentRow.get_or_none(TorrentRow.info_hash == info_hash)
        ticket_id = ticket_id or ticket_of_torrent(info_hash)
        with self.context.uow() as outbox:
            TorrentRow.update(removed=True, command=None).where(TorrentRow.info_hash == info_hash).execute()
            self.context.audit.record(outbox, "TorrentRemoved", ticket_id=ticket_id, actor=actor, data={
                "info_hash": info_hash, "reason": reason, "data_removed": delete_data,
                "torrent_name": row.name if row else None, "size_bytes": row.total_size if row else None,
                "uploaded": row.uploaded if row else None})

    def apply_commands(self) -> None:
        """Carry out what a person asked from the CLI (stored on the catalog row as a TorrentCommand)."""
        for row in TorrentRow.select().where(TorrentRow.command.is_null(False)):
            try:
                self._apply(row.info_hash, TorrentCommand.decode(str(row.command)))
            except QtorrentinoError as error:
                log.warning("torrent %s: %s failed: %s", row.info_hash, row.command, error.message)
            with write_transaction():
                TorrentRow.update(command=None).where(TorrentRow.info_hash == row.info_hash).execute()

    def _apply(self, info_hash: str, command: TorrentCommand) -> None:
        action = command.action
        if action in ("remove", "remove_data"):
            self.remove(info_hash, action == "remove_data", reason="person", actor=command.actor)
        elif action == "limits":
            self.session.set_rate_limits(info_hash, upload_kib=command.upload_kib, download_kib=command.download_kib)
        elif action == "priority":
            self.session.set_file_priority(info_hash, command.file_index, command.priority)
        elif action == "detail":
            self._write_detail(info_hash)
        else:
            {"pause": self.pause, "resume": self.resume, "recheck": self.session.force_recheck,
             "reannounce": self.session.reannounce}[action](info_hash)

    def _write_detail(self, info_hash: str) -> None:
        """Answer `torrent show` from another process: the live detail, as JSON beside the resume data."""
        folder = self.context.home.torrents_dir / "live"
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{info_hash}{DETAIL_SUFFIX}.tmp"
        temporary.write_bytes(orjson.dumps(self.session.detail(info_hash).to_json()))
        temporary.replace(folder / f"{info_hash}{DETAIL_SUFFIX}")

    def enforce_seeding_policy(self) -> None:
        """Seed goals (per indexer), on_seed_goal and the storage budget: see SeedingPolicy."""
        self.seeding.run()

    def close(self, timeout: float) -> None:
        """Close the session and keep each torrent's final totals in the catalog."""
        self.tracker.persist_final(self.session.close(timeout))

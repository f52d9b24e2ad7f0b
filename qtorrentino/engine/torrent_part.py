"""The torrent part of an engine: the session, its listener, restore on start, commands, seeding policy."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import orjson

from qtorrentino.db.database import write_transaction
from qtorrentino.db.models import TicketRow, TorrentRow
from qtorrentino.engine.seeding_policy import SeedingPolicy
from qtorrentino.engine.torrent_commands import DETAIL_SUFFIX, TorrentCommand
from qtorrentino.engine.torrents_api import TorrentControls
from qtorrentino.errors import QtorrentinoError, TorrentError
from qtorrentino.torrent.progress import ProgressTracker
from qtorrentino.torrent.session import TorrentSession
from qtorrentino.workers.base import WorkerContext

log = logging.getLogger(__name__)


def ticket_of(info_hash: str) -> str | None:
    """The active ticket a torrent serves (for progress events)."""
    row = (TicketRow.select(TicketRow.id).where((TicketRow.info_hash == info_hash) & TicketRow.linked_to.is_null())
           .order_by(TicketRow.updated_at.desc()).first())
    return row.id if row else None


class TorrentPart:
    """Owns the libtorrent session of an engine and what runs around it."""

    def __init__(self, context: WorkerContext, on_finished: threading.Event) -> None:
        self.context = context
        config = context.config
        self.tracker = ProgressTracker(context.bus, context.clock, ticket_of=ticket_of,
                                       on_finished=lambda info_hash: on_finished.set(), monotonic=time.monotonic)
        self.session = TorrentSession(config.torrent, context.home.torrents_dir, listener=self.tracker,
                                      proxy=config.network.proxy)
        session = self.session
        self.controls = TorrentControls(
            pause=self.pause, resume=self.resume, remove=self.remove, recheck=session.force_recheck,
            reannounce=session.reannounce, set_rate_limits=session.set_rate_limits,
            set_file_priority=session.set_file_priority, detail=session.detail)
        self.seeding = SeedingPolicy(context, self.session, self.remove)

    def restore(self) -> None:
        """Re-add every catalog torrent with resume data, saving where our records say."""
        rows = TorrentRow.select(TorrentRow.info_hash, TorrentRow.save_path).where(TorrentRow.removed == False)  # noqa: E712
        report = self.session.restore({row.info_hash: Path(row.save_path) for row in rows})
        if report.restored or report.failed:
            log.info("restored %d torrent(s), rechecking %d, failed %d", len(report.restored),
                     len(report.rechecking), len(report.failed))

    def pause(self, info_hash: str) -> None:
        self.session.pause(info_hash)

    def resume(self, info_hash: str) -> None:
        self.session.resume(info_hash)

    def remove(self, info_hash: str, delete_data: bool, *, reason: str = "person", actor: str = "engine") -> None:
        """Remove a torrent (and its files with delete_data) and record TorrentRemoved with the reason."""
        try:
            self.session.remove(info_hash, delete_data)
        except TorrentError:
            log.info("torrent %s was not in the session", info_hash)
        row = TorrentRow.get_or_none(TorrentRow.info_hash == info_hash)
        with self.context.uow() as outbox:
            TorrentRow.update(removed=True, command=None).where(TorrentRow.info_hash == info_hash).execute()
            self.context.audit.record(outbox, "TorrentRemoved", ticket_id=ticket_of(info_hash), actor=actor, data={
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

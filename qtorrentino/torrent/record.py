"""What the session keeps per torrent besides libtorrent's state; its live numbers as TorrentStatus."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import libtorrent as lt

from qtorrentino.domain.redact import redact_text
from qtorrentino.torrent.ledger import Totals, TransferLedger
from qtorrentino.torrent.metainfo import hash_text
from qtorrentino.torrent.status import TorrentState, TorrentStatus

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from qtorrentino.domain.files import FileEntry
    from qtorrentino.torrent.controls import Announced
    from qtorrentino.torrent.resume import AddIntent

_FLAGS = lt.torrent_flags
_STATES = {
    lt.torrent_status.states.downloading_metadata: TorrentState.DOWNLOADING_METADATA,
    lt.torrent_status.states.checking_files: TorrentState.CHECKING,
    lt.torrent_status.states.checking_resume_data: TorrentState.CHECKING,
    lt.torrent_status.states.finished: TorrentState.FINISHED,
    lt.torrent_status.states.seeding: TorrentState.SEEDING,
}


class TorrentRecord:
    """What the session remembers about one torrent besides libtorrent's own state."""

    def __init__(
        self,
        handle: lt.torrent_handle,
        save_path: Path,
        intent: AddIntent,
        params: lt.add_torrent_params,
    ) -> None:
        self.handle = handle
        self.save_path = save_path
        self.metadata_only = intent.metadata_only
        self.peers = list(intent.peers)
        self.trackers: list[str] = list(params.trackers)
        self.added_time = params.added_time or int(time.time())
        self.files: tuple[FileEntry, ...] | None = None
        self.file_count = 0
        self.wanted: frozenset[int] | None = None
        self.awaiting_start = False
        self.refusal: str | None = None
        self.file_error: tuple[int, str] | None = None
        """The errno and message of the last file error, until the torrent is resumed."""
        self.flushes_asked = self.flushes_done = 0
        self.ledger = TransferLedger(Totals(params.total_uploaded, params.total_downloaded))
        self.saved_totals: Totals | None = None
        self.announced: dict[str, Announced] = {}

    def set_files(self, inspected: tuple[tuple[FileEntry, ...], int]) -> None:
        self.files, self.file_count = inspected


def observe(known: Sequence[tuple[lt.torrent_status, TorrentRecord | None]]) -> None:
    """Feed each torrent's run counters from a state update (alerts thread, in alert order) to its ledger."""
    for status, record in known:
        if record is not None:
            record.ledger.observe(status.total_payload_upload, status.total_payload_download)


def start_totals(params: lt.add_torrent_params, totals: Totals | None) -> None:
    """A torrent added again starts from the totals it had (its ledger and libtorrent's all-time counters)."""
    if totals is not None:
        params.total_uploaded, params.total_downloaded = totals.uploaded, totals.downloaded


def take_counters(record: TorrentRecord) -> None:
    """Read the run's counters now (after a pause, before a resume: libtorrent has answered the pause)."""
    status = record.handle.status()
    record.ledger.observe(status.total_payload_upload, status.total_payload_download)


def bank_run(record: TorrentRecord) -> tuple[int, int]:
    """End the current handle's run before it is replaced; the new handle starts from these totals."""
    take_counters(record)
    record.ledger.run_restarted()
    totals = record.ledger.totals()
    return totals.uploaded, totals.downloaded


def status_of(status: lt.torrent_status, record: TorrentRecord) -> TorrentStatus:
    """libtorrent's status of a torrent with what the session knows of it, as the engine reads it."""
    paused = bool(status.flags & _FLAGS.paused)
    error = record.refusal or (redact_text(status.errc.message()) if status.errc.value() else None) or (
        record.file_error[1] if record.file_error else None)
    if error:
        state = TorrentState.ERROR
    elif record.awaiting_start:
        state = TorrentState.METADATA_READY
    elif paused:
        state = TorrentState.QUEUED if status.flags & _FLAGS.auto_managed else TorrentState.PAUSED
    else:
        state = _STATES.get(status.state, TorrentState.DOWNLOADING)
    done = status.total_wanted_done
    remaining = status.total_wanted - done
    rate = status.download_payload_rate if remaining > 0 else 0  # libtorrent's average decays for seconds after
    totals = record.ledger.totals(status.total_payload_upload, status.total_payload_download)
    downloaded = max(totals.downloaded, done)
    waiting = record.awaiting_start or not status.has_metadata
    return TorrentStatus(
        info_hash=hash_text(status.info_hashes),
        name=status.name,
        save_path=record.save_path,
        progress=0.0 if waiting else status.progress,
        total_wanted=status.total_wanted,
        total_wanted_done=done,
        download_bps=rate,
        upload_bps=status.upload_payload_rate,
        peers=status.num_peers,
        seeds=status.num_seeds,
        eta_seconds=remaining // rate if rate > 0 and remaining > 0 else None,
        ratio=totals.uploaded / downloaded if downloaded else 0.0,
        all_time_download=totals.downloaded,
        all_time_upload=totals.uploaded,
        state=state,
        paused=paused,
        finished=status.is_finished and not waiting,
        seeding=status.is_seeding,
        error=error,
        error_code=None if record.refusal else (
            status.errc.value() or (record.file_error[0] if record.file_error else None)),
        active_seconds=int(status.active_duration.total_seconds()),
        seeding_seconds=int(status.seeding_duration.total_seconds()),
        added_at=datetime.fromtimestamp(record.added_time, UTC),
    )

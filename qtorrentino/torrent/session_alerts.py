"""Translating libtorrent's alerts into the session's notices, on the torrent-alerts thread."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import libtorrent as lt

from qtorrentino.domain.redact import redact_text
from qtorrentino.errors import HostileMetadata
from qtorrentino.torrent.controls import Announced
from qtorrentino.torrent.metainfo import hash_text, inspect_files
from qtorrentino.torrent.record import observe, status_of
from qtorrentino.torrent.session_base import SessionBase
from qtorrentino.torrent.status import (
    MetadataChecked,
    ResumeDataFailed,
    ResumeDataReady,
    SessionFailed,
    StatusesUpdated,
    TorrentFailed,
    TorrentFinished,
)

if TYPE_CHECKING:
    from qtorrentino.torrent.status import Notice

log = logging.getLogger("qtorrentino.torrent.session")
_AM = lt.alert.category_t
_FLAGS = lt.torrent_flags


class AlertTranslation(SessionBase):
    """TorrentSession's alerts part: pops alerts, keeps its records in step, returns notices."""

    def poll_notices(self, timeout_ms: int) -> list[Notice]:
        """Wait for alerts, pop them and copy each out as a notice (torrent-alerts thread only)."""
        if self._closed or not self._session.wait_for_alert(timeout_ms):
            return []
        notices: list[Notice] = []
        for alert in self._session.pop_alerts():
            notices.extend(self._translate(alert))
        return notices

    def post_torrent_updates(self) -> None:
        """Ask for a state_update_alert with the torrents that changed."""
        if not self._closed:
            self._session.post_torrent_updates()

    def _translate(self, alert: lt.alert) -> list[Notice]:
        if isinstance(alert, lt.state_update_alert):
            with self._lock:
                known = [(status, self._record_of(status.handle)) for status in alert.status]
                observe(known)
                return [
                    StatusesUpdated(
                        tuple(status_of(status, record) for status, record in known if record)
                    )
                ]
        if isinstance(alert, (lt.torrent_deleted_alert, lt.torrent_delete_failed_alert)):
            with self._changed:
                self._deleting.discard(hash_text(alert.info_hashes))
                self._changed.notify_all()
            return []
        if isinstance(alert, lt.save_resume_data_alert):
            return [self._resume_data_ready(alert.params)]
        if isinstance(alert, (lt.tracker_reply_alert, lt.tracker_error_alert)):
            self._on_announce(alert)
            return []
        if isinstance(alert, (lt.torrent_paused_alert, lt.torrent_resumed_alert)):
            self._on_run_change(alert.handle, resumed=isinstance(alert, lt.torrent_resumed_alert))
            return []
        if isinstance(alert, lt.save_resume_data_failed_alert):
            return [ResumeDataFailed(self._key_of(alert.handle), alert.message())]
        if isinstance(alert, lt.metadata_received_alert):
            return self._on_metadata(alert.handle)
        if isinstance(alert, lt.torrent_finished_alert):
            return self._on_finished(alert.handle)
        if isinstance(alert, lt.session_stats_alert):
            with self._changed:
                self._writing_threads = int(alert.values.get("disk.num_writing_threads", 0))
                self._stats_seen += 1
                self._changed.notify_all()
            return []
        if isinstance(alert, lt.cache_flushed_alert):
            with self._changed:
                if (record := self._record_of(alert.handle)) is not None:
                    record.flushes_done += 1
                    self._changed.notify_all()
            return []
        message = redact_text(alert.message())
        if isinstance(alert, lt.file_error_alert):  # a full disk may only put the torrent in upload mode
            with self._lock:
                if (record := self._record_of(alert.handle)) is None:
                    return []
                record.file_error = (alert.error.value(), message)
            log.warning("torrent file error: %s", message)
            return [TorrentFailed(self._key_of(alert.handle), message)]
        if isinstance(alert, lt.torrent_error_alert):  # follows each file_error_alert
            log.warning("torrent error: %s", message)
            return [TorrentFailed(self._key_of(alert.handle), message)]
        if isinstance(alert, lt.listen_failed_alert):
            log.error("BitTorrent cannot listen: %s", message)
            return [SessionFailed(message)]
        if alert.category() & _AM.error_notification:
            log.info("libtorrent: %s", message)
        return []

    def _on_metadata(self, handle: lt.torrent_handle) -> list[Notice]:
        with self._lock:
            record, info = self._record_of(handle), handle.torrent_file()
            if record is None or record.files is not None or info is None:
                return []
            info_hash = self._key_of(handle)
            try:
                record.set_files(inspect_files(info))
            except HostileMetadata as refusal:
                record.refusal = refusal.message
                log.warning("%s", refusal.message)
            if record.refusal is not None or record.metadata_only:
                record.awaiting_start = record.refusal is None
                handle.unset_flags(_FLAGS.auto_managed)
                handle.pause()
                self._request_save(info_hash, handle)
            else:
                self._begin_download(info_hash, record)
            self._changed.notify_all()
            if record.refusal is not None:
                return [TorrentFailed(info_hash, record.refusal)]
            return [MetadataChecked(info_hash, record.files or ())]

    def _on_finished(self, handle: lt.torrent_handle) -> list[Notice]:
        with self._lock:
            record = self._record_of(handle)
            if record is None or record.awaiting_start or record.refusal or record.files is None:
                return []
            info_hash = self._key_of(handle)
            self._request_save(info_hash, handle)
            return [TorrentFinished(info_hash)]

    def _resume_data_ready(self, params: lt.add_torrent_params) -> ResumeDataReady:
        """Resume data carrying our ledger's totals, which libtorrent's own counters may have dropped."""
        info_hash = hash_text(params.info_hashes)
        with self._lock:
            record = self._records.get(info_hash)
            if record is not None:
                totals = record.ledger.totals()
                params.total_uploaded = max(params.total_uploaded, totals.uploaded)
                params.total_downloaded = max(params.total_downloaded, totals.downloaded)
                record.saved_totals = totals
        return ResumeDataReady(info_hash, lt.write_resume_data_buf(params))

    def _on_run_change(self, handle: lt.torrent_handle, *, resumed: bool) -> None:
        """A pause ends a run of libtorrent's counters (take its last numbers); a resume starts one."""
        with self._lock:
            if (record := self._record_of(handle)) is None:
                return
            if resumed:
                record.ledger.run_restarted()
                return
            status = handle.status()
            if status.flags & _FLAGS.paused:  # not resumed meanwhile: these are the run's final counters
                record.ledger.observe(status.total_payload_upload, status.total_payload_download)

    def _on_announce(self, alert: lt.tracker_reply_alert | lt.tracker_error_alert) -> None:
        """Remember when each tracker last answered, and its error if it refused (for the detail view)."""
        error = redact_text(alert.message()) if isinstance(alert, lt.tracker_error_alert) else None
        with self._lock:
            if (record := self._record_of(alert.handle)) is not None:
                record.announced[alert.tracker_url()] = Announced(datetime.now(UTC), error)

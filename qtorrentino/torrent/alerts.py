"""The torrent-alerts thread: the one place that pops libtorrent alerts and tells a listener."""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Protocol

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
    from qtorrentino.domain.files import FileEntry
    from qtorrentino.torrent.resume import PendingSaves, ResumeStore
    from qtorrentino.torrent.status import Notice, TorrentStatus

log = logging.getLogger(__name__)

ALERT_WAIT_MS = 250
STATUS_INTERVAL_SECONDS = 1.0
RESUME_SAVE_INTERVAL_SECONDS = 60.0
THREAD_NAME = "torrent-alerts"


class SessionListener(Protocol):
    """What the engine hears from the session, on the torrent-alerts thread: keep calls short."""

    def on_statuses(self, statuses: list[TorrentStatus]) -> None:
        """The torrents whose numbers changed, at most once a second."""

    def on_metadata(self, info_hash: str, files: list[FileEntry]) -> None:
        """A magnet's file list arrived and passed the hostile-metadata check."""

    def on_finished(self, info_hash: str) -> None:
        """Every wanted file is complete; said at least once, and again after a restart."""

    def on_error(self, info_hash: str, message: str) -> None:
        """A torrent failed: refused metadata, disk full, a file error. The message is redacted."""

    def on_session_error(self, message: str) -> None:
        """The session itself failed, e.g. the listen port is taken."""


class IgnoringListener:
    """A listener that ignores everything: for seeders and one-shot tools."""

    def on_statuses(self, statuses: list[TorrentStatus]) -> None:
        """Ignore live numbers."""

    def on_metadata(self, info_hash: str, files: list[FileEntry]) -> None:
        """Ignore metadata."""

    def on_finished(self, info_hash: str) -> None:
        """Ignore completion."""

    def on_error(self, info_hash: str, message: str) -> None:
        """Ignore errors (they are logged by the session)."""

    def on_session_error(self, message: str) -> None:
        """Ignore session errors (they are logged by the session)."""


class AlertSource(Protocol):
    """The session side of the pump: turns popped alerts into notices and asks for updates."""

    def poll_notices(self, timeout_ms: int) -> list[Notice]:
        """Wait for alerts, pop them and copy them out as notices."""

    def post_torrent_updates(self) -> None:
        """Ask libtorrent for a state update of the changed torrents."""

    def save_changed_resume_data(self) -> int:
        """Request resume data for every torrent whose state changed; returns how many."""


class AlertPump:
    """A thread that drains alerts, asks for status each second, saves resume data each minute."""

    def __init__(
        self,
        source: AlertSource,
        listener: SessionListener,
        store: ResumeStore,
        pending: PendingSaves,
        *,
        resume_interval_seconds: float = RESUME_SAVE_INTERVAL_SECONDS,
    ) -> None:
        self._source = source
        self._listener = listener
        self._store = store
        self._pending = pending
        self._resume_interval_seconds = resume_interval_seconds
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=THREAD_NAME, daemon=True)

    def start(self) -> None:
        """Start the torrent-alerts thread."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread after its current round of alerts."""
        self._stopping.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _run(self) -> None:
        next_status = time.monotonic()
        next_resume_save = time.monotonic() + self._resume_interval_seconds
        while not self._stopping.is_set():
            try:
                now = time.monotonic()
                if now >= next_status:
                    self._source.post_torrent_updates()
                    next_status = now + STATUS_INTERVAL_SECONDS
                if now >= next_resume_save:
                    self._source.save_changed_resume_data()
                    next_resume_save = now + self._resume_interval_seconds
                for notice in self._source.poll_notices(ALERT_WAIT_MS):
                    self._dispatch(notice)
            except Exception:
                log.exception("the torrent-alerts loop hit an error; it keeps running")
                self._stopping.wait(0.1)

    def _dispatch(self, notice: Notice) -> None:
        if isinstance(notice, ResumeDataReady):
            self._pending.finished(notice.info_hash, saved=self._write_resume(notice))
            return
        if isinstance(notice, ResumeDataFailed):
            log.debug("no resume data for %s: %s", notice.info_hash, notice.message)
            self._pending.finished(notice.info_hash, saved=False)
            return
        try:
            self._tell_listener(notice)
        except Exception:
            log.exception("the torrent session listener failed on %s", type(notice).__name__)

    def _write_resume(self, notice: ResumeDataReady) -> bool:
        try:
            return self._store.write(notice.info_hash, notice.blob)
        except OSError as error:
            log.error("could not write resume data for %s: %s", notice.info_hash, error)
            return False

    def _tell_listener(self, notice: Notice) -> None:
        if isinstance(notice, StatusesUpdated):
            if notice.statuses:
                self._listener.on_statuses(list(notice.statuses))
        elif isinstance(notice, MetadataChecked):
            self._listener.on_metadata(notice.info_hash, list(notice.files))
        elif isinstance(notice, TorrentFinished):
            self._listener.on_finished(notice.info_hash)
        elif isinstance(notice, TorrentFailed):
            self._listener.on_error(notice.info_hash, notice.message)
        elif isinstance(notice, SessionFailed):
            self._listener.on_session_error(notice.message)

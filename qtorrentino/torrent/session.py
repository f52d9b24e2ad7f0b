"""TorrentSession: the embedded libtorrent session; only qtorrentino.torrent imports libtorrent.

The class is assembled from its parts, each in its own module: session_base (the shared state and
lookups), session_adding, session_flush, session_controls and session_alerts; the settings pack is
session_settings, per-torrent records record, and .torrent helpers metainfo.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Self

import libtorrent as lt

from qtorrentino.torrent.alerts import AlertPump
from qtorrentino.torrent.metainfo import create_torrent_bytes, read_torrent_file
from qtorrentino.torrent.record import status_of, take_counters
from qtorrentino.torrent.resume import PendingSaves, ResumeStore
from qtorrentino.torrent.session_adding import Adding
from qtorrentino.torrent.session_alerts import AlertTranslation
from qtorrentino.torrent.session_base import SAVE_FLAGS
from qtorrentino.torrent.session_controls import TorrentControls
from qtorrentino.torrent.session_flush import Flushing
from qtorrentino.torrent.session_settings import session_settings
from qtorrentino.torrent.settings import proxy_settings

if TYPE_CHECKING:
    from pathlib import Path

    from qtorrentino.config.model import TorrentConfig
    from qtorrentino.torrent.alerts import SessionListener
    from qtorrentino.torrent.status import TorrentStatus

__all__ = ["TorrentSession", "create_torrent_bytes", "read_torrent_file"]

log = logging.getLogger(__name__)

CLOSE_TIMEOUT_SECONDS = 30.0
_FINAL_SAVE_FLAGS = SAVE_FLAGS | lt.save_resume_flags_t.flush_disk_cache


class TorrentSession(Adding, Flushing, TorrentControls, AlertTranslation):
    """One libtorrent session configured from [torrent]; thread-safe, never for a UI loop.

    Close it before the process exits: it saves resume data and stops the torrent-alerts thread.
    """

    def __init__(
        self,
        config: TorrentConfig,
        state_dir: Path,
        *,
        listener: SessionListener,
        user_agent: str = "",
        proxy: str = "",
    ) -> None:
        """user_agent "" takes [torrent] user_agent, else the honest default; proxy is [network] proxy."""
        self._store = ResumeStore(state_dir)
        self.unclean_start = self._store.begin_run()
        """True when the previous session on this state_dir was killed before it saved."""
        self._session = lt.session(session_settings(config, user_agent) | proxy_settings(proxy))
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._records = {}
        self._pending = PendingSaves()
        self._closing = self._closed = False
        self._stats_seen = self._writing_threads = 0
        self._deleting = set()
        self._pump = AlertPump(self, listener, self._store, self._pending)
        self._pump.start()

    def save_all_resume_data(self, timeout: float) -> int:
        """Save each changed torrent's resume data and wait for every answer; returns how many."""
        self._require_open()
        return self._save_all(timeout)[0]

    def close(self, timeout: float = CLOSE_TIMEOUT_SECONDS) -> list[TorrentStatus]:
        """Save resume data, stop the alert thread and shut libtorrent down; safe to call twice.

        Returns every torrent's final numbers (empty on a second call), for the catalog to keep.
        """
        with self._lock:
            if self._closing:
                return []
            self._closing = True
        self._settle_counters()
        saved, complete = self._save_all(timeout)
        with self._lock:
            final = [status_of(record.handle.status(), record) for record in self._records.values()]
            self._closed = True
            self._records.clear()
        self._pump.stop()
        if complete:
            self._store.end_run()
        log.info("torrent session closed: %d resume files written, clean=%s", saved, complete)
        del self._session
        return final

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def save_changed_resume_data(self) -> int:
        """Request resume data for every torrent libtorrent says changed; returns how many."""
        with self._lock:
            changed = [
                (key, record.handle)
                for key, record in self._records.items()
                if record.handle.need_save_resume_data()
            ]
            for info_hash, handle in changed:
                self._request_save(info_hash, handle)
        return len(changed)

    def _settle_counters(self) -> None:
        """Stop every transfer and take each torrent's exact counters before the last resume data is saved."""
        with self._lock:
            self._session.pause()
            for record in self._records.values():
                take_counters(record)

    def _save_all(self, timeout: float) -> tuple[int, bool]:
        with self._lock:
            chosen = {
                key: record.handle
                for key, record in self._records.items()
                if record.handle.need_save_resume_data() or not self._store.has(key)
                or record.ledger.totals() != record.saved_totals
            }
            mark = self._pending.requested(0)
            for info_hash, handle in chosen.items():
                self._request_save(info_hash, handle, _FINAL_SAVE_FLAGS)
        complete = self._pending.wait_idle(timeout)
        return self._pending.saved_since(mark, set(chosen)), complete

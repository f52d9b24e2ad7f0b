"""How a running engine hears of commits other processes (the CLI) made: the wake file, then new audit rows."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from qtorrentino.audit.query import AuditEvent
from qtorrentino.db.database import database
from qtorrentino.events import AuditRecorded, Bus

log = logging.getLogger(__name__)

WATCH_SECONDS = 0.25
BATCH = 500
"""New audit rows read per query; a burst larger than this is read in several."""


def events_after(seq: int, limit: int = BATCH) -> list[AuditEvent]:
    """Audit events with a seq above `seq`, oldest first: a primary-key range, whatever the log's size."""
    rows = database.execute_sql(
        "SELECT seq, at, type, ticket_id, actor, data FROM audit_event WHERE seq > ? ORDER BY seq LIMIT ?",
        (seq, limit)).fetchall()
    return [AuditEvent(seq=s, at=at, type=t, ticket_id=ticket, actor=actor, data=json.loads(data))
            for s, at, t, ticket, actor, data in rows]


def last_seq() -> int:
    """The newest audit seq (0 for an empty log)."""
    row = database.execute_sql("SELECT MAX(seq) FROM audit_event").fetchone()
    return int(row[0] or 0)


class ChangeWatcher:
    """Watches the home's wake file; on a touch, publishes the audit events committed since its cursor.

    The engine's own commits are published by its unit of work already (`published` skips them), so the
    faces see each event once, and the workers are woken for the tickets that changed.
    """

    def __init__(self, wake_file: Path, bus: Bus, wake: Callable[[], None]) -> None:
        self._wake_file = wake_file
        self._bus = bus
        self._wake = wake
        self._published: set[int] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_mtime = 0
        self.cursor = last_seq()

    def published(self, seq: int) -> None:
        """The engine published this event itself."""
        with self._lock:
            self._published.add(seq)

    def start(self) -> None:
        """Note the wake file and the cursor now, so a commit made while the workers start is never missed."""
        self._last_mtime = self._mtime()
        self.cursor = last_seq()
        self._thread = threading.Thread(target=self._watch, name="change-watcher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def catch_up(self) -> int:
        """Publish every event committed since the cursor that the engine did not publish; returns how many."""
        told = 0
        while events := events_after(self.cursor):
            with self._lock:
                fresh = [event for event in events if event.seq not in self._published]
                self.cursor = events[-1].seq
                self._published = {seq for seq in self._published if seq > self.cursor}
            for event in fresh:
                self._bus.publish(AuditRecorded(seq=event.seq, type=event.type, ticket_id=event.ticket_id,
                                                actor=event.actor, at=event.at, data=event.data))
            told += len(fresh)
            if len(events) < BATCH:
                break
        return told

    def _mtime(self) -> int:
        try:
            return self._wake_file.stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def _watch(self) -> None:
        while not self._stop.wait(WATCH_SECONDS):
            try:
                mtime = self._mtime()
                if mtime != self._last_mtime:
                    self._last_mtime = mtime
                    if self.catch_up():
                        self._wake()
            except Exception:  # the watcher must outlive a database hiccup
                log.exception("change watcher failed")
        database.close()

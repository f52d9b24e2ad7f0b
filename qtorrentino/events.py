"""Events the engine publishes and the bus that fans them out to the faces; stdlib only."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class AuditRecorded:
    """An audit event was committed (state changes, decisions, failures); delivered in order."""

    seq: int
    type: str
    ticket_id: str | None
    actor: str
    at: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TorrentProgress:
    """Live numbers for one torrent; a newer one replaces an older one still waiting."""

    info_hash: str
    name: str
    ticket_id: str | None
    progress: float
    download_bps: int
    upload_bps: int
    peers: int
    seeds: int
    eta_seconds: int | None
    ratio: float
    state: str
    paused: bool = False
    uploaded: int = 0
    """Payload bytes uploaded over the torrent's life (the same total its resume data and the catalog keep)."""
    downloaded: int = 0

    @property
    def merge_key(self) -> Hashable:
        return ("torrent", self.info_hash)


@dataclass(frozen=True, slots=True)
class ItemProgress:
    """Live progress of one ticket item (download or conversion); mergeable per item."""

    ticket_id: str
    item_id: str
    stage: str
    progress: float

    @property
    def merge_key(self) -> Hashable:
        return ("item", self.ticket_id, self.item_id)


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the faces should tell the person that is not an audit event (a warning)."""

    message: str
    severity: str = "information"


Event = AuditRecorded | TorrentProgress | ItemProgress | Notice


@dataclass(frozen=True, slots=True)
class Batch:
    """What a mailbox held: ordered events, newest mergeable ones, and whether some were dropped."""

    ordered: tuple[Event, ...]
    latest: tuple[Event, ...]
    overflowed: bool

    def __bool__(self) -> bool:
        return bool(self.ordered or self.latest or self.overflowed)


class Mailbox:
    """One subscriber's inbox: ordered events queue up, mergeable ones keep only the newest per key."""

    def __init__(self, limit: int = 5_000) -> None:
        self._lock = threading.Lock()
        self._ordered: deque[Event] = deque()
        self._latest: dict[Hashable, Event] = {}
        self._limit = limit
        self._overflowed = False
        self._ready = threading.Event()

    def put(self, event: Event) -> None:
        key = getattr(event, "merge_key", None)
        with self._lock:
            if key is not None:
                self._latest[key] = event
            elif len(self._ordered) < self._limit:
                self._ordered.append(event)
            else:
                self._overflowed = True
        self._ready.set()

    def wait(self, timeout: float) -> bool:
        """Block until something arrives or timeout passes; True when something is waiting."""
        return self._ready.wait(timeout)

    def drain(self) -> Batch:
        with self._lock:
            batch = Batch(tuple(self._ordered), tuple(self._latest.values()), self._overflowed)
            self._ordered.clear()
            self._latest.clear()
            self._overflowed = False
            self._ready.clear()
        return batch


class Bus:
    """Fans events out to every open mailbox; safe from any thread, never blocks on a subscriber."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mailboxes: tuple[Mailbox, ...] = ()

    def open_mailbox(self, limit: int = 5_000) -> Mailbox:
        mailbox = Mailbox(limit)
        with self._lock:
            self._mailboxes = (*self._mailboxes, mailbox)
        return mailbox

    def close_mailbox(self, mailbox: Mailbox) -> None:
        with self._lock:
            self._mailboxes = tuple(box for box in self._mailboxes if box is not mailbox)

    def publish(self, event: Event) -> None:
        for mailbox in self._mailboxes:
            mailbox.put(event)

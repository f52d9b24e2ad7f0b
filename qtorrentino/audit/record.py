"""Record audit events inside the caller's transaction (secrets scrubbed); mirror them to JSON Lines."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import orjson

from qtorrentino.audit.vocabulary import check_event
from qtorrentino.clock import Clock, iso
from qtorrentino.db.database import database
from qtorrentino.db.models import AuditEventRow
from qtorrentino.domain.redact import redact_value
from qtorrentino.events import AuditRecorded

MIRROR_BATCH = 5_000
DATA_OPTIONS = orjson.OPT_NON_STR_KEYS
"""How event data becomes JSON text."""


class AuditLog:
    """The audit log of one home: records rows, scrubs secrets, keeps audit.jsonl in step with SQLite."""

    def __init__(self, jsonl_path: Path, clock: Clock, secrets: Sequence[str] = ()) -> None:
        self.jsonl_path = jsonl_path
        self.clock = clock
        self.secrets = tuple(secrets)

    def record(self, outbox: list[AuditRecorded], type_: str, *, ticket_id: str | None, actor: str,
               data: dict[str, Any] | None = None) -> AuditRecorded:
        """Insert one event inside the current transaction; the caller publishes the outbox after commit.

        Raises:
            AuditVocabularyError: the type is not declared in audit/vocabulary.py, or the data lacks a key
                the type promises (a bug in the caller, raised before anything is written).
        """
        type_ = str(check_event(type_, data or {}))
        clean = cast("dict[str, Any]", redact_value(data or {}, self.secrets))  # a dict stays a dict
        at = iso(self.clock.now()) or ""
        row = AuditEventRow.create(at=at, type=type_, ticket_id=ticket_id, actor=actor,
                                   data=encode_data(clean))
        event = AuditRecorded(seq=row.seq, type=type_, ticket_id=ticket_id, actor=actor, at=at, data=clean)
        outbox.append(event)
        return event

    def mirror(self) -> int:
        """Append every committed event the JSONL lacks, in seq order, under a file lock; returns lines added."""
        self.jsonl_path.parent.mkdir(parents=True, exist_ok=True)
        added = 0
        with self.jsonl_path.open("a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                last = _last_seq(handle)
                while True:
                    rows = database.execute_sql(f"{JSONL_SELECT} WHERE seq > ? ORDER BY seq LIMIT ?",
                                                (last, MIRROR_BATCH)).fetchall()
                    if not rows:
                        break
                    handle.seek(0, os.SEEK_END)
                    handle.write(("\n".join(line for _, line in rows) + "\n").encode())
                    last = rows[-1][0]
                    added += len(rows)
                handle.flush()
                os.fsync(handle.fileno())
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return added


def encode_data(data: dict[str, Any]) -> str:
    """An event's data as compact JSON text (UTF-8 kept, not escaped): the one encoding of stored events."""
    return orjson.dumps(data, option=DATA_OPTIONS).decode()


JSONL_SELECT = (
    "SELECT seq, '{\"seq\":' || seq || ',\"at\":' || json_quote(at) || ',\"type\":' || json_quote(type)"
    " || ',\"ticket_id\":' || json_quote(ticket_id) || ',\"actor\":' || json_quote(actor)"
    " || ',\"data\":' || data || '}' FROM audit_event"
)
"""Builds each contract JSON Lines record inside SQLite: no per-row Python work on mirror or export."""


def _last_seq(handle: Any) -> int:
    """The seq of the last complete line of the mirror; a torn last line is cut off first."""
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    if size == 0:
        return 0
    block = min(size, 1 << 16)
    handle.seek(size - block)
    tail = handle.read(block)
    if not tail.endswith(b"\n"):
        cut = tail.rfind(b"\n")
        handle.truncate(size - block + cut + 1 if cut >= 0 else 0)
        tail = tail[: cut + 1] if cut >= 0 else b""
    lines = tail.rstrip(b"\n").rsplit(b"\n", 1)
    if not lines or not lines[-1]:
        return 0
    try:
        return int(json.loads(lines[-1])["seq"])
    except (ValueError, KeyError):
        return 0

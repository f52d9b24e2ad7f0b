"""One unit of work: rows and their audit events commit together; events go out only after commit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from qtorrentino.audit.record import AuditLog
from qtorrentino.db.database import database, write_transaction
from qtorrentino.events import AuditRecorded, Bus


class UnitOfWork:
    """Opens write transactions that collect audit events, then mirrors, publishes and wakes."""

    def __init__(self, audit: AuditLog, bus: Bus, after_commit: Callable[[], None] = lambda: None) -> None:
        self.audit = audit
        self.bus = bus
        self.after_commit = after_commit
        self.on_published: Callable[[int], None] = lambda seq: None

    @contextmanager
    def __call__(self) -> Iterator[list[AuditRecorded]]:
        if database.transaction_depth() > 0:
            raise RuntimeError("a unit of work does not nest: pass the outbox down instead")
        outbox: list[AuditRecorded] = []
        with write_transaction():
            yield outbox
        if outbox:
            self.audit.mirror()
            for event in outbox:
                self.on_published(event.seq)
                self.bus.publish(event)
            self.after_commit()

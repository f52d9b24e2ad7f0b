"""The shared core of a home: config, database, audit log and ticket services, with or without workers."""

from __future__ import annotations

import getpass
import logging
from dataclasses import dataclass

from qtorrentino.audit.record import AuditLog
from qtorrentino.clock import Clock, SystemClock
from qtorrentino.config.home import Home
from qtorrentino.config.load import load_config
from qtorrentino.config.model import Config
from qtorrentino.db.database import close_database, open_database, write_transaction
from qtorrentino.db.models import LibraryRow
from qtorrentino.events import Bus
from qtorrentino.tickets.creation import TicketCreator
from qtorrentino.tickets.service import TicketCommands
from qtorrentino.tickets.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


def actor_name(face: str) -> str:
    """`cli:<user>`, `tui:<user>`, or `engine`."""
    if face == "engine":
        return face
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{face}:{user}"


@dataclass
class Core:
    """Everything a face needs to read and change tickets on one home, without the workers."""

    home: Home
    config: Config
    clock: Clock
    bus: Bus
    audit: AuditLog
    uow: UnitOfWork
    commands: TicketCommands
    creator: TicketCreator

    @classmethod
    def open(cls, home: Home, *, clock: Clock | None = None, config: Config | None = None) -> Core:
        """Load the config, open the database (running migrations) and build the services."""
        config = config or load_config(home)
        home.ensure()
        clock = clock or SystemClock()
        open_database(home.database)
        bus = Bus()
        audit = AuditLog(home.audit_jsonl, clock, config.secrets)
        uow = UnitOfWork(audit, bus)
        core = cls(home=home, config=config, clock=clock, bus=bus, audit=audit, uow=uow,
                   commands=TicketCommands(uow, clock), creator=TicketCreator(uow, clock, config))
        core.commands.cancel_hooks.append(core.restore_library_items)
        core.sync_libraries()
        return core

    def restore_library_items(self, outbox: object, ticket_id: str) -> None:
        """A cancelled ticket's library items waiting on its download go back to wanted (whichever face)."""
        from qtorrentino.workers.library_status import restore_items  # the CLI starts without it

        restore_items(self.config, self.clock, self.commands.get(ticket_id))

    def sync_libraries(self) -> None:
        """Keep the library table in step with config (name, kind, root, naming)."""
        with write_transaction():
            for library in self.config.libraries:
                row = LibraryRow.get_or_none(LibraryRow.name == library.name)
                values = {"kind": library.kind, "root": str(library.path), "naming": library.template}
                if row is None:
                    LibraryRow.create(name=library.name, **values)
                elif (row.kind, row.root, row.naming) != tuple(values.values()):
                    LibraryRow.update(**values).where(LibraryRow.id == row.id).execute()

    def close(self) -> None:
        close_database()

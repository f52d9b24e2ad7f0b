"""The shared core of a home: config, database, audit log and ticket services, without workers."""

from __future__ import annotations

import getpass
import logging
from functools import cached_property
from typing import TYPE_CHECKING

from qtorrentino.clock import Clock, SystemClock
from qtorrentino.config.checked import config_text, is_checked, remember_checked
from qtorrentino.config.secret_keys import secrets_of_text
from qtorrentino.db.database import close_database, open_database, write_transaction
from qtorrentino.db.models import LibraryRow

if TYPE_CHECKING:
    from collections.abc import Callable

    from qtorrentino.audit.record import AuditLog
    from qtorrentino.config.home import Home
    from qtorrentino.config.model import Config
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


class Core:
    """Everything a face needs to read and change tickets on one home, without the workers.

    The services are built on first use (a read-only command never loads the audit writer, the bus,
    the ticket commands or even the whole config); once built, each is the one instance for the home.
    """

    def __init__(self, home: Home, clock: Clock, after_commit: Callable[[], None] = lambda: None) -> None:
        self.home = home
        self._config: Config | None = None
        self._checked_text: str | None = None
        """config.toml's text when it validated before and nothing has needed the whole config yet."""
        self.clock = clock
        self.after_commit = after_commit
        """Run after each unit of work that recorded events commits (the CLI wakes an engine)."""

    @classmethod
    def open(
        cls,
        home: Home,
        *,
        clock: Clock | None = None,
        config: Config | None = None,
        after_commit: Callable[[], None] = lambda: None,
    ) -> Core:
        """Open the database (migrated when behind) and use the given config, or check the home's: a bad
        config.toml stops every command, naming the key; one that validated before is loaded on first use."""
        home.ensure()
        open_database(home.database)
        core = cls(home, clock or SystemClock(), after_commit)
        if config is not None:
            core._use(config)
        else:
            core._check_config()
        return core

    @property
    def config(self) -> Config:
        """The home's validated config; loading it syncs the library table to it."""
        return self._config if self._config is not None else self._load_config()

    @property
    def secrets(self) -> tuple[str, ...]:
        """The configured secrets, for scrubbing what is written and shown; taken from config.toml alone
        when it validated before and nothing has needed the whole config."""
        if self._config is None and self._checked_text is not None:
            return secrets_of_text(self._checked_text)
        return self.config.secrets

    def _check_config(self) -> None:
        text = config_text(self.home)
        if text is not None and is_checked(self.home, text):
            self._checked_text = text
        else:
            self._load_config()

    def _load_config(self) -> Config:
        from qtorrentino.config.load import load_config  # here: a short command on a checked config skips ~45 ms

        text = config_text(self.home)
        config = self._use(load_config(self.home))
        if text is not None and config_text(self.home) == text:
            remember_checked(self.home, text)
        return config

    def _use(self, config: Config) -> Config:
        self._config = config
        self.sync_libraries()
        return config

    @cached_property
    def bus(self) -> Bus:
        from qtorrentino.events import Bus

        return Bus()

    @cached_property
    def audit(self) -> AuditLog:
        from qtorrentino.audit.record import AuditLog

        return AuditLog(self.home.audit_jsonl, self.clock, self.secrets)

    @cached_property
    def uow(self) -> UnitOfWork:
        from qtorrentino.tickets.unit_of_work import UnitOfWork

        return UnitOfWork(self.audit, self.bus, self.after_commit)

    @cached_property
    def commands(self) -> TicketCommands:
        from qtorrentino.tickets.service import TicketCommands

        commands = TicketCommands(self.uow, self.clock)
        commands.cancel_hooks.append(self.restore_library_items)
        return commands

    @cached_property
    def creator(self) -> TicketCreator:
        from qtorrentino.tickets.creation import TicketCreator

        return TicketCreator(self.uow, self.clock, self.config)

    def restore_library_items(self, outbox: object, ticket_id: str) -> None:
        """A cancelled ticket's library items waiting on its download go back to wanted."""
        from qtorrentino.workers.library_status import restore_items  # the CLI starts without it

        restore_items(self.config, self.clock, self.commands.get(ticket_id))

    def sync_libraries(self) -> None:
        """Keep the library table in step with config (name, kind, root, naming); only reads when
        it already is."""
        wanted = {
            library.name: (library.kind, str(library.path), library.template)
            for library in self.config.libraries
        }
        stored = {
            row.name: (row.kind, row.root, row.naming)
            for row in LibraryRow.select(
                LibraryRow.name, LibraryRow.kind, LibraryRow.root, LibraryRow.naming
            )
        }
        if all(stored.get(name) == values for name, values in wanted.items()):
            return
        with write_transaction():
            for library in self.config.libraries:
                row = LibraryRow.get_or_none(LibraryRow.name == library.name)
                values = {
                    "kind": library.kind,
                    "root": str(library.path),
                    "naming": library.template,
                }
                if row is None:
                    LibraryRow.create(name=library.name, **values)
                elif (row.kind, row.root, row.naming) != tuple(values.values()):
                    LibraryRow.update(**values).where(LibraryRow.id == row.id).execute()

    def close(self) -> None:
        close_database()

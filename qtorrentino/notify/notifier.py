"""The notifier: audit events from the bus become apprise notifications, sent from its own thread.

It reads its own mailbox (bounded; the pipeline only ever drops events into it), so a slow or broken
notification service never holds up a ticket. A failed delivery is audited as NotificationFailed and
otherwise ignored. One fault is told once: the `failed` that comes with a disk-full or offline-library
message is folded into it, and the same news about the same ticket is not repeated within QUIET_SECONDS.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from qtorrentino.db.database import database
from qtorrentino.domain.redact import redact_text
from qtorrentino.errors import ConfigError
from qtorrentino.events import AuditRecorded
from qtorrentino.notify.messages import FAULT_EVENTS, Notification, notification_for

if TYPE_CHECKING:
    from collections.abc import Sequence

    from qtorrentino.events import Event, Mailbox
    from qtorrentino.workers.base import WorkerContext

log = logging.getLogger(__name__)

MAILBOX_LIMIT = 1000
QUIET_SECONDS = 600.0
"""The same news about the same ticket (or library) is not sent again within this time."""
MAX_PER_BATCH = 10
"""At most this many messages for one burst of events; the rest are summed up in one more."""
WAIT_SECONDS = 0.5


class Service:
    """One configured apprise URL; what it is called in the audit log is its scheme only (no token)."""

    def __init__(self, url: str) -> None:
        import apprise  # imported here: 0.2 s to import and 1 s to load its plugins, paid only when notifying

        self.scheme = url.split("://", 1)[0].lower() if "://" in url else "unknown"
        plugin = apprise.Apprise.instantiate(url)
        if plugin is None:
            raise ConfigError(f"[notify] urls: a {self.scheme}:// URL apprise cannot use",
                              hint="check it against apprise's URL forms (ntfy://, json://, discord://, …)")
        self.shown = str(plugin.url(privacy=True))  # type: ignore[no-untyped-call]
        self._apprise = apprise
        self._target = apprise.Apprise()
        self._target.add(plugin)

    def send(self, title: str, body: str) -> str | None:
        """Deliver one message; None when it went through, else why not (apprise's own words)."""
        apprise = self._apprise
        try:
            with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
                delivered = self._target.notify(title=title, body=body)
        except Exception as error:  # noqa: BLE001 - a plugin's bug must not end the notifier
            return f"{type(error).__name__}: {error}"
        if delivered:
            return None
        lines = [line for line in captured.getvalue().splitlines() if line.strip()]
        return lines[-1] if lines else "the service did not accept the message"


class Notifier:
    """Subscribes to the engine's bus and tells the configured services about the configured events."""

    def __init__(self, context: WorkerContext) -> None:
        config = context.config.notify
        self._context = context
        self._events = frozenset(config.events)
        self._services = [Service(url) for url in config.urls]
        self._mailbox: Mailbox | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._sent: dict[tuple[str, str], float] = {}

    @property
    def services(self) -> tuple[str, ...]:
        """The configured URLs as apprise shows them with secrets masked (for doctor and the log)."""
        return tuple(service.shown for service in self._services)

    def start(self) -> None:
        """Start listening (nothing at all when no URL is configured)."""
        if not self._services:
            return
        self._mailbox = self._context.bus.open_mailbox(MAILBOX_LIMIT)
        self._thread = threading.Thread(target=self._run, args=(self._mailbox,), name="notifier", daemon=True)
        self._thread.start()
        log.info("notifications go to %s", ", ".join(self.services))

    def stop(self, timeout: float) -> None:
        """Send what is already waiting (within timeout), then stop."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._mailbox is not None:
            self._context.bus.close_mailbox(self._mailbox)

    def _run(self, mailbox: Mailbox) -> None:
        try:
            while True:
                stopping = self._stopping.is_set()
                if mailbox.wait(WAIT_SECONDS):
                    batch = mailbox.drain()
                    if batch.overflowed:
                        log.warning("too many events at once: some were not considered for notifications")
                    self._handle(batch.ordered)
                if stopping:
                    return
        finally:
            database.close()

    def _handle(self, events: Sequence[Event]) -> None:
        """Turn one burst of events into messages and send them."""
        try:
            notes = self._select([event for event in events if isinstance(event, AuditRecorded)])
            if len(notes) > MAX_PER_BATCH:
                rest = len(notes) - MAX_PER_BATCH + 1
                notes = [*notes[: MAX_PER_BATCH - 1],
                         Notification("summary", "", None, f"qtorrentino: {rest} more events",
                                      f"{rest} more tickets need a look: qtorrentino ticket list")]
            for note in notes:
                self._deliver(note)
        except Exception:  # notifications never take anything else down
            log.exception("notifications failed")

    def _select(self, events: list[AuditRecorded]) -> list[Notification]:
        """The configured events' messages, one per fault, none repeated within QUIET_SECONDS."""
        faulted = {event.ticket_id for event in events
                   if str(event.data.get("fault") or "") in FAULT_EVENTS and event.ticket_id}
        now = time.monotonic()
        notes = []
        for event in events:
            note = notification_for(event, self._title(event.ticket_id))
            if note is None or note.event not in self._events:
                continue
            if note.event == "failed" and note.ticket_id in faulted:
                continue
            key = (note.event, note.subject)
            if now - self._sent.get(key, float("-inf")) < QUIET_SECONDS:
                continue
            self._sent[key] = now
            notes.append(note)
        return notes

    def _title(self, ticket_id: str | None) -> str:
        """The ticket's title as lists show it, or "" (a message still goes out without it)."""
        if ticket_id is None:
            return ""
        try:
            return self._context.tickets.get(ticket_id).summary.title
        except Exception:  # noqa: BLE001 - a missing title must not cost the message
            log.debug("no title for ticket %s", ticket_id)
            return ""

    def _deliver(self, note: Notification) -> None:
        """Send one message to every service; a refusal is audited, nothing else happens."""
        secrets = self._context.config.secrets
        title, body = redact_text(note.title, secrets), redact_text(note.body, secrets)
        for service in self._services:
            error = service.send(title, body)
            if error is None:
                log.info("notified %s: %s", service.scheme, title)
                continue
            error = redact_text(error, secrets)
            log.warning("notification to %s failed: %s", service.shown, error)
            self._audit_failure(note, service, error)

    def _audit_failure(self, note: Notification, service: Service, error: str) -> None:
        data: dict[str, Any] = {"service": service.scheme, "event": note.event, "error": error}
        with self._context.uow() as outbox:
            self._context.audit.record(outbox, "NotificationFailed", ticket_id=note.ticket_id, actor="engine",
                                       data=data)

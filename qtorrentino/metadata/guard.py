"""A guard around one metadata provider: a deadline per call and a pause after a failure."""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, TypeVar

from qtorrentino.errors import MetadataError
from qtorrentino.net.deadline import Deadline

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger(__name__)

T = TypeVar("T")

PAUSE_AFTER_FAILURE_SECONDS = 60.0
"""After a failure the provider is not asked again for this long: a down service costs one wait, not one per file."""


class ProviderGuard:
    """Runs provider calls with a deadline; after a failure, answers "down" at once for a while."""

    def __init__(self, name: str, *, deadline_seconds: float,
                 pause_seconds: float = PAUSE_AFTER_FAILURE_SECONDS) -> None:
        self.name = name
        self.deadline_seconds = deadline_seconds
        self._pause_seconds = pause_seconds
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._last_error = ""

    @property
    def status(self) -> str:
        """"ok", or why the provider is not being asked right now."""
        with self._lock:
            if time.monotonic() < self._down_until:
                return f"{self.name} is unavailable: {self._last_error}"
        return "ok"

    def call(self, request: Callable[[Deadline], T], *, translate: Callable[[BaseException], str]) -> T:
        """Run request(deadline) on a daemon thread and wait at most the deadline for it.

        The request gets the deadline so its HTTP requests end there too: the thread never outlives the
        wait by more than a moment. translate turns an exception into a sentence.

        Raises:
            MetadataError: the provider is paused after a failure, failed, or missed the deadline.
        """
        with self._lock:
            if time.monotonic() < self._down_until:
                raise MetadataError(f"{self.name} is unavailable: {self._last_error}",
                                    hint="suggestions come from the library only until it answers again")
        outcome: dict[str, object] = {}
        finished = threading.Event()
        deadline = Deadline(self.deadline_seconds)

        def run() -> None:
            try:
                outcome["value"] = request(deadline)
            except Exception as error:  # noqa: BLE001 - handed to the waiting caller as a MetadataError
                outcome["error"] = error
            finally:
                finished.set()

        threading.Thread(target=run, name=f"metadata-{self.name.lower()}", daemon=True).start()
        if not finished.wait(self.deadline_seconds):
            self._fail(f"no answer within {self.deadline_seconds:g} s")
        error = outcome.get("error")
        if isinstance(error, MetadataError):
            self._fail(error.message)
        if isinstance(error, BaseException):
            self._fail(translate(error))
        return outcome["value"]  # type: ignore[return-value]

    def _fail(self, reason: str) -> None:
        with self._lock:
            self._down_until = time.monotonic() + self._pause_seconds
            self._last_error = reason
        log.warning("%s failed: %s", self.name, reason)
        raise MetadataError(f"{self.name} is unavailable: {reason}",
                            hint="check the base_url in config.toml and the network; suggestions come "
                                 "from the library meanwhile")

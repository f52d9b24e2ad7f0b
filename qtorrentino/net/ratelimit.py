"""A thread-safe token bucket: at most N requests a minute per indexer, with a small burst."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

MAX_BURST = 5


class TokenBucket:
    """Tokens refill at rate_per_minute and each request takes one; a rate of 0 means no limit."""

    def __init__(
        self,
        rate_per_minute: float,
        *,
        burst: int | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate_per_second = rate_per_minute / 60.0
        default_burst = max(1, min(MAX_BURST, int(rate_per_minute)))
        self._capacity = float(max(1, burst if burst is not None else default_burst))
        self._tokens = self._capacity
        self._monotonic = monotonic
        self._updated = monotonic()
        self._condition = threading.Condition()

    @property
    def unlimited(self) -> bool:
        """True when no limit is configured."""
        return self._rate_per_second <= 0

    def try_acquire(self) -> bool:
        """Take a token if one is there now; never waits."""
        with self._condition:
            return self._take_locked() == 0.0

    def wait_seconds(self) -> float:
        """Seconds until a token will be available (0 when one is available now)."""
        with self._condition:
            self._refill_locked()
            return self._shortfall_seconds_locked()

    def acquire(self, timeout: float) -> bool:
        """Take a token, waiting at most timeout seconds; False if none came in time."""
        deadline = self._monotonic() + max(timeout, 0.0)
        with self._condition:
            while True:
                wait = self._take_locked()
                if wait == 0.0:
                    return True
                remaining = deadline - self._monotonic()
                if remaining <= 0 or wait > remaining:
                    return False
                self._condition.wait(wait)

    def _take_locked(self) -> float:
        """Take a token and return 0, or return how long until one is due."""
        if self.unlimited:
            return 0.0
        self._refill_locked()
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return self._shortfall_seconds_locked()

    def _refill_locked(self) -> None:
        now = self._monotonic()
        elapsed = max(0.0, now - self._updated)
        self._updated = now
        self._tokens = min(self._capacity, self._tokens + elapsed * self._rate_per_second)

    def _shortfall_seconds_locked(self) -> float:
        if self.unlimited or self._tokens >= 1.0:
            return 0.0
        return (1.0 - self._tokens) / self._rate_per_second

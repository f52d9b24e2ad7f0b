"""One engine per home: an flock on the home's lock file holding the engine's pid."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import time
from pathlib import Path
from typing import IO

from qtorrentino.errors import EngineRunning

TAKEOVER_WAIT_SECONDS = 60.0


class HomeLock:
    """The single-instance lock of a home; held for the engine's life, released on stop or death."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def acquire(self, *, takeover: bool = False) -> None:
        """Take the lock; with takeover, ask the running engine to stop cleanly first."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        if not _try_lock(handle):
            pid = running_pid(self.path)
            if not takeover:
                handle.close()
                raise EngineRunning(
                    f"an engine is already running on this home (pid {pid or 'unknown'})",
                    hint="use that one, or start with --takeover to stop it cleanly and take over",
                )
            if pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + TAKEOVER_WAIT_SECONDS
            while not _try_lock(handle):
                if time.monotonic() > deadline:
                    handle.close()
                    raise EngineRunning(f"the engine (pid {pid}) did not stop within {TAKEOVER_WAIT_SECONDS:.0f} s",
                                        hint="look at its log, or stop it yourself")
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.seek(0)
            self._handle.truncate()
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def _try_lock(handle: IO[str]) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def running_pid(path: Path) -> int | None:
    """The pid of the engine holding the home, or None when no engine runs."""
    if not path.exists():
        return None
    with path.open("a+") as handle:
        if _try_lock(handle):
            fcntl.flock(handle, fcntl.LOCK_UN)
            return None
        handle.seek(0)
        text = handle.read().strip()
    return int(text) if text.isdigit() else None


def touch_wake_file(wake_file: Path) -> None:
    """Tell a running engine that the database changed; its watcher notices within a quarter second."""
    wake_file.parent.mkdir(parents=True, exist_ok=True)
    with wake_file.open("a"):
        pass
    now = time.time_ns()  # to the nanosecond: the kernel's own "now" is coarse, two touches could look alike
    os.utime(wake_file, ns=(now, now))

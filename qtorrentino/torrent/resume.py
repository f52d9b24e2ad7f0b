"""Resume data on disk (tmp + fsync + rename), the unclean-shutdown marker, the save counter."""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

log = logging.getLogger(__name__)

RESUME_SUFFIX = ".resume"
INTENT_SUFFIX = ".intent.json"
TEMP_SUFFIX = ".tmp"
RUNNING_MARKER_NAME = "session.running"
_INFO_HASH = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True, slots=True)
class AddIntent:
    """How a torrent was added: libtorrent's resume data keeps neither of these."""

    metadata_only: bool
    """It waits, paused, for `start()` once its metadata is checked."""
    peers: tuple[tuple[str, int], ...] = ()
    """Peers given when adding (a magnet's `x.pe`): resume data does not keep peers."""


class ResumeStore:
    """One folder of resume blobs, one file per torrent, never half-written."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._forgotten: set[str] = set()
        for leftover in self.directory.glob(f".*{TEMP_SUFFIX}"):
            leftover.unlink(missing_ok=True)

    def begin_run(self) -> bool:
        """Mark the session as running; True when the previous run never closed cleanly."""
        marker = self.directory / RUNNING_MARKER_NAME
        unclean = marker.exists()
        _write_atomically(marker, str(os.getpid()).encode())
        return unclean

    def end_run(self) -> None:
        """Record a clean shutdown: every resume blob was written."""
        (self.directory / RUNNING_MARKER_NAME).unlink(missing_ok=True)
        _fsync_directory(self.directory)

    def write(self, info_hash: str, blob: bytes) -> bool:
        """Store a torrent's resume blob; False when the torrent was removed meanwhile."""
        with self._lock:
            if info_hash in self._forgotten:
                return False
            _write_atomically(self._path(info_hash, RESUME_SUFFIX), blob)
        return True

    def read(self, info_hash: str) -> bytes | None:
        """The stored resume blob of a torrent, if any."""
        try:
            return self._path(info_hash, RESUME_SUFFIX).read_bytes()
        except FileNotFoundError:
            return None

    def has(self, info_hash: str) -> bool:
        """Whether a resume blob is stored for the torrent."""
        return self._path(info_hash, RESUME_SUFFIX).exists()

    def info_hashes(self) -> list[str]:
        """Every torrent with a stored resume blob, sorted."""
        names = (
            path.name.removesuffix(RESUME_SUFFIX)
            for path in self.directory.glob(f"*{RESUME_SUFFIX}")
        )
        return sorted(name for name in names if _INFO_HASH.match(name))

    def write_intent(self, info_hash: str, intent: AddIntent) -> None:
        """Remember how a torrent was added (our record, not libtorrent's), across restarts."""
        payload = json.dumps(
            {"metadata_only": intent.metadata_only, "peers": intent.peers}
        ).encode()
        with self._lock:
            self._forgotten.discard(info_hash)
            _write_atomically(self._path(info_hash, INTENT_SUFFIX), payload)

    def read_intent(self, info_hash: str) -> AddIntent:
        """How the torrent was added; a missing or broken record says it waits for `start()`."""
        try:
            stored = json.loads(self._path(info_hash, INTENT_SUFFIX).read_text())
            peers = tuple((str(host), int(port)) for host, port in stored.get("peers", ()))
            return AddIntent(metadata_only=stored["metadata_only"] is not False, peers=peers)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return AddIntent(metadata_only=True)

    def forget(self, info_hash: str) -> None:
        """Delete a removed torrent's files and refuse late writes for it."""
        with self._lock:
            self._forgotten.add(info_hash)
            for suffix in (RESUME_SUFFIX, INTENT_SUFFIX):
                self._path(info_hash, suffix).unlink(missing_ok=True)

    def _path(self, info_hash: str, suffix: str) -> Path:
        if not _INFO_HASH.match(info_hash):
            raise ValueError(f"not an info-hash: {info_hash!r}")
        return self.directory / f"{info_hash}{suffix}"


class PendingSaves:
    """The one global count of outstanding save_resume_data requests (libtorrent's rule)."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._outstanding = 0
        self._generation = 0
        self._saved_generation: dict[str, int] = {}

    def requested(self, count: int = 1) -> int:
        """Count new requests; returns a mark for `saved_since`."""
        with self._condition:
            self._outstanding += count
            return self._generation

    def finished(self, info_hash: str, *, saved: bool) -> None:
        """One save_resume_data_alert or save_resume_data_failed_alert was handled."""
        with self._condition:
            self._outstanding = max(0, self._outstanding - 1)
            self._generation += 1
            if saved:
                self._saved_generation[info_hash] = self._generation
            self._condition.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no request is outstanding; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._outstanding:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    log.warning("gave up waiting for %d resume data saves", self._outstanding)
                    return False
                self._condition.wait(remaining)
        return True

    def saved_since(self, mark: int, info_hashes: set[str]) -> int:
        """How many of these torrents had their resume data written after the mark."""
        with self._condition:
            return sum(
                1 for info_hash in info_hashes if self._saved_generation.get(info_hash, -1) > mark
            )


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")
    with temporary.open("wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    temporary.replace(path)
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)

"""Upload and download totals we can trust, kept beside libtorrent's own all-time counters.

libtorrent adds a torrent's bytes to `all_time_upload` once a second, and only while the torrent runs:
the bytes of the last second before a pause are never added, so a small upload followed by a pause (a
seed goal, a person, the shutdown) was recorded as 0 in the resume data. Its per-run counter
`total_payload_upload` is exact to the byte but starts again at 0 each time the torrent resumes. A
ledger banks each finished run and reports banked + the current run; the session writes its totals
into the resume data so the next run starts from them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Totals:
    """Payload bytes over a torrent's life, across pauses and restarts."""

    uploaded: int
    downloaded: int


class TransferLedger:
    """One torrent's banked totals plus the latest counters of its current run; thread-safe."""

    def __init__(self, banked: Totals) -> None:
        self._lock = threading.Lock()
        self._banked = banked
        self._run_uploaded = 0
        self._run_downloaded = 0

    def observe(self, run_uploaded: int, run_downloaded: int) -> None:
        """Record the current run's counters as libtorrent reported them (on the alerts thread, in order)."""
        with self._lock:
            self._run_uploaded = max(self._run_uploaded, run_uploaded)
            self._run_downloaded = max(self._run_downloaded, run_downloaded)

    def run_restarted(self) -> None:
        """The torrent resumed: libtorrent's run counters start again at 0, so bank the run that ended."""
        with self._lock:
            self._banked = self._totals(0, 0)
            self._run_uploaded = self._run_downloaded = 0

    def totals(self, run_uploaded: int = 0, run_downloaded: int = 0) -> Totals:
        """Banked plus the current run, taking fresher run counters read now if they are larger."""
        with self._lock:
            return self._totals(run_uploaded, run_downloaded)

    def _totals(self, run_uploaded: int, run_downloaded: int) -> Totals:
        return Totals(
            uploaded=self._banked.uploaded + max(self._run_uploaded, run_uploaded),
            downloaded=self._banked.downloaded + max(self._run_downloaded, run_downloaded),
        )

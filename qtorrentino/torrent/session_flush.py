"""Waiting on libtorrent: for a torrent's checked file list, and until its blocks are on disk."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from qtorrentino.errors import HostileMetadata, TorrentError
from qtorrentino.torrent.metainfo_check import REFUSAL_HINT
from qtorrentino.torrent.session_base import SessionBase

if TYPE_CHECKING:
    from qtorrentino.domain.files import FileEntry

WRITE_SETTLE_POLL_SECONDS = 0.05
FLUSH_ROUNDS = 2
"""Flush-and-settle rounds before a finished torrent's files are read (one round left blocks unwritten under load)."""


class Flushing(SessionBase):
    """TorrentSession's waiting part: metadata, and flushes before finished files are read."""

    def wait_metadata(self, info_hash: str, timeout: float) -> list[FileEntry]:
        """Block until the torrent's checked file list is known (pad files left out).

        Raises:
            HostileMetadata: the metadata was refused; nothing was written.
            TorrentError: no metadata within timeout.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while (record := self._record(info_hash)).files is None:
                if record.refusal is not None:
                    raise HostileMetadata(record.refusal, hint=REFUSAL_HINT)
                if not self._changed.wait(max(0.0, deadline - time.monotonic())):
                    raise TorrentError(
                        f"no peer sent the metadata of {info_hash} within {timeout:g} s",
                        hint="The release may be dead; try another candidate.",
                    )
            return list(record.files)

    def flush_files(self, info_hash: str, timeout: float) -> bool:
        """Wait until every block libtorrent holds for the torrent is written; False on timeout or removal.

        A piece passes its hash check (and the torrent finishes) before its blocks are necessarily on disk,
        so whoever reads a finished torrent's files flushes it first.
        """
        deadline = time.monotonic() + timeout
        return all(self._flushed(info_hash, deadline) and self._writes_settled(deadline)
                   for _ in range(FLUSH_ROUNDS))

    def _flushed(self, info_hash: str, deadline: float) -> bool:
        """Ask libtorrent to write out the torrent's cached blocks and wait for its answer."""
        with self._changed:
            record = self._record(info_hash)
            record.flushes_asked += 1
            ticket = record.flushes_asked
            record.handle.flush_cache()
            while record.flushes_done < ticket:
                if self._records.get(info_hash.lower()) is not record:
                    return False
                if not self._changed.wait(max(0.0, deadline - time.monotonic())):
                    return False
        return True

    def _writes_settled(self, deadline: float) -> bool:
        """Wait until no disk thread is writing: the flush skips blocks another thread is writing right then."""
        while time.monotonic() < deadline:
            with self._changed:
                asked = self._stats_seen + 1
                self._session.post_session_stats()
                while self._stats_seen < asked:
                    if not self._changed.wait(max(0.0, deadline - time.monotonic())):
                        return False
                if self._writing_threads == 0:
                    return True
            time.sleep(WRITE_SETTLE_POLL_SECONDS)
        return False

"""Whether a ticket may read its torrent's files: not while libtorrent checks them or still lacks wanted data."""

from __future__ import annotations

from qtorrentino.errors import NotFound
from qtorrentino.torrent.session import TorrentSession
from qtorrentino.torrent.status import TorrentState
from qtorrentino.workers.base import NotReadyYet

RECHECK_WAIT_SECS = 5.0
"""How long a ticket waits before looking at its torrent again."""


def require_complete_files(session: TorrentSession, info_hash: str | None) -> None:
    """Raise NotReadyYet while the ticket's torrent is being checked or misses wanted bytes.

    After an unclean stop the session rechecks every restored torrent; pieces libtorrent had not written
    yet are holes on disk, so converting or placing before the check ends would copy them.
    """
    if info_hash is None:
        return
    try:
        status = session.status(info_hash)
    except NotFound:
        return
    if status.state is TorrentState.CHECKING:
        raise NotReadyYet(RECHECK_WAIT_SECS, f"torrent {status.name} is having its files checked")
    if status.total_wanted_done < status.total_wanted:
        missing = status.total_wanted - status.total_wanted_done
        raise NotReadyYet(RECHECK_WAIT_SECS, f"torrent {status.name} lacks {missing:,} wanted bytes; downloading them")

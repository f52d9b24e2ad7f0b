"""A ticket's files in its torrent: which it needs, whether they may be read yet, room on the disk for them."""

from __future__ import annotations

import shutil
from collections.abc import Collection, Iterable
from pathlib import Path, PurePosixPath

from qtorrentino.db.models import TicketItemRow, TicketRow, TorrentRow
from qtorrentino.domain.files import COVER_STEMS, MAX_COVER_BYTES, FileEntry
from qtorrentino.domain.ticket import MUSIC_KINDS
from qtorrentino.errors import NotFound, TorrentError, TorrentFileError
from qtorrentino.tickets.queries import tickets_of_torrent
from qtorrentino.torrent import catalog
from qtorrentino.torrent.ledger import Totals
from qtorrentino.torrent.session import TorrentSession
from qtorrentino.torrent.status import TorrentState
from qtorrentino.workers.base import NotReadyYet

RECHECK_WAIT_SECS = 5.0
"""How long a ticket waits before looking at its torrent again."""
FLUSH_TIMEOUT_SECS = 10.0
"""How long a finished download's last writes may take before the next look."""
GIB = 1024 ** 3
FULL_BELOW_BYTES = 1024 ** 2
"""Less free space than this is a full disk, whatever error libtorrent's failed write turned into."""


def cover_images(files: Iterable[FileEntry], item_paths: Iterable[str]) -> set[int]:
    """Cover images (named as COVER_STEMS says) beside a ticket's files: small, and the album folder wants them."""
    folders = {PurePosixPath(path).parent for path in item_paths}
    return {entry.index for entry in files if entry.is_image and entry.size <= MAX_COVER_BYTES
            and PurePosixPath(entry.path).parent in folders
            and PurePosixPath(entry.path).stem.casefold() in COVER_STEMS}


def ticket_file_indexes(ticket_id: str) -> set[int]:
    """The torrent files a ticket's requested items come from."""
    rows = TicketItemRow.select(TicketItemRow.file_index).where(
        (TicketItemRow.ticket == ticket_id) & TicketItemRow.requested & TicketItemRow.file_index.is_null(False))
    return {int(row.file_index) for row in rows if row.file_index is not None}


def wanted_file_indexes(info_hash: str) -> set[int]:
    """What a torrent downloads: the union of its holding tickets' files (and album covers beside them)."""
    files = catalog.files_of(info_hash)
    by_index = {entry.index: entry for entry in files}
    holders = tickets_of_torrent(info_hash)
    music = {row.id for row in TicketRow.select(TicketRow.id).where(
        TicketRow.id.in_(holders) & TicketRow.kind.in_([kind.value for kind in MUSIC_KINDS]))}
    wanted: set[int] = set()
    for ticket_id in holders:
        indexes = ticket_file_indexes(ticket_id)
        wanted |= indexes
        if ticket_id in music:
            wanted |= cover_images(files, [by_index[index].path for index in indexes if index in by_index])
    return wanted


def add_from_catalog(session: TorrentSession, row: TorrentRow, wanted_indexes: Collection[int] | None) -> str:
    """Add a catalog torrent to the session again from its stored .torrent or magnet, its upload and
    download totals carried on (seed goals and ratios do not start again from 0)."""
    return session.add_stored(Path(row.save_path), torrent_file=bytes(row.torrent_file) if row.torrent_file else None,
                              magnet=row.magnet, wanted_indexes=wanted_indexes,
                              totals=Totals(int(row.uploaded), int(row.downloaded)))


def missing_bytes(session: TorrentSession, info_hash: str, indexes: Collection[int]) -> int:
    """Bytes of these files not yet downloaded and verified."""
    progress = session.file_progress(info_hash)
    return sum(size - done for index, (done, size) in progress.items() if index in indexes)


def disk_is_full(folder: Path) -> bool:
    """Whether the disk holding this folder (or its nearest existing parent) has no room left at all."""
    existing = next((path for path in (folder, *folder.parents) if path.exists()), None)
    return existing is not None and shutil.disk_usage(existing).free < FULL_BELOW_BYTES


def require_room(download_dir: Path, needed_bytes: int, min_free_gb: float) -> None:
    """Refuse to start a download that would leave less than `[paths] min_free_gb` free on its disk."""
    if needed_bytes <= 0:
        return
    existing = next(folder for folder in (download_dir, *download_dir.parents) if folder.exists())
    free = shutil.disk_usage(existing).free
    reserve = int(min_free_gb * GIB)
    if needed_bytes + reserve > free:
        raise TorrentFileError(
            f"not enough free space in {download_dir}: the download needs {needed_bytes / 1e6:,.1f} MB and "
            f"{min_free_gb:g} GB must stay free, but only {free / 1e6:,.1f} MB are free",
            hint="free some space (or lower [paths] min_free_gb), then `qtorrentino ticket retry`",
            fault="disk_full")


def require_complete_files(session: TorrentSession, info_hash: str | None,
                           indexes: Collection[int] | None = None, *, flush: bool = False) -> None:
    """The one answer to "may a ticket read these files of its torrent now?": NotReadyYet while not.

    Not while libtorrent checks the files (after an unclean stop, pieces it had not written are holes on
    disk), nor while any of them lacks verified bytes; with `flush`, not before libtorrent wrote out every
    block it holds (a piece passes its hash check before its blocks are necessarily on disk). A torrent no
    longer in the session (removed after downloading) is read from disk if every file is there whole.
    `indexes` None asks about every file the torrent wants.
    """
    if info_hash is None or (indexes is not None and not indexes):
        return
    try:
        status = session.status(info_hash)
        progress = session.file_progress(info_hash)
    except NotFound:
        if indexes is not None:
            _require_on_disk(info_hash, indexes)
        return
    if status.state is TorrentState.CHECKING:
        raise NotReadyYet(RECHECK_WAIT_SECS, f"torrent {status.name} is having its files checked")
    if not progress:
        raise NotReadyYet(RECHECK_WAIT_SECS, f"torrent {status.name} has no metadata yet")
    missing = (status.total_wanted - status.total_wanted_done if indexes is None else
               sum(size - done for index, (done, size) in progress.items() if index in indexes))
    if missing > 0:
        raise NotReadyYet(RECHECK_WAIT_SECS, f"torrent {status.name} lacks {missing:,} wanted bytes")
    if flush and not session.flush_files(info_hash, FLUSH_TIMEOUT_SECS):
        raise NotReadyYet(1.0, f"torrent {status.name} finished; its last blocks are being written")


def _require_on_disk(info_hash: str, indexes: Collection[int]) -> None:
    row = TorrentRow.get_or_none(TorrentRow.info_hash == info_hash)
    if row is None:
        raise TorrentError(f"torrent {info_hash} is neither in the session nor in the catalog",
                           hint="retry the ticket to acquire it again")
    save_path = Path(row.save_path)
    for entry in catalog.files_of(info_hash):
        if entry.index in indexes:
            path = save_path / entry.path
            if not path.is_file() or path.stat().st_size != entry.size:
                raise TorrentError(f"{path} is missing or incomplete and its torrent is no longer in the session",
                                   hint="retry the ticket to acquire it again")

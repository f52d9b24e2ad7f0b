"""The torrent catalog: every torrent we hold, its files with what their names say, use and cleanup."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from qtorrentino.db.models import CandidateRow, TicketRow, TorrentContentRow, TorrentRow
from qtorrentino.domain.files import FileEntry
from qtorrentino.domain.release import parse_release


def record_torrent(
    info_hash: str,
    name: str,
    save_path: Path,
    files: Sequence[FileEntry],
    *,
    now: datetime,
    torrent_file: bytes | None = None,
    magnet: str | None = None,
    indexer: str | None = None,
) -> None:
    """Add a torrent and its parsed file list to the catalog (inside the caller's transaction).

    indexer is where the chosen candidate came from; its [[indexers]] seed goals then apply.
    """
    total = sum(entry.size for entry in files)
    TorrentRow.insert(
        info_hash=info_hash,
        name=name,
        save_path=str(save_path),
        total_size=total,
        torrent_file=torrent_file,
        magnet=magnet,
        added_at=now,
        last_access_at=now,
        state="metadata",
        indexer=indexer,
    ).on_conflict(
        conflict_target=[TorrentRow.info_hash],
        update={
            TorrentRow.name: name,
            TorrentRow.save_path: str(save_path),
            TorrentRow.removed: False,
            TorrentRow.last_access_at: now,
            TorrentRow.total_size: total,
        },
    ).execute()
    if torrent_file is not None:
        TorrentRow.update(torrent_file=torrent_file).where(
            TorrentRow.info_hash == info_hash
        ).execute()
    TorrentContentRow.delete().where(TorrentContentRow.torrent == info_hash).execute()
    rows = []
    for entry in files:
        parsed = parse_release(entry.path)
        rows.append(
            {
                "torrent": info_hash,
                "file_index": entry.index,
                "path": entry.path,
                "size": entry.size,
                "parsed": parsed.to_json(),
                "artist": parsed.artist,
                "album": parsed.album,
                "title": parsed.title,
                "disc": parsed.disc,
                "track": parsed.track,
                "season": parsed.season,
                "episode": parsed.episodes[0] if parsed.episodes else None,
            }
        )
    for start in range(0, len(rows), 500):
        TorrentContentRow.insert_many(rows[start : start + 500]).execute()


def touch(info_hash: str, now: datetime) -> None:
    """Mark a torrent as used now (cleanup takes the least recently used first)."""
    TorrentRow.update(last_access_at=now).where(TorrentRow.info_hash == info_hash).execute()


def files_of(info_hash: str) -> tuple[FileEntry, ...]:
    """A catalog torrent's file list."""
    rows = (
        TorrentContentRow.select()
        .where(TorrentContentRow.torrent == info_hash)
        .order_by(TorrentContentRow.file_index)
    )
    return tuple(FileEntry(index=row.file_index, path=row.path, size=row.size) for row in rows)




def indexer_of(info_hash: str) -> str | None:
    """The indexer a catalog torrent came from: stored on its row, else its tickets' chosen candidate."""
    row = TorrentRow.get_or_none(TorrentRow.info_hash == info_hash)
    if row is not None and row.indexer:
        return str(row.indexer)
    candidate = (CandidateRow.select(CandidateRow.indexer).join(TicketRow)
                 .where(CandidateRow.info_hash == info_hash).order_by(TicketRow.updated_at.desc()).first())
    return None if candidate is None else str(candidate.indexer)

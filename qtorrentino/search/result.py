"""One search result from an indexer, in our own types (what scoring and the CLI see)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from qtorrentino.domain.files import FileEntry


@dataclass(frozen=True, slots=True)
class SearchResult:
    """A release an indexer offered: a candidate before it is scored."""

    title: str
    indexer: str
    size: int = 0
    """Bytes; 0 when the indexer did not say."""
    seeders: int = 0
    peers: int = 0
    info_hash: str | None = None
    """Lower-case hex v1 info-hash when known."""
    magnet: str | None = None
    link: str | None = None
    """The .torrent download URL (may redirect to a magnet)."""
    published: datetime | None = None
    categories: tuple[int, ...] = ()
    files: tuple[FileEntry, ...] = field(default=())
    """The file list when the indexer gave one (or the torrent catalog knows it)."""
    guid: str | None = None

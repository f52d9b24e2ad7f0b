"""One search result from an indexer, in our own types (what scoring and the CLI see)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from qtorrentino.domain.files import FileEntry
from qtorrentino.domain.redact import REDACTED


@dataclass(frozen=True, slots=True)
class SearchResult:
    """A release an indexer offered: a candidate before it is scored."""

    title: str
    indexer: str
    size: int = 0
    """Bytes; 0 when the indexer did not say."""
    seeders: int | None = None
    """None when the indexer did not say: unknown, which is not zero (a dead torrent)."""
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

    @property
    def seeders_order(self) -> int:
        """Sort key for "most seeders first": a known count, with unknown below zero."""
        return -1 if self.seeders is None else self.seeders

    @property
    def whole_magnet(self) -> str | None:
        """The magnet, unless redaction hid a secret in it (a private tracker's passkey): then it cannot announce."""
        return self.magnet if self.magnet and REDACTED not in self.magnet else None

    def download_sources(self) -> list[str]:
        """Where the torrent comes from, best first: a whole magnet, the indexer's link, a passkey-less magnet."""
        hidden = [self.magnet] if self.magnet and not self.whole_magnet else []
        return [source for source in (self.whole_magnet, self.link, *hidden) if source]

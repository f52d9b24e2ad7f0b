"""Catalog first: a torrent we already seed that holds every requested item, scored by the same rules."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from qtorrentino.domain.ticket import TicketSpec
from qtorrentino.search.result import SearchResult
from qtorrentino.textbrain.score import score_candidates
from qtorrentino.torrent.catalog import complete_torrents
from qtorrentino.workers.candidates import mapping_json

CATALOG_MIN_SCORE = 0.6


@dataclass(frozen=True, slots=True)
class CatalogHit:
    """A catalog torrent that covers a ticket."""

    info_hash: str
    name: str
    size: int
    reason: str
    mapping_json: dict[str, Any] | None
    files_json: list[dict[str, Any]]


def find_covering_torrent(spec: TicketSpec, *, exclude: Collection[str] = ()) -> CatalogHit | None:
    """The best complete catalog torrent whose files cover every requested item, with the files on disk."""
    hits = []
    for torrent in complete_torrents():
        if torrent.info_hash in exclude:
            continue
        result = SearchResult(title=torrent.name, indexer="catalog", size=torrent.total_size,
                              info_hash=torrent.info_hash, files=torrent.files)
        scored = score_candidates(spec, [result])[0]
        mapping = scored.mapping
        if mapping is None or not mapping.assignments or mapping.unmapped or scored.red_flags:
            continue
        if scored.score < CATALOG_MIN_SCORE:
            continue
        if not all((torrent.save_path / a.file.path).is_file() for a in mapping.assignments):
            continue
        hits.append((scored.score, torrent, mapping))
    if not hits:
        return None
    score, torrent, mapping = max(hits, key=lambda hit: hit[0])
    return CatalogHit(
        info_hash=torrent.info_hash, name=torrent.name, size=torrent.total_size,
        reason=f"already in the torrent catalog: {torrent.name} holds all {len(mapping.assignments)} "
               f"requested item(s) (score {score:.2f})",
        mapping_json=mapping_json(mapping),
        files_json=[{"index": f.index, "path": f.path, "size": f.size} for f in torrent.files],
    )

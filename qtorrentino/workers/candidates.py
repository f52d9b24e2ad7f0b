"""Storing a ticket's scored candidates and reading them back as search results (one shape, both ways)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from qtorrentino.db.models import CandidateRow
from qtorrentino.domain.files import FileEntry
from qtorrentino.domain.release import parse_release
from qtorrentino.domain.ticket import TicketQuery
from qtorrentino.search.result import SearchResult
from qtorrentino.textbrain.filemap import FileMapping
from qtorrentino.textbrain.judged import Ranking
from qtorrentino.textbrain.llm.file_mapping import placed_by_llm
from qtorrentino.textbrain.score import ScoredCandidate
from qtorrentino.tickets.service import release_key as release_key_of
from qtorrentino.tickets.views import TicketDetail

MAX_STORED_CANDIDATES = 25


def release_key(result: SearchResult) -> str:
    """What a blocklist remembers a search result by (the one rule: tickets.service.release_key)."""
    return release_key_of(result.info_hash, result.indexer, result.title)


def mapping_json(mapping: FileMapping | None) -> dict[str, Any] | None:
    """A file mapping as stored with the candidate (and shown on the approval screen)."""
    if mapping is None:
        return None
    return {
        "assignments": [{"item_id": a.item_id, "file_index": a.file.index, "path": a.file.path,
                         "size": a.file.size, "confidence": round(a.confidence, 3), "reason": a.reason,
                         "title": a.release.title,
                         "method": "llm" if placed_by_llm(a) else "dumb"}
                        for a in mapping.assignments],
        "unmapped": list(mapping.unmapped),
        "coverage": round(mapping.coverage, 3),
    }


def store_candidates(ticket_id: str, scored: Sequence[ScoredCandidate]) -> None:
    """Replace the ticket's candidates with this round's, best first (rank 0 = recommended)."""
    CandidateRow.delete().where(CandidateRow.ticket == ticket_id).execute()
    for rank, candidate in enumerate(scored[:MAX_STORED_CANDIDATES]):
        result = candidate.result
        CandidateRow.create(
            ticket=ticket_id, rank=rank, score=round(candidate.score, 4), title=result.title,
            info_hash=result.info_hash, indexer=result.indexer, size=result.size, seeders=result.seeders,
            peers=result.peers, magnet=result.magnet, link=result.link, published=result.published,
            reasons=list(candidate.reasons),
            factors=list(candidate.factor_records),
            mapping=mapping_json(candidate.mapping),
            files=[{"index": f.index, "path": f.path, "size": f.size} for f in result.files] or None,
        )


def audit_candidates(ranking: Ranking) -> list[dict[str, Any]]:
    """Every candidate's score and reasoning, as MatchingCompleted records them, with which method
    produced the score and the mapping (and each method's score)."""
    return [{"rank": rank, "title": c.result.title, "info_hash": c.result.info_hash, "indexer": c.result.indexer,
             "score": round(c.score, 4), "reasons": list(c.reasons), **origin.audit_fields(c)}
            for rank, (c, origin) in enumerate(zip(ranking.scored, ranking.provenance, strict=True))]


def result_of(row: CandidateRow) -> SearchResult:
    """A stored candidate as the search result it came from."""
    files = tuple(FileEntry(index=f["index"], path=f["path"], size=f["size"]) for f in row.files or ())
    return SearchResult(title=row.title, indexer=row.indexer, size=row.size, seeders=row.seeders, peers=row.peers,
                        info_hash=row.info_hash, magnet=row.magnet, link=row.link, published=row.published,
                        files=files)


def known_query(detail: TicketDetail) -> TicketQuery:
    """The ticket's query with what the chosen release adds when the ticket left it open (the year)."""
    query = detail.spec.query
    chosen = detail.chosen
    if query.year is not None or chosen is None:
        return query
    year = parse_release(chosen.title).year
    return replace(query, year=year) if year else query

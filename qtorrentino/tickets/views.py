"""Read models of tickets handed to the faces: frozen values, never peewee rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from qtorrentino.clock import iso
from qtorrentino.domain.quality import cutoff_met
from qtorrentino.domain.states import ItemState, TicketState
from qtorrentino.domain.ticket import TicketSpec
from qtorrentino.domain.ticket_json import spec_to_json

REJECTED_PREFIX = "rejected: "
"""How a broken hard constraint reads among a candidate's reasons (docs/decisions.md)."""
UNKNOWN_SEEDERS = "?"
"""How a seeders count the indexer did not give is shown."""


def seeders_label(seeders: int | None) -> str:
    """A seeders count for people: the number, or "?" when the indexer did not say."""
    return UNKNOWN_SEEDERS if seeders is None else str(seeders)


@dataclass(frozen=True, slots=True)
class TicketSummary:
    """One ticket as lists show it."""

    id: str
    kind: str
    title: str
    state: TicketState
    priority: int
    created_at: datetime
    updated_at: datetime
    linked_to: str | None
    retryable: bool
    attempts: int
    next_attempt_at: datetime | None
    error: str | None
    library: str | None
    info_hash: str | None
    items_total: int = 0
    items_done: int = 0
    watching: bool = False
    """Still watching: for a release while nothing acceptable is found, or for an upgrade once placed."""
    quality: str | None = None
    """The quality of the placed release (domain/quality.py), or None."""
    upgrade_until: str | None = None
    """The quality that ends the ticket's upgrades, or None."""

    @property
    def cutoff_met(self) -> bool | None:
        """Whether the placed quality meets upgrade_until (None when the ticket names none)."""
        return cutoff_met(self.kind, self.quality, self.upgrade_until)

    def to_json(self) -> dict[str, Any]:
        """The contract's fields of `ticket list --json`."""
        return {
            "id": self.id, "kind": self.kind, "title": self.title, "state": self.state.value,
            "priority": self.priority, "created_at": iso(self.created_at), "updated_at": iso(self.updated_at),
            "linked_to": self.linked_to, "retryable": self.retryable, "attempts": self.attempts,
            "next_attempt_at": iso(self.next_attempt_at), "error": self.error, "library": self.library,
            "watching": self.watching, "quality": self.quality, "cutoff_met": self.cutoff_met,
            "upgrade_until": self.upgrade_until,
        }


@dataclass(frozen=True, slots=True)
class ItemView:
    """One item of a ticket with its state and where its file landed."""

    id: str
    type: str
    title: str
    state: ItemState
    disc: int | None
    number: int | None
    season: int | None
    duration_secs: float | None
    requested: bool
    file_index: int | None
    source_path: str | None
    staged_path: str | None
    path: str | None
    error: str | None

    @property
    def label(self) -> str:
        if self.type == "episode" and self.season is not None and self.number is not None:
            return f"S{self.season:02d}E{self.number:02d} {self.title}".strip()
        if self.type == "track" and self.number is not None:
            return f"{self.disc or 1}-{self.number:02d} {self.title}".strip()
        return self.title or self.id

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title or self.label, "state": self.state.value, "path": self.path,
                "type": self.type, "disc": self.disc, "number": self.number, "season": self.season,
                "requested": self.requested}


@dataclass(frozen=True, slots=True)
class CandidateView:
    """A scored candidate with its explanation; rank 0 is the recommended one."""

    rank: int
    score: float
    title: str
    info_hash: str | None
    indexer: str
    size: int
    seeders: int | None
    """None when the indexer did not say."""
    peers: int
    magnet: str | None
    link: str | None
    reasons: tuple[str, ...]
    factors: tuple[dict[str, Any], ...] = ()
    mapping: dict[str, Any] | None = None
    files: tuple[dict[str, Any], ...] = ()

    @property
    def rejected(self) -> tuple[str, ...]:
        """The hard constraints it breaks, from its reasons: never auto-approved."""
        return tuple(reason.removeprefix(REJECTED_PREFIX) for reason in self.reasons
                     if reason.startswith(REJECTED_PREFIX))

    @property
    def seeders_label(self) -> str:
        """The seeders count as tables show it ("?" when unknown)."""
        return seeders_label(self.seeders)

    def to_json(self) -> dict[str, Any]:
        return {"rank": self.rank, "score": round(self.score, 4), "title": self.title,
                "info_hash": self.info_hash, "indexer": self.indexer, "size": self.size,
                "seeders": self.seeders, "reasons": list(self.reasons)}


@dataclass(frozen=True, slots=True)
class TicketDetail:
    """One ticket whole: summary, what was asked, items, candidates."""

    summary: TicketSummary
    spec: TicketSpec
    items: tuple[ItemView, ...]
    candidates: tuple[CandidateView, ...]
    chosen_rank: int | None
    forced_query: str | None
    stats: dict[str, Any] | None = field(default=None)

    @property
    def id(self) -> str:
        return self.summary.id

    @property
    def state(self) -> TicketState:
        return self.summary.state

    @property
    def chosen(self) -> CandidateView | None:
        return next((c for c in self.candidates if c.rank == self.chosen_rank), None)

    def to_json(self) -> dict[str, Any]:
        """`ticket show --json`: the summary fields plus items, candidates and the ticket as given."""
        result = self.summary.to_json()
        given = spec_to_json(self.spec)
        result.update({"query": given["query"], "constraints": given["constraints"], "dry_run": self.spec.dry_run,
                       "items": [item.to_json() for item in self.items],
                       "candidates": [candidate.to_json() for candidate in self.candidates],
                       "chosen_rank": self.chosen_rank, "stats": self.stats})
        return result

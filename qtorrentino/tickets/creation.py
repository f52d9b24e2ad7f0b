"""Filing new tickets: library choice, deduplication against active tickets, merging overlapping items.

A new ticket is linked only to a ticket that is truly the same request (domain.ticket.overlap): same
kind, library and content, compatible constraints, neither a dry run, the active one still live.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from peewee import fn

from qtorrentino.clock import Clock
from qtorrentino.config.model import Config
from qtorrentino.db.models import CandidateRow, TicketItemRow, TicketRow
from qtorrentino.domain.states import TERMINAL_STATES, TicketState
from qtorrentino.domain.ticket import (
    LIBRARY_KIND_FOR,
    Overlap,
    TicketItem,
    TicketSpec,
    content_key,
    overlap,
    with_defaults,
)
from qtorrentino.domain.ticket_json import spec_to_json
from qtorrentino.errors import UsageError
from qtorrentino.tickets.rows import spec_of

if TYPE_CHECKING:
    from qtorrentino.events import AuditRecorded
    from qtorrentino.tickets.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from qtorrentino.domain.direct import DirectTorrent
    from qtorrentino.tickets.service import CandidateJudge, TicketCommands

MERGEABLE_STATES = frozenset({TicketState.PENDING, TicketState.ACQUIRING, TicketState.NEEDS_APPROVAL})
"""An active ticket takes merged items only before a release was chosen for download."""
NOT_FOLLOWED = frozenset({*TERMINAL_STATES, TicketState.FAILED, TicketState.ACQUISITION_FAILED})
"""A ticket in these states is no one's primary: a new ticket would follow it into failure or nothing."""
DIRECT_PICK = "added directly by a person"
"""The reason a direct torrent's candidate carries: like force-magnet's, a person's explicit pick."""


@dataclass(frozen=True, slots=True)
class Created:
    """What `ticket add` reports: the new id, its state and the ticket it follows."""

    id: str
    state: TicketState
    linked_to: str | None
    merged_items: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "state": self.state.value, "linked_to": self.linked_to}


def new_ticket_id() -> str:
    """A fresh ticket id: 12 hex digits, so a 4-character prefix usually suffices."""
    return uuid.uuid4().hex[:12]


class TicketCreator:
    """Files tickets through the unit of work, linking or merging with active tickets for the same content."""

    def __init__(self, unit_of_work: UnitOfWork, clock: Clock, config: Config) -> None:
        self.uow = unit_of_work
        self.clock = clock
        self.config = config

    def add(self, spec: TicketSpec, *, actor: str) -> Created:
        """File one ticket; returns its id, state and the active ticket it was linked to, if any."""
        spec = self._with_library(spec)
        with self.uow() as outbox:
            if spec.dry_run:
                return self._insert(outbox, spec, actor, linked=None, merged=())
            for active in _active_tickets(spec):
                relation = relation_to(spec_of(active), TicketState(active.state), spec, self.config)
                if relation is not None:
                    merged = self._merge(active, relation.new_items) if relation.new_items else ()
                    return self._insert(outbox, spec, actor, linked=active, merged=merged)
            return self._insert(outbox, spec, actor, linked=None, merged=())

    def add_direct(self, spec: TicketSpec, torrent: DirectTorrent, *, indexer: str, origin: dict[str, str],
                   commands: TicketCommands, judge: CandidateJudge, actor: str) -> Created:
        """File a ticket whose only candidate is a torrent a person gave, approved as their pick.

        The torrent is scored by the one scorer under the ticket's rules like a force-magnet: its score
        and any hard constraint it breaks are stated, not refused. It links to no other ticket: the
        person chose this torrent. origin (`via`, `source`) is recorded with TicketCreated.
        """
        spec = self._with_library(spec)
        if spec.library is None:
            kind = LIBRARY_KIND_FOR[spec.kind]
            raise UsageError(f"no library of kind {kind} for a {spec.kind.value} ticket ({torrent.title!r})",
                             hint=f"give --library NAME or --kind, or add a [[libraries]] entry of kind {kind}")
        judged = judge(spec, torrent.title, torrent.info_hash)
        with self.uow() as outbox:
            created = self._insert(outbox, spec, actor, linked=None, merged=(), torrent={
                "info_hash": torrent.info_hash, "name": torrent.name, **origin})
            CandidateRow.create(ticket=created.id, rank=0, score=judged.score, title=torrent.title,
                                info_hash=torrent.info_hash, indexer=indexer, magnet=torrent.magnet, seeders=None,
                                size=sum(entry.size for entry in torrent.files),
                                files=[{"index": f.index, "path": f.path, "size": f.size} for f in torrent.files]
                                or None, reasons=[DIRECT_PICK, *judged.reasons], factors=list(judged.factors))
            commands.transition(outbox, created.id, TicketState.APPROVED, actor=actor, chosen_rank=0,
                                info_hash=torrent.info_hash, reason=f"added directly ({origin.get('via', 'cli')})")
            self.uow.audit.record(outbox, "ApprovalGranted", ticket_id=created.id, actor=actor, data={
                "candidate_rank": 0, "info_hash": torrent.info_hash, "title": torrent.title, "correction": False,
                "reason": DIRECT_PICK, "rejected": list(judged.rejected)})
        return Created(created.id, TicketState.APPROVED, None)

    def _with_library(self, spec: TicketSpec) -> TicketSpec:
        kind = LIBRARY_KIND_FOR[spec.kind]
        name: str | None
        if spec.library:
            library = self.config.library(spec.library)
            if library is None:
                known = ", ".join(lib.name for lib in self.config.libraries) or "none configured"
                raise UsageError(f"ticket field 'library': no library named {spec.library!r}",
                                 hint=f"libraries: {known}")
            name = library.name
        else:
            library = self.config.first_library_of_kind(kind)
            name = library.name if library else None
        return replace(spec, library=name)

    def _insert(self, outbox: list[AuditRecorded], spec: TicketSpec, actor: str, *, linked: TicketRow | None,
                merged: tuple[str, ...], torrent: dict[str, str] | None = None) -> Created:
        now = self.clock.now()
        ticket_id = new_ticket_id()
        state = TicketState(linked.state) if linked else TicketState.PENDING
        given = spec_to_json(spec)
        TicketRow.create(id=ticket_id, kind=spec.kind.value, title=spec.title, state=state.value,
                         priority=spec.priority, spec=given, content_key=content_key(spec), library=spec.library,
                         dry_run=spec.dry_run,
                         linked_to=linked.id if linked else None, created_at=now, updated_at=now,
                         watching=spec.watch and not spec.dry_run, upgrade_until=spec.upgrade_until)
        _insert_items(ticket_id, spec.items, start=0)
        self.uow.audit.record(outbox, "TicketCreated", ticket_id=ticket_id, actor=actor,
                              data={"ticket": given} | ({"torrent": torrent} if torrent else {}))
        if linked is not None:
            self.uow.audit.record(outbox, "TicketLinked", ticket_id=ticket_id, actor=actor,
                                  data={"linked_to": linked.id, "merged_items": list(merged)})
        return Created(ticket_id, state, linked.id if linked else None, merged)

    def _merge(self, active: TicketRow, items: tuple[TicketItem, ...]) -> tuple[str, ...]:
        taken = {row.item_id for row in active.items}
        position = active.items.count()
        renamed: list[TicketItem] = []
        for item in items:
            item_id = item.id
            suffix = 2
            while item_id in taken:
                item_id, suffix = f"{item.id}-{suffix}", suffix + 1
            taken.add(item_id)
            renamed.append(TicketItem(id=item_id, type=item.type, title=item.title, disc=item.disc,
                                      number=item.number, season=item.season, duration_secs=item.duration_secs))
        _insert_items(active.id, tuple(renamed), start=position)
        active.updated_at = self.clock.now()
        active.save()
        return tuple(item.id for item in renamed)


def relation_to(active: TicketSpec, state: TicketState, new: TicketSpec, config: Config) -> Overlap | None:
    """How a new ticket follows an existing one (covered, or its new items merged); None: it stands alone.

    Only a live primary (not failed, rejected, cancelled or acquisition_failed) is followed, only when
    both are the same request (domain.ticket.overlap) with their effective format and threshold, and
    items are merged only before the primary chose a release.
    """
    if state in NOT_FOLLOWED:
        return None
    found = overlap(_with_defaults(active, config), _with_defaults(new, config))
    if found is None or found.covered or (found.new_items and state in MERGEABLE_STATES):
        return found
    return None


def _with_defaults(spec: TicketSpec, config: Config) -> TicketSpec:
    """The ticket with its effective format and threshold, as dedup compares them."""
    library = config.library(spec.library) if spec.library else None
    return with_defaults(spec, library.format if library is not None else None,
                         config.textbrain.auto_approve_threshold)


def _active_tickets(spec: TicketSpec) -> list[TicketRow]:
    """Live, real tickets that may ask for the same content: same names, or the same provider id."""
    terminal = [state.value for state in NOT_FOLLOWED]
    same = TicketRow.content_key == content_key(spec)
    for field, value in (("musicbrainz_release_id", spec.query.musicbrainz_release_id),
                         ("tmdb_id", spec.query.tmdb_id)):
        if value:
            same |= fn.json_extract(TicketRow.spec, f"$.query.{field}") == value
    return list(TicketRow.select().where(TicketRow.state.not_in(terminal) & TicketRow.linked_to.is_null()
                                         & (TicketRow.dry_run == False) & same)  # noqa: E712 - a peewee expression
                .order_by(TicketRow.created_at))


def _insert_items(ticket_id: str, items: tuple[TicketItem, ...], *, start: int) -> None:
    for position, item in enumerate(items, start=start):
        TicketItemRow.create(ticket=ticket_id, item_id=item.id, position=position, type=item.type.value,
                             title=item.title, disc=item.disc, number=item.number, season=item.season,
                             duration_secs=item.duration_secs, requested=item.requested)

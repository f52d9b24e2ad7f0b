"""A watched ticket's bookkeeping: when it is searched again, what was seen, and when its watch
ends.

Pure database work inside the caller's unit of work (docs/states.md, "Watched tickets"); the watch
chore (workers/watch.py) and the acquisition and placement stages call it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from qtorrentino.clock import iso, parse_iso
from qtorrentino.db.models import TicketItemRow, TicketRow, WatchRow
from qtorrentino.domain.quality import (
    Quality,
    cutoff_met,
    family_of,
    parse_quality,
    release_quality,
)
from qtorrentino.domain.release import parse_release
from qtorrentino.search.result import SearchResult
from qtorrentino.textbrain.decide import Decision, Outcome
from qtorrentino.tickets.watching import CUTOFF_MET, end_watch, schedule_after_search, watch_row

if TYPE_CHECKING:
    from collections.abc import Sequence

    from qtorrentino.textbrain.score import ScoredCandidate
    from qtorrentino.tickets.service import Outbox
    from qtorrentino.tickets.views import TicketDetail
    from qtorrentino.workers.base import WorkerContext

RSS = "rss"
SEARCH = "search"


def nothing_acceptable(decision: Decision, scored: Sequence[ScoredCandidate]) -> bool:
    """A watched ticket waits when nothing found is this content for a person either: nothing at
    all, nothing like the ticket, or a best candidate that breaks a hard constraint or has a red
    flag."""
    if decision.outcome is Outcome.AUTO_APPROVE:
        return False
    if decision.outcome is Outcome.ACQUISITION_FAILED or decision.recommended_rank is None:
        return True
    top = scored[decision.recommended_rank]
    return bool(top.rejected or top.red_flags)


def quality_of(
    result_title: str, kind: str, scored: ScoredCandidate | None = None
) -> Quality | None:
    """A release's quality in the order of the ticket's kind (from the scorer's parse when
    given)."""
    release = scored.release if scored is not None else parse_release(result_title)
    return release_quality(release, result_title, family_of(kind))


def note_seen(
    ticket_id: str, kind: str, scored: Sequence[ScoredCandidate], row: WatchRow | None = None
) -> None:
    """Keep the best quality seen among acceptable releases that matched the ticket (the Wanted
    view)."""
    row = row if row is not None else watch_row(ticket_id)
    family = family_of(kind)
    best = _stored(row.best_quality, family)
    changed = False
    for candidate in scored:
        if candidate.rejected or candidate.red_flags:
            continue
        quality = quality_of(candidate.result.title, kind, candidate)
        if quality is not None and (best is None or quality.better_than(best)):
            best, row.best_title, changed = quality, candidate.result.title, True
    if changed and best is not None:
        row.best_quality = best.name
        row.save()


def _stored(name: str | None, family: str | None) -> Quality | None:
    if name is None:
        return None
    try:
        return parse_quality(name, family)
    except ValueError:
        return None


def placed_before(ticket_id: str) -> bool:
    """Whether the ticket has files in its library: its acquisition round is then an upgrade
    search."""
    return bool(
        TicketItemRow.select()
        .where((TicketItemRow.ticket == ticket_id) & TicketItemRow.path.is_null(False))
        .exists()
    )


@dataclass(frozen=True, slots=True)
class UpgradeFloor:
    """What a release must beat to replace a ticket's placed files."""

    placed: Quality | None
    """The placed release's quality; None when its name said none."""
    cutoff: Quality | None
    """upgrade_until; with an unknown placed quality, only a release meeting it is an upgrade."""

    def admits(self, quality: Quality | None) -> bool:
        """Whether a release of this quality is an upgrade."""
        if quality is None:
            return False
        if self.placed is not None:
            return quality.better_than(self.placed)
        return self.cutoff is not None and quality.at_least(self.cutoff)

    def refusal(self, quality: Quality | None) -> str:
        """Why a release is no upgrade, as a candidate's `rejected:` reason."""
        found = quality.name if quality else "no quality in its name"
        if self.placed is not None:
            return f"not an upgrade: {found} is not above the placed {self.placed.name}"
        return f"not an upgrade: {found} does not reach {self.cutoff.name if self.cutoff else '?'}"


def upgrade_floor(row: TicketRow) -> UpgradeFloor:
    """The floor of a ticket that has placed files (its placed quality and its cutoff)."""
    family = family_of(row.kind)
    return UpgradeFloor(_stored(row.quality, family), _stored(row.upgrade_until, family))


def record_found(
    outbox: Outbox,
    context: WorkerContext,
    ticket_id: str,
    result: SearchResult,
    via: str,
    *,
    quality: str | None = None,
) -> None:
    """ReleaseFound: a watched ticket's release appeared (through the RSS sync or a search)."""
    context.audit.record(
        outbox,
        "ReleaseFound",
        ticket_id=ticket_id,
        actor="engine",
        data={
            "indexer": result.indexer,
            "title": result.title,
            "info_hash": result.info_hash,
            "via": via,
            "size": result.size,
            "seeders": result.seeders,
            "quality": quality,
        },
    )


def result_json(result: SearchResult) -> dict[str, Any]:
    """A search result as the watch keeps it until acquisition takes it (links stay sealed)."""
    return {
        "title": result.title,
        "indexer": result.indexer,
        "size": result.size,
        "seeders": result.seeders,
        "peers": result.peers,
        "info_hash": result.info_hash,
        "magnet": result.magnet,
        "link": result.link,
        "published": iso(result.published),
        "categories": list(result.categories),
        "guid": result.guid,
    }


def result_from_json(value: dict[str, Any]) -> SearchResult:
    """The search result result_json kept."""
    published = value.get("published")
    return SearchResult(
        title=value["title"],
        indexer=value["indexer"],
        size=value.get("size") or 0,
        seeders=value.get("seeders"),
        peers=value.get("peers") or 0,
        info_hash=value.get("info_hash"),
        magnet=value.get("magnet"),
        link=value.get("link"),
        published=parse_iso(published) if published else None,
        categories=tuple(value.get("categories") or ()),
        guid=value.get("guid"),
    )


def take_found(ticket_id: str) -> list[SearchResult]:
    """The releases the RSS sync handed to this ticket's acquisition round (kept until it
    concludes)."""
    row: WatchRow | None = WatchRow.get_or_none(WatchRow.ticket == ticket_id)
    return [result_from_json(value) for value in (row.found or ())] if row is not None else []


def placed_quality(detail: TicketDetail) -> Quality | None:
    """The quality of the release just placed: what its name says, else what its files' names
    say."""
    names = [detail.chosen.title] if detail.chosen is not None else []
    names += [
        PurePath(item.source_path).name
        for item in detail.items
        if item.requested and item.source_path
    ]
    for name in names:
        quality = quality_of(name, detail.spec.kind.value)
        if quality is not None:
            return quality
    return None


def after_placement(outbox: Outbox, context: WorkerContext, detail: TicketDetail) -> None:
    """A placement committed (inside its unit of work): the ticket's placed quality; a watching
    ticket stops at its cutoff (a ticket with `watch` only meets it now) or is searched again for
    upgrades."""
    quality = placed_quality(detail)
    TicketRow.update(quality=quality.name if quality else None).where(
        TicketRow.id == detail.id
    ).execute()
    row = TicketRow.get_by_id(detail.id)
    if not row.watching:
        return
    now = context.clock.now()
    watch = watch_row(detail.id)
    watch.placed_info_hash = row.info_hash
    watch.first_placed_at = watch.first_placed_at or now
    watch.found = None
    watch.save()
    if watch.swap is None:
        end_if_cutoff_met(outbox, context, detail.id)


def end_if_cutoff_met(outbox: Outbox, context: WorkerContext, ticket_id: str) -> None:
    """After a placement (an upgrade's once its old files are in the trash): a watching ticket whose
    placed quality meets its cutoff (or that has none) stops watching; else its next upgrade search
    is set."""
    row = TicketRow.get_by_id(ticket_id)
    if not row.watching:
        return
    met = cutoff_met(row.kind, row.quality, row.upgrade_until)
    if met is None or met:
        end_watch(outbox, context.tickets, ticket_id, CUTOFF_MET)
    else:
        schedule_after_search(ticket_id, context.config.watch, context.clock.now(), fruitless=False)

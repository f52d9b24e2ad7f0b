"""An upgrade's placement as one unit: the new files placed and committed first, then the old ones
trashed.

The placer (library/placer.py) places and verifies the new files, swapping a file at the same path
atomically and keeping the old one under this upgrade's trash folder; the placement stage commits;
only then are the old files at other paths moved to that folder and the folder entered in the
library's trash (restorable, purged after the library's trash_days). Until the commit the old files
stay where they were, playable; the swap is kept in the database, so a crash after the commit is
finished on the next start (docs/states.md, "Watched tickets").
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from qtorrentino.db.database import database
from qtorrentino.db.models import TicketRow, TrashRow, WatchRow
from qtorrentino.domain.paths import ensure_inside, safe_relative_path
from qtorrentino.domain.states import TicketState
from qtorrentino.library.items import db_path, fs_path
from qtorrentino.library.trash import move_file
from qtorrentino.tickets.watching import watch_row
from qtorrentino.workers.watch_state import end_if_cutoff_met

if TYPE_CHECKING:
    from collections.abc import Iterable

    from qtorrentino.config.model import LibraryConfig
    from qtorrentino.library.placer import PlannedFile
    from qtorrentino.tickets.views import TicketDetail
    from qtorrentino.workers.base import WorkerContext

log = logging.getLogger(__name__)

REPLACED_PREFIX = "replaced-"
"""Where the placer keeps a file it swapped at the same path (library/placer.py), inside the
folder."""


@dataclass(frozen=True, slots=True)
class Swap:
    """One upgrade's placement: where its old files go, and which they are."""

    folder: Path
    """This upgrade's trash folder; files inside keep their path below the library root."""
    root: Path
    library: str
    old: dict[str, str]
    """Item id → the path its file had in the library before the upgrade."""

    def to_json(self) -> dict[str, Any]:
        return {
            "folder": db_path(self.folder),
            "root": db_path(self.root),
            "library": self.library,
            "old": self.old,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Swap:
        return cls(
            Path(fs_path(value["folder"])),
            Path(fs_path(value["root"])),
            value["library"],
            dict(value["old"]),
        )

    def may_replace(self, plan: Iterable[PlannedFile]) -> bool:
        """Whether every destination already taken is one of this ticket's own old files (never
        another's)."""
        old = {Path(path) for path in self.old.values()}
        for planned in plan:
            destination = ensure_inside(self.root, safe_relative_path(planned.relative))
            if os.path.lexists(destination) and destination not in old:
                return False
        return True


def begin_swap(context: WorkerContext, detail: TicketDetail, library: LibraryConfig) -> Swap | None:
    """The swap of an upgrade's placement, kept on the ticket's watch row (call in a unit of work).

    None for a first placement (no item has a file yet). A swap kept by an earlier attempt is
    reused, so what that attempt already swapped at the same path is found in its folder.
    """
    old = {item.id: item.path for item in detail.items if item.requested and item.path}
    if not old:
        return None
    row = watch_row(detail.id)
    if row.swap is not None:
        return Swap.from_json(row.swap)
    stamp = f"{context.clock.now():%Y%m%dT%H%M%S}"
    swap = Swap(
        context.home.trash_dir / f"upgrade-{detail.id}-{stamp}",
        Path(library.path).resolve(),
        library.name,
        old,
    )
    row.swap = swap.to_json()
    row.save()
    return swap


def pending_swaps() -> list[str]:
    """Tickets whose upgrade swap is still recorded (to finish, or to drop when it never
    committed)."""
    rows = WatchRow.select(WatchRow.ticket).where(WatchRow.swap.is_null(False)).tuples()
    return [ticket_id for (ticket_id,) in cast("Iterable[tuple[str]]", rows)]


def finish_swap(context: WorkerContext, ticket_id: str, trash_days: int) -> None:
    """After the upgrade's commit: trash the old files the new ones did not replace in place, record
    the trash entry and UpgradeCompleted. A swap whose placement never committed is dropped (its
    files were rolled back); one still placing is left to the placement stage."""
    row: WatchRow | None = WatchRow.get_or_none(WatchRow.ticket == ticket_id)
    if row is None or row.swap is None:
        return
    swap = Swap.from_json(row.swap)
    detail = context.tickets.get(ticket_id)
    if detail.state is TicketState.PLACING:
        return
    current = {item.id: item.path for item in detail.items if item.path}
    committed = detail.state is TicketState.COMPLETED and any(
        current.get(item_id) != path or _replaced_in_place(swap, path)
        for item_id, path in swap.old.items()
    )
    if not committed:
        with context.uow():
            WatchRow.update(swap=None).where(WatchRow.ticket == ticket_id).execute()
        _drop_empty(swap.folder)
        return
    now_there = set(current.values())
    for path in swap.old.values():
        if path not in now_there and os.path.lexists(path):
            move_file(path, str(_trash_path(swap, Path(path))))
    _gather_replaced(swap)
    trashed = (
        sorted(str(path) for path in swap.folder.rglob("*") if path.is_file())
        if swap.folder.is_dir()
        else []
    )
    with context.uow() as outbox:
        gone = [db_path(path) for path in swap.old.values() if path not in now_there]
        _forget_files(gone)
        if trashed:
            now = context.clock.now()
            TrashRow.create(
                original_path=db_path(swap.root),
                trash_path=db_path(swap.folder),
                library_item=None,
                description=f"replaced by an upgrade of {detail.summary.title}, "
                f"{len(trashed)} file(s)",
                trashed_at=now,
                purge_after=now + timedelta(days=trash_days),
            )
        ticket = TicketRow.get_by_id(ticket_id)
        context.audit.record(
            outbox,
            "UpgradeCompleted",
            ticket_id=ticket_id,
            actor="engine",
            data={
                "info_hash": ticket.info_hash or "",
                "quality": ticket.quality or "",
                "replaced": sorted(swap.old.values()),
                "trashed": trashed,
                "library": swap.library,
            },
        )
        WatchRow.update(swap=None).where(WatchRow.ticket == ticket_id).execute()
        end_if_cutoff_met(outbox, context, ticket_id)
    log.info(
        "upgrade of ticket %s: %d old file(s) in the trash at %s",
        ticket_id,
        len(trashed),
        swap.folder,
    )


def _replaced_in_place(swap: Swap, path: str) -> bool:
    """Whether the placer swapped a file at this very path (its old content is in the folder)."""
    relative = Path(path).relative_to(swap.root)
    return swap.folder.is_dir() and any(
        (entry / relative).exists()
        for entry in swap.folder.iterdir()
        if entry.name.startswith(REPLACED_PREFIX)
    )


def _trash_path(swap: Swap, path: Path) -> Path:
    """Where an old file goes: its path below the library root, inside the upgrade's folder."""
    return swap.folder / path.relative_to(swap.root)


def _gather_replaced(swap: Swap) -> None:
    """Files the placer swapped in place sit under folder/replaced-<n>/: move them to their path
    below the root inside the folder, so the trash entry restores every file the same way."""
    if not swap.folder.is_dir():
        return
    for entry in list(swap.folder.iterdir()):
        if not entry.name.startswith(REPLACED_PREFIX) or not entry.is_dir():
            continue
        for parent, _, names in os.walk(entry):
            for name in names:
                source = Path(parent) / name
                target = swap.folder / source.relative_to(entry)
                if not os.path.lexists(target):
                    move_file(str(source), str(target))
        _drop_empty(entry)


def _forget_files(paths: list[str]) -> None:
    """The old files' records: no longer in the library (kept, detached from their items, for a
    restore)."""
    if not paths:
        return
    marks = ",".join(
        "?" * len(paths)
    )  # only placeholders go into the SQL; the paths are parameters
    database.execute_sql(
        f'UPDATE media_file_state SET "exists" = 0 WHERE media_file_id IN '  # noqa: S608
        f"(SELECT id FROM media_file WHERE path IN ({marks}))",
        paths,
    )
    database.execute_sql(
        f"UPDATE media_file SET library_item_id = NULL WHERE path IN ({marks})",  # noqa: S608
        paths,
    )


def _drop_empty(folder: Path) -> None:
    """Remove folder and the empty folders below it; anything still inside stays."""
    if not folder.is_dir():
        return
    for parent, _, _ in os.walk(folder, topdown=False):
        try:
            Path(parent).rmdir()
        except OSError:
            continue

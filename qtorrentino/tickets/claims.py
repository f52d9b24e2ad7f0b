"""Claiming work: the highest-priority ready ticket of a stage, leased to one worker thread."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from qtorrentino.clock import Clock
from qtorrentino.db.database import write_transaction
from qtorrentino.db.models import TicketRow
from qtorrentino.domain.states import TicketState

LEASE_SECONDS = 600
"""How long a claim holds without renewal; a running worker renews its claims well before this."""


@dataclass(frozen=True, slots=True)
class Claim:
    """A ticket leased to one worker: the worker owns it until it releases it or the lease runs out."""

    ticket_id: str
    state: TicketState
    attempts: int
    owner: str


def claim_next(states: Iterable[TicketState], *, owner: str, clock: Clock) -> Claim | None:
    """Lease the highest-priority, oldest ticket in one of `states` that nobody holds."""
    now = clock.now()
    wanted = [state.value for state in states]
    with write_transaction():
        row = (TicketRow.select()
               .where(TicketRow.state.in_(wanted) & TicketRow.linked_to.is_null()
                      & (TicketRow.lease_until.is_null() | (TicketRow.lease_until < now)))
               .order_by(TicketRow.priority.desc(), TicketRow.created_at, TicketRow.id)
               .first())
        if row is None:
            return None
        TicketRow.update(lease_owner=owner, lease_until=now + timedelta(seconds=LEASE_SECONDS)).where(
            TicketRow.id == row.id).execute()
        return Claim(row.id, TicketState(row.state), row.attempts, owner)


def release(claim: Claim) -> None:
    """Give a ticket back; nothing happens if another owner took it meanwhile."""
    postpone(claim, None)


def postpone(claim: Claim, until: datetime | None) -> None:
    """Give a ticket back but keep every worker off it until `until` (what it needs is not ready yet)."""
    with write_transaction():
        TicketRow.update(lease_owner=None, lease_until=until).where(
            (TicketRow.id == claim.ticket_id) & (TicketRow.lease_owner == claim.owner)).execute()


def renew(claims: Iterable[Claim], *, clock: Clock) -> int:
    """Extend the leases of claims still being worked on (a long conversion is never claimed twice)."""
    held = list(claims)
    if not held:
        return 0
    until = clock.now() + timedelta(seconds=LEASE_SECONDS)
    renewed = 0
    with write_transaction():
        for claim in held:
            renewed += TicketRow.update(lease_until=until).where(
                (TicketRow.id == claim.ticket_id) & (TicketRow.lease_owner == claim.owner)).execute()
    return renewed


def look_now(state: TicketState, info_hashes: Iterable[str]) -> int:
    """Make postponed tickets of these torrents claimable at once (their torrent just finished)."""
    hashes = sorted(set(info_hashes))
    if not hashes:
        return 0
    with write_transaction():
        return int(TicketRow.update(lease_until=None).where(
            (TicketRow.state == state.value) & TicketRow.info_hash.in_(hashes)
            & TicketRow.lease_owner.is_null() & TicketRow.lease_until.is_null(False)).execute())


def release_all() -> int:
    """Clear every lease (on engine start: the previous process is gone, whatever it held)."""
    with write_transaction():
        held = TicketRow.lease_owner.is_null(False)
        return int(TicketRow.update(lease_owner=None, lease_until=None).where(held).execute())

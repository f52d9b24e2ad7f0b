"""Audit log: the engine's write path, then filtered pages of 50 and export on a log of 1,000,000 events.

Run: python tests/benchmarks/bench_audit.py [COUNT] [TICKETS]
Targets: < 20 ms for a filtered page of 50, export ≥ 200k events/s.

Writes are measured the way the engine makes them (bench_transitions.py's path): TICKETS tickets walk
the happy path from four threads, each state change one unit of work — the ticket row, its
TicketStateChanged event through `AuditLog.record`, a commit with synchronous=FULL, the JSON Lines
mirror append under its lock, the bus. Each transition records one event, so transitions/s is the
engine's audit events/s; it is bound by the two fsyncs per unit of work.

The reads run on a second home whose log is filled with COUNT events from 10,000 tickets of 100
events each, the way an engine emits them: a ticket's events within its working life, about 50
tickets at work at once. That fill goes straight into SQLite (tests/benchmarks/audit_backlog.py) and
is not timed as a figure: the engine never writes that way.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from qtorrentino.audit.query import AuditFilter
from qtorrentino.clock import FrozenClock
from qtorrentino.config.home import Home
from qtorrentino.engine.engine import Engine
from tests.benchmarks import audit_backlog
from tests.benchmarks.bench_transitions import PATH, THREADS, transitions_per_second

BATCH = 50_000
TICKETS = 10_000
ACTIVE = 50
"""Tickets at work at once in the stream the read home is filled with."""
TYPES = ["TicketStateChanged", "SearchExecuted", "MatchingCompleted", "DownloadStarted", "ConversionCompleted",
         "PlacementCompleted", "TicketCreated", "ApprovalGranted"]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    walking = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    start_at = datetime(2026, 1, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as write_folder:
        engine = Engine.open(Home.at(Path(write_folder)), clock=FrozenClock(start_at))
        engine.start(workers=False)
        try:
            ids = [engine.tickets.add_json({"kind": "generic", "query": {"text": f"bench release {n}"}},
                                           actor="cli:bench")[0].id for n in range(walking)]
            rate = transitions_per_second(engine, ids)
        finally:
            engine.stop()
        print(f"engine write path: {walking * len(PATH):,} transitions in {THREADS} threads, "
              f"{rate:,.0f} transitions/s = audit events/s (each: row + TicketStateChanged, commit, "
              f"JSON Lines append)")
    with tempfile.TemporaryDirectory() as folder:
        engine = Engine.open(Home.at(Path(folder)), clock=FrozenClock(start_at))
        per_ticket = max(1, count // TICKETS)
        began = time.perf_counter()
        for offset in range(0, count, BATCH):
            audit_backlog.fill(
                (TYPES[n % len(TYPES)], f"ticket{_ticket_of(n, per_ticket) % TICKETS:05d}", "engine",
                 {"from_state": "acquiring", "to_state": "needs_approval", "reason": f"event {n}"},
                 start_at + timedelta(seconds=n)) for n in range(offset, min(count, offset + BATCH)))
        print(f"read home: {count:,} events from {TICKETS:,} tickets, {ACTIVE} at work at once "
              f"(filled straight into SQLite in {time.perf_counter() - began:.1f} s)")

        filters = {
            "no filter": AuditFilter(),
            "by ticket": AuditFilter(ticket_id="ticket04242"),
            "by type": AuditFilter(types=("PlacementCompleted",)),
            "by type+since": AuditFilter(types=("SearchExecuted",), since=start_at + timedelta(days=5)),
            "by ticket+type": AuditFilter(ticket_id="ticket00007", types=("SearchExecuted",)),
            "by ticket+rare type": AuditFilter(ticket_id="ticket00007", types=("NoSuchEvent",)),
            "by two types": AuditFilter(types=("PlacementCompleted", "TicketCreated")),
        }
        for name, audit_filter in filters.items():
            timings = []
            for _ in range(20):
                began = time.perf_counter()
                page = engine.audit.page(audit_filter, limit=50)
                timings.append((time.perf_counter() - began) * 1000)
            second = engine.audit.page(audit_filter, before=page.next_before, limit=50) if page.next_before else page
            print(f"page of 50, {name}: median {statistics.median(timings):.2f} ms, worst {max(timings):.2f} ms "
                  f"({len(page.events)} + {len(second.events)} events)")

        started = time.perf_counter()
        with (Path(folder) / "export.jsonl").open("wb") as handle:
            exported = engine.audit.export(handle)
        export_seconds = time.perf_counter() - started
        print(f"export: {exported:,} events in {export_seconds:.2f} s = {exported / export_seconds:,.0f} events/s")
        engine.stop()


def _ticket_of(n: int, per_ticket: int) -> int:
    """The ticket of the n-th event: ACTIVE tickets at a time, each with per_ticket events."""
    return (n // (per_ticket * ACTIVE)) * ACTIVE + n % ACTIVE


if __name__ == "__main__":
    main()

"""Audit log at scale: insert 1,000,000 events in batches, query filtered pages of 50, export to JSON Lines.

Run: python tests/benchmarks/bench_audit.py [COUNT]
Targets: ≥ 100k events/s insert, < 20 ms for a filtered page of 50, export ≥ 200k events/s.

The events come from 10,000 tickets of 100 events each, the way an engine emits them: a ticket's events
within its working life, about 50 tickets at work at once. A second home takes the worst case, every batch
touching all 10,000 tickets (round robin), and reports its insert rate too.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from qtorrentino.audit.query import AuditFilter
from qtorrentino.clock import FrozenClock
from qtorrentino.config.home import Home
from qtorrentino.db.database import write_transaction
from qtorrentino.engine.engine import Engine

BATCH = 50_000
TICKETS = 10_000
ACTIVE = 50
"""Tickets at work at once in the realistic stream."""
TYPES = ["TicketStateChanged", "SearchExecuted", "MatchingCompleted", "DownloadStarted", "ConversionCompleted",
         "PlacementCompleted", "TicketCreated", "ApprovalGranted"]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    start_at = datetime(2026, 1, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as worst_folder:
        engine = Engine.open(Home.at(Path(worst_folder)), clock=FrozenClock(start_at))
        rate = _insert(engine, count, start_at, lambda n: n % TICKETS)
        print(f"insert, worst case (every batch touches all {TICKETS:,} tickets): {rate:,.0f} events/s")
        engine.stop()
    with tempfile.TemporaryDirectory() as folder:
        engine = Engine.open(Home.at(Path(folder)), clock=FrozenClock(start_at))
        per_ticket = max(1, count // TICKETS)
        rate = _insert(engine, count, start_at, lambda n: (n // (per_ticket * ACTIVE)) * ACTIVE + n % ACTIVE)
        print(f"insert: {count:,} events in batches of {BATCH:,}, {ACTIVE} tickets at work at once: "
              f"{rate:,.0f} events/s (record_many + commit)")

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


def _insert(engine: Engine, count: int, start_at: datetime, ticket_of: Callable[[int], int]) -> float:
    """Write count events in batches; return events per second spent in record_many and commit."""
    audit = engine.core.audit
    seconds = 0.0
    for offset in range(0, count, BATCH):
        rows = [(TYPES[n % len(TYPES)], f"ticket{ticket_of(n) % TICKETS:05d}", "engine",
                 {"from_state": "acquiring", "to_state": "needs_approval", "reason": f"event {n}"},
                 start_at + timedelta(seconds=n)) for n in range(offset, min(count, offset + BATCH))]
        started = time.perf_counter()
        with write_transaction():
            audit.record_many(rows)
        seconds += time.perf_counter() - started
    return count / seconds


if __name__ == "__main__":
    main()

"""Audit log at scale: insert 1,000,000 events in batches, query filtered pages of 50, export to JSON Lines.

Run: python tests/benchmarks/bench_audit.py [COUNT]
Targets: ≥ 100k events/s insert, < 20 ms for a filtered page of 50, export ≥ 200k events/s.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from qtorrentino.audit.query import AuditFilter  # noqa: E402
from qtorrentino.clock import FrozenClock  # noqa: E402
from qtorrentino.config.home import Home  # noqa: E402
from qtorrentino.db.database import write_transaction  # noqa: E402
from qtorrentino.engine.engine import Engine  # noqa: E402

BATCH = 50_000
TYPES = ["TicketStateChanged", "SearchExecuted", "MatchingCompleted", "DownloadStarted", "ConversionCompleted",
         "PlacementCompleted", "TicketCreated", "ApprovalGranted"]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as folder:
        start_at = datetime(2026, 1, 1, tzinfo=UTC)
        engine = Engine.open(Home.at(Path(folder)), clock=FrozenClock(start_at))
        audit = engine.core.audit
        insert_seconds = 0.0
        for offset in range(0, count, BATCH):
            rows = [(TYPES[n % len(TYPES)], f"ticket{n % 10_000:05d}", "engine",
                     {"from_state": "acquiring", "to_state": "needs_approval", "reason": f"event {n}"},
                     start_at + timedelta(seconds=n)) for n in range(offset, min(count, offset + BATCH))]
            started = time.perf_counter()
            with write_transaction():
                audit.record_many(rows)
            insert_seconds += time.perf_counter() - started
        print(f"insert: {count:,} events in batches of {BATCH:,}: {insert_seconds:.2f} s in record_many + commit "
              f"= {count / insert_seconds:,.0f} events/s")

        filters = {
            "no filter": AuditFilter(),
            "by ticket": AuditFilter(ticket_id="ticket04242"),
            "by type": AuditFilter(types=("PlacementCompleted",)),
            "by type+since": AuditFilter(types=("SearchExecuted",), since=start_at + timedelta(days=5)),
            "by ticket+type": AuditFilter(ticket_id="ticket00007", types=("SearchExecuted",)),
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


if __name__ == "__main__":
    main()

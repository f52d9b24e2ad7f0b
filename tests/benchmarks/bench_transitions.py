"""The engine's state transitions per second, each with its audit event and its JSON Lines mirror line.

Run: python tests/benchmarks/bench_transitions.py [TICKETS]

Each transition goes the way a worker makes it: one unit of work (`with core.uow() as outbox:`), the
real `TicketCommands.transition` (row update + TicketStateChanged + linked followers), commit with
synchronous=FULL, then the mirror append under its file lock and the bus publish. Every ticket walks the
happy path pending → acquiring → auto_approved → downloading → converting → placing → completed, from
several threads at once as the stage workers do. The mirror is checked line for line against SQLite.

It also measures how a running engine learns of a CLI commit: reading the audit rows after its cursor
(what the change watcher does) against re-reading the newest 500 rows (what it did before).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from qtorrentino.audit.query import AuditFilter, page
from qtorrentino.clock import FrozenClock
from qtorrentino.config.home import Home
from qtorrentino.db.database import database
from qtorrentino.domain.states import TicketState
from qtorrentino.engine.changes import events_after, last_seq
from qtorrentino.engine.engine import Engine
from tests.benchmarks import audit_backlog

PATH = (TicketState.ACQUIRING, TicketState.AUTO_APPROVED, TicketState.DOWNLOADING, TicketState.CONVERTING,
        TicketState.PLACING, TicketState.COMPLETED)
THREADS = 4
"""Writers at once, as acquisition, download, conversion and placement workers would be."""
BACKLOG = 200_000
"""Audit rows already in the log when the change watcher is measured."""


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
    with tempfile.TemporaryDirectory() as folder:
        home = Home.at(Path(folder))
        engine = Engine.open(home, clock=FrozenClock(datetime(2026, 1, 1, tzinfo=UTC)))
        engine.start(workers=False)
        try:
            ids = [engine.tickets.add_json({"kind": "generic", "query": {"text": f"bench release {n}"}},
                                           actor="cli:bench")[0].id for n in range(count)]
            mirrored_before = _lines(home)
            rate = transitions_per_second(engine, ids)
            mirrored = _lines(home) - mirrored_before
            print(f"transitions: {count * len(PATH):,} in {THREADS} threads: {rate:,.0f} transitions/s "
                  f"(each one unit of work: row + TicketStateChanged, commit, JSON Lines append, bus)")
            print(f"mirror: {mirrored:,} lines appended for {count * len(PATH):,} transitions; "
                  f"audit.jsonl ends at seq {last_seq():,}")
            assert mirrored == count * len(PATH), "the mirror lost lines"
            _watcher(engine)
        finally:
            engine.stop()


def transitions_per_second(engine: Engine, ids: list[str]) -> float:
    """Walk every ticket along PATH from THREADS threads, one unit of work per transition."""
    core = engine.core
    chunks = [ids[index::THREADS] for index in range(THREADS)]

    def walk(chunk: list[str]) -> None:
        for ticket_id in chunk:
            for state in PATH:
                with core.uow() as outbox:
                    core.commands.transition(outbox, ticket_id, state, reason="benchmark", actor="engine")
        database.close()

    threads = [threading.Thread(target=walk, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(ids) * len(PATH) / (time.perf_counter() - started)


def _watcher(engine: Engine) -> None:
    """A CLI commit of 3 events on top of a large log: the cursor read against the newest-500 re-read."""
    core = engine.core
    at = core.clock.now()
    record = [("SearchExecuted", f"t{n % 5000}", "engine", {"n": n}, at) for n in range(BACKLOG)]
    audit_backlog.fill(record)
    core.audit.mirror()
    cursor = last_seq() - 3
    cursor_ms = _median_ms(lambda: events_after(cursor))
    newest_ms = _median_ms(lambda: page(AuditFilter(), limit=500))
    print(f"change watcher on a log of {last_seq():,} events, 3 new: rows after the cursor {cursor_ms:.3f} ms, "
          f"newest 500 re-read {newest_ms:.3f} ms (median of 50)")


def _median_ms(call: object) -> float:
    times = []
    for _ in range(50):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _lines(home: Home) -> int:
    return sum(1 for _ in home.audit_jsonl.open("rb")) if home.audit_jsonl.exists() else 0


if __name__ == "__main__":
    main()

"""The RSS sync: a 100-item recent feed against 10,000 waiting tickets — time and memory.

Run: python tests/benchmarks/bench_rss_sync.py [--tickets N] [--items N]

The feed's items are release names of the corpus we did not write (bench_parse_labels: guessit's,
parse-torrent-title's and the written music names), served by the loopback Torznab server and read
by the watch exactly as the engine does (Watch.read_feeds: the indexer's recent feed, the items not
seen before, the in-memory index, the one scorer and the one decision rule). The tickets are filed
through the engine's own ticket commands and left waiting: the corpus's own titles (of the feed's
own items only --share of them, as a real feed is mostly for nobody), then names made of two corpus
words. Printed: the index built from the database (once per engine start), the first read, a read of
100 other new items, and one of the same items again (all seen): wall and CPU time, the peak of
Python allocations during each (tracemalloc) and the process's resident size.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_parse_labels import all_cases

from qtorrentino.db.models import TicketRow
from qtorrentino.domain.states import TicketState
from qtorrentino.engine.engine import Engine
from qtorrentino.search.indexers import IndexerSet
from qtorrentino.workers.watch import Watch
from tests.conftest import make_home
from tests.servers.torznab import DEFAULT_API_KEY, Release, TorznabServer


def ticket_of(expected: dict[str, Any]) -> dict[str, Any] | None:
    """A ticket wanting what a corpus label names (its title, series or artist and album)."""
    if isinstance(expected.get("artist"), str) and isinstance(expected.get("album"), str):
        return {
            "kind": "album",
            "query": {"artist": expected["artist"], "album": expected["album"]},
        }
    if not isinstance(expected.get("title"), str):
        return None
    season, episodes = expected.get("season"), expected.get("episodes")
    if (
        isinstance(season, int)
        and isinstance(episodes, list)
        and episodes
        and isinstance(episodes[0], int)
    ):
        return {
            "kind": "episode",
            "query": {"series": expected["title"], "season": season, "episodes": episodes[:1]},
        }
    if not expected.get("episodes") and expected.get("season") is None:
        return {"kind": "movie", "query": {"title": expected["title"]}}
    return None


def tickets(count: int, items: int, share: float) -> list[dict[str, Any]]:
    """count watched tickets: the corpus labels' tickets, of the feed's own items only `share` of
    them (the rest of a feed is for nobody, as on a real indexer), then two-word names from corpus
    words."""
    cases = all_cases()
    window = 2 * items
    step = max(1, round(1 / share)) if share > 0 else window + 1
    chosen = [case for index, case in enumerate(cases) if index >= window or index % step == 0]
    labelled = [made for case in chosen if (made := ticket_of(case.expected)) is not None]
    unique = list({repr(ticket): ticket for ticket in labelled}.values())[:count]
    words = sorted(
        {word for case in cases for word in case.name.split() if word.isalpha() and len(word) > 3}
    )
    rng = random.Random(15)
    made = [{**ticket, "watch": True} for ticket in unique]
    while len(made) < count:
        title = f"{rng.choice(words)} {rng.choice(words)}"
        made.append(
            {
                "kind": "movie",
                "query": {"title": title, "year": rng.randint(1950, 2025)},
                "watch": True,
            }
        )
    return made


def feed(count: int, offset: int) -> list[Release]:
    """count corpus names from offset, as a feed's items (distinct GUIDs through their index)."""
    names = [case.name.rsplit("/", 1)[-1] for case in all_cases()]
    rng = random.Random(offset)
    return [
        Release(
            title=names[(offset + n) % len(names)],
            size=rng.randint(50, 9000) * 1_000_000,
            seeders=rng.randint(0, 300),
            info_hash=f"{offset + n:040x}",
            category=8000,
            magnet=f"magnet:?xt=urn:btih:{offset + n:040x}",
        )
        for n in range(count)
    ]


def measure(watch: Watch, label: str) -> dict[str, float]:
    """One read of the feed, timed; Python's allocation peak during it."""
    watch._read_at.clear()
    tracemalloc.start()
    cpu, wall = time.process_time(), time.perf_counter()
    reports = watch.read_feeds()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  {label:<44} wall {wall * 1000:8.1f} ms  cpu {cpu * 1000:8.1f} ms  "
        f"peak alloc {peak / 1e6:6.1f} MB  max RSS {rss:6.0f} MB"
    )
    for report in reports:
        print(
            f"    {report.items} items, {report.new} new, {report.matched} ticket(s) named by one, "
            f"{len(report.handed)} found; matching and scoring "
            f"{report.matching_seconds * 1000:.1f} ms, "
            f"the one write {report.writing_seconds * 1000:.1f} ms"
        )
    return {"wall": wall, "cpu": cpu, "peak": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument(
        "--share",
        type=float,
        default=0.05,
        help="the share of the feed's items some ticket wants (1 = a ticket for each)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, TorznabServer(releases=[]) as server:
        home = make_home(
            Path(folder),
            f'\n[[indexers]]\nname = "bench"\nurl = "{server.url}"\n'
            f'api_key = "{DEFAULT_API_KEY}"\nrate_limit_per_minute = 0\n'
            "\n[watch]\nrss_interval_seconds = 900\n",
        )
        engine = Engine.open(home)
        engine.start(workers=False)
        try:
            started = time.perf_counter()
            filed = tickets(args.tickets, args.items, args.share)
            for ticket in filed:
                engine.tickets.add_json(ticket, actor="bench")
            TicketRow.update(state=TicketState.WAITING.value, watching=True).execute()
            print(
                f"{len(filed)} waiting tickets filed in {time.perf_counter() - started:.1f} s "
                f"(load average {os.getloadavg()[0]:.2f}, 2 cores shared)"
            )
            indexers = IndexerSet(engine.context.config.indexers, engine.context.clock)
            watch = Watch(engine.context, indexers)
            print(
                f"RSS sync of a {args.items}-item recent feed (loopback Torznab, real HTTP) "
                "against "
                f"{len(filed)} waiting tickets:"
            )
            tracemalloc.start()
            cpu, wall = time.process_time(), time.perf_counter()
            watch.rss.index.refresh()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            index_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(
                f"  {'the index built from the database (once)':<44} "
                f"wall {wall * 1000:8.1f} ms  cpu "
                f"{cpu * 1000:8.1f} ms  peak alloc {index_peak / 1e6:6.1f} MB"
            )
            server.releases = feed(args.items, 0)
            first = measure(watch, "first read")
            matched = len(watch.rss.index)
            server.releases = feed(args.items, args.items)
            warm = measure(watch, f"a second read, {args.items} other new items")
            measure(watch, f"the same {args.items} items again (all seen)")
            handed = (
                TicketRow.select().where(TicketRow.state == TicketState.ACQUIRING.value).count()
            )
            print(
                f"  index: {matched} tickets; {handed} ticket(s) found their release and went to "
                "acquisition"
            )
            print(
                f"  per item: {warm['wall'] / args.items * 1e6:.0f} us; "
                f"first read {first['wall']:.3f} s, "
                f"second {warm['wall']:.3f} s (target: well under 1 s)"
            )
            indexers.close()
        finally:
            engine.stop()


if __name__ == "__main__":
    main()

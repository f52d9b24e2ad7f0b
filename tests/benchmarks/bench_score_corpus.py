"""Scoring first-seen candidates on real release names: ms per 10,000, parsing included.

Run: python tests/benchmarks/bench_score_corpus.py [--passes N]

The candidates are the distinct names of the release-name corpus (bench_parse_labels: guessit's and
parse-torrent-title's test names, and the music names; real names, none written for this), as an
indexer would list them (sizes and seeders drawn with a fixed seed), scored for one ticket through
score_candidates given the default threshold 0.85, the call the acquisition worker's matcher makes
(it passes the ticket's threshold). "First seen": before each pass
every memo of the program is emptied (the parse caches, the similarity caches, the scorer's factor
caches and its per-ticket verdicts), so each name is parsed and scored from nothing. The corpus
holds ~1,300 distinct names, so 10,000 first-seen candidates are ⌈10,000 / names⌉ such passes, each
one call; the figure is their total time scaled to 10,000. Measured in a fresh child process, CPU
time and wall clock, best and median of the repeats, with the load average (the machine is shared).
The same passes with the parse caches kept (the names already parsed) show the scorer's own share.
The scorer parses only the names that may name the ticket (textbrain/unrelated.py) when one of them
clearly is its content, none resembles it or none reaches the threshold; bench_score_equivalence.py
counts and classifies the decisions that changes.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

CANDIDATES = 10_000
THRESHOLD = 0.85
"""The configured auto_approve_threshold's default: what the engine passes for these tickets."""
TICKETS: dict[str, dict[str, Any]] = {
    "movie": {"kind": "movie", "query": {"title": "Alien", "year": 1979}},
    "episode": {"kind": "episode", "query": {"series": "Doctor Who", "season": 6, "episodes": [13]}},
    "album": {"kind": "album",
              "query": {"artist": "The Beatles", "album": "Abbey Road", "year": 1969}},
    "movie-": {"kind": "movie", "query": {"title": "The Matrix", "year": 1999}},
    "album-": {"kind": "album",
               "query": {"artist": "Radiohead", "album": "OK Computer", "year": 1997}},
}
"""Tickets whose content the corpus lists (a few of its names), and ("-") two it does not: for The
Matrix no name that may name it scores even 0.35; for OK Computer other Radiohead albums score
0.37-0.38, below the threshold: in both the others are set aside unparsed."""


def _forget_everything() -> None:
    """Empty every memo of the program: parse, similarity and factor caches, per-ticket verdicts."""
    from qtorrentino.textbrain.score import forget_past_scoring

    forget_past_scoring()
    for name, module in list(sys.modules.items()):
        if name.startswith("qtorrentino."):
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def timed_child(names_file: str, repeats: int) -> None:
    """In a fresh process: per ticket, the CPU and wall seconds of the passes that score 10,000
    first-seen candidates, and of the same passes with names already parsed."""
    from qtorrentino.domain.release import parse_release
    from qtorrentino.domain.ticket_json import spec_from_json
    from qtorrentino.search.result import SearchResult
    from qtorrentino.textbrain.score import forget_past_scoring, score_candidates

    names = json.loads(Path(names_file).read_text(encoding="utf-8"))
    rng = random.Random(14)
    results = [SearchResult(title=name, indexer="bench", size=rng.randint(30, 20_000) * 1_000_000,
                            seeders=rng.choice([None, *range(500)]),
                            info_hash=f"{index:040x}") for index, name in enumerate(names)]
    passes = math.ceil(CANDIDATES / len(results))
    figures: dict[str, Any] = {"names": len(names), "passes": passes}
    for kind, ticket in TICKETS.items():
        spec = spec_from_json({**ticket, "library": "Any"})
        cold: list[tuple[float, float]] = []
        parsed: list[tuple[float, float]] = []
        for _ in range(repeats):
            cpu = wall = 0.0
            for _ in range(passes):
                _forget_everything()
                started, cpu_started = time.perf_counter(), time.process_time()
                score_candidates(spec, results, THRESHOLD)
                wall += time.perf_counter() - started
                cpu += time.process_time() - cpu_started
            cold.append((cpu, wall))
            for name in names:
                parse_release(name)
            cpu = wall = 0.0
            for _ in range(passes):
                forget_past_scoring()
                started, cpu_started = time.perf_counter(), time.process_time()
                score_candidates(spec, results, THRESHOLD)
                wall += time.perf_counter() - started
                cpu += time.process_time() - cpu_started
            parsed.append((cpu, wall))
        figures[kind] = {"cold": cold, "parsed": parsed}
    print(json.dumps(figures))


def _per_10k(seconds: float, candidates: int) -> float:
    return seconds / candidates * CANDIDATES * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--time-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.time_child:
        timed_child(args.time_child, args.repeats)
        return
    from bench_parse_labels import all_cases

    names = sorted({case.name for case in all_cases()})
    path = Path(tempfile.gettempdir()) / f"qtorrentino-score-{os.getpid()}.json"
    path.write_text(json.dumps(names), encoding="utf-8")
    try:
        answer = subprocess.run(
            [sys.executable, __file__, "--time-child", str(path), "--repeats", str(args.repeats)],
            capture_output=True, text=True, check=True)
    finally:
        path.unlink()
    figures = json.loads(answer.stdout.strip().splitlines()[-1])
    count, passes = figures["names"], figures["passes"]
    scored = count * passes
    print(f"score_candidates (threshold {THRESHOLD}) on {count} distinct real corpus names, "
          f"{passes} passes of one call = {scored:,} first-seen candidates per ticket, scaled to "
          f"{CANDIDATES:,}; best and median of {args.repeats} (load average {os.getloadavg()[0]:.2f}, 2 cores shared):")
    for kind in TICKETS:
        for label, key in (("parsing included", "cold"), ("names already parsed", "parsed")):
            runs = figures[kind][key]
            cpus, walls = sorted(run[0] for run in runs), sorted(run[1] for run in runs)
            print(f"  {kind:8} {label:21}: CPU {_per_10k(cpus[0], scored):6.0f} ms "
                  f"(median {_per_10k(cpus[len(cpus) // 2], scored):6.0f}), wall "
                  f"{_per_10k(walls[0], scored):6.0f} ms (median "
                  f"{_per_10k(walls[len(walls) // 2], scored):6.0f}) per {CANDIDATES:,}")


if __name__ == "__main__":
    main()

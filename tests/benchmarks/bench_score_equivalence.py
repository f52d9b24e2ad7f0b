"""The scoring pre-check changes no decision: score_candidates against score_in_full on the corpus.

Run: python tests/benchmarks/bench_score_equivalence.py [--reference ROOT]

Tickets are built from the release-name corpus itself (bench_parse_labels: guessit's and
parse-torrent-title's test names and the music names; none written for this): every distinct
movie, episode, season, album and track its names parse to. Each ticket scores every corpus name
(~1,300 candidates, sizes and seeders drawn with a fixed seed) twice: through score_candidates
(the pre-check may set names aside unparsed) and through score_in_full (every name parsed). For
each ticket and each threshold it checks the decision is the same (outcome, recommended rank,
confidence, reason), that every candidate the full path ranks above UNRELATED_CEILING keeps its
place and everything about it (score, factors, reasons, flags, parse), and that no name the
pre-check sets aside scored above the ceiling in the full path. It prints the counts and the
highest full-path score of a set-aside name.

The labelled sets (tests/data/matching_cases.json, tests/data/decision_cases.json) go through the
same comparison, each case's ticket against its own candidates.

With --reference ROOT (a checkout of an earlier commit), it also checks that score_in_full here
ranks every candidate of every ticket exactly as score_candidates there (all fields, all ranks).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

THRESHOLDS = (0.75, 0.85, 0.95)
DATA = Path(__file__).resolve().parents[1] / "data"


def corpus_tickets(names: list[str]) -> list[dict[str, Any]]:
    """One ticket per distinct movie, episode, season, album or track the corpus names parse to."""
    from qtorrentino.domain.release import parse_release
    from qtorrentino.domain.ticket_json import spec_from_json
    from qtorrentino.errors import QtorrentinoError

    tickets: dict[str, dict[str, Any]] = {}
    for name in names:
        ticket = _ticket_of(parse_release(name))
        if ticket is None:
            continue
        try:
            spec_from_json({**ticket, "library": "Any"})
        except QtorrentinoError:
            continue
        tickets.setdefault(json.dumps(ticket, sort_keys=True), ticket)
    return list(tickets.values())


def _ticket_of(release: Any) -> dict[str, Any] | None:
    if release.kind == "movie" and release.title:
        return {"kind": "movie", "query": {"title": release.title,
                                           **({"year": release.year} if release.year else {})}}
    numbered = release.season is not None and bool(release.episodes)
    if release.kind == "episode" and release.series and numbered:
        return {"kind": "episode", "query": {"series": release.series, "season": release.season,
                                             "episodes": list(release.episodes)}}
    if release.kind == "season" and release.series and release.season is not None:
        return {"kind": "season", "query": {"series": release.series, "season": release.season}}
    if release.kind == "music" and release.artist and release.album:
        return {"kind": "album", "query": {"artist": release.artist, "album": release.album,
                                           **({"year": release.year} if release.year else {})}}
    if release.kind == "music" and release.artist and release.title:
        return {"kind": "track", "query": {"artist": release.artist, "title": release.title}}
    return None


def corpus_results(names: list[str]) -> list[Any]:
    """The names as an indexer would list them (bench_score_corpus draws sizes the same way)."""
    from qtorrentino.search.result import SearchResult

    rng = random.Random(14)
    return [SearchResult(title=name, indexer="bench", size=rng.randint(30, 20_000) * 1_000_000,
                         seeders=rng.choice([None, *range(500)]), info_hash=f"{index:040x}")
            for index, name in enumerate(names)]


def _names() -> list[str]:
    from bench_parse_labels import all_cases

    return sorted({case.name for case in all_cases()})


def digests() -> None:
    """In a child process: per ticket, a digest of the full path's whole ranking (every field)."""
    from qtorrentino.domain.ticket_json import spec_from_json
    from qtorrentino.textbrain import score

    full = getattr(score, "score_in_full", score.score_candidates)
    names = _names()
    results = corpus_results(names)
    answer = []
    for ticket in corpus_tickets(names):
        ranking = full(spec_from_json({**ticket, "library": "Any"}), results)
        text = repr([(c.result, c.score, c.factors, c.red_flags, c.rejected, c.release)
                     for c in ranking])
        answer.append(hashlib.sha256(text.encode()).hexdigest())
    print(json.dumps(answer))


def _digests_under(root: Path) -> list[str]:
    environment = {**os.environ, "PYTHONPATH": str(root)}
    answer = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--digests"],
                            capture_output=True, text=True, check=True, env=environment, cwd=root)
    digest_list: list[str] = json.loads(answer.stdout.strip().splitlines()[-1])
    return digest_list


def equivalence() -> bool:
    """Compare the two paths on every corpus ticket; print the figures; True when all agree."""
    from qtorrentino.domain.ticket_json import spec_from_json
    from qtorrentino.textbrain.score import forget_past_scoring, score_candidates, score_in_full
    from qtorrentino.textbrain.unrelated import UNRELATED_CEILING
    from qtorrentino.textbrain.wanted import wanted_for

    names = _names()
    results = corpus_results(names)
    tickets = corpus_tickets(names)
    fast_tickets = differing = set_aside_total = kept_total = 0
    highest_aside: tuple[float, str, str] = (0.0, "", "")
    for ticket in tickets:
        spec = spec_from_json({**ticket, "library": "Any"})
        forget_past_scoring()
        fast = score_candidates(spec, results)
        forget_past_scoring()
        full = score_in_full(spec, results)
        words = wanted_for(spec).words
        aside = {r.title for r in results if words is not None and not words.named_by(r.title)}
        for candidate in full:
            if candidate.result.title in aside and candidate.score > highest_aside[0]:
                query = json.dumps(ticket["query"])
                highest_aside = (candidate.score, query, candidate.result.title)
        took_fast = any(f.reason.startswith("does not name") for c in fast for f in c.factors)
        fast_tickets += took_fast
        set_aside_total += len(aside) if took_fast else 0
        kept_total += next((rank for rank, c in enumerate(full)
                            if c.rejected or c.score <= UNRELATED_CEILING), len(full))
        if not _agree(fast, full):
            differing += 1
            print(f"  DIFFERS: {ticket['query']}")
    print(f"{len(tickets)} tickets from the corpus, each scoring all {len(results)} corpus names; "
          f"thresholds {THRESHOLDS}")
    print(f"  pre-check used (a candidate naming the ticket scored >= the floor): {fast_tickets} "
          f"tickets, {set_aside_total:,} candidates set aside unparsed")
    print(f"  candidates ranked above the ceiling {UNRELATED_CEILING} (compared whole): "
          f"{kept_total:,}")
    print(f"  highest full-path score of a name the pre-check sets aside: {highest_aside[0]:.4f} "
          f"({highest_aside[1]}: {highest_aside[2]!r})")
    print(f"  tickets whose decision or ranking above the ceiling differs: {differing}")
    return differing == 0 and highest_aside[0] <= UNRELATED_CEILING


def _agree(fast: list[Any], full: list[Any]) -> bool:
    """The same decision at every threshold; the same candidates, in place, above the ceiling."""
    from qtorrentino.textbrain.decide import decide
    from qtorrentino.textbrain.unrelated import UNRELATED_CEILING

    above = next((rank for rank, c in enumerate(full)
                  if c.rejected or c.score <= UNRELATED_CEILING), len(full))
    return fast[:above] == full[:above] and all(
        decide(fast, threshold) == decide(full, threshold) for threshold in THRESHOLDS)


def labelled() -> bool:
    """The two paths on every labelled matching and decision case; print the counts."""
    from bench_matching import results_of as matching_results

    from qtorrentino.domain.ticket_json import spec_from_json
    from qtorrentino.textbrain.score import forget_past_scoring, score_candidates, score_in_full
    from tests.decision_cases import results_of as decision_results

    matching = json.loads((DATA / "matching_cases.json").read_text(encoding="utf-8"))
    decisions = json.loads((DATA / "decision_cases.json").read_text(encoding="utf-8"))
    pairs = [(case["ticket"], matching_results(case)) for case in matching]
    pairs += [(case["ticket"], decision_results(case)) for case in decisions]
    used = differing = 0
    for ticket, results in pairs:
        spec = spec_from_json(ticket)
        forget_past_scoring()
        fast = score_candidates(spec, results)
        forget_past_scoring()
        full = score_in_full(spec, results)
        used += any(c.reasons[0].startswith("does not name") for c in fast)
        differing += not _agree(fast, full)
    print(f"labelled sets: {len(pairs)} cases ({len(matching)} matching, {len(decisions)} "
          f"decision); pre-check used in {used}; decision or ranking above the ceiling differs "
          f"in {differing}")
    return differing == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, help="a checkout whose score_candidates to match")
    parser.add_argument("--digests", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.digests:
        digests()
        return
    agreed = labelled()
    agreed = equivalence() and agreed
    if args.reference:
        here = Path(__file__).resolve().parents[2]
        ours, theirs = _digests_under(here), _digests_under(args.reference.resolve())
        same = sum(a == b for a, b in zip(ours, theirs, strict=True))
        print(f"score_in_full here vs score_candidates at {args.reference}: {same} of {len(ours)} "
              f"tickets ranked identically (every candidate, every field)")
        agreed = agreed and same == len(ours)
    sys.exit(0 if agreed else 1)


if __name__ == "__main__":
    main()

"""What the scoring pre-check changes: score_candidates against score_in_full, decision by decision.

Run: python tests/benchmarks/bench_score_equivalence.py [--reference ROOT]

Tickets are built from the release-name corpus itself (bench_parse_labels: guessit's and
parse-torrent-title's test names and the music names; none written for this): every distinct movie,
episode, season, album and track its names parse to. Each ticket scores every corpus name (~1,300
candidates, sizes and seeders drawn with a fixed seed) through score_in_full (every name parsed)
and, at each threshold, through score_candidates given that threshold as the engine gives it (names
that do not name the ticket set aside unparsed, score 0, when a name of it scores FAST_PATH_FLOOR,
none scores USELESS_BELOW or none reaches the threshold). At each threshold it checks that every
candidate that names the ticket keeps its place among them and everything about it (score, factors,
reasons, flags, parse), and compares the decisions. Every decision that changes is
counted by its outcome before → after and classified: (a) an auto-approval of a name that does not
name the ticket is withdrawn; (b) a person was to be asked about a name that does not name the
ticket, now nothing resembles it; (c) a candidate that names the ticket, and parses to the ticket
itself, auto-approves, its only close rival having been a name that does not; (d) a person is asked,
about a candidate that names the ticket instead of one that does not; (e) nothing resembled the
ticket either way, only the best score quoted changes. Anything else, an after-pick that does not
name the ticket, or a before-pick whose name parses to the ticket itself, is a worse decision and
fails the run, and so does a name set aside that scored above UNRELATED_CEILING in full. It prints
the counts and the highest full-path score of a set-aside name.

The labelled sets (tests/data/matching_cases.json, tests/data/decision_cases.json) go through the
same comparison, each case's ticket against its own candidates.

With --reference ROOT (a checkout of an earlier commit), it also checks that score_in_full here
ranks every candidate of every ticket exactly as score_in_full (or score_candidates) there.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

THRESHOLDS = (0.6, 0.75, 0.85, 0.95)
"""0.6: the lowest a ticket's own auto_approve_threshold is set to in practice; 0.85: the default."""
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


class Changes:
    """The decisions that differ between the two paths, counted by kind and by outcome change."""

    def __init__(self) -> None:
        self.compared = 0
        self.kinds: Counter[str] = Counter()
        self.outcomes: Counter[str] = Counter()
        self.after_names: Counter[bool] = Counter()
        self.worse: list[str] = []
        self.reordered: list[str] = []
        self.examples: dict[str, str] = {}

    def compare(self, ticket: dict[str, Any], spec: Any, fast_at: dict[float, list[Any]],
                full: list[Any]) -> None:
        """Every threshold's decisions on one ticket, the pre-check given that threshold; the
        candidates naming it compared whole."""
        from qtorrentino.textbrain.decide import decide
        from qtorrentino.textbrain.wanted import wanted_for

        words = wanted_for(spec).words

        def names(candidate: Any) -> bool:
            return bool(words is None or candidate.result.files or words.named_by(candidate.result.title))

        for threshold in THRESHOLDS:
            self.compared += 1
            fast = fast_at[threshold]
            if [c for c in fast if names(c)] != [c for c in full if names(c)]:
                self.reordered.append(f"{json.dumps(ticket['query'])} at {threshold}")
            before, after = decide(full, threshold), decide(fast, threshold)
            if before == after:
                continue
            before_pick, after_pick = _top(full), _top(fast)
            rival = next((c for c in full if before.reason.endswith(f": {c.result.title} ({c.score:.2f})")),
                         None)
            rival_named = rival is None or names(rival)
            kind = _kind(before, after, names(before_pick), names(after_pick),
                         before_pick.result == after_pick.result, rival_named)
            own = _ticket_of_name(before_pick.result.title) == ticket and not names(before_pick)
            if kind == "c" and _ticket_of_name(after_pick.result.title) != ticket:
                kind = "worse"
            self.outcomes[f"{before.outcome.value} → {after.outcome.value}"] += 1
            self.after_names[names(after_pick)] += 1
            if kind == "worse" or own:
                self.worse.append(f"{ticket['query']} at {threshold}: {before.reason} → {after.reason}")
            else:
                self.kinds[kind] += 1
                self.examples.setdefault(kind, f"{ticket['query']} at {threshold}: {before.reason} → "
                                               f"{after.reason}")

    def report(self, label: str) -> bool:
        """Print the counts; True when every change is of a listed kind and nothing reordered."""
        print(f"  {label}: {self.compared:,} decisions compared (tickets × thresholds); "
              f"{sum(self.outcomes.values())} change")
        for kind, count in sorted(self.kinds.items()):
            print(f"    {KINDS[kind]}: {count}, e.g. {self.examples[kind]}")
        for change, count in sorted(self.outcomes.items()):
            print(f"    outcome {change}: {count}")
        print(f"    the candidate decided on after (recommended, or quoted when nothing resembles the "
              f"ticket) names it: {self.after_names[True]}, does not (every name set aside): "
              f"{self.after_names[False]}")
        print(f"    worse decisions: {len(self.worse)}; tickets whose candidates naming them are "
              f"ranked or scored otherwise: {len(self.reordered)}")
        for line in [*self.worse, *self.reordered][:20]:
            print(f"      {line}")
        return not self.worse and not self.reordered


KINDS = {
    "a": "(a) auto-approval of other content withdrawn",
    "b": "(b) needs_approval among other content → nothing resembles the ticket",
    "c": "(c) approved alone, its close rival having been other content",
    "d": "(d) a person is asked about a name of the ticket, not other content",
    "e": "(e) nothing resembled the ticket either way; only the quoted best score changes",
}


def _top(scored: list[Any]) -> Any:
    """The candidate decide recommends or quotes (the best acceptable one, else the best)."""
    acceptable = [candidate for candidate in scored if not candidate.rejected]
    return acceptable[0] if acceptable else max(scored, key=lambda candidate: candidate.score)


def _kind(before: Any, after: Any, before_named: bool, after_named: bool, same_pick: bool,
          rival_named: bool) -> str:
    """Which of the listed kinds a changed decision is; "worse" when none."""
    from qtorrentino.textbrain.decide import Outcome

    if not after_named and after.outcome is not Outcome.ACQUISITION_FAILED:
        return "worse"
    if before.outcome is Outcome.AUTO_APPROVE:
        return "a" if not before_named else "worse"
    if before.outcome is Outcome.NEEDS_APPROVAL and after.outcome is Outcome.ACQUISITION_FAILED:
        return "b" if not before_named else "worse"
    if before.outcome is Outcome.NEEDS_APPROVAL and after.outcome is Outcome.AUTO_APPROVE:
        rival = before.reason.startswith("too close to a different release")
        return "c" if rival and before_named and same_pick and not rival_named else "worse"
    if before.outcome is Outcome.NEEDS_APPROVAL and after.outcome is Outcome.NEEDS_APPROVAL:
        return "d" if not before_named else "worse"
    if before.outcome is after.outcome is Outcome.ACQUISITION_FAILED:
        return "e"
    return "worse"


def _ticket_of_name(title: str) -> dict[str, Any] | None:
    from qtorrentino.domain.release import parse_release

    return _ticket_of(parse_release(title))


def _fast_at(spec: Any, results: list[Any]) -> dict[float, list[Any]]:
    """score_candidates given each checked threshold, each from a cold cache."""
    from qtorrentino.textbrain.score import forget_past_scoring, score_candidates

    fast_at = {}
    for threshold in THRESHOLDS:
        forget_past_scoring()
        fast_at[threshold] = score_candidates(spec, results, threshold)
    return fast_at


def equivalence() -> bool:
    """Compare the two paths on every corpus ticket; print the figures; True when no change is worse."""
    from qtorrentino.domain.ticket_json import spec_from_json
    from qtorrentino.textbrain.score import forget_past_scoring, score_in_full
    from qtorrentino.textbrain.unrelated import UNRELATED_CEILING
    from qtorrentino.textbrain.wanted import wanted_for

    names = _names()
    results = corpus_results(names)
    tickets = corpus_tickets(names)
    changes = Changes()
    set_aside_tickets = set_aside_total = 0
    highest_aside: tuple[float, str, str] = (0.0, "", "")
    for ticket in tickets:
        spec = spec_from_json({**ticket, "library": "Any"})
        fast_at = _fast_at(spec, results)
        forget_past_scoring()
        full = score_in_full(spec, results)
        words = wanted_for(spec).words
        aside = {r.title for r in results if words is not None and not words.named_by(r.title)}
        for fast in fast_at.values():
            unparsed = sum(1 for c in fast if c.reasons[0].startswith("does not name"))
            set_aside_tickets += unparsed > 0
            set_aside_total += unparsed
        for candidate in full:
            if candidate.result.title in aside and candidate.score > highest_aside[0]:
                highest_aside = (candidate.score, json.dumps(ticket["query"]), candidate.result.title)
        changes.compare(ticket, spec, fast_at, full)
    print(f"{len(tickets)} tickets from the corpus, each scoring all {len(results)} corpus names; "
          f"thresholds {THRESHOLDS}; names set aside unparsed for {set_aside_tickets} "
          f"(ticket, threshold) pairs, {set_aside_total:,} candidates")
    print(f"  highest full-path score of a name the pre-check sets aside: {highest_aside[0]:.4f} "
          f"({highest_aside[1]}: {highest_aside[2]!r}); the ceiling FAST_PATH_FLOOR rests on: "
          f"{UNRELATED_CEILING}")
    return changes.report("corpus") and highest_aside[0] <= UNRELATED_CEILING


def labelled() -> bool:
    """The two paths on every labelled matching and decision case; print the counts."""
    from bench_matching import results_of as matching_results

    from qtorrentino.domain.ticket_json import spec_from_json
    from qtorrentino.textbrain.score import forget_past_scoring, score_in_full
    from tests.decision_cases import results_of as decision_results

    matching = json.loads((DATA / "matching_cases.json").read_text(encoding="utf-8"))
    decisions = json.loads((DATA / "decision_cases.json").read_text(encoding="utf-8"))
    pairs = [(case["ticket"], matching_results(case)) for case in matching]
    pairs += [(case["ticket"], decision_results(case)) for case in decisions]
    changes = Changes()
    used = 0
    for ticket, results in pairs:
        spec = spec_from_json(ticket)
        fast_at = _fast_at(spec, results)
        forget_past_scoring()
        full = score_in_full(spec, results)
        used += any(c.reasons[0].startswith("does not name") for fast in fast_at.values() for c in fast)
        changes.compare(ticket, spec, fast_at, full)
    print(f"labelled sets: {len(pairs)} cases ({len(matching)} matching, {len(decisions)} "
          f"decision); a name set aside in {used}")
    return changes.report("labelled")


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

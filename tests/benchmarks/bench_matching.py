"""Matching: top-1 accuracy and auto-approve precision on the labelled cases, per decision path for the
catalog/dedup cases (indexer, catalog, linked); dumb_first with a scripted LLM server (how many tickets
it consults, auto-approve precision); 10k-candidate timing.

Run: python tests/benchmarks/bench_matching.py
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from guessit import guessit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from qtorrentino.domain.files import FileEntry
from qtorrentino.domain.release import parse_release
from qtorrentino.domain.ticket_json import spec_from_json
from qtorrentino.search.result import SearchResult
from qtorrentino.textbrain.decide import DEFAULT_THRESHOLD, Outcome, decide, threshold_for
from qtorrentino.textbrain.score import forget_past_scoring, score_candidates
from tests.decision_cases import PATHS, load_cases
from tests.decision_cases import evaluate as evaluate_paths

DATA = Path(__file__).resolve().parent.parent / "data"
THRESHOLDS = (0.75, 0.8, 0.85, 0.9, 0.95)
CANDIDATES = 10_000
REFERENCE_GUESSIT_PER_SECOND = 130
"""The middle of performance-notes.md's 84-180 names/s: tells a slow machine from slow code."""


def results_of(case: dict[str, Any]) -> list[SearchResult]:
    return [
        SearchResult(
            title=candidate["title"],
            indexer="bench",
            size=candidate["size"],
            seeders=candidate["seeders"],
            info_hash=f"{index:040x}",
            files=tuple(
                FileEntry(n, entry["path"], entry["size"])
                for n, entry in enumerate(candidate.get("files", ()))
            ),
        )
        for index, candidate in enumerate(case["candidates"])
    ]


def evaluate(label: str, cases: list[dict[str, Any]]) -> None:
    print(
        f"\n{label}: {len(cases)} cases, "
        f"{sum(1 for case in cases if not case['right'])} with no right answer"
    )
    outcomes = []
    for case in cases:
        spec = spec_from_json(case["ticket"])
        scored = score_candidates(spec, results_of(case))
        chosen = int(scored[0].result.info_hash or "0", 16) if scored else None
        outcomes.append((spec, scored, chosen, set(case["right"])))
    answerable = [outcome for outcome in outcomes if outcome[3]]
    top_right = sum(1 for _, _, chosen, right in answerable if chosen in right)
    print(f"  top-1 accuracy: {top_right}/{len(answerable)} = {top_right / len(answerable):.1%}")
    for threshold in THRESHOLDS:
        approved = [
            (chosen, right)
            for spec, scored, chosen, right in _at_threshold(outcomes, cases, threshold)
            if decide(scored, threshold_for(spec, threshold)).outcome is Outcome.AUTO_APPROVE
        ]
        correct = sum(1 for chosen, right in approved if chosen in right)
        precision = f"{correct / len(approved):.1%}" if approved else "n/a"
        marker = "  <- default" if threshold == DEFAULT_THRESHOLD else ""
        print(
            f"  threshold {threshold:.2f}: auto-approved {len(approved):2}/{len(outcomes)}, "
            "precision "
            f"{correct}/{len(approved)} = {precision}, share of answerable cases approved "
            f"{correct / len(answerable):.0%}{marker}"
        )


def _at_threshold(outcomes: list[Any], cases: list[dict[str, Any]], threshold: float) -> list[Any]:
    """The cases scored as the engine scores them, told the ticket's threshold (the pre-check may set
    more aside); the pick is the one scored without it, as in the top-1 figure."""
    answer = []
    for (spec, _, chosen, right), case in zip(outcomes, cases, strict=True):
        scored = score_candidates(spec, results_of(case), threshold_for(spec, threshold))
        answer.append((spec, scored, int(scored[0].result.info_hash or "0", 16) if scored else chosen,
                       right))
    return answer


def evaluate_decision_paths() -> None:
    """Auto-approve precision per path on the catalog/dedup/shared-torrent cases, and link decisions."""
    cases = load_cases()
    counts = Counter(case["path"] for case in cases)
    print(f"\ncatalog/dedup/shared-torrent cases: {len(cases)} "
          f"({', '.join(f'{counts[p]} {p}' for p in PATHS)})")
    for threshold in THRESHOLDS:
        outcomes = evaluate_paths(cases, threshold)
        paths = ", ".join(
            f"{path} {outcomes.right[path]}/{outcomes.approved[path]}"
            + (f" = {outcomes.right[path] / outcomes.approved[path]:.0%}" if outcomes.approved[path] else "")
            for path in PATHS)
        marker = "  <- default" if threshold == DEFAULT_THRESHOLD else ""
        print(f"  threshold {threshold:.2f}: auto-approve precision {paths}; link decisions right "
              f"{outcomes.links_right}/{outcomes.links_total}{marker}")


def evaluate_dumb_first() -> None:
    """dumb_first on every labelled case against a loopback model answering by script."""
    from qtorrentino.config.model import LlmConfig
    from qtorrentino.textbrain.llm.advisor import LlmAdvisor
    from qtorrentino.textbrain.matching import MatcherMode, TextBrain
    from tests.benchmarks.labelled_llm import SCRIPTS, decide_all, labelled_cases
    from tests.servers.llm import LlmServer

    cases = labelled_cases()
    print(f"\ndumb_first with a scripted loopback LLM (openai wire), {len(cases)} labelled cases "
          "(matching + decision), threshold 0.85:")
    with LlmServer() as server:
        advisor = LlmAdvisor(LlmConfig(base_url=server.base_url, timeout_seconds=10))
        brain = TextBrain(MatcherMode.DUMB_FIRST, advisor)
        for name, script in SCRIPTS.items():
            tally = decide_all(brain, server, cases, script)
            print(f"  {name:10} model: consulted {tally.consulted} tickets = the "
                  f"{tally.low_confidence} the heuristics could not approve alone "
                  f"({tally.consulted_confident} confident ones asked); auto-approved "
                  f"{tally.approved} (heuristics alone {tally.heuristic_approved}), precision "
                  f"{tally.precision}")
            for wrong in tally.wrong:
                print(f"    wrong: {wrong}")


def many_candidates(rng: random.Random) -> dict[str, list[SearchResult]]:
    """10,000 distinct indexer-style titles per kind of ticket: right ones, near misses, noise."""
    groups = ["SPARKS", "NTb", "FLUX", "EVO", "GRP", "RARBG", "FGT", "KILLERS"]
    formats = ["FLAC", "FLAC 24-96", "MP3 320", "MP3 V0", "WEB FLAC", "AAC 256"]
    artists = [
        "Radiohead",
        "Pink Floyd",
        "Thom Yorke",
        "Atoms for Peace",
        "Karaoke Stars",
        "Vitamin String Quartet",
    ]
    albums = [
        "OK Computer",
        "OK Computer OKNOTOK",
        "Kid A",
        "The Bends",
        "Amnesiac",
        "Live in Paris",
        "Hits",
    ]
    titles = [
        "The Matrix",
        "The Matrix Reloaded",
        "The Animatrix",
        "Matrix Resurrections",
        "The Thing",
        "Heat",
    ]
    qualities = [
        "720p.WEB-DL.DDP5.1.H.264",
        "1080p.BluRay.x264",
        "2160p.WEB-DL.HDR.HEVC",
        "HDCAM.x264",
    ]

    def result(title: str) -> SearchResult:
        return SearchResult(
            title=title,
            indexer="bench",
            size=rng.randint(50, 20_000) * 1_000_000,
            seeders=rng.randint(0, 900),
        )

    music, movies, episodes = [], [], []
    for index in range(CANDIDATES):
        year, group, quality = rng.randint(1990, 2024), rng.choice(groups), rng.choice(qualities)
        music.append(
            result(
                f"{rng.choice(artists)} - {rng.choice(albums)} ({year}) "
                f"[{rng.choice(formats)}] {{{index}}}"
            )
        )
        movies.append(
            result(f"{rng.choice(titles).replace(' ', '.')}.{year}.{quality}-{group}{index}")
        )
        episode = f"S{rng.randint(1, 5):02d}E{rng.randint(1, 12):02d}"
        episodes.append(result(f"Example.Show.{episode}.{quality}-{group}{index}"))
    return {"album": music, "movie": movies, "episode": episodes}


def time_scoring() -> None:
    tickets = {
        "album": {
            "kind": "album",
            "query": {"artist": "Radiohead", "album": "OK Computer", "year": 1997},
        },
        "movie": {"kind": "movie", "query": {"title": "The Matrix", "year": 1999}},
        "episode": {
            "kind": "episode",
            "query": {"series": "Example Show", "season": 1, "episodes": [5]},
        },
    }
    candidates = many_candidates(random.Random(11))
    titles = [result.title for result in candidates["movie"]]
    guessit(titles[0])
    for kind, ticket in tickets.items():
        spec = spec_from_json({**ticket, "library": "Any"})
        parse_release.cache_clear()
        forget_past_scoring()
        cold_ms = _timed(lambda spec=spec, kind=kind: score_candidates(spec, candidates[kind]))
        first_ms = min(
            _timed(lambda spec=spec, kind=kind: score_candidates(spec, candidates[kind]), fresh=True)
            for _ in range(5)
        )
        warm_ms = min(
            _timed(lambda spec=spec, kind=kind: score_candidates(spec, candidates[kind]))
            for _ in range(5)
        )
        guessit_rate = max(
            30 / _timed(lambda: [guessit(title) for title in titles[1:31]]) * 1000 for _ in range(3)
        )
        slowdown = REFERENCE_GUESSIT_PER_SECOND / guessit_rate
        print(
            f"{kind:8} ticket, {CANDIDATES:,} candidates: {warm_ms:5.0f} ms with names already "
            f"parsed ({first_ms:4.0f} ms when the ticket sees them for the first time), "
            f"{cold_ms:5.0f} ms parsing every name too; guessit ran at "
            f"{guessit_rate:3.0f} names/s alongside "
            f"(reference 84-180), so about {warm_ms / slowdown:4.0f} ms on the reference machine"
        )


def _timed(action: Any, *, fresh: bool = False) -> float:
    """Wall time of action in ms; fresh: the scorer first forgets what it kept from past runs."""
    if fresh:
        forget_past_scoring()
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    cases: list[dict[str, Any]] = json.loads(
        (DATA / "matching_cases.json").read_text(encoding="utf-8")
    )
    evaluate("matching cases (tuned against)", [case for case in cases if not case.get("holdout")])
    evaluate(
        "held-out matching cases (written before scoring them)",
        [case for case in cases if case.get("holdout")],
    )
    evaluate_decision_paths()
    evaluate_dumb_first()
    time_scoring()


if __name__ == "__main__":
    main()

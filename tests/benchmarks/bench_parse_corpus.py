"""Release-name accuracy per field on a corpus we did not write, and names/s, beside guessit alone.

Run: python tests/benchmarks/bench_parse_corpus.py [--misses FIELD] [--part PART]

The corpus and how its labels map to our fields: bench_parse_labels.py. A field is graded on the
names whose label has it; "extra" counts names where we report the field and the label has none
(printed, not graded: guessit's labels often leave out what a test was not about). The mean is the
mean of the per-field accuracies over GRADED_FIELDS; NEW_FIELDS are the ones `parse --json` gained
for issue 14, printed in their own table. Speed is measured in a fresh child process: every corpus
name parsed once per pass, every cache of the release modules emptied before each pass, the
module import timed apart; best and median of five passes, wall clock and CPU time, with the load
average (the machine is shared: CPU time leaves out the time other processes held the core).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_parse_labels import Case, all_cases, from_guessit

from qtorrentino.domain.similarity import normalise

GRADED_FIELDS = (
    "title", "series", "year", "season", "episodes", "resolution", "source", "video_codec",
    "audio_format", "release_group", "artist", "album", "audio_bitrate",
)
NEW_FIELDS = ("edition", "air_date", "absolute_episodes", "proper", "revision.version",
              "audio_bit_depth", "discography")
TEXT_FIELDS = frozenset({"title", "series", "artist", "album"})


def ours(name: str) -> dict[str, Any]:
    """Our parser's answer, as `qtorrentino parse --json` prints it."""
    from qtorrentino.domain.release import parse_release

    return parse_release(name).to_json()


def guessit_alone(name: str) -> dict[str, Any]:
    """guessit's answer, mapped to our fields exactly as its labels are, in parse --json's shape
    (one audio format, the first it names; seasons as a list; the version inside revision)."""
    from guessit import guessit

    found = from_guessit(dict(guessit(name)))[0]
    if isinstance(found.get("audio_format"), list):
        found["audio_format"] = found["audio_format"][0]
    if isinstance(found.get("season"), list):
        found["seasons"], found["season"] = found["season"], found["season"][0]
    if "revision.version" in found:
        found["revision"] = {"version": found.pop("revision.version")}
    return found


def _value(found: dict[str, Any], key: str) -> Any:
    if key == "proper":
        revision = found.get("revision") or {}
        return bool(found.get("proper") or found.get("repack") or revision.get("real")) or None
    if key == "revision.version":
        return (found.get("revision") or {}).get("version")
    if key == "season" and len(found.get("seasons") or ()) > 1:
        return found["seasons"]
    return found.get(key)


def matches(key: str, wanted: Any, found: Any) -> bool:
    """Whether found (our field's value) is what the label wants, under the documented mapping."""
    if found is None:
        return False
    if key in TEXT_FIELDS:
        return normalise(str(found)) == normalise(str(wanted))
    if key == "release_group":
        return str(found).casefold() == str(wanted).casefold()
    if key == "audio_format" and isinstance(wanted, list):
        return found in wanted
    if key == "edition":
        return sorted(found) == sorted(wanted)
    if isinstance(wanted, dict):
        return isinstance(found, dict) and all(found.get(k) == wanted.get(k) for k in
                                               {*wanted, *found})
    if isinstance(wanted, str):
        return str(found).casefold() == wanted.casefold()
    return bool(found == wanted)


def grade(cases: list[Case], parse: Callable[[str], dict[str, Any]]) -> dict[str, Counter[str]]:
    """Per field: labelled, right, extra."""
    table: dict[str, Counter[str]] = {}
    for case in cases:
        found = parse(case.name)
        for key in (*GRADED_FIELDS, *NEW_FIELDS):
            counts = table.setdefault(key, Counter())
            value = _value(found, key)
            if key in case.expected:
                counts["labelled"] += 1
                counts["right"] += matches(key, case.expected[key], value)
            elif value not in (None, False, [], {}):
                counts["extra"] += 1
    return table


def print_table(title: str, tables: dict[str, dict[str, Counter[str]]], fields: tuple[str, ...]
                ) -> None:
    """One row per field, one column per parser; the mean over the fields with labels."""
    print(f"\n{title}")
    print(f"  {'field':18}{'labelled':>9}" + "".join(f"{label:>22}" for label in tables))
    means: dict[str, list[float]] = {label: [] for label in tables}
    for key in fields:
        first = next(iter(tables.values()))[key]
        if not first["labelled"]:
            continue
        cells = []
        for label, table in tables.items():
            counts = table[key]
            share = counts["right"] / counts["labelled"]
            means[label].append(share)
            cells.append(f"{share:8.1%} {counts['right']:5} +{counts['extra']:<4}")
        print(f"  {key:18}{first['labelled']:>9}" + "".join(f"{cell:>22}" for cell in cells))
    print(f"  {'mean':18}{'':>9}" + "".join(
        f"{sum(values) / len(values):>13.1%}{'':9}" for values in means.values()))


def print_misses(cases: list[Case], key: str) -> None:
    """Every name whose label has key and our answer differs (for development)."""
    for case in cases:
        if key in case.expected:
            found = ours(case.name)
            if not matches(key, case.expected[key], _value(found, key)):
                wanted, got = case.expected[key], _value(found, key)
                print(f"{case.name!r}\n    wanted {wanted!r} got {got!r}")


def _clear_caches() -> None:
    """Empty every memo of the release modules: the next pass sees each name for the first time."""
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("qtorrentino.domain.release"):
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def timed_child(names_file: str, passes: int = 5) -> None:
    """In a fresh process: import the parser, then parse every name once per pass, all caches
    emptied before each pass; print each pass's wall-clock and CPU seconds."""
    started = time.perf_counter()
    from qtorrentino.domain.release import parse_release

    imported = time.perf_counter() - started
    names = json.loads(Path(names_file).read_text(encoding="utf-8"))
    walls, cpus = [], []
    for _ in range(passes):
        _clear_caches()
        started, cpu_started = time.perf_counter(), time.process_time()
        for name in names:
            parse_release(name)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu_started)
    print(json.dumps({"names": len(names), "walls": walls, "cpus": cpus,
                      "import_seconds": imported}))


def speed(cases: list[Case]) -> dict[str, Any]:
    """parse_release over the unique corpus names, each pass cold, in a fresh process."""
    names = sorted({case.name for case in cases})
    path = Path(tempfile.gettempdir()) / f"qtorrentino-corpus-{os.getpid()}.json"
    path.write_text(json.dumps(names), encoding="utf-8")
    try:
        answer = subprocess.run([sys.executable, __file__, "--time-child", str(path)],
                                capture_output=True, text=True, check=True)
    finally:
        path.unlink()
    result: dict[str, Any] = json.loads(answer.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", metavar="FIELD")
    parser.add_argument("--part", help="only corpus parts whose name contains this")
    parser.add_argument("--no-guessit", action="store_true", help="skip the guessit-alone column")
    parser.add_argument("--time-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.time_child:
        timed_child(args.time_child)
        return
    cases = [case for case in all_cases() if not args.part or args.part in case.part]
    if args.misses:
        print_misses(cases, args.misses)
        return
    figures = speed(cases)
    load = os.getloadavg()[0]
    print(f"corpus: {len(cases)} names " + ", ".join(
        f"{part} {count}" for part, count in Counter(case.part for case in cases).items()))
    count = figures["names"]
    walls, cpus = sorted(figures["walls"]), sorted(figures["cpus"])
    print(f"parse_release, one process, {count} distinct names, 5 passes each with every cache "
          f"emptied (load average {load:.2f}, 2 cores shared):")
    print(f"  wall clock: best {count / walls[0]:,.0f} names/s, median "
          f"{count / walls[len(walls) // 2]:,.0f}; CPU time: best {count / cpus[0]:,.0f}, "
          f"median {count / cpus[len(cpus) // 2]:,.0f}; "
          f"import {figures['import_seconds'] * 1000:.0f} ms")
    tables = {"qtorrentino": grade(cases, ours)}
    if not args.no_guessit:
        started = time.perf_counter()
        tables["guessit alone"] = grade(cases, guessit_alone)
        rate = len(cases) / (time.perf_counter() - started)
        print(f"guessit alone: {rate:,.0f} names/s (warm, after its import)")
    unmapped = Counter(key for case in cases for key in case.unmapped)
    print("labels left out (no such value in our vocabulary): "
          + ", ".join(f"{key} {count}" for key, count in unmapped.most_common()))
    print_table("fields the issue grades (accuracy, right, +extra)", tables, GRADED_FIELDS)
    print_table("fields parse --json gained", tables, NEW_FIELDS)
    music = [case for case in cases if case.part == "music (ours)"]
    if music and len(music) < len(cases):
        rest = [case for case in cases if case.part != "music (ours)"]
        print_table("without the music names we wrote", {"qtorrentino": grade(rest, ours)},
                    GRADED_FIELDS)


if __name__ == "__main__":
    main()

"""Release-name parsing: per-field accuracy on the labelled set; names/s cold and with repeats.

Run: python tests/benchmarks/bench_parse.py
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

from guessit import guessit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from qtorrentino.domain.release import parse_release
from qtorrentino.domain.similarity import normalise

DATA = Path(__file__).resolve().parent.parent / "data"
TEXT_FIELDS = frozenset({"title", "series", "artist", "album"})
ARTISTS = [
    "Radiohead",
    "Pink Floyd",
    "Daft Punk",
    "Björk",
    "The Beatles",
    "Adele",
    "Metallica",
    "Portishead",
    "Arcade Fire",
    "Sigur Rós",
    "Kendrick Lamar",
    "Fleetwood Mac",
    "Boards of Canada",
    "Massive Attack",
]
ALBUMS = [
    "OK Computer",
    "The Wall",
    "Discovery",
    "Homogenic",
    "Abbey Road",
    "21",
    "Master of Puppets",
    "Dummy",
    "Funeral",
    "Takk",
    "DAMN.",
    "Rumours",
    "Geogaddi",
    "Mezzanine",
    "Kid A",
    "Animals",
    "Homework",
]
FORMATS = ["FLAC", "FLAC 24-96", "MP3 320", "MP3 V0", "AAC 256", "WEB FLAC", "16-44 FLAC"]
TITLES = [
    "The Matrix",
    "Big Buck Bunny",
    "Arrival",
    "Dune",
    "Inception",
    "Parasite",
    "Up",
    "Her",
    "Blade Runner",
    "Sintel",
    "Tears of Steel",
    "Heat",
    "Moon",
    "Drive",
    "Amelie",
    "The Thing",
    "Alien",
    "Jaws",
]
SERIES = [
    "Example Show",
    "Breaking Bad",
    "The Office US",
    "Dark",
    "Severance",
    "Friends",
    "The Wire",
    "Lost",
]
GROUPS = ["SPARKS", "NTb", "FLUX", "EVO", "GRP", "CtrlHD", "RARBG", "FGT", "KILLERS", "DEMAND"]
QUALITY = [
    "720p.WEB-DL.DDP5.1.H.264",
    "1080p.BluRay.x264",
    "2160p.WEB-DL.HDR.HEVC",
    "1080p.WEBRip.x265",
    "720p.HDTV.x264",
    "480p.DVDRip.XviD",
]


def field_matches(key: str, wanted: object, found: object) -> bool:
    if found is None:
        return False
    if key in TEXT_FIELDS:
        return normalise(str(found)) == normalise(str(wanted))
    return str(found).lower() == wanted.lower() if isinstance(wanted, str) else found == wanted


def print_accuracy(label: str, cases: list[dict[str, object]]) -> None:
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for case in cases:
        found = parse_release(str(case["name"])).to_json()
        expected = case["expected"]
        assert isinstance(expected, dict)
        for key, wanted in expected.items():
            totals[key] += 1
            hits[key] += field_matches(key, wanted, found.get(key))
    overall = sum(hits.values()) / sum(totals.values())
    print(
        f"\n{label}: {len(cases)} names, {sum(totals.values())} labelled fields, "
        f"accuracy {overall:.1%}"
    )
    for key in sorted(totals, key=lambda name: -totals[name]):
        print(f"  {key:14} {hits[key]:4}/{totals[key]:<4} {hits[key] / totals[key]:7.1%}")


def synthetic_names(count: int, rng: random.Random) -> list[str]:
    """Unique names in the shapes indexers return: albums, tracks, movies, episodes, anime."""
    names: set[str] = set()
    while len(names) < count:
        shape = rng.randrange(6)
        artist, album, title = rng.choice(ARTISTS), rng.choice(ALBUMS), rng.choice(TITLES)
        year, group, quality = rng.randint(1960, 2024), rng.choice(GROUPS), rng.choice(QUALITY)
        series, season, episode = rng.choice(SERIES), rng.randint(1, 12), rng.randint(1, 24)
        if shape == 0:
            names.add(f"{artist} - {album} ({year}) [{rng.choice(FORMATS)}]")
        elif shape == 1:
            names.add(
                f"{artist} - {album} ({year}) [FLAC]/CD{rng.randint(1, 3)}/"
                f"{episode:02d} - {title}.flac"
            )
        elif shape == 2:
            names.add(f"{title.replace(' ', '.')}.{year}.{quality}-{group}")
        elif shape == 3:
            names.add(f"{series.replace(' ', '.')}.S{season:02d}E{episode:02d}.{quality}-{group}")
        elif shape == 4:
            names.add(f"{series.replace(' ', '.')}.S{season:02d}.{quality}-{group}")
        else:
            names.add(
                f"[{group}] {title} - {episode + season * 24:02d} (1080p) "
                f"[{rng.getrandbits(32):08X}].mkv"
            )
    return sorted(names)


def rate(names: list[str]) -> float:
    started = time.perf_counter()
    for name in names:
        parse_release(name)
    return len(names) / (time.perf_counter() - started)


def main() -> None:
    cases: list[dict[str, object]] = json.loads(
        (DATA / "releases.json").read_text(encoding="utf-8")
    )
    print_accuracy(
        "labelled set (tuned against)", [case for case in cases if case["category"] != "holdout"]
    )
    print_accuracy(
        "held-out set (labelled before the parser saw it)",
        [case for case in cases if case["category"] == "holdout"],
    )

    rng = random.Random(2026)
    labelled = [str(case["name"]) for case in cases]
    guessit(labelled[0])
    started = time.perf_counter()
    for name in labelled[:100]:
        guessit(name)
    print(
        f"\nguessit alone: {100 / (time.perf_counter() - started):,.0f} names/s "
        "(first 100 labelled names)"
    )

    parse_release.cache_clear()
    print(f"parse_release, labelled names, cold cache: {rate(labelled):,.0f} names/s")
    unique = synthetic_names(5000, rng)
    parse_release.cache_clear()
    print(f"parse_release, 5,000 unique synthetic names, cold cache: {rate(unique):,.0f} names/s")
    pool = unique[:2000] + labelled
    weights = [1 / (rank + 1) for rank in range(len(pool))]
    stream = rng.choices(pool, weights=weights, k=20000)
    parse_release.cache_clear()
    print(
        f"parse_release, mixed stream of 20,000 with repeats ({len(set(stream)):,} distinct), "
        "cold cache: "
        f"{rate(stream):,.0f} names/s"
    )
    print(f"parse_release, the same stream again (all cached): {rate(stream):,.0f} names/s")


if __name__ == "__main__":
    main()

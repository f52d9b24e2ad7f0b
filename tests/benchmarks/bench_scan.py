"""Library scan throughput on a generated tree of 100,000 tracks: first scan, unchanged rescans
against a bare os.scandir+stat walk of the same tree in the same run, and the whole
`qtorrentino scan` process.

Rescans and bare walks alternate, so both see the same machine load; the ratio is of their
medians. The whole-process figure runs the real CLI (a fresh interpreter: imports, config,
database, scan, audit).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from qtorrentino.config.home import Home  # noqa: E402 - importable once the repository is on sys.path
from qtorrentino.engine.engine import Engine  # noqa: E402
from tests.conftest import make_home  # noqa: E402

TRACKS_PER_ALBUM = 10
ALBUMS_PER_ARTIST = 20


def build_tree(music: Path, files: int) -> None:
    """Artist NNN/Album NN (Year)/TT - Song Title TT.flac, all empty: the scan sees names only."""
    for index in range(files):
        artist, rest = divmod(index, TRACKS_PER_ALBUM * ALBUMS_PER_ARTIST)
        album, track = divmod(rest, TRACKS_PER_ALBUM)
        folder = music / f"Artist {artist:03d}" / f"Album {album:02d} ({1970 + album})"
        if track == 0:
            folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{track + 1:02d} - Song Title {track + 1:02d}.flac").touch()


def bare_walk(root: Path) -> int:
    """A bare os.scandir + stat walk of the tree: the ceiling a rescan can reach; the files seen."""
    count = 0
    pending = [str(root)]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                else:
                    entry.stat(follow_symlinks=False)
                    count += 1
    return count


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def runs_line(label: str, files: int, runs: list[float]) -> str:
    """One figure: the median of the runs as seconds and files a second, then every run."""
    median = statistics.median(runs)
    listed = ", ".join(f"{run:.2f}" for run in runs)
    return f"{label:34s} median {median:.3f} s = {files / median:9,.0f} files/s  (runs: {listed})"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} cores"


def peak_rss_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def in_process(home: Home, music: Path, files: int, rounds: int) -> None:
    """First scan, then rescans alternating with bare walks, through the engine's LibraryAPI."""
    engine = Engine.open(home)
    engine.start(workers=False)
    try:
        library = engine.library
        print(f"peak RSS of the opened engine: {peak_rss_mib(resource.RUSAGE_SELF):.0f} MiB")
        started = time.perf_counter()
        report = library.scan_report("Music", actor="bench")
        elapsed = time.perf_counter() - started
        print(f"first scan: {report.seen} files in {elapsed:6.2f} s = {report.seen / elapsed:,.0f}"
              f" files/s (new {report.new}, matched {report.matched},"
              f" unmatched {report.unmatched})")
        bare: list[float] = []
        rescans: list[float] = []
        for _ in range(rounds):
            bare.append(timed(lambda: bare_walk(music)))
            rescans.append(timed(lambda: library.scan_report("Music", actor="bench")))
        report = library.scan_report("Music", actor="bench")
        assert (report.new, report.changed, report.missing, report.contents_read) == (0, 0, 0, 0)
        print(runs_line("bare scandir+stat walk:", files, bare))
        print(runs_line("unchanged rescan:", files, rescans))
        ratios = ", ".join(f"{walk / scan:.2f}" for walk, scan in zip(bare, rescans, strict=True))
        ratio = statistics.median(bare) / statistics.median(rescans)
        print(f"rescan / bare walk: {ratio:.2f} (ratio of medians; per round: {ratios})")
    finally:
        engine.stop()


def whole_process(root: Path, files: int, rounds: int) -> None:
    """The real `qtorrentino scan Music` command, a fresh interpreter each time."""
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "qtorrentino", "--home", str(root), "scan", "Music"]
    whole: list[float] = []
    for _ in range(rounds):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
        whole.append(time.perf_counter() - started)
        assert done.returncode == 0, done.stderr
    print(runs_line("whole `qtorrentino scan` process:", files, whole))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7,
                        help="rescans (each beside a bare walk) and CLI runs")
    parser.add_argument("--dir", default=None,
                        help="where to build the tree and the home (default: the temp dir)")
    options = parser.parse_args()
    print(f"start: {load()}")
    with tempfile.TemporaryDirectory(prefix="qtorrentino-bench-", dir=options.dir) as folder:
        root = Path(folder)
        home = make_home(root)
        started = time.perf_counter()
        build_tree(root / "music", options.files)
        print(f"generated {options.files} files in {time.perf_counter() - started:.1f} s")
        in_process(home, root / "music", options.files, options.rounds)
        whole_process(root, options.files, options.rounds)
        print(f"peak RSS: this process {peak_rss_mib(resource.RUSAGE_SELF):.0f} MiB, "
              f"largest child {peak_rss_mib(resource.RUSAGE_CHILDREN):.0f} MiB")
    print(f"end: {load()}")


if __name__ == "__main__":
    main()

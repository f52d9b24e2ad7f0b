"""Library scan throughput on a generated tree of 100,000 tracks: first scan, unchanged rescans against a bare
os.scandir+stat walk of the same tree in the same run, and the whole `qtorrentino scan` process.

The rescans and the bare walks alternate, so both see the same machine load; the ratio is of their medians.
The whole-process figure runs the real CLI (a fresh interpreter: imports, config, database, scan, audit).
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
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from qtorrentino.engine.engine import Engine
from tests.conftest import make_home

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
    """A bare os.scandir + stat walk of the tree: the ceiling a rescan can reach. Returns the files seen."""
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


def timed(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} cores"


def peak_rss_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7, help="rescans (each beside a bare walk) and CLI runs")
    parser.add_argument("--dir", default=None, help="where to build the tree and the home (default: the temp dir)")
    options = parser.parse_args()
    files = options.files
    print(f"start: {load()}")
    with tempfile.TemporaryDirectory(prefix="qtorrentino-bench-", dir=options.dir) as folder:
        root = Path(folder)
        home = make_home(root)
        music = root / "music"
        started = time.perf_counter()
        build_tree(music, files)
        print(f"generated {files} files in {time.perf_counter() - started:.1f} s")
        engine = Engine.open(home)
        engine.start(workers=False)
        try:
            library = engine.library
            print(f"peak RSS of the opened engine before scanning: {peak_rss_mib(resource.RUSAGE_SELF):.0f} MiB")
            started = time.perf_counter()
            report = library.scan_report("Music", actor="bench")
            elapsed = time.perf_counter() - started
            print(f"first scan: {report.seen} files in {elapsed:6.2f} s = {report.seen / elapsed:9,.0f} files/s"
                  f"  (new {report.new}, matched {report.matched}, unmatched {report.unmatched},"
                  f" contents read {report.contents_read})")
            bare: list[float] = []
            rescans: list[float] = []
            for _ in range(options.rounds):
                bare.append(timed(lambda: bare_walk(music)))
                rescans.append(timed(lambda: library.scan_report("Music", actor="bench")))
            report = library.scan_report("Music", actor="bench")
            assert (report.new, report.changed, report.missing, report.contents_read) == (0, 0, 0, 0), report
            bare_rate = files / statistics.median(bare)
            rescan_rate = files / statistics.median(rescans)
            print(f"bare scandir+stat walk: median {statistics.median(bare):.3f} s = {bare_rate:9,.0f} files/s"
                  f"  (runs: {', '.join(f'{run:.2f}' for run in bare)})")
            print(f"unchanged rescan:       median {statistics.median(rescans):.3f} s = {rescan_rate:9,.0f} files/s"
                  f"  (runs: {', '.join(f'{run:.2f}' for run in rescans)})")
            ratios = [walk / scan for walk, scan in zip(bare, rescans, strict=True)]
            print(f"rescan / bare walk: {rescan_rate / bare_rate:.2f} (ratio of medians; per round: "
                  f"{', '.join(f'{ratio:.2f}' for ratio in ratios)})")
            print(f"items: {len(library.items('Music', limit=1_000_000))} artists")
        finally:
            engine.stop()
        environment = {**os.environ, "PYTHONPATH": str(REPO)}
        command = [sys.executable, "-m", "qtorrentino", "--home", str(root), "scan", "Music"]
        whole: list[float] = []
        for _ in range(options.rounds):
            started = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
            whole.append(time.perf_counter() - started)
            assert done.returncode == 0, done.stderr
        print(f"whole `qtorrentino scan Music` process: median {statistics.median(whole):.3f} s = "
              f"{files / statistics.median(whole):9,.0f} files/s  (runs: {', '.join(f'{run:.2f}' for run in whole)})")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import qtorrentino.cli.main"], env=environment, check=True)
        print(f"  of which a bare `import qtorrentino.cli.main`: {time.perf_counter() - started:.3f} s")
        print(f"peak RSS: this process {peak_rss_mib(resource.RUSAGE_SELF):.0f} MiB, "
              f"largest child {peak_rss_mib(resource.RUSAGE_CHILDREN):.0f} MiB")
    print(f"end: {load()}")


if __name__ == "__main__":
    main()

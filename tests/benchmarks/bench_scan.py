"""Library scan throughput: a generated tree of 100,000 zero-byte tracks, first scan and unchanged rescan."""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from qtorrentino.clock import FrozenClock
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


def bare_walk_rate(root: Path) -> float:
    """Files a second for a bare os.scandir + stat walk of the same tree: the ceiling a rescan can reach."""
    started = time.perf_counter()
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
    return count / (time.perf_counter() - started)


def peak_rss_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--dir", default=None, help="where to build the tree and the home (default: the temp dir)")
    options = parser.parse_args()
    files = options.files
    with tempfile.TemporaryDirectory(prefix="qtorrentino-bench-", dir=options.dir) as folder:
        root = Path(folder)
        home = make_home(root)
        started = time.perf_counter()
        build_tree(root / "music", files)
        print(f"generated {files} files in {time.perf_counter() - started:.1f} s; "
              f"bare scandir+stat walk: {bare_walk_rate(root / 'music'):,.0f} files/s")
        engine = Engine.open(home, clock=FrozenClock(datetime(2026, 1, 1, tzinfo=UTC)))
        engine.start(workers=False)
        try:
            library = engine.library
            print(f"peak RSS of the opened engine before scanning: {peak_rss_mib(resource.RUSAGE_SELF):.0f} MiB")
            for label in ("first scan", "rescan", "rescan again"):
                started = time.perf_counter()
                report = library.scan_report("Music", actor="bench")
                elapsed = time.perf_counter() - started
                print(f"{label:12s}: {report.seen} files in {elapsed:6.2f} s = {report.seen / elapsed:9,.0f} files/s"
                      f"  (new {report.new}, matched {report.matched}, unmatched {report.unmatched},"
                      f" contents read {report.contents_read})")
            print(f"items: {len(library.items('Music', limit=1_000_000))} artists")
        finally:
            engine.stop()
        print(f"peak RSS: this process {peak_rss_mib(resource.RUSAGE_SELF):.0f} MiB, "
              f"largest parsing process {peak_rss_mib(resource.RUSAGE_CHILDREN):.0f} MiB")


if __name__ == "__main__":
    main()

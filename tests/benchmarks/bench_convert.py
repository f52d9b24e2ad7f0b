"""Album conversion: 12 FLAC tracks (~45 min) to Opus 160k, one at a time vs the ConversionPool.

Run: python tests/benchmarks/bench_convert.py [TRACKS] [SECONDS_PER_TRACK] [ROUNDS]
Target: the pool is ≥ 1.8x faster than one-at-a-time on 2 cores.

It also reports the CPU ffmpeg used (children's user + system time): ffmpeg ≥ 7 runs demuxer, decoder,
filters, encoder and muxer on threads of their own, so one job alone already keeps more than one core busy,
and no pool can beat cores / (cores busy with one job). The pool's share of that ceiling is printed too.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from qtorrentino.media.convert import ConversionJob, ConversionPool, convert
from qtorrentino.media.ffmpeg import find_ffmpeg
from tests.media_fixtures import make_album

DEFAULT_TRACKS = 12
DEFAULT_SECONDS_PER_TRACK = 225.0
"""12 x 225 s = 45 min of audio."""
DEFAULT_ROUNDS = 2
"""Rounds alternate one-at-a-time and pool runs; the best of each is compared (others' load)."""


def main(tracks: int, seconds_per_track: float, rounds: int) -> None:
    """Generate the album, convert it one at a time and with the pool, print wall times."""
    ffmpeg = find_ffmpeg()
    print(f"ffmpeg: {ffmpeg.version.split(' Copyright')[0]} ({ffmpeg.source})")
    print(f"cores: {os.cpu_count()}; load average before: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="qtorrentino-bench-", dir="/tmp") as scratch:
        root = Path(scratch)
        started = time.perf_counter()
        album = make_album(root / "album", tracks=tracks, seconds=seconds_per_track, noise=True)
        generated = time.perf_counter() - started
        megabytes = sum(track.stat().st_size for track in album) / 1e6
        audio_secs = tracks * seconds_per_track
        print(f"album: {tracks} FLAC tracks, {audio_secs / 60:.1f} min, {megabytes:.0f} MB")
        print(f"generated in {generated:.1f} s")
        serial_times: list[tuple[float, float]] = []
        pool_times: list[tuple[float, float]] = []
        for round_number in range(1, rounds + 1):
            serial_times.append(_timed(_one_at_a_time, album, root / f"serial{round_number}"))
            pool_times.append(_timed(_with_pool, album, root / f"pool{round_number}"))
            print(
                f"round {round_number}: one at a time {serial_times[-1][0]:.2f} s "
                f"(ffmpeg CPU {serial_times[-1][1]:.1f} s), pool {pool_times[-1][0]:.2f} s "
                f"(ffmpeg CPU {pool_times[-1][1]:.1f} s)"
            )
        (serial, serial_cpu), (pooled, pooled_cpu) = min(serial_times), min(pool_times)
        cores = os.cpu_count() or 1
        busy = serial_cpu / serial
        ceiling = cores / busy
        print(f"best one at a time: {serial:.2f} s ({audio_secs / serial:.0f}x realtime)")
        print(
            f"best pool of {os.cpu_count()}: {pooled:.2f} s ({audio_secs / pooled:.0f}x realtime)"
        )
        print(f"speed-up: {serial / pooled:.2f}x (target >= 1.8x on 2 cores)")
        print(
            f"one job alone keeps {busy:.2f} cores busy, so the ceiling on {cores} cores is {ceiling:.2f}x; "
            f"the pool reached {serial / pooled / ceiling:.0%} of it "
            f"(cores busy with the pool: {pooled_cpu / pooled:.2f})"
        )
        print(f"load average after: {os.getloadavg()[0]:.2f}")


def _timed(run: Callable[[list[Path], Path], float], album: list[Path], out: Path) -> tuple[float, float]:
    """Wall time of one run and the CPU seconds its ffmpeg children used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = run(album, out)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _one_at_a_time(album: list[Path], out: Path) -> float:
    """Convert every track in turn; return the wall time."""
    started = time.perf_counter()
    for track in album:
        convert(ConversionJob(track, out, "opus", bitrate_kbps=160))
    return time.perf_counter() - started


def _with_pool(album: list[Path], out: Path) -> float:
    """Convert every track on a pool of one worker per core; return the wall time."""
    started = time.perf_counter()
    with ConversionPool(0) as pool:
        futures = [
            pool.submit(ConversionJob(track, out, "opus", bitrate_kbps=160)) for track in album
        ]
        converted = [future.result() for future in futures]
    elapsed = time.perf_counter() - started
    if len(converted) != len(album):
        raise SystemExit("the pool lost a track")
    return elapsed


if __name__ == "__main__":
    arguments = sys.argv[1:]
    main(
        int(arguments[0]) if arguments else DEFAULT_TRACKS,
        float(arguments[1]) if len(arguments) > 1 else DEFAULT_SECONDS_PER_TRACK,
        int(arguments[2]) if len(arguments) > 2 else DEFAULT_ROUNDS,
    )

"""Download throughput over loopback: our TorrentSession + AlertPump against bare libtorrent.

Run: python tests/benchmarks/bench_download.py [SIZE_MIB]   (default 1024)
A seeder TorrentSession in this process shares SIZE_MIB of random data from /tmp; each downloader
runs in its own process, so its CPU seconds and peak RSS are its own.
Target: ours ≥ 90 % of bare MB/s.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import libtorrent as lt
import psutil

from qtorrentino.torrent.session import TorrentSession
from tests.servers.seeder import Seeder, loopback_config

if TYPE_CHECKING:
    from qtorrentino.domain.files import FileEntry
    from qtorrentino.torrent.status import TorrentStatus

CHUNK_BYTES = 16 << 20
ROUNDS = 5
VARIANTS = ("bare", "ours")
TIMEOUT_SECONDS = 300.0
PROGRESS_PERSIST_DELTA = 0.01


class ProgressBookkeeper:
    """The engine's share of the work: keep live numbers, note a persist on each 1 % step."""

    def __init__(self) -> None:
        self.finished = threading.Event()
        self.latest: dict[str, TorrentStatus] = {}
        self.persisted_progress: dict[str, float] = {}
        self.persist_count = 0

    def on_statuses(self, statuses: list[TorrentStatus]) -> None:
        for status in statuses:
            self.latest[status.info_hash] = status
            last = self.persisted_progress.get(status.info_hash, -1.0)
            if status.progress - last >= PROGRESS_PERSIST_DELTA or status.finished:
                self.persisted_progress[status.info_hash] = status.progress
                self.persist_count += 1

    def on_metadata(self, info_hash: str, files: list[FileEntry]) -> None:
        """Nothing to do: the benchmark adds .torrent bytes."""

    def on_finished(self, info_hash: str) -> None:
        self.finished.set()

    def on_error(self, info_hash: str, message: str) -> None:
        raise SystemExit(f"download failed: {message}")

    def on_session_error(self, message: str) -> None:
        raise SystemExit(f"session failed: {message}")


class Meter:
    """Wall time, this process's CPU seconds and its peak RSS (sampled with psutil)."""

    def __init__(self) -> None:
        self._process = psutil.Process()
        self.peak_rss = self._process.memory_info().rss
        self._cpu = self._cpu_seconds()
        self._started = time.perf_counter()

    def sample(self) -> None:
        self.peak_rss = max(self.peak_rss, self._process.memory_info().rss)

    def figures(self, size_bytes: int) -> dict[str, float]:
        seconds = time.perf_counter() - self._started
        self.sample()
        return {
            "seconds": seconds,
            "mb_per_s": size_bytes / seconds / 1e6,
            "cpu_seconds": self._cpu_seconds() - self._cpu,
            "peak_rss_mib": self.peak_rss / (1 << 20),
        }

    @staticmethod
    def _cpu_seconds() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime


def leech_bare(torrent: bytes, destination: Path, port: int, size_bytes: int) -> dict[str, float]:
    """Download with a stock libtorrent session (loopback settings only) and a plain alert loop."""
    session = lt.session(
        {
            "listen_interfaces": "127.0.0.1:0",
            "enable_dht": False,
            "enable_lsd": False,
            "enable_upnp": False,
            "enable_natpmp": False,
            "enable_outgoing_utp": False,
            "enable_incoming_utp": False,
            "allow_multiple_connections_per_ip": True,
            "alert_mask": lt.alert.category_t.error_notification
            | lt.alert.category_t.status_notification,
        }
    )
    params = lt.load_torrent_buffer(torrent)
    params.save_path = str(destination)
    params.peers = [("127.0.0.1", port)]
    params.flags &= ~(lt.torrent_flags.paused | lt.torrent_flags.auto_managed)
    meter = Meter()
    session.add_torrent(params)
    deadline = time.monotonic() + TIMEOUT_SECONDS
    finished = False
    while not finished and time.monotonic() < deadline:
        session.wait_for_alert(250)
        finished = any(
            isinstance(alert, lt.torrent_finished_alert) for alert in session.pop_alerts()
        )
        meter.sample()
    figures = meter.figures(size_bytes)
    del session
    return figures


def leech_ours(torrent: bytes, destination: Path, port: int, size_bytes: int) -> dict[str, float]:
    """Download with TorrentSession, its AlertPump and a listener doing progress bookkeeping."""
    bookkeeper = ProgressBookkeeper()
    with tempfile.TemporaryDirectory(dir="/tmp") as state_dir:
        session = TorrentSession(
            loopback_config(), Path(state_dir), listener=bookkeeper, user_agent="qtorrentino/bench"
        )
        meter = Meter()
        session.add_torrent_bytes(torrent, destination, peers=[("127.0.0.1", port)])
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while not bookkeeper.finished.wait(0.25) and time.monotonic() < deadline:
            meter.sample()
        figures = meter.figures(size_bytes)
        session.close(timeout=10)
    return figures | {"persists": float(bookkeeper.persist_count)}


def run_leecher(variant: str, torrent_path: Path, port: int, size_bytes: int) -> dict[str, float]:
    """Run one download in a child process and return its figures."""
    with tempfile.TemporaryDirectory(dir="/tmp") as destination:
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                "leech",
                variant,
                str(torrent_path),
                str(port),
                str(size_bytes),
                destination,
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=TIMEOUT_SECONDS + 30,
        )
    figures: dict[str, float] = json.loads(child.stdout.strip().splitlines()[-1])
    return figures


def describe(figures: dict[str, float]) -> str:
    """One line of figures for a download."""
    return (
        f"{figures['mb_per_s']:6.0f} MB/s, {figures['cpu_seconds']:5.2f} s CPU, "
        f"{figures['peak_rss_mib']:4.0f} MiB peak RSS"
    )


def write_random_file(path: Path, size_bytes: int) -> None:
    with path.open("wb") as stream:
        for offset in range(0, size_bytes, CHUNK_BYTES):
            stream.write(os.urandom(min(CHUNK_BYTES, size_bytes - offset)))


def main() -> None:
    size_bytes = (int(sys.argv[1]) if len(sys.argv) > 1 else 1024) << 20
    workspace = Path(tempfile.mkdtemp(prefix="qtorrentino-bench-", dir="/tmp"))
    try:
        source = workspace / "share" / "Benchmark Release (2026).mkv"
        source.parent.mkdir()
        write_random_file(source, size_bytes)
        with Seeder(workspace / "seeder-state") as seeder:
            seeded = seeder.seed(source)
            torrent_path = workspace / "release.torrent"
            torrent_path.write_bytes(seeded.torrent_bytes)
            print(f"{size_bytes >> 20} MiB over 127.0.0.1, TCP, seeder in the parent process")
            warm_up = run_leecher("bare", torrent_path, seeder.port, size_bytes)
            print(f"warm-up (seeder verifies pieces): {warm_up['mb_per_s']:.0f} MB/s")
            results: dict[str, list[dict[str, float]]] = {variant: [] for variant in VARIANTS}
            for round_number in range(ROUNDS):
                for variant in VARIANTS if round_number % 2 == 0 else reversed(VARIANTS):
                    figures = run_leecher(variant, torrent_path, seeder.port, size_bytes)
                    results[variant].append(figures)
                    print(f"  round {round_number + 1} {variant:4}: {describe(figures)}")
        medians = {
            variant: {key: statistics.median(run[key] for run in runs) for key in runs[0]}
            for variant, runs in results.items()
        }
        for variant, figures in medians.items():
            print(f"median {variant:4}: {describe(figures)}")
        ratio = medians["ours"]["mb_per_s"] / medians["bare"]["mb_per_s"]
        print(f"ours / bare throughput: {ratio:.0%} (target ≥ 90 %)")
        persists = medians["ours"]["persists"]
        print(f"progress persists noted by the listener: {persists:.0f} per download")
    finally:
        shutil.rmtree(workspace, ignore_errors=True)


def leech_main(arguments: list[str]) -> None:
    variant, torrent_path, port, size_bytes, destination = arguments
    leech = leech_bare if variant == "bare" else leech_ours
    figures = leech(Path(torrent_path).read_bytes(), Path(destination), int(port), int(size_bytes))
    print(json.dumps(figures))


if __name__ == "__main__":
    if sys.argv[1:2] == ["leech"]:
        leech_main(sys.argv[2:])
    else:
        main()

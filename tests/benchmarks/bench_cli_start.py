"""CLI start-up: how long `ticket list`, `ticket show`, `ticket approve` and `audit` take to answer.

Run: python tests/benchmarks/bench_cli_start.py [RUNS] [--against SRC]
Target: each command under 0.25 s (median of 10) on the 2-core machine; floor: `python -c pass`.

The home is a real one: the 73 tickets of tests/data/matching_cases.json filed four times each
through the ticket API (~290 tickets, the copies linked as the product links them), the first copy
of each acquired by the real acquisition worker against a loopback Torznab server listing the cases'
candidates, so tickets sit in needs_approval, auto_approved and acquisition_failed with scored
candidates and their audit trail. Every command runs through the real console entry,
`python -m qtorrentino`, in a fresh interpreter, with its bytecode cached as an installed program
has it (the warm-up run writes it under a scratch PYTHONPYCACHEPREFIX, even where
PYTHONDONTWRITEBYTECODE is set); `ticket approve` runs on a fresh copy of the home each time (copied
outside the timing), so each run approves a ticket that is waiting for a person. Besides the wall
time, the CPU time the process used is printed: on a loaded machine it is the steadier figure.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from qtorrentino.clock import FrozenClock  # noqa: E402
from qtorrentino.domain.states import TicketState  # noqa: E402
from qtorrentino.engine.engine import Engine  # noqa: E402
from qtorrentino.workers.acquisition import AcquisitionWorker  # noqa: E402
from tests.conftest import make_home  # noqa: E402
from tests.servers.torznab import DEFAULT_API_KEY, Release, TorznabServer  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

COPIES = 4
CATEGORY = {
    "album": 3000,
    "track": 3000,
    "movie": 2000,
    "episode": 5000,
    "season": 5000,
    "generic": 8000,
}
TARGET_SECONDS = 0.25


def _releases(cases: Sequence[dict[str, object]]) -> list[Release]:
    releases: list[Release] = []
    for case in cases:
        kind = str(case["ticket"]["kind"])  # type: ignore[index]
        for candidate in case["candidates"]:  # type: ignore[attr-defined]
            number = len(releases) + 1
            releases.append(
                Release(
                    title=candidate["title"],
                    size=int(candidate.get("size") or 10**8),
                    seeders=int(candidate.get("seeders") or 0),
                    info_hash=f"{number:040x}",
                    category=CATEGORY.get(kind, 8000),
                    magnet=f"magnet:?xt=urn:btih:{number:040x}",
                )
            )
    return releases


def build_home(folder: Path) -> tuple[Path, str]:
    """A home with a few hundred tickets and their audit trail; returns it and a waiting ticket."""
    cases = json.loads(
        (REPO / "tests" / "data" / "matching_cases.json").read_text(encoding="utf-8")
    )
    with TorznabServer(releases=_releases(cases)) as server:
        indexer = (
            f'\n[[indexers]]\nname = "jackett"\nurl = "{server.url}"\n'
            f'api_key = "{DEFAULT_API_KEY}"\ntimeout_seconds = 5\nrate_limit_per_minute = 0\n'
        )
        (folder / "other").mkdir(parents=True, exist_ok=True)
        home = make_home(
            folder,
            indexer + f'\n[[libraries]]\nname = "Other"\nkind = "other"\npath = "{folder}/other"\n',
        )
        engine = Engine.open(home, clock=FrozenClock(datetime(2026, 1, 1, 12, 0, tzinfo=UTC)))
        engine.start(workers=False)
        try:
            worker = engine.parts.worker(AcquisitionWorker)
            assert isinstance(worker, AcquisitionWorker)
            for case in cases:
                engine.tickets.add_json(case["ticket"], actor="cli:bench")
            while worker.run_once():
                pass
            for _ in range(COPIES - 1):
                for case in cases:
                    engine.tickets.add_json(case["ticket"], actor="cli:bench")
            waiting = [
                ticket
                for ticket in engine.tickets.list([TicketState.NEEDS_APPROVAL], limit=10_000)
                if ticket.linked_to is None
            ]
            tickets = len(engine.tickets.list(limit=10_000))
            events = engine.audit.page(limit=1).events[0].seq
        finally:
            engine.stop()
    if not waiting:
        raise SystemExit("no ticket ended in needs_approval: the cases no longer give one")
    print(f"home: {tickets} tickets, {events} audit events; ticket {waiting[0].id} needs approval")
    return folder, waiting[0].id


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(
    argv: Sequence[str],
    runs: int,
    envs: Sequence[dict[str, str]],
    cwd: Path,
    prepare: Callable[[], None] = lambda: None,
) -> list[tuple[float, float]]:
    """Median wall and CPU seconds per environment of `runs` runs each, after one warm-up each.

    The environments take turns run by run, so a load spike on the machine hits them alike. `cwd` is
    a neutral folder: `python -m` puts the working folder first on sys.path, ahead of PYTHONPATH.
    """
    walls: list[list[float]] = [[] for _ in envs]
    cpus: list[list[float]] = [[] for _ in envs]
    for run in range(runs + 1):
        for index, env in enumerate(envs):
            prepare()
            cpu_before = _child_cpu()
            started = time.perf_counter()
            result = subprocess.run(argv, capture_output=True, env=env, cwd=cwd, check=False)
            wall = time.perf_counter() - started
            if result.returncode != 0:
                error = result.stderr.decode(errors="replace")
                raise SystemExit(f"{' '.join(argv)} failed: {error}")
            if run:
                walls[index].append(wall)
                cpus[index].append(_child_cpu() - cpu_before)
    return [
        (statistics.median(wall), statistics.median(cpu))
        for wall, cpu in zip(walls, cpus, strict=True)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="?", type=int, default=10)
    parser.add_argument(
        "--against", metavar="SRC", type=Path, help="also time another source tree (e.g. main's)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        pristine, waiting = build_home(Path(scratch) / "home")
        working = Path(scratch) / "approve"

        def fresh_copy() -> None:
            shutil.rmtree(working, ignore_errors=True)
            shutil.copytree(pristine, working)

        base = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        trees = [REPO, *([args.against.resolve()] if args.against else [])]
        envs = [
            base | {"PYTHONPATH": str(tree), "PYTHONPYCACHEPREFIX": f"{scratch}/pycache{number}"}
            for number, tree in enumerate(trees)
        ]
        cli = [sys.executable, "-m", "qtorrentino", "--home"]
        home, copy, show_id = str(pristine), str(working), waiting[:6]
        commands: list[tuple[str, list[str], Callable[[], None]]] = [
            ("python -c pass (floor)", [sys.executable, "-c", "pass"], lambda: None),
            ("ticket list", [*cli, home, "ticket", "list"], lambda: None),
            ("ticket list --json", [*cli, home, "ticket", "list", "--json"], lambda: None),
            ("ticket show ID", [*cli, home, "ticket", "show", show_id], lambda: None),
            (
                "ticket show ID --json",
                [*cli, home, "ticket", "show", waiting, "--json"],
                lambda: None,
            ),
            ("ticket approve ID", [*cli, copy, "ticket", "approve", show_id], fresh_copy),
            ("audit", [*cli, home, "audit"], lambda: None),
            (
                "audit --ticket ID --json",
                [*cli, home, "audit", "--ticket", show_id, "--json"],
                lambda: None,
            ),
        ]
        load = os.getloadavg()[0]
        print(
            f"median of {args.runs} runs, wall / CPU seconds; target < {TARGET_SECONDS:.2f} s "
            f"wall; load average {load:.2f}"
        )
        print(f"  {'':<26} " + "   ".join(f"{str(tree)[-24:]:>24}" for tree in trees))
        for label, argv, prepare in commands:
            figures = measure(argv, args.runs, envs, Path(scratch), prepare)
            ours = figures[0][0]
            mark = (
                ""
                if label.startswith("python")
                else ("  ok" if ours < TARGET_SECONDS else "  OVER")
            )
            cells = "   ".join(f"{wall:6.3f} s / {cpu:6.3f} s CPU" for wall, cpu in figures)
            print(f"  {label:<26} {cells}{mark}")
        print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

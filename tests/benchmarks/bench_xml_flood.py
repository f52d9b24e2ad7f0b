"""Hostile Torznab answers under the 16 MiB cap: time and peak RSS growth of a search that receives each.

Each case runs in its own process: a loopback server answers caps properly and the search with the case's
body, and TorznabClient.search (the engine's own path: HTTP, bounded XML parse, items) handles it. Figures
are the search's wall time and how far the process's peak RSS (VmHWM, reset just before the search) rose
above its RSS with the body already loaded: what receiving and parsing the answer cost.
The normal feed is the demo indexer's answer for 100 releases named from tests/data/releases.json.

Run: python tests/benchmarks/bench_xml_flood.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from qtorrentino.config.model import IndexerConfig, Secret
from qtorrentino.errors import IndexerError
from qtorrentino.search.torznab import TorznabClient
from qtorrentino.search.torznab_request import SearchRequest
from tests.servers.static import StaticServer
from tests.servers.torznab import Release, TorznabServer

CAP = 16 * 1024 * 1024
DATA = Path(__file__).resolve().parent.parent / "data"
HEAD = b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
TAIL = b"</channel></rss>"


def _flood() -> bytes:
    """About 3.9 million empty elements."""
    return HEAD + b"<a/>" * ((CAP - len(HEAD) - len(TAIL)) // 4) + TAIL


def _deep() -> bytes:
    return b"<a>" * (CAP // 3)


def _huge_attribute() -> bytes:
    return HEAD + b'<item><title t="' + b"x" * (CAP - 200) + b'"/></item>' + TAIL


def _many_attributes() -> bytes:
    """One start tag with about two million attributes (values holding '>' to defeat naive scans)."""
    count = (CAP - 200) // 13
    return HEAD + b"<item" + b"".join(b' a%07d=">"' % n for n in range(count)) + b"/>" + TAIL


def _huge_text() -> bytes:
    return HEAD + b"<item><title>" + b"x" * (CAP - 200) + b"</title></item>" + TAIL


def _items_flood() -> bytes:
    """Small but complete items until the cap: far more than the 1000 an answer may hold."""
    item = b"<item><title>Artist - Album (2001) [FLAC]</title><link>http://127.0.0.1/x</link></item>"
    return HEAD + item * ((CAP - len(HEAD) - len(TAIL)) // len(item)) + TAIL


def _normal_feed() -> bytes:
    """The demo indexer's answer for 100 real-looking release names (not written for this benchmark)."""
    names = [entry["name"] for entry in json.loads((DATA / "releases.json").read_text())][:100]
    releases = [Release(name, size=700_000_000 + n, info_hash=f"{n:040x}",
                        magnet=f"magnet:?xt=urn:btih:{n:040x}") for n, name in enumerate(names)]
    with TorznabServer(releases=releases, modes={"search": "q"}) as server:
        import urllib.request

        url = f"{server.url}?t=search&apikey={server.api_key}&limit=100"
        with urllib.request.urlopen(url) as answer:  # noqa: S310 - the loopback server this script started
            body: bytes = answer.read()
    return body


CASES = {"normal 100-item feed": _normal_feed, "flood of empty elements": _flood, "deep nesting": _deep,
         "one huge attribute": _huge_attribute, "two million attributes": _many_attributes,
         "one huge text": _huge_text, "items until the cap": _items_flood}


def _measure(path: Path) -> None:
    """In a child process: serve the body, search once, print seconds, peak RSS growth and the outcome."""
    body = path.read_bytes()
    with StaticServer(body=body) as server:
        client = TorznabClient(IndexerConfig(name="bench", url=f"{server.origin}/api", api_key=Secret("k" * 16),
                                             timeout_seconds=60))
        client.caps()
        Path("/proc/self/clear_refs").write_text("5")
        before = _status_kb("VmRSS")
        started = time.perf_counter()
        try:
            outcome = f"{len(client.search(SearchRequest(q='x')))} results"
        except IndexerError as error:
            outcome = error.message.removeprefix("bench: ")
        elapsed = time.perf_counter() - started
        peak = _status_kb("VmHWM")
    print(json.dumps({"seconds": elapsed, "growth_mb": (peak - before) / 1024, "peak_mb": peak / 1024,
                      "outcome": outcome}))


def _status_kb(field: str) -> int:
    """A memory figure of this process from /proc/self/status, in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise KeyError(field)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        _measure(Path(sys.argv[2]))
        return
    print(f"{'case':<26} {'MiB':>5} {'seconds':>8} {'RSS growth':>11} {'peak RSS':>9}  outcome")
    with tempfile.TemporaryDirectory() as folder:
        for name, make in CASES.items():
            path = Path(folder) / "body.xml"
            path.write_bytes(make())
            run = subprocess.run([sys.executable, __file__, "--one", str(path)], capture_output=True, text=True,
                                 check=True)
            figures = json.loads(run.stdout.strip().splitlines()[-1])
            print(f"{name:<26} {path.stat().st_size / 2**20:>5.1f} {figures['seconds']:>8.2f} "
                  f"{figures['growth_mb']:>8.0f} MB {figures['peak_mb']:>6.0f} MB  {figures['outcome'][:70]}")


if __name__ == "__main__":
    main()

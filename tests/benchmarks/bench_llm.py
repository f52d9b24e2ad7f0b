"""LLM matcher: import cost, added latency per consultation over loopback, cache hit rate on replay.

Run: python tests/benchmarks/bench_llm.py

The questions are the labelled matching cases' tickets and candidates (tests/data), asked of a
loopback server in each wire format that answers at once, so the figures are qtorrentino's own
cost: building the prompt, the HTTP round trip, decoding and validating. A second pass over the
same cases through the SQLite response cache is the replay. When the providers' official Python
clients are importable, the same question is timed through them for comparison.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.util import find_spec
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from qtorrentino.clock import SystemClock
from qtorrentino.config.model import LlmConfig, Secret
from qtorrentino.db.database import close_database, open_database
from qtorrentino.domain.ticket_json import spec_from_json
from qtorrentino.metadata.cache import MetadataCache
from qtorrentino.textbrain.llm.advisor import LlmAdvisor
from qtorrentino.textbrain.llm.judgements import judge_request
from tests.benchmarks.bench_matching import DATA, results_of
from tests.servers.llm import LlmServer, prompt_section

FLAVOURS = ("openai", "ollama", "anthropic")
KEY = "sk-bench-0123456789"
IMPORT_RUNS = 5
SDK_MODULES = {"openai": "openai", "ollama": "ollama", "anthropic": "anthropic"}


def judge_everything(body: dict[str, Any]) -> dict[str, Any]:
    """The loopback model: judges every candidate it was shown, at once."""
    shown = prompt_section(body, "Candidates")
    return {"judgements": [{"candidate": entry["candidate"], "score": 0.5, "reason": "loopback"}
                           for entry in shown]}


def import_ms(module: str) -> float:
    """Median wall time of importing module in a fresh interpreter."""
    probe = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    times = [float(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                                  check=True, cwd=Path(__file__).resolve().parents[2]).stdout)
             for _ in range(IMPORT_RUNS)]
    return statistics.median(times) * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def consult_cases(advisor: LlmAdvisor, cases: list[dict[str, Any]]) -> tuple[list[float], int]:
    """Judge every case once; latencies in ms and how many answers came from the cache."""
    latencies: list[float] = []
    hits = 0
    for case in cases:
        started = time.perf_counter()
        advice = advisor.judge(spec_from_json(case["ticket"]), results_of(case))
        latencies.append((time.perf_counter() - started) * 1000)
        if advice.problem is not None:
            raise SystemExit(f"unexpected problem: {advice.explain()}")
        hits += advice.use.cached
    return latencies, hits


def sdk_openai_ms(server: LlmServer, cases: list[dict[str, Any]]) -> list[float]:
    """The same judge questions through the official openai client (when installed)."""
    import openai  # optional: measured only when installed

    client = openai.OpenAI(base_url=f"{server.base_url}/v1", api_key=KEY, max_retries=0)
    latencies = []
    for case in cases:
        request = judge_request(spec_from_json(case["ticket"]), results_of(case)[:5])
        started = time.perf_counter()
        client.chat.completions.create(
            model="llama3.1", temperature=0, max_tokens=request.max_tokens,
            messages=[{"role": "system", "content": request.system},
                      {"role": "user", "content": request.prompt}],
            response_format={"type": "json_schema", "json_schema": {
                "name": request.job, "schema": request.schema, "strict": True}})
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def main() -> None:
    cases = json.loads((DATA / "matching_cases.json").read_text(encoding="utf-8"))
    cases = [case for case in cases if case["candidates"]]
    ours = "qtorrentino.textbrain.llm.advisor"
    print(f"import {ours}: {import_ms(ours):.0f} ms")
    for name, module in SDK_MODULES.items():
        if find_spec(module) is not None:
            print(f"import {module} (official {name} client): {import_ms(module):.0f} ms")
    print(f"\n{len(cases)} labelled cases, up to 5 candidates each, a loopback server answering "
          "at once")
    with tempfile.TemporaryDirectory() as folder:
        open_database(Path(folder) / "bench.db")
        try:
            for flavour in FLAVOURS:
                with LlmServer(flavour=flavour, api_key=KEY, responder=judge_everything) as server:
                    config = LlmConfig(provider=flavour, base_url=server.base_url,
                                       api_key=Secret(KEY), timeout_seconds=10)
                    cache = MetadataCache(SystemClock())
                    first, first_hits = consult_cases(LlmAdvisor(config, cache=cache), cases)
                    replay, hits = consult_cases(LlmAdvisor(config, cache=cache), cases)
                    asked = server.chat_count
                print(f"{flavour:9s} added latency per consulted ticket: median "
                      f"{statistics.median(first):.1f} ms, p95 {percentile(first, 0.95):.1f} ms "
                      f"({asked} requests, {first_hits} cached)")
                print(f"{'':9s} replay: cache hit rate {hits / len(cases):.0%}, "
                      f"median {statistics.median(replay):.2f} ms per hit")
            if find_spec("openai") is not None:
                with LlmServer(flavour="openai", api_key=KEY, responder=judge_everything) as server:
                    sdk = sdk_openai_ms(server, cases)
                print(f"openai SDK, same questions: median {statistics.median(sdk):.1f} ms, "
                      f"p95 {percentile(sdk, 0.95):.1f} ms (no validation included)")
        finally:
            close_database()


if __name__ == "__main__":
    main()

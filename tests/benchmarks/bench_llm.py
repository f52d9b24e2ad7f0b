"""LLM matcher: import cost, added latency per consulted ticket over loopback, cache hit rate on replay.

Run: python tests/benchmarks/bench_llm.py

The tickets are the labelled cases (tests/data: matching and decision cases), decided by the engine's
own TextBrain.conclude in dumb_first (the LLM asked only when the heuristics cannot approve alone) and
in llm_first (asked for every ticket), against a loopback server in each wire format that answers at
once: the figures are qtorrentino's own cost (prompt, HTTP round trip, decoding, validating, merging
the judgements, the SQLite cache write), measured against the same decision without the LLM. A second
pass with a new TextBrain over the same SQLite response cache is the replay (`audit replay` or a
restart). When the providers' official Python clients are importable, the same question is timed
through them for comparison.
"""

from __future__ import annotations

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
from qtorrentino.metadata.cache import MetadataCache
from qtorrentino.textbrain.llm.advisor import LlmAdvisor
from qtorrentino.textbrain.llm.judgements import judge_request
from qtorrentino.textbrain.matching import MatcherMode, TextBrain
from tests.benchmarks.labelled_llm import Case, labelled_cases
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


def decide_cases(brain: TextBrain, cases: list[Case]) -> tuple[list[float], int, int]:
    """Decide every case; the added ms of each consulted one, how many consulted, how many cached."""
    added: list[float] = []
    consulted = cached = 0
    for case in cases:
        scored = brain.rank(case.spec, case.results)
        started = time.perf_counter()
        TextBrain(MatcherMode.DUMB_ONLY).conclude(case.spec, scored, case.threshold)
        alone = time.perf_counter() - started
        started = time.perf_counter()
        matched = brain.conclude(case.spec, scored, case.threshold)
        spent = time.perf_counter() - started
        if not matched.consultations:
            continue
        if matched.audit_fields()["llm_discarded"] is not None:
            raise SystemExit(f"unexpected problem: {matched.decision.reason}")
        consulted += 1
        cached += bool(matched.audit_fields()["llm_cached"])
        added.append((spent - alone) * 1000)
    return added, consulted, cached


def sdk_openai_ms(server: LlmServer, cases: list[Case]) -> list[float]:
    """The same judge questions through the official openai client (when installed)."""
    import openai  # optional: measured only when installed

    client = openai.OpenAI(base_url=f"{server.base_url}/v1", api_key=KEY, max_retries=0)
    latencies = []
    for case in cases:
        request = judge_request(case.spec, case.results[:5])
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
    cases = labelled_cases()
    ours = "qtorrentino.textbrain.llm.advisor"
    print(f"import {ours}: {import_ms(ours):.0f} ms")
    for name, module in SDK_MODULES.items():
        if find_spec(module) is not None:
            print(f"import {module} (official {name} client): {import_ms(module):.0f} ms")
    print(f"\n{len(cases)} labelled cases decided by TextBrain.conclude, a loopback server answering "
          "at once; added = the decision's time minus the same decision without the LLM")
    with tempfile.TemporaryDirectory() as folder:
        open_database(Path(folder) / "bench.db")
        try:
            for flavour in FLAVOURS:
                for mode in (MatcherMode.DUMB_FIRST, MatcherMode.LLM_FIRST):
                    with LlmServer(flavour=flavour, api_key=KEY, responder=judge_everything) as server:
                        config = LlmConfig(provider=flavour, base_url=server.base_url,
                                           api_key=Secret(KEY), timeout_seconds=10)
                        cache = MetadataCache(SystemClock())
                        first, asked, repeats = decide_cases(TextBrain(mode, LlmAdvisor(config, cache=cache)),
                                                       cases)
                        replay, replayed, hits = decide_cases(
                            TextBrain(mode, LlmAdvisor(config, cache=cache)), cases)
                        requests = server.chat_count
                    print(f"{flavour:9s} {mode.value:10s} consulted {asked}/{len(cases)} tickets; added "
                          f"latency per consulted ticket: median {statistics.median(first):.1f} ms, "
                          f"p95 {percentile(first, 0.95):.1f} ms ({requests} requests in all; {repeats} "
                          "repeated questions answered from the cache)")
                    print(f"{'':20s} replay: cache hit rate {hits}/{replayed} = {hits / replayed:.0%}, "
                          f"median {statistics.median(replay):.2f} ms added per hit")
            if find_spec("openai") is not None:
                with LlmServer(flavour="openai", api_key=KEY, responder=judge_everything) as server:
                    sdk = sdk_openai_ms(server, cases)
                print(f"openai SDK, same questions: median {statistics.median(sdk):.1f} ms, "
                      f"p95 {percentile(sdk, 0.95):.1f} ms (no validation included)")
        finally:
            close_database()


if __name__ == "__main__":
    main()

"""`qtorrentino doctor` checks the configured LLM: it answers, has the model, returns JSON."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

import pytest

from tests.conftest import make_home, run_cli
from tests.servers.llm import LlmServer, raw
from tests.servers.torznab import DEFAULT_API_KEY, TorznabServer

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

KEY = "sk-ant-doctor-Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6"


@pytest.fixture(scope="module")
def indexer() -> Iterator[TorznabServer]:
    with TorznabServer(releases=[]) as running:
        yield running


def doctor(tmp_path: Path, indexer: TorznabServer, provider: str, base_url: str,
           model: str = "llama3.1", key: str = KEY) -> tuple[int, str, str]:
    """Run the real doctor on a home whose [textbrain.llm] points at base_url."""
    make_home(tmp_path, f'\n[[indexers]]\nname = "loop"\nurl = "{indexer.url}"\n'
                        f'api_key = "{DEFAULT_API_KEY}"\ntimeout_seconds = 3\n'
                        f'\n[textbrain.llm]\nprovider = "{provider}"\nbase_url = "{base_url}"\n'
                        f'model = "{model}"\napi_key = "{key}"\ntimeout_seconds = 5\n')
    result = run_cli(tmp_path, "doctor")
    return result.returncode, result.stdout, result.stderr


@pytest.mark.parametrize("flavour", ["openai", "ollama", "anthropic"])
def test_a_healthy_llm_passes_all_three_checks(
    tmp_path: Path, indexer: TorznabServer, flavour: str
) -> None:
    with LlmServer(flavour=flavour, api_key=KEY) as server:
        server.responder = lambda body: {"ok": True}
        code, out, err = doctor(tmp_path, indexer, flavour, server.base_url)
    assert code == 0, out + err
    assert f"ok   llm server: {flavour} at {server.base_url} answers (1 models)" in out
    assert "ok   llm model: llama3.1 is there" in out
    assert "ok   llm answer: answered JSON in " in out and "(structured output)" in out
    assert KEY not in out + err


def test_a_missing_model_says_how_to_get_it(tmp_path: Path, indexer: TorznabServer) -> None:
    with LlmServer(flavour="ollama", models=("llama3.1", "qwen2.5")) as server:
        code, out, _ = doctor(tmp_path, indexer, "ollama", server.base_url, model="mistral")
    assert code == 1
    assert ("FAIL llm model: 'mistral' is not on the server (it has: llama3.1:latest, "
            "qwen2.5:latest)") in out
    assert "fix: ollama pull mistral" in out
    assert server.chat_count == 0


def test_a_refused_key_fails_without_showing_it(tmp_path: Path, indexer: TorznabServer) -> None:
    with LlmServer(flavour="anthropic", api_key="sk-ant-the-right-one") as server:
        code, out, err = doctor(tmp_path, indexer, "anthropic", server.base_url)
    assert code == 1
    assert "FAIL llm server: anthropic at" in out and "refused the api_key (HTTP 401)" in out
    assert "fix: check api_key in [textbrain.llm]" in out
    assert KEY not in out + err


def test_a_dead_endpoint_fails_the_first_check(tmp_path: Path, indexer: TorznabServer) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, out, _ = doctor(tmp_path, indexer, "openai", f"http://127.0.0.1:{port}")
    assert code == 1
    assert f"FAIL llm server: openai at http://127.0.0.1:{port}: request to" in out
    assert "llm model" not in out and "llm answer" not in out


def test_an_answer_that_is_not_json_fails_the_last_check(
    tmp_path: Path, indexer: TorznabServer
) -> None:
    with LlmServer(flavour="openai") as server:
        server.then(raw("Sure! ok = true"))
        code, out, _ = doctor(tmp_path, indexer, "openai", server.base_url)
    assert code == 1
    assert "ok   llm model: llama3.1 is there" in out
    assert "FAIL llm answer: LLM openai llama3.1: malformed: the answer is not JSON" in out


def test_a_server_without_structured_output_passes_by_prompt(
    tmp_path: Path, indexer: TorznabServer
) -> None:
    with LlmServer(flavour="openai", structured=False) as server:
        server.responder = lambda body: {"ok": True}
        code, out, _ = doctor(tmp_path, indexer, "openai", f"{server.base_url}/v1")
    assert code == 0, out
    assert "ok   llm answer: answered JSON in " in out
    assert "(by prompt: no structured output)" in out


def test_an_unconfigured_llm_is_not_checked(tmp_path: Path, indexer: TorznabServer) -> None:
    make_home(tmp_path, f'\n[[indexers]]\nname = "loop"\nurl = "{indexer.url}"\n'
                        f'api_key = "{DEFAULT_API_KEY}"\n')
    result = run_cli(tmp_path, "doctor")
    assert result.returncode == 0, result.stdout
    assert " llm " not in result.stdout

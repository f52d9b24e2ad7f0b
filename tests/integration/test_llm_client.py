"""The LLM advisor over real HTTP to loopback servers speaking OpenAI, Ollama and Anthropic."""

from __future__ import annotations

import logging
import socket
from typing import TYPE_CHECKING, Any

import pytest

from qtorrentino.config.model import LlmConfig, Secret
from qtorrentino.domain.files import FileEntry
from qtorrentino.domain.ticket_json import spec_from_json
from qtorrentino.search.result import SearchResult
from qtorrentino.textbrain.filemap import map_files
from qtorrentino.textbrain.llm.advisor import LlmAdvisor
from qtorrentino.textbrain.llm.judgements import SCHEMA as JUDGE_SCHEMA
from tests.servers.llm import (
    LlmServer,
    Scripted,
    answer,
    prompt_section,
    raw,
    refusal,
    stall,
    status,
    truncated,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

FLAVOURS = ("openai", "ollama", "anthropic")
KEY = "sk-loopback-0123456789abcdef"
SPEC = spec_from_json({"kind": "album", "query": {"artist": "Radiohead", "album": "OK Computer",
                                                  "year": 1997}, "library": "Music"})
CANDIDATES = [
    SearchResult(title="Radiohead - OK Computer (1997) [FLAC]", indexer="loop", size=420_000_000,
                 seeders=45),
    SearchResult(title="Vitamin String Quartet - Strung Out on OK Computer (2001) [MP3 320]",
                 indexer="loop", size=90_000_000, seeders=5),
    SearchResult(title="Radiohead - Kid A (2000) [FLAC]", indexer="loop", size=380_000_000,
                 seeders=60),
]
GOOD = {"judgements": [{"candidate": 0, "score": 0.96, "reason": "the 1997 album, lossless"},
                       {"candidate": 1, "score": 0.03, "reason": "a string-quartet tribute"},
                       {"candidate": 2, "score": 0.01, "reason": "another album"}]}


@pytest.fixture(params=FLAVOURS)
def server(request: pytest.FixtureRequest) -> Iterator[LlmServer]:
    with LlmServer(flavour=request.param, api_key=KEY) as running:
        yield running


def advisor_for(server: LlmServer, **changes: Any) -> LlmAdvisor:
    values: dict[str, Any] = {"provider": server.flavour, "base_url": server.base_url,
                              "model": "llama3.1", "api_key": Secret(KEY), "timeout_seconds": 5.0}
    values.update(changes)
    return LlmAdvisor(LlmConfig(**values))


def test_a_good_judgement_is_used_with_its_cost(server: LlmServer) -> None:
    server.then(answer(GOOD))
    advice = advisor_for(server).judge(SPEC, CANDIDATES)
    assert advice.problem is None and advice.value is not None
    assert [(entry.rank, entry.score) for entry in advice.value] == [(0, 0.96), (1, 0.03),
                                                                     (2, 0.01)]
    use = advice.use
    assert (use.provider, use.model, use.cached) == (server.flavour, "llama3.1", False)
    assert use.prompt_tokens > 0 and use.completion_tokens > 0 and use.latency_ms >= 0
    assert advice.audit_fields()["llm_discarded"] is None
    server_judged = prompt_section(server.bodies[0], "Candidates")
    assert [entry["title"] for entry in server_judged] == [c.title for c in CANDIDATES]


def _good_judgement(body: dict[str, Any]) -> Any:
    return GOOD


def test_each_wire_format_asks_for_structured_output_its_own_way(server: LlmServer) -> None:
    server.responder = _good_judgement
    assert advisor_for(server, temperature=0.0).judge(SPEC, CANDIDATES).usable
    body, headers = server.bodies[0], server.headers_seen[0]
    if server.flavour == "openai":
        assert body["response_format"] == {"type": "json_schema", "json_schema": {
            "name": "judge_candidates", "schema": JUDGE_SCHEMA, "strict": True}}
        assert body["temperature"] == 0 and body["messages"][0]["role"] == "system"
        assert headers["authorization"] == f"Bearer {KEY}"
    elif server.flavour == "ollama":
        assert body["format"] == JUDGE_SCHEMA and body["stream"] is False
        assert body["options"]["temperature"] == 0 and body["options"]["num_predict"] > 0
    else:
        assert body["tool_choice"] == {"type": "tool", "name": "answer"}
        assert body["tools"][0]["input_schema"] == JUDGE_SCHEMA
        assert "JSON Schema" in body["system"] and body["temperature"] == 0
        assert headers["x-api-key"] == KEY and headers["anthropic-version"] == "2023-06-01"


FAULTS: list[tuple[Scripted, str]] = [
    (raw('{"judgements": [{"candidate": 0, "score": 0.9, "reason": "ok"},'), "malformed"),
    (raw("The first one is clearly the right album."), "malformed"),
    (truncated(), "truncated"),
    (status(429, "slow down", retry_after="20"), "rate_limited"),
    (status(500, "upstream exploded"), "http_error"),
    (answer({"judgements": [{"candidate": 0, "score": 0.9, "reason": "ok"},
                            {"candidate": 1, "score": 0.1, "reason": "no"},
                            {"candidate": 3, "score": 0.8, "reason": "there is no 3"}]}),
     "unknown_candidate"),
    (answer({"judgements": [{"candidate": 0, "score": 9, "reason": "out of ten"},
                            {"candidate": 1, "score": 0.1, "reason": "no"},
                            {"candidate": 2, "score": 0.1, "reason": "no"}]}), "out_of_range"),
]


@pytest.mark.parametrize(("fault", "reason"), FAULTS, ids=[reason for _, reason in FAULTS])
def test_a_bad_answer_is_discarded_with_its_reason_never_used(
    server: LlmServer, fault: Scripted, reason: str
) -> None:
    server.then(fault)
    advice = advisor_for(server).judge(SPEC, CANDIDATES)
    assert advice.value is None and advice.problem is not None
    assert advice.problem.reason.value == reason
    assert advice.audit_fields()["llm_discarded"] == reason
    assert advice.explain().startswith(f"LLM {server.flavour} llama3.1: {reason}: ")


def test_a_refusal_is_discarded(server: LlmServer) -> None:
    server.then(refusal("I can't help with finding torrents."))
    advice = advisor_for(server).judge(SPEC, CANDIDATES)
    assert advice.value is None and advice.problem is not None
    # Ollama has no refusal field: its refusal is prose, which is not the JSON asked for.
    expected = "malformed" if server.flavour == "ollama" else "refusal"
    assert advice.problem.reason.value == expected
    assert "can't help" in advice.problem.message


def test_a_stalled_server_is_given_up_on_at_the_deadline(server: LlmServer) -> None:
    server.then(stall(10))
    advice = advisor_for(server, timeout_seconds=0.5).judge(SPEC, CANDIDATES)
    assert advice.problem is not None and advice.problem.reason.value == "timeout"
    assert 400 <= advice.use.latency_ms < 3000


def test_a_server_without_structured_output_is_asked_by_prompt_alone(server: LlmServer) -> None:
    server.structured = False
    server.responder = _good_judgement
    advisor = advisor_for(server)
    assert advisor.judge(SPEC, CANDIDATES).usable
    assert advisor.judge(SPEC, CANDIDATES[:2]).problem is not None  # GOOD judges three
    features = {"openai": "response_format", "ollama": "format", "anthropic": "tools"}
    feature = features[server.flavour]
    asked = [body.get(feature) for body in server.bodies]
    assert len(asked) == 3, "one refusal, then prompt-only from then on"
    assert asked[0] is not None and asked[0] != "json"
    assert all(value in (None, "json") for value in asked[1:])
    assert "JSON Schema" in str(server.bodies[1]["messages"][0]["content"]
                                if server.flavour != "anthropic" else server.bodies[1]["system"])


def test_a_hosted_reasoning_model_gets_max_completion_tokens_and_its_default_temperature() -> None:
    with LlmServer(flavour="openai", api_key=KEY, reasoning=True, responder=_good_judgement) as server:
        advisor = advisor_for(server)
        first = advisor.judge(SPEC, CANDIDATES)
        second = advisor.judge(SPEC, CANDIDATES[1:] + CANDIDATES[:1])
    assert first.usable and second.usable
    sent = [(("max_tokens" in body), ("max_completion_tokens" in body), body.get("temperature"))
            for body in server.bodies]
    assert sent[:3] == [(True, False, 0), (False, True, 0), (False, True, None)]
    assert sent[3:] == [(False, True, None)], "learnt once, then asked right the first time"
    assert all("response_format" in body for body in server.bodies), "structured output kept"


def test_a_refused_key_is_named_and_never_shown(
    server: LlmServer, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "sk-wrong-key-9876543210fedcba"
    with caplog.at_level(logging.DEBUG):
        advice = advisor_for(server, api_key=Secret(wrong)).judge(SPEC, CANDIDATES)
    assert advice.problem is not None and advice.problem.reason.value == "auth"
    assert "Incorrect API key provided: ***" in advice.problem.message
    assert wrong not in advice.problem.message and wrong not in caplog.text
    assert wrong not in str(advice.audit_fields())


def test_a_model_the_server_lacks_is_named(server: LlmServer) -> None:
    advice = advisor_for(server, model="gpt-9-imaginary").judge(SPEC, CANDIDATES)
    assert advice.problem is not None and advice.problem.reason.value == "model_missing"
    assert "gpt-9-imaginary" in advice.problem.message


def test_a_dead_endpoint_is_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    advisor = LlmAdvisor(LlmConfig(provider="ollama", base_url=f"http://127.0.0.1:{port}",
                                   timeout_seconds=2.0))
    advice = advisor.judge(SPEC, CANDIDATES)
    assert advice.problem is not None and advice.problem.reason.value == "unreachable"
    assert "doctor" in advice.problem.hint


def test_only_max_candidates_are_shown(server: LlmServer) -> None:
    server.then(answer({"judgements": [{"candidate": 0, "score": 0.9, "reason": "right"},
                                       {"candidate": 1, "score": 0.1, "reason": "tribute"}]}))
    advice = advisor_for(server, max_candidates=2).judge(SPEC, CANDIDATES)
    assert advice.value is not None and len(advice.value) == 2
    assert len(prompt_section(server.bodies[0], "Candidates")) == 2


def test_query_variants_come_back_new_and_distinct(server: LlmServer) -> None:
    spec = spec_from_json({"kind": "album", "query": {"artist": "Кино", "album": "Группа крови"},
                           "library": "Music"})
    server.then(answer({"queries": ["Kino Gruppa Krovi", "Кино Группа крови", "Kino Blood Type"]}))
    advice = advisor_for(server).query_variants(spec, ["Кино Группа крови"])
    assert advice.value == ("Kino Gruppa Krovi", "Kino Blood Type")
    assert prompt_section(server.bodies[0], "Queries tried") == ["Кино Группа крови"]


def test_an_oversized_answer_is_discarded_unread(server: LlmServer) -> None:
    server.then(answer({"judgements": [{"candidate": 0, "score": 0.5, "reason": "x" * 3_000_000}]}))
    advice = advisor_for(server).judge(SPEC, CANDIDATES)
    assert advice.problem is not None and advice.problem.reason.value == "malformed"
    assert "limit" in advice.problem.message


KINO = spec_from_json({
    "kind": "album", "query": {"artist": "Кино", "album": "Группа крови", "year": 1988},
    "items": [{"id": "t1", "disc": 1, "number": 1, "title": "Группа крови"},
              {"id": "t2", "disc": 1, "number": 2, "title": "Закрой за мной дверь, я ухожу"}],
    "library": "Music"})
KINO_TORRENT = SearchResult(title="Kino - Gruppa Krovi (1988) [FLAC]", indexer="loop", files=(
    FileEntry(0, "Kino/zakroy_za_mnoy_dver.flac", 31_000_000),
    FileEntry(1, "Kino/gruppa krovi.flac", 30_000_000),
    FileEntry(2, "Kino/setup.exe", 90_000)))


def _place_by_transliteration(body: dict[str, Any]) -> Any:
    """The loopback model: places files whose names transliterate the items' titles."""
    files = {entry["path"].split("/")[-1]: entry["index"]
             for entry in prompt_section(body, "Files not yet used")}
    wanted = {"t1": "gruppa krovi.flac", "t2": "zakroy_za_mnoy_dver.flac"}
    return {"assignments": [{"item_id": item["id"], "file_index": files[wanted[item["id"]]],
                             "reason": "the title in Latin script"}
                            for item in prompt_section(body, "Items without a file")]}


def test_the_model_fills_the_mapping_the_heuristics_left_empty(server: LlmServer) -> None:
    server.responder = _place_by_transliteration
    heuristic = map_files(KINO, KINO_TORRENT.files)
    advice = advisor_for(server).complete_mapping(KINO, KINO_TORRENT.files, heuristic)
    assert heuristic.unmapped == ("t1", "t2")
    assert advice is not None and advice.value is not None
    assert [(entry.item_id, entry.file.index) for entry in advice.value.assignments] == [
        ("t1", 1), ("t2", 0)]
    assert advice.value.unmapped == () and advice.value.coverage == 1.0
    offered = [entry["path"] for entry in prompt_section(server.bodies[0], "Files not yet used")]
    assert "Kino/setup.exe" not in offered


def test_a_placement_on_a_file_not_in_the_torrent_is_discarded(server: LlmServer) -> None:
    server.then(answer({"assignments": [{"item_id": "t1", "file_index": 7, "reason": "guess"}]}))
    advice = advisor_for(server).complete_mapping(KINO, KINO_TORRENT.files,
                                                  map_files(KINO, KINO_TORRENT.files))
    assert advice is not None and advice.value is None and advice.problem is not None
    assert advice.problem.reason.value == "unknown_file"


def test_a_complete_mapping_asks_nothing(server: LlmServer) -> None:
    tidy = SearchResult(title="Кино - Группа крови", indexer="loop", files=(
        FileEntry(0, "Кино/01 - Группа крови.flac", 1),
        FileEntry(1, "Кино/02 - Закрой за мной дверь, я ухожу.flac", 1)))
    mapped = map_files(KINO, tidy.files)
    assert mapped.unmapped == ()
    assert advisor_for(server).complete_mapping(KINO, tidy.files, mapped) is None
    assert server.chat_count == 0

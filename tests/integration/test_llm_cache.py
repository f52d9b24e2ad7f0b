"""LLM answers cached in the home's SQLite by request hash: a replay or restart pays once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from qtorrentino.config.model import LlmConfig, Secret
from qtorrentino.db.database import write_transaction
from qtorrentino.db.models import CandidateRow
from qtorrentino.domain.files import FileEntry
from qtorrentino.domain.ticket_json import spec_from_json
from qtorrentino.metadata.cache import MetadataCache
from qtorrentino.search.result import SearchResult
from qtorrentino.textbrain.llm.advisor import LlmAdvisor
from qtorrentino.textbrain.llm.judgements import judge_request
from qtorrentino.textbrain.score import score_candidates
from qtorrentino.workers.candidates import result_of, store_candidates
from tests.servers.llm import LlmServer, answer, raw

if TYPE_CHECKING:
    from collections.abc import Iterator

    from qtorrentino.engine.engine import Engine

SPEC = spec_from_json({"kind": "album", "query": {"artist": "Boards of Canada",
                                                  "album": "Music Has the Right to Children"},
                       "library": "Music"})
CANDIDATES = [
    SearchResult(title="Boards of Canada - Music Has the Right to Children (1998) [FLAC]",
                 indexer="loop", size=400_000_000, seeders=12, info_hash="a" * 40,
                 files=(FileEntry(0, "BoC - MHTRTC/01 Wildlife Analysis.flac", 9_000_000),
                        FileEntry(1, "BoC - MHTRTC/02 An Eagle in Your Mind.flac", 40_000_000))),
    SearchResult(title="Boards of Canada - Geogaddi (2002) [FLAC]", indexer="loop",
                 size=500_000_000, seeders=30, info_hash="b" * 40),
]
GOOD = {"judgements": [{"candidate": 0, "score": 0.95, "reason": "the album"},
                       {"candidate": 1, "score": 0.02, "reason": "another album"}]}


@pytest.fixture
def server() -> Iterator[LlmServer]:
    with LlmServer(flavour="openai", api_key="sk-cache-test-0123456789") as running:
        yield running


def advisor(server: LlmServer, engine: Engine, **changes: Any) -> LlmAdvisor:
    values: dict[str, Any] = {"provider": "openai", "base_url": server.base_url,
                              "model": "llama3.1", "api_key": Secret("sk-cache-test-0123456789"),
                              "timeout_seconds": 5.0}
    values.update(changes)
    return LlmAdvisor(LlmConfig(**values), cache=MetadataCache(engine.clock))


def test_the_same_question_is_answered_from_the_cache_after_a_restart(
    server: LlmServer, engine: Engine
) -> None:
    server.then(answer(GOOD))
    first = advisor(server, engine).judge(SPEC, CANDIDATES)
    again = advisor(server, engine).judge(SPEC, CANDIDATES)
    assert first.value == again.value and first.value is not None
    assert server.chat_count == 1
    assert (first.use.cached, again.use.cached) == (False, True)
    assert again.use.prompt_tokens == first.use.prompt_tokens


def test_the_cache_key_holds_model_and_temperature_but_never_the_key(
    server: LlmServer, engine: Engine
) -> None:
    request = judge_request(SPEC, CANDIDATES)
    plain = advisor(server, engine).client
    other_key = advisor(server, engine, api_key=Secret("sk-another-key-999999999")).client
    assert plain.cache_key(request) == other_key.cache_key(request)
    assert "sk-cache-test" not in plain.cache_key(request)
    for changes in ({"model": "qwen2.5"}, {"temperature": 0.7}, {"provider": "ollama"}):
        changed = advisor(server, engine, **changes).client
        assert changed.cache_key(request) != plain.cache_key(request)


def test_a_discarded_answer_is_not_cached(server: LlmServer, engine: Engine) -> None:
    server.then(raw("not json at all"), answer(GOOD))
    assert advisor(server, engine).judge(SPEC, CANDIDATES).problem is not None
    assert advisor(server, engine).judge(SPEC, CANDIDATES).usable
    assert advisor(server, engine).judge(SPEC, CANDIDATES).use.cached
    assert server.chat_count == 2


def test_stored_candidates_ask_the_same_question_so_a_replay_hits_the_cache(
    server: LlmServer, engine: Engine
) -> None:
    ticket_id = engine.tickets.add(SPEC, actor="cli:test").id
    scored = score_candidates(SPEC, CANDIDATES)
    with write_transaction():
        store_candidates(ticket_id, scored)
    rows = CandidateRow.select().where(CandidateRow.ticket == ticket_id).order_by(CandidateRow.rank)
    replayed = [result_of(row) for row in rows]
    live = [candidate.result for candidate in scored]
    assert judge_request(SPEC, replayed) == judge_request(SPEC, live)
    server.then(answer(GOOD))
    advisor(server, engine).judge(SPEC, live)
    assert advisor(server, engine).judge(SPEC, replayed).use.cached
    assert server.chat_count == 1

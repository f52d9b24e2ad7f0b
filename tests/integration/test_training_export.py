"""`qtorrentino audit export --training`: one line per decision, with the person's correction."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

from qtorrentino.audit.query import AuditFilter
from qtorrentino.audit.training import export_training
from qtorrentino.db.database import write_transaction
from qtorrentino.domain.files import FileEntry
from qtorrentino.domain.ticket_json import spec_from_json
from qtorrentino.search.result import SearchResult
from qtorrentino.textbrain.score import score_candidates
from qtorrentino.workers.candidates import store_candidates
from tests.conftest import make_home, run_cli
from tests.servers.torznab import DEFAULT_API_KEY, Release, TorznabServer

if TYPE_CHECKING:
    from pathlib import Path

    from qtorrentino.engine.engine import Engine

RELEASES = [
    Release(title="Radiohead - OK Computer (1997) [FLAC]", size=450_000_000, seeders=80,
            info_hash="ab" * 20, magnet="magnet:?xt=urn:btih:" + "ab" * 20, category=3000),
    Release(title="Radiohead - OK Computer (1997) [MP3 320]", size=120_000_000, seeders=150,
            info_hash="cd" * 20, magnet="magnet:?xt=urn:btih:" + "cd" * 20, category=3000),
    Release(title="Radiohead - OK Computer OKNOTOK 1997 2017 (2017) [FLAC]", size=900_000_000,
            seeders=60, info_hash="ef" * 20, magnet="magnet:?xt=urn:btih:" + "ef" * 20,
            category=3000),
    Release(title="Radiohead - Kid A (2000) [FLAC]", size=380_000_000, seeders=60,
            info_hash="aa" * 20, magnet="magnet:?xt=urn:btih:" + "aa" * 20, category=3000),
    Release(title="Radiohead - In Rainbows (2007) [FLAC]", size=360_000_000, seeders=70,
            info_hash="bb" * 20, magnet="magnet:?xt=urn:btih:" + "bb" * 20, category=3000),
]
WANTED = {"kind": "album", "query": {"artist": "Radiohead", "album": "OK Computer", "year": 1997},
          "constraints": {"format": "flac"}, "auto_approve_threshold": 0.999}


def add(home: Path, **changes: Any) -> str:
    result = run_cli(home, "ticket", "add", "-", stdin=json.dumps({**WANTED, **changes}))
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_each_decision_is_one_line_with_what_the_person_did(tmp_path: Path) -> None:
    with TorznabServer(releases=RELEASES) as indexer:
        make_home(tmp_path, f'\n[[indexers]]\nname = "loop"\nurl = "{indexer.url}"\n'
                            f'api_key = "{DEFAULT_API_KEY}"\ntimeout_seconds = 3\n')
        corrected = add(tmp_path)
        rejected = add(tmp_path, query={"artist": "Radiohead", "album": "Kid A", "year": 2000})
        dry = add(tmp_path, dry_run=True, query={"artist": "Radiohead", "album": "In Rainbows"})
        assert run_cli(tmp_path, "headless", "--exit-when-idle").returncode == 0
    assert run_cli(tmp_path, "ticket", "approve", corrected, "--candidate", "1").returncode == 0
    assert run_cli(tmp_path, "ticket", "reject", rejected, "--reason", "a reissue").returncode == 0
    exported = run_cli(tmp_path, "audit", "export", "--training")
    assert exported.returncode == 0, exported.stderr
    assert DEFAULT_API_KEY not in exported.stdout
    records = {record["ticket_id"]: record
               for record in map(json.loads, exported.stdout.splitlines())}
    assert set(records) == {corrected, rejected, dry}

    record = records[corrected]
    assert record["ticket"]["query"]["album"] == "OK Computer"
    assert record["ticket"]["auto_approve_threshold"] == 0.999
    assert record["outcome"] == "needs_approval" and record["recommended_rank"] == 0
    assert record["matcher"] == "dumb" and record["queries"]
    assert record["final"]["action"] == "approved" and record["final"]["rank"] == 1
    assert record["final"]["by"].startswith("cli:") and record["correction"] is True
    picked = record["candidates"][1]
    assert record["final"]["info_hash"] == picked["info_hash"]
    by_hash = {release.info_hash: release for release in RELEASES}
    for candidate in record["candidates"]:
        release = by_hash[candidate["info_hash"]]
        assert (candidate["size"], candidate["seeders"]) == (release.size, release.seeders)
        assert candidate["scores"] == {"dumb": candidate["score"]}
        assert candidate["reasons"]["dumb"] and "files" in candidate

    assert records[rejected]["final"]["action"] == "rejected"
    assert records[rejected]["correction"] is True
    assert records[dry]["final"]["action"] == "dry_run" and records[dry]["correction"] is None

    one = run_cli(tmp_path, "audit", "export", "--training", "--ticket", corrected[:6],
                  "--output", str(tmp_path / "one.jsonl"))
    assert one.returncode == 0 and "exported 1 decisions" in one.stderr
    assert json.loads((tmp_path / "one.jsonl").read_text())["ticket_id"] == corrected
    wrong = run_cli(tmp_path, "audit", "export", "--training", "--type", "MatchingCompleted")
    assert wrong.returncode == 2 and "--type does not apply to --training" in wrong.stderr


def test_llm_scores_reasons_and_costs_are_exported_beside_the_heuristics(engine: Engine) -> None:
    spec = spec_from_json({"kind": "album", "query": {"artist": "Кино", "album": "Группа крови"},
                           "library": "Music"})
    files = (FileEntry(0, "Kino - Gruppa Krovi/01 - Gruppa krovi.flac", 30_000_000),)
    results = [SearchResult(title="Kino - Gruppa Krovi (1988) [FLAC]", indexer="loop",
                            size=300_000_000, seeders=4, info_hash="12" * 20, files=files)]
    ticket_id = engine.tickets.add(spec, actor="cli:test").id
    scored = score_candidates(spec, results)
    with write_transaction():
        store_candidates(ticket_id, scored)
    with engine.core.uow() as outbox:
        engine.core.audit.record(outbox, "MatchingCompleted", ticket_id=ticket_id, actor="engine",
                                 data={
            "matcher": "dumb+llm", "selected_rank": 0, "confidence": 0.9, "threshold": 0.85,
            "outcome": "needs_approval", "queries": ["Кино Группа крови"],
            "candidates": [{"rank": 0, "title": results[0].title, "info_hash": "12" * 20,
                            "score": 0.9, "reasons": ["artist matches (transliterated)"],
                            "scores": {"dumb": 0.41, "llm": 0.9},
                            "llm_reason": "Gruppa Krovi is Группа крови in Latin script"}],
            "llm_provider": "ollama", "llm_model": "llama3.1", "prompt_tokens": 412,
            "completion_tokens": 57, "llm_latency_ms": 830, "llm_cached": False,
            "llm_discarded": None, "llm_error": None})
    output = io.BytesIO()
    assert export_training(output, AuditFilter(), engine.core.config.secrets) == 1
    record = json.loads(output.getvalue())
    candidate = record["candidates"][0]
    assert candidate["scores"] == {"dumb": 0.41, "llm": 0.9}
    assert candidate["reasons"]["llm"].startswith("Gruppa Krovi is")
    assert candidate["files"] == [{"index": 0, "path": files[0].path, "size": files[0].size}]
    assert record["llm"]["llm_model"] == "llama3.1" and record["llm"]["prompt_tokens"] == 412
    assert record["final"] is None and record["correction"] is None

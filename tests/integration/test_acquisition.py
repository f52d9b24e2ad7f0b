"""Acquisition against a loopback Torznab server: decisions, audit trail, blocklist, failures, crash recovery."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from qtorrentino.clock import FrozenClock
from qtorrentino.config.home import Home
from qtorrentino.domain.states import TicketState
from qtorrentino.engine.engine import Engine
from qtorrentino.workers.acquisition import AcquisitionWorker
from tests.conftest import REPO, make_home, run_cli
from tests.servers.torznab import DEFAULT_API_KEY, Fault, Release, TorznabServer

GB = 1024**3
MB = 1024**2


def release(title: str, size: int, seeders: int, number: int, category: int = 3000) -> Release:
    info_hash = f"{number:040x}"
    return Release(title=title, size=size, seeders=seeders, info_hash=info_hash, category=category,
                   magnet=f"magnet:?xt=urn:btih:{info_hash}&dn={title.replace(' ', '+')}")


RELEASES = [
    release("Radiohead - OK Computer (1997) [FLAC]", 450 * MB, 80, 1),
    release("Radiohead - OK Computer (1997) [MP3 320]", 120 * MB, 150, 2),
    release("Karaoke Hits - Radiohead OK Computer Karaoke Version", 90 * MB, 5, 3),
    release("Sintel (2010) 1080p BluRay x264-GRP", 2 * GB, 40, 4, category=2000),
    release("Sintel (2010) 720p WEB-DL x264-OTHER", 1 * GB, 35, 5, category=2000),
    release("Sintel 2 (2031) 1080p WEB-DL x264-GRP", 2 * GB, 30, 6, category=2000),
]


def indexer_config(server: TorznabServer, name: str) -> str:
    return (f'\n[[indexers]]\nname = "{name}"\nurl = "{server.url}"\napi_key = "{DEFAULT_API_KEY}"\n'
            "timeout_seconds = 3\nrate_limit_per_minute = 0\n")


@pytest.fixture
def server() -> Iterator[TorznabServer]:
    with TorznabServer(releases=list(RELEASES)) as running:
        yield running


@pytest.fixture
def acquiring(tmp_path: Path, server: TorznabServer, clock: FrozenClock) -> Iterator[tuple[Engine, AcquisitionWorker]]:
    home = make_home(tmp_path, indexer_config(server, "jackett") + '\n[textbrain]\nauto_approve_threshold = 0.8\n')
    engine = Engine.open(home, clock=clock)
    engine.start(workers=False)
    worker = engine.parts.worker(AcquisitionWorker)
    assert isinstance(worker, AcquisitionWorker)
    yield engine, worker
    engine.stop()


def add(engine: Engine, ticket: dict[str, object]) -> str:
    return engine.tickets.add_json(ticket, actor="cli:test")[0].id


def types_of(engine: Engine, ticket_id: str) -> list[str]:
    return [event.type for event in engine.audit.history(ticket_id)]


def test_clear_winner_is_auto_approved_with_the_full_audit_chain(acquiring: tuple[Engine, AcquisitionWorker]) -> None:
    engine, worker = acquiring
    ticket = add(engine, {"kind": "album", "query": {"artist": "Radiohead", "album": "OK Computer", "year": 1997},
                          "constraints": {"format": "flac"}})
    assert worker.run_once()
    detail = engine.tickets.show(ticket)
    assert detail.state is TicketState.AUTO_APPROVED, detail.summary.error
    assert detail.chosen is not None and "FLAC" in detail.chosen.title
    assert all("Karaoke" not in c.title for c in detail.candidates[:2])
    assert detail.candidates[0].reasons
    assert types_of(engine, ticket)[:4] == ["TicketCreated", "TicketStateChanged", "SearchExecuted",
                                            "MatchingCompleted"]
    matching = engine.audit.latest(ticket, "MatchingCompleted")
    assert matching is not None and matching.data["selected_rank"] == 0
    assert all({"rank", "title", "info_hash", "score", "reasons"} <= set(c) for c in matching.data["candidates"])
    search = engine.audit.latest(ticket, "SearchExecuted")
    assert search is not None and search.data["results_count"] >= 2 and search.data["error"] is None


def test_close_candidates_need_a_person_and_a_different_pick_is_a_correction(
        acquiring: tuple[Engine, AcquisitionWorker]) -> None:
    engine, worker = acquiring
    ticket = add(engine, {"kind": "movie", "query": {"title": "Sintel"}})
    assert worker.run_once()
    detail = engine.tickets.show(ticket)
    assert detail.state is TicketState.NEEDS_APPROVAL
    assert engine.audit.latest(ticket, "ApprovalRequested") is not None
    other = next(c for c in detail.candidates if c.rank > 0 and "Sintel" in c.title)
    approved = engine.tickets.approve(ticket, other.rank, actor="tui:test")
    assert approved.state is TicketState.APPROVED
    granted = engine.audit.latest(ticket, "ApprovalGranted")
    assert granted is not None and granted.data["correction"] is True


def test_nothing_found_fails_acquisition_naming_the_queries(acquiring: tuple[Engine, AcquisitionWorker]) -> None:
    engine, worker = acquiring
    ticket = add(engine, {"kind": "album", "query": {"artist": "Nobody", "album": "Nothing At All"}})
    assert worker.run_once()
    detail = engine.tickets.show(ticket)
    assert detail.state is TicketState.ACQUISITION_FAILED
    change = engine.audit.latest(ticket, "TicketStateChanged")
    assert change is not None and '"Nobody Nothing At All"' in change.data["reason"]


def test_dry_run_stops_with_the_ranking(acquiring: tuple[Engine, AcquisitionWorker]) -> None:
    engine, worker = acquiring
    ticket = add(engine, {"kind": "album", "query": {"artist": "Radiohead", "album": "OK Computer"},
                          "dry_run": True})
    assert worker.run_once()
    detail = engine.tickets.show(ticket)
    assert detail.state is TicketState.DRY_RUN_COMPLETE and detail.candidates


def test_a_broken_indexer_is_audited_and_the_other_still_counts(tmp_path: Path, server: TorznabServer,
                                                                 clock: FrozenClock) -> None:
    with TorznabServer(releases=list(RELEASES), fault=Fault.HTTP_500) as broken:
        home = make_home(tmp_path, indexer_config(server, "good") + indexer_config(broken, "broken"))
        engine = Engine.open(home, clock=clock)
        engine.start(workers=False)
        try:
            ticket = add(engine, {"kind": "album", "query": {"artist": "Radiohead", "album": "OK Computer"}})
            engine.parts.worker(AcquisitionWorker).run_once()
            searches = [e for e in engine.audit.history(ticket) if e.type == "SearchExecuted"]
            errors = {e.data["indexer"]: e.data["error"] for e in searches}
            assert errors["good"] is None and "500" in (errors["broken"] or "")
            assert engine.tickets.show(ticket).state in (TicketState.AUTO_APPROVED, TicketState.NEEDS_APPROVAL)
        finally:
            engine.stop()


def test_all_indexers_down_is_a_retryable_failure(tmp_path: Path, clock: FrozenClock) -> None:
    with TorznabServer(releases=list(RELEASES), fault=Fault.GARBAGE) as broken:
        home = make_home(tmp_path, indexer_config(broken, "broken"))
        engine = Engine.open(home, clock=clock)
        engine.start(workers=False)
        try:
            ticket = add(engine, {"kind": "movie", "query": {"title": "Sintel"}})
            engine.parts.worker(AcquisitionWorker).run_once()
            summary = engine.tickets.show(ticket).summary
            assert summary.state is TicketState.FAILED and summary.retryable
            assert summary.error is not None and "no indexer answered" in summary.error
        finally:
            engine.stop()


def test_blocklisted_release_is_never_picked_again(acquiring: tuple[Engine, AcquisitionWorker]) -> None:
    engine, worker = acquiring
    ticket = add(engine, {"kind": "album", "query": {"artist": "Radiohead", "album": "OK Computer"},
                          "constraints": {"format": "flac"}})
    worker.run_once()
    first = engine.tickets.show(ticket).chosen
    assert first is not None
    with engine.core.uow() as outbox:
        engine.core.commands.blocklist(outbox, ticket, first.info_hash or "", first.title, "metadata refused")
        engine.core.commands.transition(outbox, ticket, TicketState.ACQUIRING, reason="next candidate",
                                        actor="engine")
    worker.run_once()
    detail = engine.tickets.show(ticket)
    assert all(c.info_hash != first.info_hash for c in detail.candidates)


@pytest.mark.slow
def test_kill_9_mid_acquisition_resumes_on_restart(tmp_path: Path) -> None:
    with TorznabServer(releases=list(RELEASES), fault=Fault.HANG) as hanging:
        home = make_home(tmp_path, indexer_config(hanging, "jackett").replace("timeout_seconds = 3",
                                                                             "timeout_seconds = 60"))
        ticket = run_cli(home, "ticket", "add", "--movie", "Sintel").stdout.strip()
        child = subprocess.Popen([sys.executable, "-m", "qtorrentino", "--home", str(tmp_path), "headless"],
                                 env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while not hanging.api_requests():
                assert time.monotonic() < deadline, "the engine never searched"
                time.sleep(0.05)
            shown = json.loads(run_cli(home, "ticket", "show", ticket, "--json").stdout)
            assert shown["state"] == "acquiring"
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=10)
        finally:
            child.kill()
        hanging.fault = Fault.NONE
        restarted = run_cli(home, "headless", "--exit-when-idle", timeout=120)
    assert restarted.returncode == 0, restarted.stderr
    shown = json.loads(run_cli(home, "ticket", "show", ticket, "--json").stdout)
    assert shown["state"] == "needs_approval"
    assert shown["candidates"]
    types = [json.loads(line)["type"] for line in Home.at(tmp_path).audit_jsonl.read_text().splitlines()]
    assert types.count("ServiceStarted") == 2 and types.count("ServiceStopped") == 1

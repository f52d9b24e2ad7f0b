"""Issue 12: the person hears about it: needs-approval, failures and a full disk reach ntfy and a JSON webhook once."""

from __future__ import annotations

import time
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from qtorrentino.domain.states import TicketState
from qtorrentino.engine.engine import Engine
from qtorrentino.errors import ConfigError
from tests.conftest import make_home, run_cli
from tests.servers.notify_receiver import NotificationReceiver
from tests.servers.torznab import Fault, Release, TorznabServer

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

API_KEY = "notify-indexer-secret-7f3a9c"
HASH = "feed0123456789abcdef0123456789abcdef0123"
SETTLE_SECONDS = 2.0
"""After the last expected message, how long the receivers are watched for repeats."""


def _config(indexer: TorznabServer, urls: list[str], events: str = "") -> str:
    quoted = ", ".join(f'"{url}"' for url in urls)
    return (f'\n[[indexers]]\nname = "loopback"\nurl = "{indexer.url}"\napi_key = "{API_KEY}"\n'
            "rate_limit_per_minute = 0\ntimeout_seconds = 5\n\n[textbrain]\nauto_approve_threshold = 0.99\n"
            f"\n[notify]\nurls = [{quoted}]\n{events}")


@pytest.fixture
def indexer() -> Iterator[TorznabServer]:
    release = Release("Quiet Artist - Quiet Album (2004) [MP3 128]", size=40_000_000, seeders=2, info_hash=HASH,
                      magnet=f"magnet:?xt=urn:btih:{HASH}", category=3000)
    with TorznabServer(releases=[release], api_key=API_KEY) as server:
        yield server


def _wait_state(engine: Engine, ticket: str, state: TicketState, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while engine.tickets.show(ticket).state is not state:
        assert time.monotonic() < deadline, engine.tickets.show(ticket).summary
        time.sleep(0.05)


def _add(engine: Engine, artist: str, album: str) -> str:
    return engine.tickets.add_json({"kind": "album", "query": {"artist": artist, "album": album}},
                                   actor="cli:test")[0].id


def _kinds(messages: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    """(ticket id, what it says) for each message: each ticket and kind must appear once."""
    found: Counter[tuple[str, str]] = Counter()
    for message in messages:
        ticket = message["message"].split()[1]
        kind = message["title"].removeprefix("qtorrentino: ").split(":")[0]
        found[(ticket, kind)] += 1
    return found


def test_approval_failure_and_full_disk_each_reach_ntfy_and_a_webhook_once(
        tmp_path: Path, indexer: TorznabServer) -> None:
    with NotificationReceiver() as ntfy, NotificationReceiver() as webhook:
        urls = [f"ntfy://{ntfy.host_port}/qtorrentino-alerts", f"json://{webhook.host_port}/hooks/qtorrentino"]
        engine = Engine.open(make_home(tmp_path, _config(indexer, urls)))
        engine.start()
        try:
            waiting = _add(engine, "Quiet Artist", "Quiet Album")
            _wait_state(engine, waiting, TicketState.NEEDS_APPROVAL)
            assert len(ntfy.wait_for(1, timeout=10)) == 1
            indexer.fault = Fault.HTTP_500
            broken = _add(engine, "Broken Artist", "Broken Album")
            _wait_state(engine, broken, TicketState.FAILED)
            assert len(ntfy.wait_for(2, timeout=10)) == 2
            core = engine.core
            with core.uow() as outbox:
                core.audit.record(outbox, "DownloadFailed", ticket_id=waiting, actor="engine", data={
                    "info_hash": HASH, "torrent_name": "Quiet Album", "size_bytes": 40_000_000,
                    "duration_secs": 3, "fault": "disk_full",
                    "error": f"No space left on device (fetching {indexer.url}?apikey={API_KEY})"})
                core.commands.transition(outbox, waiting, TicketState.FAILED, actor="engine",
                                         reason="download failed: No space left on device")
            ntfy.wait_for(3, timeout=10)
            time.sleep(SETTLE_SECONDS)
        finally:
            engine.stop()
    for receiver, path in ((ntfy, "/"), (webhook, "/hooks/qtorrentino")):
        messages = receiver.messages()
        assert {message["path"] for message in messages} == {path}
        assert _kinds(messages) == {(waiting, "approval needed"): 1, (broken, "failed"): 1,
                                    (waiting, "download disk full"): 1}, messages
        assert all(API_KEY not in str(message) for message in messages)
        by_kind = {message["title"].split(":")[1].strip(): message["message"] for message in messages}
        assert f"qtorrentino ticket approve {waiting}" in by_kind["approval needed"]
        assert f"qtorrentino ticket retry {broken}" in by_kind["failed"]
        assert "disk is full" in by_kind["download disk full"] and f"ticket retry {waiting}" in by_kind[
            "download disk full"]
    assert "Quiet Artist – Quiet Album" in ntfy.messages()[0]["title"]
    assert ntfy.messages()[0]["topic"] == "qtorrentino-alerts"


def test_a_receiver_that_answers_500_is_audited_once_and_the_ticket_goes_on(
        tmp_path: Path, indexer: TorznabServer) -> None:
    with NotificationReceiver(status=500) as broken:
        engine = Engine.open(make_home(tmp_path, _config(indexer, [f"json://{broken.host_port}/hook"])))
        engine.start()
        try:
            ticket = _add(engine, "Quiet Artist", "Quiet Album")
            _wait_state(engine, ticket, TicketState.NEEDS_APPROVAL)
            deadline = time.monotonic() + 10
            while engine.audit.latest(ticket, "NotificationFailed") is None:
                assert time.monotonic() < deadline, "no NotificationFailed recorded"
                time.sleep(0.05)
            time.sleep(SETTLE_SECONDS)
            failures = [event for event in engine.audit.history(ticket) if event.type == "NotificationFailed"]
            summary = engine.tickets.show(ticket).summary
        finally:
            engine.stop()
    assert len(broken.messages()) == 1
    [failure] = failures
    assert failure.data["service"] == "json" and failure.data["event"] == "needs_approval"
    assert "500" in failure.data["error"] and broken.host_port not in str(failure.data["service"])
    assert (summary.state, summary.error) == (TicketState.NEEDS_APPROVAL, None)


def test_only_the_configured_events_are_sent_and_a_bad_url_is_a_config_error(
        tmp_path: Path, indexer: TorznabServer) -> None:
    with NotificationReceiver() as webhook:
        config = _config(indexer, [f"json://{webhook.host_port}/hook"], 'events = ["completed"]\n')
        engine = Engine.open(make_home(tmp_path / "quiet", config))
        engine.start()
        try:
            ticket = _add(engine, "Quiet Artist", "Quiet Album")
            _wait_state(engine, ticket, TicketState.NEEDS_APPROVAL)
            time.sleep(SETTLE_SECONDS)
        finally:
            engine.stop()
        assert webhook.messages() == []
        doctor = run_cli(make_home(tmp_path / "doctor", _config(
            indexer, [f"json://qtorrentino:hunter2-secret@{webhook.host_port}/hook"])), "doctor")
    [line] = [line for line in doctor.stdout.splitlines() if "notifications" in line]
    assert f"json://qtorrentino:****@{webhook.host_port}/hook" in line and "hunter2" not in doctor.stdout, line
    home = make_home(tmp_path / "bad", _config(indexer, ["nosuchservice://token@host/x"]))
    with pytest.raises(ConfigError, match=r"\[notify\] urls: a nosuchservice:// URL"):
        Engine.open(home).stop()
    headless = run_cli(home, "headless", "--exit-when-idle")
    assert headless.returncode == 2 and "nosuchservice://" in headless.stderr and "token" not in headless.stderr

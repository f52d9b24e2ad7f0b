"""Failure classes, the watchdog and stopping: a bad release is blocklisted, a stuck ticket gets a person's error,
a stop cancels ffmpeg before it waits."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from qtorrentino.db.models import TicketItemRow
from qtorrentino.domain.states import ItemState, TicketState
from qtorrentino.engine.engine import Engine
from tests.conftest import make_home, run_cli
from tests.integration.loopback_world import offer, types_of, wait_for_state, wait_until, world_home
from tests.media_fixtures import make_album, make_tone
from tests.servers.seeder import Seeder
from tests.servers.torznab import Release, TorznabServer

ALBUM = "Short Artist - Short Album (2003) [FLAC]"
DRIP_SECONDS = 15.0


def test_a_release_that_fails_verification_is_blocklisted_and_the_next_candidate_sought(tmp_path: Path) -> None:
    make_album(tmp_path / "content" / ALBUM, tracks=2, seconds=4.0, artist="Short Artist", album="Short Album",
               year=2003)
    with Seeder(tmp_path / "seeder") as seeder:
        seeded = seeder.seed(tmp_path / "content" / ALBUM)
        with TorznabServer(releases=[offer(seeded, ALBUM, category=3000)]) as server:
            engine = Engine.open(world_home(tmp_path / "home", server, threshold=0.6))
            engine.start()
            try:
                ticket = engine.tickets.add_json({
                    "kind": "album", "query": {"artist": "Short Artist", "album": "Short Album", "year": 2003},
                    "items": [{"id": "t1", "disc": 1, "number": 1, "title": "Track 01", "duration_secs": 200}],
                    "constraints": {"format": "copy"}}, actor="cli:test")[0].id
                state = wait_for_state(engine, ticket, TicketState.ACQUISITION_FAILED, TicketState.NEEDS_APPROVAL,
                                       TicketState.FAILED, TicketState.COMPLETED)
                summary = engine.tickets.show(ticket).summary
                blocked = engine.audit.latest(ticket, "ReleaseBlocklisted")
                refused = engine.audit.latest(ticket, "PlacementFailed")
                history = types_of(engine, ticket)
                wait_until(lambda: engine.audit.latest(None, "TorrentRemoved") is not None, timeout=15,
                           what="the left torrent removed")
                idle = engine.is_idle()
            finally:
                engine.stop()
    assert state is TicketState.ACQUISITION_FAILED, summary
    assert blocked is not None and blocked.data["info_hash"] == seeded.info_hash
    assert "lasts 4.0 s, the ticket expects 200 s" in blocked.data["reason"]
    assert history.index("PlacementFailed") < history.index("ReleaseBlocklisted")
    assert refused is not None and refused.data["library"] == "Music" and refused.data["fault"] is None
    assert history.count("SearchExecuted") >= 2 and "AdminRetry" not in history
    assert not list((tmp_path / "home" / "music").rglob("*.flac"))
    assert idle


class _Drip(BaseHTTPRequestHandler):
    """Answers 200 then sends one header line every 0.2 s, never a body (a stuck .torrent link)."""

    def do_GET(self) -> None:  # http.server's name
        self.send_response_only(200)
        self.flush_headers()
        deadline = time.monotonic() + DRIP_SECONDS
        try:
            while time.monotonic() < deadline and not self.server.stopping.is_set():  # type: ignore[attr-defined]
                self.wfile.write(b"X-Drip: 1\r\n")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass

    def log_message(self, format: str, *args: object) -> None:  # http.server's signature
        """Quiet."""


@pytest.fixture
def drip() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Drip)
    server.daemon_threads = True
    server.stopping = threading.Event()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/dl/release.torrent"
    finally:
        server.stopping.set()  # type: ignore[attr-defined]
        server.shutdown()
        server.server_close()


def test_a_ticket_nobody_moves_gets_an_error_and_exit_when_idle_does_not_wait_for_it(
        tmp_path: Path, drip: str) -> None:
    release = Release(title="Drip Blob", size=1_000_000, seeders=20, link=drip, category=8000)
    with TorznabServer(releases=[release]) as server:
        home = world_home(tmp_path / "home", server, torrent="stall_minutes = 0.05")
        home.config_file.write_text(home.config_file.read_text().replace(
            "rate_limit_per_minute = 0", "rate_limit_per_minute = 0\ntimeout_seconds = 60"))
        added = run_cli(home, "ticket", "add", "-", "--json", stdin=json.dumps(
            {"kind": "generic", "query": {"text": "Drip Blob"}, "auto_approve_threshold": 0.3}))
        assert added.returncode == 0, added.stderr
        ticket = json.loads(added.stdout)["id"]
        started = time.monotonic()
        finished = run_cli(home, "headless", "--exit-when-idle", timeout=120)
        took = time.monotonic() - started
    shown = json.loads(run_cli(home, "ticket", "show", ticket, "--json").stdout)
    assert finished.returncode == 1, finished.stderr[-2000:]
    assert shown["state"] == "failed" and shown["retryable"] is False
    assert "stuck in auto_approved" in shown["error"] and f"ticket retry {ticket}" in shown["error"]
    assert took < DRIP_SECONDS + 30
    events = [json.loads(line) for line in home.audit_jsonl.read_text().splitlines()]
    assert any(e["type"] == "TicketStateChanged" and e["data"]["to_state"] == "failed"
               and "stuck" in e["data"]["reason"] for e in events if e["ticket_id"] == ticket)


def test_stop_cancels_a_running_conversion_first_and_leaves_the_ticket_to_resume(tmp_path: Path) -> None:
    source = make_tone(tmp_path / "source" / "01 - Long Track.flac", seconds=1200)
    home = make_home(tmp_path / "home")
    engine = Engine.open(home)
    ticket = engine.tickets.add_json({
        "kind": "album", "query": {"artist": "Long Artist", "album": "Long Album", "year": 2004},
        "items": [{"id": "t1", "disc": 1, "number": 1, "title": "Long Track"}],
        "constraints": {"format": "mp3", "bitrate_kbps": 320}}, actor="cli:test")[0].id
    with engine.core.uow() as outbox:
        for state in (TicketState.ACQUIRING, TicketState.NEEDS_APPROVAL, TicketState.ACQUIRING,
                      TicketState.AUTO_APPROVED, TicketState.DOWNLOADING, TicketState.CONVERTING):
            engine.core.commands.transition(outbox, ticket, state, reason="test", actor="engine")
        TicketItemRow.update(state=ItemState.DOWNLOADED.value, source_path=str(source)).where(
            TicketItemRow.ticket == ticket).execute()
    engine.start()
    try:
        wait_until(lambda: engine.audit.latest(ticket, "ConversionStarted") is not None, timeout=30)
        time.sleep(1.0)
    finally:
        started = time.monotonic()
        engine.stop()
        took = time.monotonic() - started
    engine = Engine.open(home)
    try:
        shown = engine.tickets.show(ticket)
        failed = engine.audit.latest(ticket, "ConversionFailed")
    finally:
        engine.stop()
    assert took < 8, f"stop took {took:.1f} s: it waited for ffmpeg"
    assert shown.state is TicketState.CONVERTING and shown.summary.error is None
    assert failed is None

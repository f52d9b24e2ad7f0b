"""A download that stops moving is blocklisted for its ticket and acquisition runs again (audited)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from qtorrentino.demo.seeder import Seeder
from qtorrentino.demo.torznab_server import DEFAULT_API_KEY, Release, TorznabServer
from qtorrentino.domain.states import TicketState
from qtorrentino.engine.engine import Engine
from tests.conftest import make_home


@pytest.mark.slow
def test_a_stalled_download_is_blocklisted_and_acquired_again(tmp_path: Path) -> None:
    content = tmp_path / "content" / "Slow Blob"
    content.mkdir(parents=True)
    (content / "slow.bin").write_bytes(os.urandom(8 * 1024 * 1024))
    seeder = Seeder(tmp_path / "seeder", upload_rate_limit_kib=64)
    seeded = seeder.seed(content)
    release = Release(title="Slow Blob", size=8 * 1024 * 1024, seeders=3, category=8000,
                      info_hash=seeded.info_hash, magnet=seeded.magnet)
    with TorznabServer(releases=[release]) as server:
        (tmp_path / "other").mkdir()
        home = make_home(tmp_path / "home", f'\n[[indexers]]\nname = "loopback"\nurl = "{server.url}"\n'
                                           f'api_key = "{DEFAULT_API_KEY}"\nrate_limit_per_minute = 0\n\n'
                                           f'[[libraries]]\nname = "Other"\nkind = "other"\n'
                                           f'path = "{tmp_path / "other"}"\n')
        config = home.config_file.read_text().replace("allow_local_peers = true",
                                                       "allow_local_peers = true\nstall_minutes = 0.05")
        home.config_file.write_text(config)
        engine = Engine.open(home)
        engine.start()
        try:
            ticket = engine.tickets.add_json({"kind": "generic", "query": {"text": "Slow Blob"},
                                              "auto_approve_threshold": 0.3}, actor="cli:test")[0].id
            deadline = time.monotonic() + 60
            while engine.tickets.show(ticket).state is not TicketState.DOWNLOADING:
                assert time.monotonic() < deadline, engine.tickets.show(ticket).summary
                time.sleep(0.05)
            seeder.close()
            while engine.tickets.show(ticket).state is not TicketState.ACQUISITION_FAILED:
                assert time.monotonic() < deadline, engine.tickets.show(ticket).summary
                time.sleep(0.1)
            types = [event.type for event in engine.audit.history(ticket)]
            stalled = engine.audit.latest(ticket, "DownloadStalled")
        finally:
            engine.stop()
    assert "DownloadStalled" in types and "ReleaseBlocklisted" in types
    assert types.index("DownloadStalled") < len(types) - 1 - types[::-1].index("SearchExecuted")
    assert stalled is not None and "no progress" in stalled.data["error"]

"""Torrent progress: every batch goes to the bus, SQLite only on ≥1 % change or every 5 s."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from qtorrentino.clock import FrozenClock
from qtorrentino.config.home import Home
from qtorrentino.db.database import write_transaction
from qtorrentino.db.models import TorrentRow
from qtorrentino.engine.core import Core
from qtorrentino.events import TorrentProgress
from qtorrentino.torrent.progress import ProgressTracker
from qtorrentino.torrent.status import TorrentState, TorrentStatus

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def status(progress: float) -> TorrentStatus:
    return TorrentStatus(info_hash="ab" * 20, name="Album", save_path=Path("/tmp"), progress=progress,
                         total_wanted=1000, total_wanted_done=int(progress * 1000), download_bps=5000, upload_bps=0,
                         peers=1, seeds=1, eta_seconds=10, ratio=0.0, all_time_download=0, all_time_upload=0,
                         state=TorrentState.DOWNLOADING, paused=False, finished=progress >= 1, seeding=False,
                         error=None, active_seconds=1, seeding_seconds=0, added_at=NOW)


def test_progress_is_published_every_time_and_persisted_debounced(tmp_path: Path) -> None:
    core = Core.open(Home.at(tmp_path), clock=FrozenClock(NOW))
    with write_transaction():
        TorrentRow.create(info_hash="ab" * 20, name="Album", save_path="/tmp", added_at=NOW, last_access_at=NOW)
    mailbox = core.bus.open_mailbox()
    now = [0.0]
    tracker = ProgressTracker(core.bus, core.clock, ticket_of=lambda info_hash: "t1", on_finished=lambda ih: None,
                              monotonic=lambda: now[0])
    published = []
    for step in range(200):
        now[0] = step * 0.01
        tracker.on_statuses([status(step * 0.0005)])
        published.extend(e for e in mailbox.drain().latest if isinstance(e, TorrentProgress))
    assert len(published) == 200 and published[-1].ticket_id == "t1"
    assert 5 <= tracker.writes <= 12
    assert abs(TorrentRow.get_by_id("ab" * 20).progress - 0.09) < 0.011
    now[0] = 100.0
    tracker.on_statuses([status(0.0996)])
    assert TorrentRow.get_by_id("ab" * 20).progress == 0.0996
    tracker.on_statuses([status(1.0)])
    assert TorrentRow.get_by_id("ab" * 20).progress == 1.0
    core.close()


def seeding(uploaded: int) -> TorrentStatus:
    return replace(status(1.0), state=TorrentState.SEEDING, seeding=True, all_time_download=1000,
                   all_time_upload=uploaded, ratio=uploaded / 1000)


def test_the_last_upload_before_a_torrent_goes_quiet_reaches_the_catalog(tmp_path: Path) -> None:
    core = Core.open(Home.at(tmp_path), clock=FrozenClock(NOW))
    with write_transaction():
        TorrentRow.create(info_hash="ab" * 20, name="Album", save_path="/tmp", added_at=NOW, last_access_at=NOW)
    now = [0.0]
    tracker = ProgressTracker(core.bus, core.clock, ticket_of=lambda info_hash: None, on_finished=lambda ih: None,
                              monotonic=lambda: now[0])
    tracker.on_statuses([seeding(0)])
    now[0] = 1.0
    tracker.on_statuses([seeding(1860)])  # within the debounce: held back, and libtorrent says nothing more
    row = TorrentRow.get_by_id("ab" * 20)
    assert (row.uploaded, row.ratio) == (0, 0.0)

    tracker.persist_pending()
    row = TorrentRow.get_by_id("ab" * 20)
    assert (row.uploaded, row.ratio) == (1860, 1.86)
    tracker.persist_final([seeding(2000)])
    assert TorrentRow.get_by_id("ab" * 20).uploaded == 2000
    core.close()

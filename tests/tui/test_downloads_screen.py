"""2 Downloads: live torrents from the engine's bus, updated in place; pause and remove go through the engine."""

from __future__ import annotations

from pathlib import Path

from qtorrentino.db.database import write_transaction
from qtorrentino.db.models import TorrentRow
from qtorrentino.domain.files import FileEntry
from qtorrentino.domain.states import TicketState
from qtorrentino.engine.engine import Engine
from qtorrentino.errors import TorrentFileError
from qtorrentino.torrent import catalog
from qtorrentino.torrent.maketorrent import make_torrent
from qtorrentino.tui.app import QtorrentinoApp, UiSettings
from qtorrentino.tui.screens.downloads import DownloadsScreen
from qtorrentino.tui.screens.modals import ConfirmModal, TextPromptModal
from qtorrentino.tui.screens.torrent_detail import TorrentDetailScreen
from tests.tui.driving import column_text, shown_text, table, toasts, until
from tests.tui.seed import Seeded, torrent_progress

TABLE = "#downloads-table"


async def test_live_torrents_show_and_update_in_place(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("2")
        await until(pilot, lambda: isinstance(app.screen, DownloadsScreen))
        for index in range(3):
            engine.bus.publish(torrent_progress(index, ticket_id=seeded.downloading if index == 0 else None))
        await until(pilot, lambda: table(app, TABLE).row_count == 3, what="three torrents")
        assert column_text(app, TABLE, "down")[1] == "2.5 MB/s"
        assert column_text(app, TABLE, "peers")[2] == "7/4"
        first_key = table(app, TABLE).keys[0]
        engine.bus.publish(torrent_progress(0, progress=0.75))
        await until(pilot, lambda: "75%" in column_text(app, TABLE, "progress")[0], what="75% in place")
        assert table(app, TABLE).keys[0] == first_key and table(app, TABLE).row_count == 3
        assert "↓ 7.5 MB/s" in str(app.screen.query_one("AppHeader").render())


async def test_pause_reports_what_the_engine_says(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("2")
        engine.bus.publish(torrent_progress(1))
        await until(pilot, lambda: table(app, TABLE).row_count == 1, what="one torrent")
        await pilot.press("p")
        await until(pilot, lambda: any(severity == "error" for severity, _ in toasts(app)), what="error toast")
        assert app.is_running


async def test_remove_asks_first_and_says_when_data_goes_too(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        engine.bus.publish(torrent_progress(1))
        await until(pilot, lambda: table(app, TABLE).row_count == 1, what="one torrent")
        await pilot.press("D")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        assert "DELETE" in shown_text(app, ".modal-title")
        await pilot.press("n")
        await until(pilot, lambda: not isinstance(app.screen, ConfirmModal))
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        assert "data stays" in shown_text(app, ".modal-title")
        await pilot.press("escape")
        assert table(app, TABLE).row_count == 1


async def test_filter_by_name(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        for index in range(12):
            engine.bus.publish(torrent_progress(index))
        await until(pilot, lambda: table(app, TABLE).row_count == 12, what="twelve torrents")
        await pilot.press("slash", *"Release 1")
        await until(pilot, lambda: table(app, TABLE).row_count == 3, what="Release 1, 10, 11")


async def test_a_torrents_detail_shows_its_files_and_sets_its_own_limits(engine: Engine, seeded: Seeded,
                                                                         tmp_path: Path) -> None:
    folder = tmp_path / "share" / "Detail Album"
    folder.mkdir(parents=True)
    for name in ("01 - One.flac", "02 - Two.flac"):
        (folder / name).write_bytes(bytes(range(256)) * 600)
    made = make_torrent(folder)
    session = engine.parts.torrent.session
    session.add_torrent_bytes(made.torrent_bytes, folder.parent, seed_mode=True)
    with write_transaction():
        catalog.record_torrent(made.info_hash, made.name, folder.parent, session.wait_metadata(made.info_hash, 10),
                               now=engine.clock.now(), torrent_file=made.torrent_bytes)
        TorrentRow.update(seeding_done=True).where(TorrentRow.info_hash == made.info_hash).execute()
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await until(pilot, lambda: table(app, TABLE).row_count >= 1, what="the catalog torrent")
        assert column_text(app, TABLE, "state")[0].startswith("♻ ")  # past its goals: a cleanup candidate
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TorrentDetailScreen) and table(app, "#files").row_count == 2,
                    what="the detail's files")
        assert column_text(app, "#files", "priority") == ["normal", "normal"]
        assert column_text(app, "#files", "path") == [f"Detail Album/{name}" for name in ("01 - One.flac",
                                                                                          "02 - Two.flac")]
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, TextPromptModal))
        await pilot.press("ctrl+a", "ctrl+k", *"64 0", "enter")
        await until(pilot, lambda: session.detail(made.info_hash).upload_limit_kib == 64, what="the upload limit")
        await pilot.press("space")  # normal → high
        await until(pilot, lambda: session.detail(made.info_hash).files[0].priority == 7, what="a high priority")
        await until(pilot, lambda: column_text(app, "#files", "priority")[0] == "high", what="high shown")
        await pilot.press("space")  # high → skip: every file of this torrent is wanted, so it is refused, with why
        await until(pilot, lambda: any("wanted by its ticket" in message for _, message in toasts(app)),
                    what="the refusal")
        assert session.detail(made.info_hash).files[0].priority == 7
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, DownloadsScreen))


async def test_a_torrent_whose_download_failed_shows_why(engine: Engine, seeded: Seeded) -> None:
    info_hash = engine.tickets.show(seeded.downloading).summary.info_hash
    assert info_hash is not None
    with write_transaction():
        catalog.record_torrent(info_hash, "Portishead - Dummy (1994) [FLAC]", engine.config.paths.download_dir,
                               [FileEntry(index=0, path="Dummy/01.flac", size=1000)], now=engine.clock.now())
    engine.core.commands.fail(seeded.downloading, TicketState.DOWNLOADING, TorrentFileError(
        "the download of Dummy stopped: No space left on device", fault="disk_full"))
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("2")
        await until(pilot, lambda: table(app, TABLE).row_count == 1, what="the failed torrent")
        assert "No space left on device" in column_text(app, TABLE, "name")[0]
        assert column_text(app, TABLE, "state")[0] == "error"


"""The app starts on a home whose library disk is not mounted, and the Library screen says so."""

from __future__ import annotations

from pathlib import Path

from qtorrentino.engine.engine import Engine
from qtorrentino.tui.app import QtorrentinoApp, UiSettings
from tests.conftest import make_home
from tests.tui.driving import column_text, table, until


async def test_a_missing_library_root_shows_offline_and_the_app_runs(tmp_path: Path) -> None:
    extra = f'\n[[libraries]]\nname = "NAS"\nkind = "music"\npath = "{tmp_path}/nas/music"\n'
    engine = Engine.open(make_home(tmp_path, extra))
    engine.start(workers=False)
    try:
        app = QtorrentinoApp(engine, UiSettings.defaults())
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.press("5")
            await until(
                pilot, lambda: table(app, "#libraries").row_count == 4, what="four libraries"
            )
            folders = dict(
                zip(
                    column_text(app, "#libraries", "name"),
                    column_text(app, "#libraries", "root"),
                    strict=True,
                )
            )
            assert (
                folders["NAS"]
                == f"{tmp_path}/nas/music (offline: the root is missing or not a folder)"
            )
            assert folders["Music"] == f"{tmp_path}/music"
    finally:
        engine.stop()

"""4 Unmatched and 5 Library against the real library API on a scanned home."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from qtorrentino.engine.engine import Engine
from qtorrentino.tui.app import QtorrentinoApp, UiSettings
from qtorrentino.tui.screens.modals import ConfirmModal, PickModal, TextPromptModal
from tests.tui.driving import column_text, status_text, table, toasts, until


async def open_unmatched(pilot, app: QtorrentinoApp) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("4")
    await until(pilot, lambda: table(app, "#files").row_count == 3, what="three unmatched files")


async def select_file(pilot, app: QtorrentinoApp, name: str) -> None:  # type: ignore[no-untyped-def]
    files = table(app, "#files")
    row = next(index for index, path in enumerate(column_text(app, "#files", "path")) if path.endswith(name))
    files.move_cursor(row=row)
    await pilot.pause()


async def test_unmatched_files_show_inside_their_library_with_hostile_names_literal(scanned: Engine) -> None:
    app = QtorrentinoApp(scanned, UiSettings.defaults())
    async with app.run_test(size=(120, 40)) as pilot:
        await open_unmatched(pilot, app)
        paths = column_text(app, "#files", "path")
        assert "unsorted/xq7z.flac" in paths and "sintel_trailer_cut.mkv" in paths
        assert "[bold]clip[/bold] <U+202E>gnp.mkv" in paths


async def test_enter_matches_the_highlighted_suggestion(scanned: Engine) -> None:
    app = QtorrentinoApp(scanned, UiSettings.defaults())
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_unmatched(pilot, app)
        await select_file(pilot, app, "sintel_trailer_cut.mkv")
        await until(pilot, lambda: column_text(app, "#suggestions", "label") == ["Sintel (2010)"])
        await pilot.press("enter")
        await until(pilot, lambda: table(app, "#files").row_count == 2, what="file matched")
    matched = scanned.audit.latest(type_="UnmatchedMatched")
    assert matched is not None and matched.data["path"].endswith("sintel_trailer_cut.mkv")
    assert matched.actor.startswith("tui:")


async def test_e_searches_a_typed_title_and_matching_uses_the_found_target(scanned: Engine) -> None:
    app = QtorrentinoApp(scanned, UiSettings.defaults())
    async with app.run_test(size=(120, 40)) as pilot:
        await open_unmatched(pilot, app)
        await select_file(pilot, app, "gnp.mkv")
        assert table(app, "#suggestions").row_count == 0
        assert app.screen.check_action("match", ()) is None
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, TextPromptModal))
        await pilot.press(*"matrix", "enter")
        await until(pilot, lambda: any("The Matrix" in label for label in column_text(app, "#suggestions", "label")),
                    what="library item found")
        await pilot.press("enter")
        await until(pilot, lambda: table(app, "#files").row_count == 2, what="file matched")
    matched = scanned.audit.latest(type_="UnmatchedMatched")
    assert matched is not None and "gnp.mkv" in matched.data["path"]


async def test_i_dismisses_and_capital_r_refreshes(scanned: Engine) -> None:
    app = QtorrentinoApp(scanned, UiSettings.defaults())
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_unmatched(pilot, app)
        await select_file(pilot, app, "xq7z.flac")
        await pilot.press("R")
        await until(pilot, lambda: any("suggestions for xq7z.flac" in message for _, message in toasts(app)))
        await pilot.press("i")
        await until(pilot, lambda: table(app, "#files").row_count == 2, what="dismissed")
    dismissed = scanned.audit.latest(type_="UnmatchedDismissed")
    assert dismissed is not None and dismissed.data["path"].endswith("xq7z.flac")


async def open_library(pilot, app: QtorrentinoApp) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("5")
    await until(pilot, lambda: table(app, "#libraries").row_count == 3, what="three libraries")


async def test_libraries_open_down_to_items_and_back(scanned: Engine) -> None:
    app = QtorrentinoApp(scanned, UiSettings.defaults())
    async with app.run_test(size=(120, 40)) as pilot:
        await open_library(pilot, app)
        assert column_text(app, "#libraries", "name") == ["Music", "Movies", "TV"]
        await pilot.press("j", "j", "enter")
        await until(pilot, lambda: column_text(app, "#items", "title") == ["▸ Example Show"], what="series")
        await pilot.press("enter")
        await until(pilot, lambda: column_text(app, "#items", "title") == ["▸ Season 1"], what="season")
        await pilot.press("enter")
        await until(pilot, lambda: table(app, "#items").row_count == 2, what="episodes")
        assert column_text(app, "#items", "number") == ["S01E01", "S01E02"]
        assert set(column_text(app, "#items", "status")) == {"available"}
        assert "TV › Example Show › Season 1" in status_text(app)
        await pilot.press("backspace", "backspace", "backspace")
        await until(pilot, lambda: "all libraries" in status_text(app))


async def test_scan_reports_counts(scanned: Engine) -> None:
    (scanned.home.data_dir / "movies" / "Big Buck Bunny (2008)").mkdir()
    (scanned.home.data_dir / "movies" / "Big Buck Bunny (2008)" / "Big Buck Bunny (2008).mkv").write_bytes(b"b" * 99)
    app = QtorrentinoApp(scanned, UiSettings.defaults())
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_library(pilot, app)
        await pilot.press("j", "S")
        await until(pilot, lambda: any("Scan of Movies:" in message and "1 new" in message
                                       for _, message in toasts(app)), what="scan toast")
        await until(pilot, lambda: column_text(app, "#libraries", "items")[1] == "3", what="count refreshed")


async def test_organize_shows_the_dry_run_then_applies(scanned: Engine) -> None:
    app = QtorrentinoApp(scanned, UiSettings.defaults())
    music = Path(scanned.home.data_dir / "music")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_library(pilot, app)
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="dry-run list")
        shown = " ".join(str(static.content) for static in app.screen.query(Static))
        assert "Name Only Band - Quiet Album (2010)/03 - Soft Song.mp3 → Name Only Band/Quiet Album (2010)" in shown
        assert (music / "Name Only Band - Quiet Album (2010)" / "03 - Soft Song.mp3").exists()
        await pilot.press("y")
        await until(pilot, lambda: any("Organized Music: 2 renamed" in message for _, message in toasts(app)))
    assert (music / "Name Only Band" / "Quiet Album (2010)" / "03 - Soft Song.mp3").exists()


async def test_trash_asks_then_u_restores(scanned: Engine) -> None:
    movie = scanned.home.data_dir / "movies" / "The Matrix (1999)" / "The Matrix (1999).mkv"
    app = QtorrentinoApp(scanned, UiSettings.defaults())
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_library(pilot, app)
        await pilot.press("j", "enter")
        await until(pilot, lambda: "  The Matrix" in column_text(app, "#items", "title"), what="movies")
        row = column_text(app, "#items", "title").index("  The Matrix")
        table(app, "#items").move_cursor(row=row)
        await pilot.pause()
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await until(pilot, lambda: not movie.exists(), what="file moved to the trash")
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, PickModal), what="trash list")
        await pilot.press("enter")
        await until(pilot, lambda: movie.exists(), what="file restored")
    assert scanned.audit.latest(type_="ItemRestored") is not None

"""The app as a whole: header totals, help, palette, key remaps, themes, NO_COLOR, SIGHUP, section stacks."""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

import pytest
from textual.binding import Binding

from qtorrentino.config.home import Home
from qtorrentino.config.load import load_config
from qtorrentino.domain.states import TicketState
from qtorrentino.engine.engine import Engine
from qtorrentino.events import ItemProgress
from qtorrentino.tui.app import QtorrentinoApp, UiSettings
from qtorrentino.tui.screens.approvals import ApprovalsScreen
from qtorrentino.tui.screens.help import HelpScreen
from qtorrentino.tui.screens.modals import TextPromptModal
from qtorrentino.tui.screens.tickets import TicketsScreen
from qtorrentino.tui.themes import bundled_theme_dirs, load_themes
from tests.tui.driving import column_text, status_text, table, toasts, until
from tests.tui.seed import Seeded, move

SCREENSHOT_CHROME = {"#ff5f57", "#febc2e", "#28c840", "#c5c8c6"}
"""Colours of the SVG's window frame and default text, not of the app."""


async def test_header_shows_totals_and_the_current_section(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.totals.waiting == 2, what="totals read")
        header = str(app.screen.query_one("AppHeader").render())
        assert "active 3" in header and "awaiting approval 2" in header and "failed 1" in header


async def test_help_lists_the_keys_of_the_screen_underneath(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await until(pilot, lambda: isinstance(app.screen, ApprovalsScreen))
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        ids = column_text(app, "#help-table", "id")
        for binding_id in ("approvals.approve", "approvals.reject", "approvals.force_search",
                           "approvals.force_magnet", "approvals.switch_pane", "approvals.filter", "app.quit",
                           "table.down"):
            assert binding_id in ids
        keys = column_text(app, "#help-table", "key")
        assert keys[ids.index("approvals.approve")] == "y, ⏎"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ApprovalsScreen))


async def test_the_palette_reaches_every_action_of_the_screen(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await until(pilot, lambda: table(app, "#queue").row_count == 2)
        helps = {command.help for command in app.get_system_commands(app.screen)}
        for binding in ApprovalsScreen.BINDINGS:
            assert isinstance(binding, Binding) and binding.id in helps
        assert {"app.tickets", "app.audit", "app.new_ticket"} <= helps
        await pilot.press("ctrl+p")
        await pilot.press(*"Reject")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TextPromptModal), what="reject prompt from the palette")


async def test_keys_are_remapped_by_binding_id_and_bad_ids_warn(engine: Engine, seeded: Seeded) -> None:
    settings = UiSettings.defaults(keys={"approvals.approve": "a", "approvals.aprove": "z"})
    app = QtorrentinoApp(engine, settings)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await until(pilot, lambda: any("did you mean 'approvals.approve'" in message for _, message in toasts(app)))
        await pilot.press("3")
        await until(pilot, lambda: table(app, "#queue").row_count == 2)
        await until(pilot, lambda: app.screen.check_action("approve", ()) is True, what="candidates loaded")
        await pilot.press("y")
        await pilot.pause(0.3)
        assert engine.tickets.show(seeded.waiting).state is TicketState.NEEDS_APPROVAL
        await pilot.press("a")
        await until(pilot, lambda: engine.tickets.show(seeded.waiting).state is TicketState.APPROVED)


def test_the_three_bundled_themes_load() -> None:
    themes, problems = load_themes(bundled_theme_dirs())
    names = {theme.name for theme in themes}
    assert {"qtorrentino-dark", "qtorrentino-light", "qtorrentino-high-contrast"} <= names and not problems
    assert all("progress-complete" in theme.variables for theme in themes)


async def test_config_theme_is_used_and_a_broken_theme_file_is_skipped_with_a_warning(
        engine: Engine, seeded: Seeded, tmp_path: Path) -> None:
    own = tmp_path / "themes"
    own.mkdir()
    (own / "broken.toml").write_text('name = "broken"\nprimary = "not-a-colour"\n', encoding="utf-8")
    (own / "mine.toml").write_text('name = "mine"\ndark = false\nprimary = "#112233"\n', encoding="utf-8")
    settings = UiSettings(theme="mine", theme_dirs=(*bundled_theme_dirs(), own))
    app = QtorrentinoApp(engine, settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await until(pilot, lambda: any("broken.toml" in message for _, message in toasts(app)))
        assert app.theme == "mine" and app.theme_variables["primary"] == "#112233"
        assert "qtorrentino-high-contrast" in app.available_themes


async def test_an_unknown_theme_falls_back_with_a_warning(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults(theme="no-such-theme"))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await until(pilot, lambda: any("no-such-theme" in message for _, message in toasts(app)))
        assert app.theme == "qtorrentino-dark"


async def test_no_color_is_honoured(engine: Engine, seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: table(app, "#tickets-table").row_count == 8)
        assert app.no_color
        colours = set(re.findall(r"#[0-9a-fA-F]{6}", app.export_screenshot())) - SCREENSHOT_CHROME
        assert colours and all(colour[1:3] == colour[3:5] == colour[5:7] for colour in colours)


def test_settings_come_from_config_and_the_home_themes_folder(engine: Engine) -> None:
    config_file = engine.home.config_file
    config_file.write_text(config_file.read_text(encoding="utf-8")
                           + '\n[ui]\ntheme = "qtorrentino-light"\n[ui.keys]\n"tickets.cancel" = "ctrl+k"\n',
                           encoding="utf-8")
    home = Home.at(engine.home.data_dir)
    settings = UiSettings.from_config(load_config(home), home)
    assert settings.theme == "qtorrentino-light" and settings.keys == {"tickets.cancel": "ctrl+k"}
    assert settings.theme_dirs[-1] == home.data_dir / "themes"


async def test_sighup_ends_the_app_and_says_the_terminal_hung_up(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: table(app, "#tickets-table").row_count == 8)
        os.kill(os.getpid(), signal.SIGHUP)
        await until(pilot, lambda: app.hung_up, what="hang-up noticed")
    assert app.hung_up and not app.is_running
    os.kill(os.getpid(), signal.SIGHUP)
    assert app.hung_up, "a second hang-up while the engine is handed over changes nothing"
    os.kill(os.getpid(), signal.SIGTERM)
    assert not app.hung_up, "a stop request after the app ended still stops the engine instead of serving on"


async def test_sigterm_quits_without_leaving_the_engine_headless(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: table(app, "#tickets-table").row_count == 8)
        os.kill(os.getpid(), signal.SIGTERM)
        await until(pilot, lambda: app.return_code == 0, what="the app asked to exit")
    assert not app.hung_up


async def test_each_section_keeps_its_own_stack(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: table(app, "#tickets-table").row_count == 8)
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "TicketDetailScreen")
        await pilot.press("3")
        await until(pilot, lambda: isinstance(app.screen, ApprovalsScreen))
        engine.tickets.cancel(seeded.pending, actor="cli:someone")
        await pilot.press("1")
        await until(pilot, lambda: type(app.screen).__name__ == "TicketDetailScreen")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, TicketsScreen))
        row = table(app, "#tickets-table").get_row_index(seeded.pending)
        await until(pilot, lambda: column_text(app, "#tickets-table", "state")[row] == "cancelled",
                    what="stale list reloaded on return")
        assert "Tickets" in status_text(app)


async def test_approval_needed_and_failure_become_toasts(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await until(pilot, lambda: table(app, "#tickets-table").row_count == 8)
        move(engine, seeded.pending, TicketState.ACQUIRING, TicketState.NEEDS_APPROVAL)
        move(engine, seeded.hostile, TicketState.FAILED, error="disk full")
        await until(pilot, lambda: ("warning", f"Ticket {seeded.pending[:8]} needs approval (press 3)")
                    in toasts(app), what="approval toast")
        await until(pilot, lambda: any(severity == "error" and message.startswith(f"Ticket {seeded.hostile[:8]} failed")
                                       for severity, message in toasts(app)), what="failure toast")
        await until(pilot, lambda: app.totals.waiting == 3, what="header recounted")


async def test_item_progress_moves_the_ticket_progress_in_place(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: table(app, "#tickets-table").row_count == 8)
        row = table(app, "#tickets-table").get_row_index(seeded.pending)
        engine.bus.publish(ItemProgress(ticket_id=seeded.pending, item_id="s01e01", stage="convert", progress=0.5))
        await until(pilot, lambda: "25%" in column_text(app, "#tickets-table", "progress")[row], what="25%")


async def test_switching_theme_recolours_the_cells(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: table(app, "#tickets-table").row_count == 8)

        def completed_colour() -> str | None:
            cell = table(app, "#tickets-table").get_cell(seeded.completed, "state")
            style = cell.style
            return style.color.name if not isinstance(style, str) and style.color else None

        dark = completed_colour()
        app.theme = "qtorrentino-light"
        await until(pilot, lambda: completed_colour() not in (dark, None), what="recoloured")

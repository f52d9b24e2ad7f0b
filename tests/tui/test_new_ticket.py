"""n New ticket: the form files a real ticket through the engine; bad input is refused with a message."""

from __future__ import annotations

from qtorrentino.engine.engine import Engine
from qtorrentino.tui.app import QtorrentinoApp, UiSettings
from qtorrentino.tui.screens.new_ticket import NewTicketScreen, parse_episodes
from tests.tui.driving import toasts, until
from tests.tui.seed import Seeded


def test_episode_ranges() -> None:
    assert parse_episodes("1, 3-5,8") == [1, 3, 4, 5, 8]


async def test_an_album_ticket_is_filed_from_the_form(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NewTicketScreen))
        await pilot.press(*"Boards of Canada", "tab", *"Geogaddi", "tab", *"2002")
        app.screen.query_one("#priority").value = "250"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, NewTicketScreen), what="form closed")
        await until(pilot, lambda: any("filed (pending)" in message for _, message in toasts(app)))
    found = engine.tickets.list(text="Geogaddi")
    assert len(found) == 1 and found[0].title == "Boards of Canada – Geogaddi (2002)"
    assert found[0].priority == 250 and found[0].library == "Music"
    created = engine.audit.latest(found[0].id, "TicketCreated")
    assert created is not None and created.actor.startswith("tui:")


async def test_kind_changes_the_fields_and_bad_input_keeps_the_form_open(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NewTicketScreen))
        form = app.screen
        form.query_one("#kind").value = "episode"  # type: ignore[attr-defined]
        await pilot.pause()
        assert form.query_one("#field-series").display and not form.query_one("#field-artist").display
        form.query_one("#field-series").value = "Example Show"  # type: ignore[attr-defined]
        form.query_one("#field-season").value = "2"  # type: ignore[attr-defined]
        form.query_one("#field-episodes").value = "3-x"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await until(pilot, lambda: any("not a number or a range" in message for _, message in toasts(app)))
        assert isinstance(app.screen, NewTicketScreen)
        form.query_one("#field-series").value = ""  # type: ignore[attr-defined]
        form.query_one("#field-episodes").value = "3-4"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await until(pilot, lambda: any("series" in message and severity == "error"
                                       for severity, message in toasts(app)), what="engine's validation message")
        assert isinstance(app.screen, NewTicketScreen)
        form.query_one("#field-series").value = "Example Show"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, NewTicketScreen), what="filed")
    assert [ticket.title for ticket in engine.tickets.list(text="S02E03")] == ["Example Show S02E03E04"]


async def test_escape_leaves_without_filing(engine: Engine, seeded: Seeded) -> None:
    before = len(engine.tickets.list())
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NewTicketScreen))
        await pilot.press(*"Someone", "escape")
        await until(pilot, lambda: not isinstance(app.screen, NewTicketScreen))
    assert len(engine.tickets.list()) == before

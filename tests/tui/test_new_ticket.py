"""n New ticket: the form files a real ticket through the engine; bad input is refused with a message."""

from __future__ import annotations

from pathlib import Path

from qtorrentino.clock import FrozenClock
from qtorrentino.engine.engine import Engine
from qtorrentino.tui.app import QtorrentinoApp, UiSettings
from qtorrentino.tui.screens.modals import PickModal
from qtorrentino.tui.screens.new_ticket import NewTicketScreen, parse_episodes
from tests.conftest import make_home
from tests.servers.musicbrainz import MusicBrainzServer, StubRelease, StubTrack
from tests.servers.tmdb import DEFAULT_API_KEY as TMDB_KEY
from tests.servers.tmdb import StubMovie, TmdbServer
from tests.tui.driving import shown_text, toasts, until
from tests.tui.seed import Seeded

OK_COMPUTER = StubRelease(
    id="b84ee12a-09ef-421b-82de-0441a926375b", title="OK Computer", artist="Radiohead",
    artist_id="a74b1b7f-71a5-4011-9441-d0b5e4122711", date="1997-05-21", country="GB",
    release_group_id="b1392450-e666-3926-a536-22c65f834433",
    tracks=(StubTrack("Airbag", 284_000, "6e1b3ff1-0f1f-4a6e-8c55-2cbfc0b7e8a1",
                      "1b0c3f7e-1111-4c1e-9a9a-0a0a0a0a0a01"),
            StubTrack("Paranoid Android", 383_000, "6e1b3ff1-0f1f-4a6e-8c55-2cbfc0b7e8a2",
                      "1b0c3f7e-1111-4c1e-9a9a-0a0a0a0a0a02")))


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
        assert form.query_one("#row-series").display and not form.query_one("#row-artist").display
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


async def test_an_album_is_looked_up_in_musicbrainz_and_filed_with_its_tracks(tmp_path: Path,
                                                                               clock: FrozenClock) -> None:
    with MusicBrainzServer(releases=(OK_COMPUTER,)) as server:
        extra = (f'\n[musicbrainz]\nbase_url = "{server.base_url}"\n'
                 'user_agent = "qtorrentino-test/0.1 ( t@example.org )"\n')
        engine = Engine.open(make_home(tmp_path, extra), clock=clock)
        engine.start(workers=False)
        try:
            app = QtorrentinoApp(engine, UiSettings.defaults())
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.press("n")
                await until(pilot, lambda: isinstance(app.screen, NewTicketScreen))
                form = app.screen
                assert "MusicBrainz" in shown_text(app, "#lookup-note")
                await pilot.press(*"radiohead", "tab", *"ok computer", "ctrl+l")
                await until(pilot, lambda: isinstance(app.screen, PickModal), what="releases to pick from")
                first = app.screen.query_one("#pick-list").get_option_at_index(0)  # type: ignore[attr-defined]
                assert str(first.prompt) == "Radiohead – OK Computer (1997) · GB · Album · 2 tracks"
                await pilot.press("enter")
                await until(pilot, lambda: "2 tracks" in shown_text(app, "#lookup-note"),
                            what="tracks read", timeout=15)
                assert form.query_one("#field-album").value == "OK Computer"  # type: ignore[attr-defined]
                await pilot.press("ctrl+s")
                await until(pilot, lambda: not isinstance(app.screen, NewTicketScreen), what="filed")
            filed = engine.tickets.list(text="OK Computer")[0]
            detail = engine.tickets.show(filed.id)
            assert detail.spec.query.musicbrainz_release_id == OK_COMPUTER.id
            assert [item.label for item in detail.items] == ["1-01 Airbag", "1-02 Paranoid Android"]
        finally:
            engine.stop()


async def test_a_movie_is_looked_up_in_tmdb(tmp_path: Path, clock: FrozenClock) -> None:
    movies = (StubMovie(45745, "Sintel", "2010-09-30"), StubMovie(10378, "Big Buck Bunny", "2008-05-30"))
    with TmdbServer(movies=movies) as server:
        extra = f'\n[tmdb]\napi_key = "{TMDB_KEY}"\nbase_url = "{server.base_url}"\n'
        engine = Engine.open(make_home(tmp_path, extra), clock=clock)
        engine.start(workers=False)
        try:
            app = QtorrentinoApp(engine, UiSettings.defaults())
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.press("n")
                await until(pilot, lambda: isinstance(app.screen, NewTicketScreen))
                form = app.screen
                form.query_one("#kind").value = "movie"  # type: ignore[attr-defined]
                await pilot.pause()
                assert "TMDB" in shown_text(app, "#lookup-note")
                form.query_one("#field-title").value = "sintel"  # type: ignore[attr-defined]
                await pilot.press("ctrl+l")
                await until(pilot, lambda: isinstance(app.screen, PickModal), what="movies to pick from")
                await pilot.press("enter")
                await until(pilot, lambda: "TMDB movie 45745" in shown_text(app, "#lookup-note"))
                assert form.query_one("#field-year").value == "2010"  # type: ignore[attr-defined]
                await pilot.press("ctrl+s")
                await until(pilot, lambda: not isinstance(app.screen, NewTicketScreen), what="filed")
            filed = engine.tickets.list(text="Sintel")[0]
            assert filed.title == "Sintel (2010)" and engine.tickets.show(filed.id).spec.query.tmdb_id == 45745
        finally:
            engine.stop()

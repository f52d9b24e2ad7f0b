"""3 Approvals against a real engine: approve a highlighted candidate, reject, force-search, force-magnet."""

from __future__ import annotations

from textual import events

from qtorrentino.domain.states import TicketState
from qtorrentino.engine.engine import Engine
from qtorrentino.tui.app import QtorrentinoApp, UiSettings
from qtorrentino.tui.screens.modals import TextPromptModal
from qtorrentino.tui.widgets.candidate_panel import CandidatePanel
from tests.tui.driving import column_text, shown_text, status_text, table, toasts, until
from tests.tui.seed import Seeded


async def open_approvals(pilot, app: QtorrentinoApp, seeded: Seeded) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("3")
    await until(pilot, lambda: table(app, "#queue").row_count == 2, what="two tickets waiting")
    await until(pilot, lambda: app.screen.query_one(CandidatePanel).detail is not None, what="candidates")


async def test_approving_a_highlighted_candidate_moves_the_ticket_and_writes_approval_granted(
        engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_approvals(pilot, app, seeded)
        assert table(app, "#queue").keys[0] == seeded.waiting
        assert column_text(app, "#candidates-table", "score") == ["0.92", "0.75", "0.58"]
        await pilot.press("tab", "j")
        assert app.screen.query_one(CandidatePanel).selection.rank == 1  # type: ignore[union-attr]
        detail_text = shown_text(app, "#candidate-detail")
        assert "[HorribleSubs]" in detail_text and "\\x1b[2J" in detail_text
        assert "  01 - Track 1.flac (30 MB) → 1-01 Track 1" in detail_text, "the file mapping: file → item"
        assert detail_text.count("title matches 80%") == 1 and " • 2 of 3 tracks" in detail_text
        await pilot.press("y")
        await until(pilot, lambda: engine.tickets.show(seeded.waiting).state is TicketState.APPROVED)
        await until(pilot, lambda: table(app, "#queue").keys == [seeded.found_nothing], what="queue moved on")
        assert any(f"Approved {seeded.waiting[:8]} (candidate 1)" == message for _, message in toasts(app))
    detail = engine.tickets.show(seeded.waiting)
    assert detail.chosen_rank == 1
    granted = engine.audit.latest(seeded.waiting, "ApprovalGranted")
    assert granted is not None and granted.data["candidate_rank"] == 1 and granted.data["correction"] is True
    assert granted.actor.startswith("tui:")


async def test_enter_on_the_queue_approves_the_recommended_candidate(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_approvals(pilot, app, seeded)
        await pilot.press("enter")
        await until(pilot, lambda: engine.tickets.show(seeded.waiting).state is TicketState.APPROVED)
    granted = engine.audit.latest(seeded.waiting, "ApprovalGranted")
    assert granted is not None and granted.data["correction"] is False


async def test_reject_asks_for_an_optional_reason(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(120, 40)) as pilot:
        await open_approvals(pilot, app, seeded)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, TextPromptModal))
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, TextPromptModal))
        assert engine.tickets.show(seeded.waiting).state is TicketState.NEEDS_APPROVAL
        await pilot.press("x", *"wrong edition", "enter")
        await until(pilot, lambda: engine.tickets.show(seeded.waiting).state is TicketState.REJECTED)
    rejected = engine.audit.latest(seeded.waiting, "ApprovalRejected")
    assert rejected is not None and rejected.data["reason"] == "wrong edition"


async def test_force_search_starts_a_new_search_with_typed_words(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(120, 40)) as pilot:
        await open_approvals(pilot, app, seeded)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, TextPromptModal))
        prompt = app.screen.query_one("#prompt-input")
        assert prompt.value == "Radiohead – OK Computer (1997)"  # type: ignore[attr-defined]
        prompt.value = "radiohead ok computer flac"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await until(pilot, lambda: engine.tickets.show(seeded.waiting).state is TicketState.ACQUIRING)
    searched = engine.audit.latest(seeded.waiting, "AdminForceSearch")
    assert searched is not None and searched.data["query"] == "radiohead ok computer flac"


async def test_force_magnet_on_a_ticket_that_found_nothing(engine: Engine, seeded: Seeded) -> None:
    magnet = "magnet:?xt=urn:btih:" + "c" * 40 + "&dn=Big+Buck+Bunny"
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(120, 40)) as pilot:
        await open_approvals(pilot, app, seeded)
        await pilot.press("j")
        await until(pilot, lambda: app.screen.query_one(CandidatePanel).detail.id == seeded.found_nothing)  # type: ignore[union-attr]
        assert app.screen.check_action("approve", ()) is None
        assert app.screen.check_action("reject", ()) is None
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, TextPromptModal))
        app.screen.query_one("#prompt-input").value = magnet  # type: ignore[attr-defined]
        await pilot.press("enter")
        await until(pilot, lambda: engine.tickets.show(seeded.found_nothing).state is TicketState.APPROVED)
    forced = engine.audit.latest(seeded.found_nothing, "AdminForceMagnet")
    assert forced is not None


async def test_a_bad_magnet_is_refused_with_a_readable_message(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_approvals(pilot, app, seeded)
        await pilot.press("m", *"[bold]not a magnet", "enter")
        await until(pilot, lambda: any(severity == "error" for severity, _ in toasts(app)), what="error toast")
        assert engine.tickets.show(seeded.waiting).state is TicketState.NEEDS_APPROVAL
        assert app.is_running and "Approvals" in status_text(app)


async def test_filter_narrows_the_queue(engine: Engine, seeded: Seeded) -> None:
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(120, 40)) as pilot:
        await open_approvals(pilot, app, seeded)
        await pilot.press("slash", *"bunny", "enter")
        await until(pilot, lambda: table(app, "#queue").keys == [seeded.found_nothing], what="filtered")


async def test_keys_typed_ahead_approve_the_candidate_they_point_at(engine: Engine, seeded: Seeded) -> None:
    """Tab, j, y arriving together (a fast typist over SSH) approve candidate 1, not the recommended one."""
    app = QtorrentinoApp(engine, UiSettings.defaults())
    async with app.run_test(size=(120, 40)) as pilot:
        await open_approvals(pilot, app, seeded)
        for key, character in (("tab", "\t"), ("j", "j"), ("y", "y")):
            typed = events.Key(key, character)
            typed.set_sender(app)
            app._driver.send_message(typed)  # type: ignore[union-attr]
        await until(pilot, lambda: engine.tickets.show(seeded.waiting).state is TicketState.APPROVED)
    assert engine.tickets.show(seeded.waiting).chosen_rank == 1

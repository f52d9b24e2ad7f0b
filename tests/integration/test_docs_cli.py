"""docs/cli.md's `--json` keys are what the real commands print (the page comes from the models)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from qtorrentino.audit.query import AuditEvent
from qtorrentino.docs.cli_page import JSON_OUTPUTS
from qtorrentino.docs.samples import json_keys, sample
from qtorrentino.domain.states import TicketState
from qtorrentino.tickets.creation import Created
from qtorrentino.tickets.views import TicketDetail, TicketSummary
from tests.conftest import run_cli
from tests.tui.seed import give_candidates, move

if TYPE_CHECKING:
    from qtorrentino.engine.engine import Engine


def documented(model: type) -> dict[str, list[str]]:
    assert model in {documented_model for _, documented_model in JSON_OUTPUTS}
    return dict(json_keys(sample(model)))


def printed(engine: Engine, *args: str) -> list[dict[str, object]]:
    result = run_cli(engine.home, *args, "--json")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_the_json_keys_in_the_docs_are_the_ones_the_commands_print(engine: Engine) -> None:
    (added,) = printed(engine, "ticket", "add", "--album", "Radiohead", "OK Computer")
    ticket = str(added["id"])
    give_candidates(ticket, ["Radiohead - OK Computer (1997) [FLAC]"])
    move(engine, ticket, TicketState.ACQUIRING, TicketState.NEEDS_APPROVAL)
    assert list(added) == list(documented(Created))
    (listed,) = printed(engine, "ticket", "list")
    assert list(listed) == list(documented(TicketSummary))
    for shown in (
        printed(engine, "ticket", "show", ticket)[0],
        printed(engine, "ticket", "approve", ticket)[0],
    ):
        keys = documented(TicketDetail)
        assert list(shown) == list(keys)
        assert list(shown["candidates"][0]) == keys["candidates"]  # type: ignore[index]
    events = printed(engine, "audit", "--ticket", ticket)
    assert events and all(list(event) == list(documented(AuditEvent)) for event in events)

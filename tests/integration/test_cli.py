"""The real command line: contracts of --json, exit codes, one-line errors, --home anywhere."""

from __future__ import annotations

import json
from pathlib import Path

from qtorrentino.config.home import Home
from tests.conftest import make_home, run_cli

TICKET_FIELDS = {"id", "kind", "title", "state", "priority", "created_at", "updated_at", "linked_to", "retryable",
                 "attempts", "next_attempt_at", "error"}


def test_add_list_show_json_contracts(home: Home) -> None:
    added = run_cli(home, "ticket", "add", "-", "--json", stdin=json.dumps(
        {"kind": "album", "query": {"artist": "Radiohead", "album": "OK Computer", "year": 1997},
         "items": [{"id": "t1", "disc": 1, "number": 1, "title": "Airbag"}]}))
    assert added.returncode == 0, added.stderr
    created = json.loads(added.stdout)
    assert created == {"id": created["id"], "state": "pending", "linked_to": None}
    listed = run_cli(home, "ticket", "list", "--json")
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(rows) == 1 and set(rows[0]) >= TICKET_FIELDS
    assert rows[0]["title"] == "Radiohead – OK Computer (1997)"
    assert rows[0]["created_at"].endswith("Z")
    shown = json.loads(run_cli(home, "ticket", "show", created["id"][:4], "--json").stdout)
    assert set(shown) >= TICKET_FIELDS
    assert shown["items"] == [{"id": "t1", "title": "Airbag", "state": "wanted", "path": None, "type": "track",
                               "disc": 1, "number": 1, "season": None, "requested": True}]
    assert shown["candidates"] == []


def test_flag_forms_and_home_after_the_subcommand(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    import subprocess
    import sys

    from tests.conftest import REPO

    result = subprocess.run([sys.executable, "-m", "qtorrentino", "ticket", "add", "--episode", "Example Show",
                             "S01E02", "--json", "--home", str(tmp_path)], capture_output=True, text=True,
                            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, check=False)
    assert result.returncode == 0, result.stderr
    ticket_id = json.loads(result.stdout)["id"]
    shown = json.loads(run_cli(home, "ticket", "show", ticket_id, "--json").stdout)
    assert shown["title"] == "Example Show S01E02" and shown["library"] == "TV"
    movie = run_cli(home, "ticket", "add", "--movie", "Big Buck Bunny", "--year", "2008", "--library", "Movies")
    assert movie.returncode == 0 and len(movie.stdout.strip()) == 12


def test_exit_codes_and_one_line_errors(home: Home) -> None:
    bad_json = run_cli(home, "ticket", "add", "-", stdin='{"kind": "album", "query": {"artist": "A"}}')
    assert bad_json.returncode == 2
    assert bad_json.stderr.count("\n") == 1 and "'query.album'" in bad_json.stderr
    assert "Traceback" not in bad_json.stderr
    unknown = run_cli(home, "ticket", "show", "deadbeef")
    assert unknown.returncode == 1 and "no ticket" in unknown.stderr
    bad_flag = run_cli(home, "ticket", "list", "--colour")
    assert bad_flag.returncode == 2 and bad_flag.stderr.count("\n") == 1
    ticket_id = run_cli(home, "ticket", "add", "--movie", "Sintel").stdout.strip()
    assert run_cli(home, "ticket", "cancel", ticket_id).returncode == 0
    illegal = run_cli(home, "ticket", "approve", ticket_id)
    assert illegal.returncode == 1 and "cancelled" in illegal.stderr


def test_bad_config_exits_2_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[torrent]\nseed_ratio = \"lots\"\n")
    result = run_cli(tmp_path, "ticket", "list")
    assert result.returncode == 2
    assert "seed_ratio" in result.stderr and "Traceback" not in result.stderr


def test_audit_query_and_export(home: Home, tmp_path: Path) -> None:
    ticket_id = run_cli(home, "ticket", "add", "--movie", "Sintel").stdout.strip()
    run_cli(home, "ticket", "cancel", ticket_id)
    events = [json.loads(line) for line in run_cli(home, "audit", "--ticket", ticket_id, "--json").stdout.splitlines()]
    assert [event["type"] for event in events] == ["TicketCancelled", "TicketStateChanged", "TicketCreated"]
    assert all(event["actor"].startswith("cli:") for event in events)
    typed = run_cli(home, "audit", "--type", "TicketCancelled", "--json")
    assert [json.loads(line)["type"] for line in typed.stdout.splitlines()] == ["TicketCancelled"]
    output = tmp_path / "export.jsonl"
    assert run_cli(home, "audit", "export", "--format", "jsonl", "--output", str(output)).returncode == 0
    exported = [json.loads(line) for line in output.read_text().splitlines()]
    assert [event["seq"] for event in exported] == sorted(event["seq"] for event in exported)
    assert exported == [json.loads(line) for line in home.audit_jsonl.read_text().splitlines()]
    bad_since = run_cli(home, "audit", "--since", "yesterday")
    assert bad_since.returncode == 2


def test_admin_actions_from_the_command_line(home: Home) -> None:
    ticket_id = run_cli(home, "ticket", "add", "--movie", "Sintel").stdout.strip()
    raised = json.loads(run_cli(home, "ticket", "priority", ticket_id, "900", "--json").stdout)
    assert raised["priority"] == 900
    searched = json.loads(run_cli(home, "ticket", "force-search", ticket_id, "sintel 2010", "--json").stdout)
    assert searched["state"] == "acquiring"
    rejected = run_cli(home, "ticket", "reject", ticket_id, "--reason", "wrong")
    assert rejected.returncode == 1 and "acquiring → rejected" in rejected.stderr
    magnet = "magnet:?xt=urn:btih:" + "ef" * 20 + "&dn=Sintel"
    forced = json.loads(run_cli(home, "ticket", "force-magnet", ticket_id, magnet, "--json").stdout)
    assert forced["state"] == "approved", "issue 18: force-magnet works while a ticket is acquiring"
    shown = run_cli(home, "audit", "--ticket", ticket_id, "--json").stdout
    events = [json.loads(line)["type"] for line in shown.splitlines()]
    assert events == ["AdminForceMagnet", "TicketStateChanged", "AdminForceSearch", "TicketStateChanged",
                      "TicketPriorityChanged", "TicketCreated"]

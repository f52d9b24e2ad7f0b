"""`qtorrentino audit [--ticket ID] [--type T] [--since ISO] [--json]` and `audit export --format jsonl`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from qtorrentino.cli import replay
from qtorrentino.cli.home_args import open_core
from qtorrentino.cli.output import print_json_lines, print_table, visible
from qtorrentino.errors import UsageError

if TYPE_CHECKING:
    from qtorrentino.audit.query import AuditFilter

EXPORT_HELP = "export the audit log as JSON Lines, oldest first"


def register(add: Callable[..., argparse.ArgumentParser], global_options: Callable[..., None]) -> None:
    audit = add("audit", "show the audit log, newest first", _query)
    _filters(audit)
    audit.add_argument("--limit", type=int, default=50, help="at most this many events (default 50)")
    audit.add_argument("--json", action="store_true", help="one JSON object per event, as audit.jsonl has them")
    actions = audit.add_subparsers(dest="audit_action", metavar="ACTION", parser_class=type(audit))
    export = actions.add_parser("export", help=EXPORT_HELP, description=EXPORT_HELP)
    global_options(export, top=False)
    _filters(export)
    export.add_argument("--format", choices=["jsonl"], default="jsonl", help="jsonl (JSON Lines, the default)")
    export.add_argument("--output", metavar="FILE", help="write here instead of stdout")
    export.add_argument("--training", action="store_true",
                        help="one line per matching decision: ticket, candidates with files, each "
                        "matcher's scores, the final pick and the person's correction")
    export.set_defaults(handler=_export)
    replay_cmd = actions.add_parser("replay", help=replay.HELP, description=replay.HELP)
    global_options(replay_cmd, top=False)
    replay.configure(replay_cmd)


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ticket", metavar="ID", help="only this ticket's events (an id or a unique prefix)")
    parser.add_argument("--type", action="append", metavar="TYPE", dest="types",
                        help="only events of this type, e.g. TicketStateChanged (repeat for several)")
    parser.add_argument("--since", metavar="ISO", help="e.g. 2026-11-21T10:00:00Z")


def _filter(args: argparse.Namespace) -> AuditFilter:
    """The events asked for; call after the core is open (an id prefix is resolved in the database)."""
    from qtorrentino.audit.query import AuditFilter
    from qtorrentino.clock import parse_iso
    from qtorrentino.tickets.rows import resolve_id

    try:
        since = parse_iso(args.since) if args.since else None
    except ValueError:
        raise UsageError(f"--since {args.since!r} is not an ISO 8601 time",
                         hint="e.g. --since 2026-11-21T10:00:00Z") from None
    ticket = resolve_id(args.ticket) if args.ticket else None
    return AuditFilter(ticket_id=ticket, types=tuple(args.types or ()), since=since)


def _query(args: argparse.Namespace) -> int:
    from qtorrentino.engine.audit_api import AuditAPI

    core = open_core(args)
    page = AuditAPI(core).page(_filter(args), limit=max(1, args.limit))
    if args.json:
        print_json_lines((event.to_json() for event in page.events), core.secrets)
    else:
        print_table(("SEQ", "AT", "TYPE", "TICKET", "ACTOR", "DATA"),
                    ((e.seq, e.at, e.type, e.ticket_id or "", e.actor,
                      visible(json.dumps(e.data, ensure_ascii=False))[:100]) for e in page.events))
    return 0


def _export(args: argparse.Namespace) -> int:
    from qtorrentino.engine.audit_api import AuditAPI

    core = open_core(args)
    api = AuditAPI(core)
    audit_filter = _filter(args)
    write: Callable[[BinaryIO], int] = partial(api.export, audit_filter=audit_filter)
    what = "events"
    if args.training:
        if args.types:
            raise UsageError("--type does not apply to --training",
                             hint="a training record is a matching decision and what followed it")
        from qtorrentino.audit.training import export_training

        write = partial(export_training, audit_filter=audit_filter, secrets=core.secrets)
        what = "decisions"
    if args.output:
        target = Path(args.output)
        try:
            with target.open("wb") as handle:
                count = write(handle)
        except OSError as error:
            raise UsageError(f"cannot write {target}: {error.strerror}") from None
        sys.stderr.write(f"exported {count} {what} to {target}\n")
    else:
        write(sys.stdout.buffer)
        sys.stdout.flush()
    return 0

"""`qtorrentino ticket add|list|show|cancel|retry|approve|reject|force-search|force-magnet|priority|
watch|unwatch`."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qtorrentino.cli.home_args import cli_actor, open_core
from qtorrentino.cli.output import print_json_lines, print_table
from qtorrentino.domain.states import TicketState
from qtorrentino.domain.ticket import TicketKind
from qtorrentino.errors import TicketValidationError, UsageError

if TYPE_CHECKING:
    from qtorrentino.engine.tickets_api import TicketsAPI
    from qtorrentino.tickets.creation import Created

EPISODE_CODE = re.compile(r"^[Ss](\d{1,3})(?:[Ee](\d{1,4}))+$")


def register(add: Callable[..., argparse.ArgumentParser], global_options: Callable[..., None]) -> None:
    ticket = add("ticket", "file and manage tickets", _missing_action)
    actions = ticket.add_subparsers(dest="action", metavar="ACTION", parser_class=type(ticket))

    def action(name: str, help_text: str, handler: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help_text, description=help_text)
        global_options(sub, top=False)
        sub.set_defaults(handler=handler)
        return sub

    add_cmd = action("add", "file tickets from JSON (a file or - for stdin), from flags, or for a torrent", _add)
    add_cmd.add_argument("file", nargs="?", help="ticket JSON file, or - for stdin")
    add_cmd.add_argument("--torrent", metavar="FILE_OR_MAGNET",
                         help="a .torrent file or a magnet link: a ticket whose only candidate it is, approved as "
                              "your pick; its items are learned from its files")
    add_cmd.add_argument("--kind", choices=[kind.value for kind in TicketKind], metavar="KIND",
                         help="with --torrent: album, track, movie, episode, season or generic "
                              "(default: guessed from the torrent's files, or a magnet's name)")
    add_cmd.add_argument("--album", nargs=2, metavar=("ARTIST", "ALBUM"), help="an album, all its tracks")
    add_cmd.add_argument("--movie", metavar="TITLE", help="a movie")
    add_cmd.add_argument("--year", type=int, help="the album's or the movie's year")
    add_cmd.add_argument("--episode", nargs=2, metavar=("SERIES", "SxxEyy"),
                         help="episodes of a series: S01E02, or S01E01E02 for several")
    add_cmd.add_argument("--library", metavar="NAME",
                         help="the library to place into (default: the first one of the fitting kind)")
    add_cmd.add_argument("--priority", type=int, help="0–65535, higher first (default 100)")
    add_cmd.add_argument("--format", dest="target_format", metavar="FORMAT",
                         help="the conversion target (default: the library's format)")
    add_cmd.add_argument("--dry-run", action="store_true", help="search and rank candidates; download nothing")
    add_cmd.add_argument("--json", action="store_true", help="print {id, state, linked_to} per ticket filed")

    list_cmd = action("list", "list tickets", _list)
    list_cmd.add_argument("--state", action="append", choices=[state.value for state in TicketState],
                          help="only tickets in this state (repeat for several)")
    list_cmd.add_argument("--limit", type=int, default=1000, help="at most this many tickets (default 1000)")
    list_cmd.add_argument("--json", action="store_true", help="one JSON object per ticket")

    show = action("show", "show one ticket with items and candidates", _show)
    _ticket_arguments(show)

    for name, help_text in (("cancel", "cancel a ticket"), ("retry", "retry a failed ticket")):
        _ticket_arguments(action(name, help_text, _act))
    approve = action("approve", "approve a candidate (rank 0 = the recommended one)", _act)
    _ticket_arguments(approve)
    approve.add_argument("--candidate", type=int, default=None, metavar="N",
                         help="the candidate's rank; 0 = the recommended one (default)")
    reject = action("reject", "reject a ticket waiting for approval", _act)
    _ticket_arguments(reject)
    reject.add_argument("--reason", default="", help="why, for the audit log")
    search = action("force-search", "search again with a typed query", _act)
    _ticket_arguments(search)
    search.add_argument("query", help="what to search the indexers for")
    magnet = action("force-magnet", "use this magnet as the chosen candidate", _act)
    _ticket_arguments(magnet)
    magnet.add_argument("magnet_uri", help="a magnet:?xt=urn:btih:… URI")
    priority = action("priority", "set a ticket's priority (0–65535, higher first)", _act)
    _ticket_arguments(priority)
    priority.add_argument("priority", type=int, help="0–65535, higher first")
    watch = action("watch", "keep looking for a ticket's release (waiting), or for a better one (--until)", _act)
    _ticket_arguments(watch)
    watch.add_argument("--until", metavar="QUALITY",
                       help="upgrade until a release of this quality is placed (e.g. flac, 1080p; "
                            "docs/ticket-json.md lists the qualities)")
    _ticket_arguments(action("unwatch", "stop watching a ticket (a waiting one becomes acquisition_failed)",
                             _act))


def _ticket_arguments(parser: argparse.ArgumentParser) -> None:
    """The ticket an action works on, and --json to print the ticket as it now is."""
    parser.add_argument("id", help="a ticket id, or a unique prefix of at least 4 characters")
    parser.add_argument("--json", action="store_true", help="print the ticket as `ticket show --json` does")


def _missing_action(args: argparse.Namespace) -> int:
    raise UsageError("ticket needs an action", hint="qtorrentino ticket --help lists them")


def _api(args: argparse.Namespace) -> tuple[TicketsAPI, Any]:
    from qtorrentino.engine.tickets_api import TicketsAPI

    core = open_core(args)
    return TicketsAPI(core), core


def _read_json(source: str) -> Any:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot read {source}: {error.strerror}", hint="give a readable JSON file or -") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise TicketValidationError(f"{source}: not valid JSON: {error.msg} at line {error.lineno}",
                                    hint="fix the JSON syntax") from None


def _flag_ticket(args: argparse.Namespace) -> dict[str, Any]:
    forms = [bool(args.album), bool(args.movie), bool(args.episode)]
    if sum(forms) != 1:
        raise UsageError("give a ticket file, or exactly one of --album, --movie, --episode",
                         hint='e.g. qtorrentino ticket add --album "Artist" "Album"')
    ticket: dict[str, Any]
    if args.album:
        ticket = {"kind": "album", "query": {"artist": args.album[0], "album": args.album[1]}}
        if args.year:
            ticket["query"]["year"] = args.year
    elif args.movie:
        ticket = {"kind": "movie", "query": {"title": args.movie}}
        if args.year:
            ticket["query"]["year"] = args.year
    else:
        series, code = args.episode
        match = EPISODE_CODE.match(code)
        if not match:
            raise UsageError(f"--episode code {code!r} is not SxxEyy", hint="e.g. S01E02 or S01E01E02")
        episodes = [int(number) for number in re.findall(r"[Ee](\d+)", code)]
        ticket = {"kind": "episode", "query": {"series": series, "season": int(match.group(1)),
                                               "episodes": episodes}}
    return ticket


def _add(args: argparse.Namespace) -> int:
    if args.torrent:
        return _add_torrent(args)
    if args.kind:
        raise UsageError("--kind goes with --torrent", hint="a ticket JSON file names its kind in \"kind\"")
    if args.file and (args.album or args.movie or args.episode):
        raise UsageError("give a ticket file or flags, not both")
    value: Any = _read_json(args.file) if args.file else _flag_ticket(args)
    if not args.file:
        for key, given in (("library", args.library), ("priority", args.priority), ("dry_run", args.dry_run or None)):
            if given is not None:
                value[key] = given
        if args.target_format:
            value["constraints"] = {"format": args.target_format}
    api, core = _api(args)
    _print_created(args, core, api.add_json(value, actor=cli_actor()))
    return 0


def _add_torrent(args: argparse.Namespace) -> int:
    """`ticket add --torrent FILE_OR_MAGNET`: one ticket, its torrent the chosen candidate."""
    if args.file or args.album or args.movie or args.episode or args.year or args.dry_run:
        raise UsageError("--torrent files a ticket of its own: give it without a ticket file, --album, --movie, "
                         "--episode, --year or --dry-run", hint="it takes --kind, --library, --priority, --format")
    api, core = _api(args)
    created = api.add_torrent(args.torrent, actor=cli_actor(), kind=TicketKind(args.kind) if args.kind else None,
                              library=args.library, priority=args.priority, target_format=args.target_format)
    _print_created(args, core, [created])
    return 0


def _print_created(args: argparse.Namespace, core: Any, created: list[Created]) -> None:
    if args.json:
        print_json_lines((entry.to_json() for entry in created), core.secrets)
    else:
        for entry in created:
            sys.stdout.write(entry.id + "\n")


def _list(args: argparse.Namespace) -> int:
    api, core = _api(args)
    states = [TicketState(state) for state in args.state or ()]
    tickets = api.list(states, limit=args.limit)
    if args.json:
        print_json_lines((ticket.to_json() for ticket in tickets), core.secrets)
    else:
        print_table(("ID", "KIND", "STATE", "PRI", "TITLE"),
                    ((t.id, t.kind, t.state.value, t.priority, t.title) for t in tickets))
    return 0


def _print_detail(args: argparse.Namespace, core: Any, detail: Any) -> None:
    if getattr(args, "json", False):
        print_json_lines([detail.to_json()], core.secrets)
        return
    summary = detail.summary
    sys.stdout.write(f"{summary.id}  {summary.kind}  {summary.state.value}  {summary.title}\n")
    if summary.error:
        sys.stdout.write(f"error: {summary.error}\n")
    if summary.linked_to:
        sys.stdout.write(f"follows ticket {summary.linked_to}\n")
    if summary.watching or summary.quality:
        until = f" until {summary.upgrade_until}" if summary.upgrade_until else ""
        placed = f"placed: {summary.quality or 'unknown quality'}" if summary.state is TicketState.COMPLETED else ""
        watching = f"watching{until}" if summary.watching else ""
        sys.stdout.write("  ".join(part for part in (watching, placed) if part) + "\n")
    if detail.items:
        sys.stdout.write("items:\n")
        print_table(("ID", "STATE", "ITEM", "PATH"),
                    ((item.id, item.state.value, item.label, item.path or "") for item in detail.items))
    if detail.candidates:
        sys.stdout.write("candidates:\n")
        print_table(("RANK", "SCORE", "SEEDS", "INDEXER", "TITLE"),
                    ((c.rank, f"{c.score:.2f}", c.seeders_label, c.indexer, c.title)
                     for c in detail.candidates))


def _show(args: argparse.Namespace) -> int:
    api, core = _api(args)
    _print_detail(args, core, api.show(args.id))
    return 0


ACTIONS: dict[str, Callable[[TicketsAPI, argparse.Namespace, str], Any]] = {
    "cancel": lambda api, args, actor: api.cancel(args.id, actor=actor),
    "retry": lambda api, args, actor: api.retry(args.id, actor=actor),
    "approve": lambda api, args, actor: api.approve(args.id, args.candidate, actor=actor),
    "reject": lambda api, args, actor: api.reject(args.id, args.reason, actor=actor),
    "force-search": lambda api, args, actor: api.force_search(args.id, args.query, actor=actor),
    "force-magnet": lambda api, args, actor: api.force_magnet(args.id, args.magnet_uri, actor=actor),
    "priority": lambda api, args, actor: api.set_priority(args.id, args.priority, actor=actor),
    "watch": lambda api, args, actor: api.watch(args.id, args.until, actor=actor),
    "unwatch": lambda api, args, actor: api.unwatch(args.id, actor=actor),
}
"""Each admin action: one engine call, then the ticket as it now is."""


def _act(args: argparse.Namespace) -> int:
    api, core = _api(args)
    _print_detail(args, core, ACTIONS[args.action](api, args, cli_actor()))
    return 0

"""`qtorrentino torrent ...`: the catalog, one torrent's detail, and requests the running engine carries out."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from qtorrentino.cli.home_args import open_core
from qtorrentino.cli.lazy_choices import LazyChoices
from qtorrentino.cli.output import human_size, print_json_lines, print_table
from qtorrentino.errors import TorrentError, UsageError

if TYPE_CHECKING:
    from qtorrentino.engine.core import Core
    from qtorrentino.engine.torrent_commands import TorrentCommand

DETAIL_WAIT_SECONDS = 10.0
DETAIL_POLL_SECONDS = 0.1

INFO_HASH_HELP = "the torrent's info-hash, or a unique prefix of it (at least 4 characters)"


def register(add: Callable[..., argparse.ArgumentParser], global_options: Callable[..., None]) -> None:
    torrent = add("torrent", "list torrents; show, pause, resume, recheck, limit or remove one", _missing)
    actions = torrent.add_subparsers(dest="action", metavar="ACTION", parser_class=type(torrent))

    def action(name: str, help_text: str, handler: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help_text, description=help_text)
        global_options(sub, top=False)
        sub.set_defaults(handler=handler)
        if name != "list":
            sub.add_argument("info_hash", help=INFO_HASH_HELP)
        return sub

    listing = action("list", "torrents with progress, ratio, upload and state", _list)
    listing.add_argument("--json", action="store_true", help="one JSON object per torrent")
    show = action("show", "one torrent: files with priorities, peers and trackers (live while an engine runs)",
                  _show)
    show.add_argument("--json", action="store_true", help="the torrent's detail as one JSON object")
    for name, text in (("pause", "pause a torrent"), ("resume", "resume a torrent"),
                       ("recheck", "hash-check a torrent's data on disk again"),
                       ("reannounce", "announce a torrent to its trackers now")):
        action(name, text, _command)
    remove = action("remove", "remove a torrent (its files stay unless --delete-data)", _command)
    remove.add_argument("--delete-data", action="store_true", help="delete its downloaded files too")
    limit = action("limit", "a torrent's own rate limits in KiB/s (0 = none of its own)", _command)
    limit.add_argument("--up", type=int, default=0, metavar="KIB", help="upload limit, KiB/s")
    limit.add_argument("--down", type=int, default=0, metavar="KIB", help="download limit, KiB/s")
    priority = action("priority", "one file's priority: skip, low, normal or high (see `torrent show`)", _command)
    priority.add_argument("file_index", type=int, help="the file's index, as `torrent show` lists it")
    priority.add_argument("priority", choices=LazyChoices(lambda: list(_priority_words())), metavar="PRIORITY",
                          help="the file's new priority: %(choices)s")


def _missing(args: argparse.Namespace) -> int:
    raise UsageError("torrent needs an action", hint="qtorrentino torrent --help lists them")


def _list(args: argparse.Namespace) -> int:
    from qtorrentino.engine.torrents_api import TorrentsAPI

    core = open_core(args)
    torrents = TorrentsAPI(core.bus).list()
    if args.json:
        print_json_lines((torrent.to_json() for torrent in torrents), core.secrets)
    else:
        print_table(("HASH", "PROGRESS", "RATIO", "UPLOADED", "STATE", "SIZE", "NAME"),
                    ((t.info_hash[:12], f"{t.progress * 100:.0f}%", f"{t.ratio:.2f}", human_size(t.uploaded),
                      ("♻ " if t.cleanup_candidate else "") + t.state, human_size(t.total_size), t.name)
                     for t in torrents))
    return 0


def _command(args: argparse.Namespace) -> int:
    """Stored on the catalog row and woken: the running engine (now or at its next start) carries it out."""
    from qtorrentino.engine.lock import running_pid
    from qtorrentino.engine.torrents_api import TorrentsAPI

    core = open_core(args)
    info_hash = TorrentsAPI(core.bus).resolve(args.info_hash)
    command = _request(args)
    _store(core, info_hash, command)
    if running_pid(core.home.lock_file) is None:
        sys.stderr.write(f"{args.action} of {info_hash[:12]} is queued: no engine runs now; "
                         "the next one carries it out\n")
    else:
        sys.stdout.write(f"{args.action} of {info_hash[:12]} sent to the running engine\n")
    return 0


def _priority_words() -> dict[str, int]:
    """The file priorities a person may set, by name: skip, low, normal, high."""
    from qtorrentino.engine.torrents_api import PRIORITY_NAMES

    return {name: value for value, name in PRIORITY_NAMES.items()}


def _request(args: argparse.Namespace) -> TorrentCommand:
    from qtorrentino.engine.core import actor_name
    from qtorrentino.engine.torrent_commands import TorrentCommand

    actor = actor_name("cli")
    if args.action == "remove":
        return TorrentCommand("remove_data" if args.delete_data else "remove", actor)
    if args.action == "limit":
        if args.up < 0 or args.down < 0:
            raise UsageError("rate limits are KiB/s ≥ 0", hint="0 means no limit of its own")
        return TorrentCommand("limits", actor, upload_kib=args.up, download_kib=args.down)
    if args.action == "priority":
        return TorrentCommand("priority", actor, file_index=args.file_index,
                              priority=_priority_words()[args.priority])
    return TorrentCommand(args.action, actor)


def _store(core: Core, info_hash: str, command: TorrentCommand) -> None:
    from qtorrentino.db.database import write_transaction
    from qtorrentino.db.models import TorrentRow

    with core.uow(), write_transaction():
        TorrentRow.update(command=command.encode()).where(TorrentRow.info_hash == info_hash).execute()
    core.uow.after_commit()


def _show(args: argparse.Namespace) -> int:
    from qtorrentino.db.models import TorrentRow
    from qtorrentino.engine.lock import running_pid
    from qtorrentino.engine.torrents_api import TorrentsAPI
    from qtorrentino.torrent.catalog import files_of

    core = open_core(args)
    info_hash = TorrentsAPI(core.bus).resolve(args.info_hash)
    if running_pid(core.home.lock_file) is not None:
        detail = {**_live_detail(core, info_hash), "live": True}
    else:
        row = TorrentRow.get_by_id(info_hash)
        detail = {"info_hash": info_hash, "name": row.name, "upload_limit_kib": None, "download_limit_kib": None,
                  "files": [{"index": entry.index, "path": entry.path, "size": entry.size, "done": None,
                             "priority": None} for entry in files_of(info_hash)], "peers": [], "trackers": [],
                  "live": False}
    if args.json:
        print_json_lines([detail], core.secrets)
    else:
        _print_detail(detail)
    return 0


def _live_detail(core: Core, info_hash: str) -> dict[str, Any]:
    """Ask the running engine for the torrent's live detail and wait for its answer file."""
    import orjson

    from qtorrentino.engine.core import actor_name
    from qtorrentino.engine.torrent_commands import DETAIL_SUFFIX, TorrentCommand

    answer = core.home.torrents_dir / "live" / f"{info_hash}{DETAIL_SUFFIX}"
    asked = time.time()
    _store(core, info_hash, TorrentCommand("detail", actor_name("cli")))
    deadline = time.monotonic() + DETAIL_WAIT_SECONDS
    while time.monotonic() < deadline:
        if answer.exists() and answer.stat().st_mtime >= asked:
            loaded: dict[str, Any] = orjson.loads(answer.read_bytes())
            return loaded
        time.sleep(DETAIL_POLL_SECONDS)
    raise TorrentError(f"the running engine did not answer for {info_hash[:12]} within {DETAIL_WAIT_SECONDS:g} s",
                       hint="is it busy or stuck? `qtorrentino logs` says")


def _print_detail(detail: dict[str, Any]) -> None:
    from qtorrentino.engine.torrents_api import PRIORITY_NAMES

    write = sys.stdout.write
    write(f"{detail['name']}  ({detail['info_hash']})\n")
    if not detail["live"]:
        write("no engine runs: priorities, peers and trackers are shown while one does\n")
    else:
        limits = [f"{label} {value} KiB/s" for label, value in (("up", detail["upload_limit_kib"]),
                                                                ("down", detail["download_limit_kib"])) if value]
        write(f"uploaded {human_size(detail['uploaded'])} · downloaded {human_size(detail['downloaded'])} · "
              f"ratio {detail['ratio']:.2f}\nown rate limits: {', '.join(limits) or 'none'}\n")
    write("\nfiles\n")
    print_table(("#", "PRIORITY", "DONE", "SIZE", "PATH"),
                ((f["index"], PRIORITY_NAMES.get(f["priority"], "—") if f["priority"] is not None else "—",
                  "—" if f["done"] is None else f"{f['done'] * 100 // max(f['size'], 1)}%", human_size(f["size"]),
                  f["path"]) for f in detail["files"]))
    if detail["live"]:
        write("\npeers\n")
        print_table(("ADDRESS", "CLIENT", "PROGRESS", "DOWN", "UP", "ENCRYPTED"),
                    ((p["address"], p["client"], f"{p['progress'] * 100:.0f}%", f"{human_size(p['download_bps'])}/s",
                      f"{human_size(p['upload_bps'])}/s", "yes" if p["encrypted"] else "no") for p in detail["peers"]))
        write("\ntrackers\n")
        print_table(("STATUS", "LAST ANNOUNCE", "ERROR", "URL"),
                    ((t["status"], t["last_announce_at"] or "—", t["error"] or "", t["url"])
                     for t in detail["trackers"]))

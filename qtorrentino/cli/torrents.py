"""`qtorrentino torrent list|pause|resume|remove`: the catalog, and requests the running engine carries out."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from qtorrentino.cli.home_args import open_core
from qtorrentino.cli.output import human_size, print_json_lines, print_table
from qtorrentino.errors import UsageError

INFO_HASH_HELP = "the torrent's info-hash, or a unique prefix of it"


def register(add: Callable[..., argparse.ArgumentParser], global_options: Callable[..., None]) -> None:
    torrent = add("torrent", "list torrents; pause, resume or remove one", _missing)
    actions = torrent.add_subparsers(dest="action", metavar="ACTION", parser_class=type(torrent))

    def action(name: str, help_text: str, handler: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help_text, description=help_text)
        global_options(sub, top=False)
        sub.set_defaults(handler=handler)
        return sub

    listing = action("list", "torrents with progress, ratio and state", _list)
    listing.add_argument("--json", action="store_true", help="one JSON object per torrent")
    for name in ("pause", "resume"):
        sub = action(name, f"{name} a torrent (by info-hash prefix)", _command)
        sub.add_argument("info_hash", help=INFO_HASH_HELP)
    remove = action("remove", "remove a torrent (its files stay unless --delete-data)", _command)
    remove.add_argument("info_hash", help=INFO_HASH_HELP)
    remove.add_argument("--delete-data", action="store_true", help="delete its downloaded files too")


def _missing(args: argparse.Namespace) -> int:
    raise UsageError("torrent needs an action", hint="qtorrentino torrent --help lists them")


def _list(args: argparse.Namespace) -> int:
    from qtorrentino.engine.torrents_api import TorrentsAPI

    core = open_core(args)
    torrents = TorrentsAPI(core.bus).list()
    if args.json:
        print_json_lines((torrent.to_json() for torrent in torrents), core.config.secrets)
    else:
        print_table(("HASH", "PROGRESS", "RATIO", "STATE", "SIZE", "NAME"),
                    ((t.info_hash[:12], f"{t.progress * 100:.0f}%", f"{t.ratio:.2f}", t.state,
                      human_size(t.total_size), t.name) for t in torrents))
    return 0


def _command(args: argparse.Namespace) -> int:
    """Stored on the catalog row and woken: the running engine (now or at its next start) carries it out."""
    from qtorrentino.db.database import write_transaction
    from qtorrentino.db.models import TorrentRow
    from qtorrentino.engine.lock import running_pid
    from qtorrentino.engine.torrents_api import TorrentsAPI

    core = open_core(args)
    info_hash = TorrentsAPI(core.bus).resolve(args.info_hash)
    command = "remove_data" if getattr(args, "delete_data", False) else args.action
    with core.uow():
        with write_transaction():
            TorrentRow.update(command=command).where(TorrentRow.info_hash == info_hash).execute()
    core.uow.after_commit()
    if running_pid(core.home.lock_file) is None:
        sys.stderr.write(f"{args.action} of {info_hash[:12]} is queued: no engine runs now; "
                         "the next one carries it out\n")
    else:
        sys.stdout.write(f"{args.action} of {info_hash[:12]} sent to the running engine\n")
    return 0

"""`qtorrentino search QUERY [--kind K] [--indexer NAME] [--json]` and `qtorrentino parse NAME... [--json]`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from qtorrentino.cli.home_args import home_from
from qtorrentino.cli.lazy_choices import LazyChoices
from qtorrentino.cli.output import human_size, print_json_lines, print_table
from qtorrentino.errors import IndexerError


def register(add: Callable[..., argparse.ArgumentParser], global_options: Callable[..., None]) -> None:
    search = add("search", "ask the configured indexers (merged, unscored): how to check an indexer", _search)
    search.add_argument("query", help="what to search for")
    search.add_argument("--kind", choices=LazyChoices(_search_kinds), metavar="KIND",
                        help="the indexers' search function: %(choices)s (default: a plain search)")
    search.add_argument("--indexer", metavar="NAME", help="ask only this configured indexer")
    search.add_argument("--json", action="store_true", help="one JSON object per result")
    parse = add("parse", "parse release or file names the way qtorrentino reads them", _parse)
    parse.add_argument("names", nargs="+", metavar="NAME", help="a release, folder or file name")
    parse.add_argument("--json", action="store_true", help="one JSON object per name")


def _search_kinds() -> list[str]:
    from qtorrentino.search.torznab_request import SEARCH_MODES

    return [mode for mode in SEARCH_MODES if mode != "generic"]


def _search(args: argparse.Namespace) -> int:
    from qtorrentino.clock import SystemClock, iso
    from qtorrentino.config.load import load_config
    from qtorrentino.config.proxy import parse_proxy
    from qtorrentino.domain.redact import redact_text
    from qtorrentino.search.indexers import IndexerSet
    from qtorrentino.search.torznab_request import SearchRequest
    from qtorrentino.tickets.views import seeders_label

    home = home_from(args)
    config = load_config(home)
    indexers = IndexerSet(config.indexers, SystemClock(), proxy=parse_proxy(config.network.proxy))
    try:
        report = indexers.search(SearchRequest(kind=args.kind or "generic", q=args.query), only=args.indexer)
    finally:
        indexers.close()
    secrets = config.secrets
    for outcome in report.outcomes:
        if outcome.error:
            sys.stderr.write(f"qtorrentino: {redact_text(outcome.error, secrets)}\n")
    if args.json:
        print_json_lines(({"title": r.title, "size": r.size, "seeders": r.seeders, "peers": r.peers,
                           "info_hash": r.info_hash, "magnet": r.magnet, "link": r.link, "indexer": r.indexer,
                           "published": iso(r.published)} for r in report.results), secrets)
    else:
        print_table(("SEEDS", "PEERS", "SIZE", "INDEXER", "TITLE"),
                    ((seeders_label(r.seeders), r.peers, human_size(r.size), r.indexer, r.title)
                     for r in report.results))
    if all(outcome.error for outcome in report.outcomes):
        raise IndexerError("no indexer answered", hint="`qtorrentino doctor` checks each indexer")
    return 0


def _parse(args: argparse.Namespace) -> int:
    from qtorrentino.domain.release import parse_release

    parsed = [(name, parse_release(name)) for name in args.names]
    if args.json:
        print_json_lines(info.to_json() for _, info in parsed)
    else:
        for name, info in parsed:
            fields = ", ".join(f"{key}={value}" for key, value in info.to_json().items())
            sys.stdout.write(f"{name}\n    {fields}\n")
    return 0

"""`qtorrentino scan [LIBRARY]` and `qtorrentino organize LIBRARY [--apply]`."""

from __future__ import annotations

import sys
from dataclasses import asdict
from typing import TYPE_CHECKING

from qtorrentino.cli.home_args import cli_actor, open_core
from qtorrentino.cli.output import print_json_lines, print_table
from qtorrentino.errors import LibraryOffline, NotFound, QtorrentinoError, UsageError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from qtorrentino.config.model import Config
    from qtorrentino.engine.library_api import ScanResult


def register(add: Callable[..., argparse.ArgumentParser], global_options: Callable[..., None]) -> None:
    scan = add("scan", "scan libraries: record new, changed and missing files; queue what cannot be identified",
               _scan)
    scan.add_argument("library", nargs="?", metavar="LIBRARY", help="one library (default: every library)")
    scan.add_argument("--json", action="store_true", help="one JSON object per library")
    organize = add("organize", "rename a library's files to its naming template (a dry run unless --apply)",
                   _organize)
    organize.add_argument("library", metavar="LIBRARY", help="the library's name")
    organize.add_argument("--apply", action="store_true", help="carry out every rename without a collision")
    organize.add_argument("--json", action="store_true", help="one JSON object per rename")


def _library_names(config: Config, name: str | None) -> list[str]:
    """The configured names asked for (case-insensitive), every library when none is named."""
    if name is None:
        if not config.libraries:
            raise UsageError("no libraries are configured",
                             hint='add [[libraries]] name = "Music" kind = "music" path = "..." to config.toml')
        return [library.name for library in config.libraries]
    configured = config.library(name)
    if configured is None:
        known = ", ".join(library.name for library in config.libraries) or "none"
        raise NotFound(f"no library called {name!r}", hint=f"configured libraries: {known}")
    return [configured.name]


def _scan(args: argparse.Namespace) -> int:
    from qtorrentino.engine.library_api import LibraryAPI

    core = open_core(args)
    results: list[ScanResult] = []
    refused: list[LibraryOffline] = []
    try:
        api = LibraryAPI(core)
        for name in _library_names(core.config, args.library):
            try:
                results.append(api.scan(name, actor=cli_actor()))
            except LibraryOffline as error:
                refused.append(error)
    finally:
        core.close()
    if args.json:
        print_json_lines(asdict(result) for result in results)
    elif results:
        print_table(("library", "seen", "new", "changed", "missing", "matched", "unmatched",
                     "unreadable"),
                    [tuple(asdict(result).values()) for result in results])
    if refused:
        raise QtorrentinoError("; ".join(error.message for error in refused), hint=refused[0].hint)
    return 0


def _organize(args: argparse.Namespace) -> int:
    from qtorrentino.engine.library_api import LibraryAPI

    core = open_core(args)
    try:
        name = _library_names(core.config, args.library)[0]
        planned = LibraryAPI(core).organize(name, apply=args.apply, actor=cli_actor())
    finally:
        core.close()
    if args.json:
        print_json_lines(asdict(plan) for plan in planned)
    else:
        print_table(("source", "target", "collision"),
                    [(plan.source, plan.target, "collision" if plan.collision else "") for plan in planned])
    collisions = sum(plan.collision for plan in planned)
    verb = "renamed" if args.apply else "would rename"
    sys.stderr.write(f"{name}: {verb} {len(planned) - collisions} file(s); {collisions} collision(s) left alone"
                     + ("" if args.apply else "; run with --apply to rename") + "\n")
    return 0

"""`qtorrentino`: argparse subcommands; builds the home and runs the face asked for."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import threading
from collections.abc import Callable, Sequence
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType
from typing import NoReturn

from qtorrentino import __version__
from qtorrentino.errors import QtorrentinoError

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], int]

COMMAND_MODULES = ("demo_cmd", "headless", "tickets", "torrents", "search_cmd", "audit_cmd", "library_cmd",
                   "doctor")
"""Modules of qtorrentino.cli with register(add, global_options), imported when the parser is built.

They import only the standard library and light modules at the top; each handler imports the engine parts
it needs, so `ticket list` never pays for Textual, libtorrent, guessit or ffmpeg helpers."""
REQUIRED_PARTS = {"libtorrent": "pip install 'libtorrent>=2.0.9' (wheels exist for Python 3.10–3.13)",
                  "imageio_ffmpeg": "pip install imageio-ffmpeg, or apt-get install ffmpeg"}
"""Compiled parts every command checks for (found, not imported) before it runs."""
COMMANDS = {"demo": "demo_cmd", "headless": "headless", "ticket": "tickets", "torrent": "torrents",
            "search": "search_cmd", "parse": "search_cmd", "audit": "audit_cmd",
            "scan": "library_cmd", "organize": "library_cmd", "doctor": "doctor"}
"""The module of COMMAND_MODULES registering each command: a command named on the line builds only
its module's parser, never paying for the other modules' imports and ~30 sub-parsers."""


def command_modules(names: Sequence[str] = COMMAND_MODULES) -> list[ModuleType]:
    return [import_module(f"qtorrentino.cli.{name}") for name in names]


def command_word(argv: Sequence[str]) -> str | None:
    """The command argv names (`ticket` in `--home H ticket list`); None when an option only the
    top-level parser knows (help, version) comes first."""
    words = iter(argv)
    for word in words:
        if word == "--home":
            next(words, None)
        elif not (word.startswith("--home=") or word == "--takeover"):
            return None if word.startswith("-") else word
    return None


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr and exit 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"qtorrentino: error: {message} (see `{self.prog} --help`)\n")
        raise SystemExit(2)


def _global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    default = None if top else argparse.SUPPRESS
    parser.add_argument("--home", default=default, metavar="DIR",
                        help="keep config, database, logs and state in DIR (or set QTORRENTINO_HOME)")
    parser.add_argument("--takeover", action="store_true", default=False if top else argparse.SUPPRESS,
                        help="ask an engine already running on the home to stop, then start")


def build_parser(argv: Sequence[str] | None = None) -> Parser:
    """The whole parser; when argv names a known command, only that command's module registers."""
    parser = Parser(prog="qtorrentino", description="Terminal media acquisition and library pipeline.")
    parser.add_argument("--version", action="version", version=f"qtorrentino {__version__}")
    _global_options(parser, top=True)
    parser.set_defaults(handler=_run_tui)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    def add(name: str, help_text: str, handler: Handler) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        _global_options(sub, top=False)
        sub.set_defaults(handler=handler)
        return sub

    command = command_word(argv) if argv is not None else None
    for module in command_modules((COMMANDS[command],) if command in COMMANDS else COMMAND_MODULES):
        module.register(add, _global_options)
    return parser


def _run_tui(args: argparse.Namespace) -> int:
    from qtorrentino.cli.tui_face import run_tui

    return run_tui(args)


def missing_part() -> str | None:
    """The first required part Python cannot find, looked up without importing it (libtorrent takes ~30 ms)."""
    for part in REQUIRED_PARTS:
        try:
            if find_spec(part) is None:
                return part
        except (ImportError, ValueError):
            return part
    return None


def _missing_part_exit(part: str) -> int:
    sys.stderr.write(f"qtorrentino: error: a required part is missing: {part} (hint: {REQUIRED_PARTS[part]})\n")
    return 3


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, run the command, map errors to one line on stderr and an exit code."""
    part = missing_part()
    if part is not None:
        return _missing_part_exit(part)
    given = sys.argv[1:] if argv is None else argv
    args = build_parser(given).parse_args(given)
    try:
        return int(args.handler(args))
    except ImportError as error:
        part = (error.name or "").split(".")[0]
        return _missing_part_exit(part) if part in REQUIRED_PARTS else _internal_error(error)
    except QtorrentinoError as error:
        sys.stderr.write(f"qtorrentino: error: {error.message}" + (f" (hint: {error.hint})" if error.hint else "")
                         + "\n")
        return error.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("qtorrentino: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        return _internal_error(error)


def run() -> NoReturn:
    """The `qtorrentino` entry: main(), then, when the command never opened the engine and left no thread
    running, leave without Python's teardown of every imported module (~25 ms, a sixth of a short command),
    output and log flushed."""
    code = main()
    if "qtorrentino.engine.engine" in sys.modules or threading.active_count() > 1:
        raise SystemExit(code)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BrokenPipeError):
            stream.flush()
    os._exit(code)


def _internal_error(error: Exception) -> int:
    log.exception("unexpected error")
    sys.stderr.write(f"qtorrentino: internal error: {type(error).__name__}: {error} "
                     "(see logs/qtorrentino.log under the home)\n")
    return 1

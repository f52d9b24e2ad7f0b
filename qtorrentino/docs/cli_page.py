"""docs/cli.md's generated parts: each command and flag (real parser), `--json` keys, exit codes."""

from __future__ import annotations

import argparse
import inspect
from typing import TYPE_CHECKING, Any

from qtorrentino import errors
from qtorrentino.audit.query import AuditEvent
from qtorrentino.cli.main import REQUIRED_PARTS, build_parser
from qtorrentino.docs.regions import cell, prose, table
from qtorrentino.docs.samples import json_keys, sample
from qtorrentino.engine.torrents_api import TorrentDetail, TorrentView
from qtorrentino.tickets.creation import Created
from qtorrentino.tickets.views import TicketDetail, TicketSummary

if TYPE_CHECKING:
    from collections.abc import Iterator

GLOBAL_OPTIONS = ("--home", "--takeover", "--help", "--version")
"""Shown once at the top of the page, not under every command."""
JSON_OUTPUTS: tuple[tuple[str, type[Any]], ...] = (
    ("ticket add --json", Created),
    ("ticket list --json", TicketSummary),
    (
        "ticket show --json (and approve, reject, cancel, retry, force-search, force-magnet, "
        "priority)",
        TicketDetail,
    ),
    ("audit --json (and audit export)", AuditEvent),
    ("torrent list --json", TorrentView),
    ("torrent show --json", TorrentDetail),
)
"""Which read model each command prints, one JSON object per line."""


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _help(action: argparse.Action) -> str:
    text = action.help or ""
    if "%(" in text:
        choices = ", ".join(str(choice) for choice in action.choices or ())
        text = text % {**vars(action), "choices": choices}
    return text


def _flag(action: argparse.Action) -> str:
    if not action.option_strings:
        name = action.metavar or action.dest.upper()
        return f"`{name}`" + (" …" if action.nargs in ("+", "*") else "")
    metavar = action.metavar if action.metavar is not None else action.dest.upper()
    if isinstance(metavar, tuple):
        metavar = " ".join(metavar)
    takes_value = action.nargs != 0
    return f"`{action.option_strings[-1]}{' ' + metavar if takes_value else ''}`"


def _allowed(action: argparse.Action) -> str:
    if action.choices is None or isinstance(action, argparse._SubParsersAction):
        return ""
    return ", ".join(f"`{choice}`" for choice in action.choices)


def _commands(
    parser: argparse.ArgumentParser, words: tuple[str, ...]
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    for name, sub in _subcommands(parser).items():
        path = (*words, name)
        yield " ".join(path), sub
        yield from _commands(sub, path)


def commands_markdown() -> str:
    """Each command: what it does, and its arguments and flags with their help."""
    parts: list[str] = []
    for name, parser in _commands(build_parser(), ("qtorrentino",)):
        rows = [
            (_flag(action), _allowed(action), _help(action))
            for action in parser._actions
            if not isinstance(action, argparse._SubParsersAction)
            and not set(action.option_strings) & set(GLOBAL_OPTIONS)
            and action.dest != "help"
        ]
        actions = list(_subcommands(parser))
        parts.append(f"### `{name}`\n\n{prose(parser.description or '')}")
        if actions:
            parts.append("Actions: " + ", ".join(f"`{action}`" for action in actions) + ".")
        if rows:
            parts.append(table(("argument", "allowed", "meaning"), rows))
    return "\n\n".join(parts)


def json_markdown() -> str:
    """The keys each `--json` command prints, and the keys of the objects inside its lists."""
    parts: list[str] = []
    for command, model in JSON_OUTPUTS:
        lines = [
            f"- `{key}`" + (f": each with {', '.join(f'`{k}`' for k in inner)}" if inner else "")
            for key, inner in json_keys(sample(model))
        ]
        parts.append(f"`qtorrentino {command}`:\n\n" + "\n".join(lines))
    return "\n\n".join(parts)


def _error_classes() -> list[type[errors.QtorrentinoError]]:
    found = [
        value
        for _, value in inspect.getmembers(errors, inspect.isclass)
        if issubclass(value, errors.QtorrentinoError)
    ]
    return sorted(found, key=lambda cls: (cls.exit_code, cls.__name__))


def exit_codes_markdown() -> str:
    """Every typed error with the exit code it ends a command with; the parts whose absence is 3."""
    rows = [
        (f"`{cls.exit_code}`", f"`{cls.__name__}`", inspect.cleandoc(cls.__doc__ or ""))
        for cls in _error_classes()
    ]
    parts = ", ".join(f"`{part}` ({hint})" for part, hint in REQUIRED_PARTS.items())
    return (
        table(("exit", "error", "when"), rows)
        + f"\n\nRequired parts (exit `3` when missing): {cell(parts)}."
    )


def regions() -> dict[str, str]:
    return {
        "commands": commands_markdown(),
        "json-fields": json_markdown(),
        "exit-codes": exit_codes_markdown(),
    }

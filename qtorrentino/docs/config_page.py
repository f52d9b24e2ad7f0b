"""docs/configuration.md's tables: every section and key of config.toml, from the dataclasses."""

from __future__ import annotations

import ast
import inspect
import itertools
import json
import re
import textwrap
import types
from dataclasses import MISSING, Field, dataclass, fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin, get_type_hints

from qtorrentino.config.home import Home
from qtorrentino.config.load import CHOICES, NO_LIMIT_KEYS
from qtorrentino.config.model import DEFAULT_NAMING, Config
from qtorrentino.docs.regions import cell, prose, table
from qtorrentino.domain.naming import TEMPLATE_FIELDS

if TYPE_CHECKING:
    from collections.abc import Iterator

PLACEHOLDER_HOME = Path("/HOME")
SECTION_PREFIX = re.compile(r"^\[\[?[\w.]+\]\]?:\s*")
PLAIN_TYPES = {
    "bool": "`true` or `false`",
    "int": "whole number ≥ 0",
    "float": "number ≥ 0",
    "float | None": "number ≥ 0",
    "str": "text",
    "Secret": "text, never shown or logged",
    "Path": "path (`~` expands; relative = beside config.toml)",
    "tuple[int, ...]": "list of whole numbers",
    "tuple[str, ...]": "list of texts",
    "dict[str, str]": "table of texts",
}
"""How each annotation the config loader accepts reads in the docs."""


@dataclass(frozen=True, slots=True)
class Key:
    """One key of a section as the docs show it."""

    name: str
    default: str
    allowed: str
    meaning: str


@dataclass(frozen=True, slots=True)
class Section:
    """One TOML table ([name], [[name]] or [a.b]) with its keys."""

    heading: str
    description: str
    keys: tuple[Key, ...]


def attribute_docs(cls: type) -> dict[str, str]:
    """A dataclass's attribute docstrings (the string literal under each field), by field name."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    docs: dict[str, str] = {}
    for statement, following in itertools.pairwise(body):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[statement.target.id] = " ".join(following.value.value.split())
    return docs


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (str, Path)):
        return json.dumps(str(value), ensure_ascii=False)
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml(entry) for entry in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no TOML spelling for {value!r}")


def _shown_path(path: Path, home: Home) -> str:
    for folder, label in (
        (home.cache_dir, "the XDG cache folder's"),
        (home.data_dir, "the XDG data folder's"),
    ):
        if path.is_relative_to(folder):
            return f"{label} `{path.relative_to(folder)}`"
    if path.is_relative_to(Path.home()):
        return f"`~/{path.relative_to(Path.home())}`"
    return f"`{path}`"


def _default(section: str, field: Field[Any]) -> str:
    if field.default is None:
        return "unset"
    if field.default is not MISSING:
        return f"`{_toml(field.default)}`"
    if field.default_factory is not MISSING:
        return f"`{_toml(field.default_factory())}`"
    attribute = f"default_{field.name}"
    single = getattr(Home.at(PLACEHOLDER_HOME), attribute, None)
    if isinstance(single, Path):
        inside = single.relative_to(PLACEHOLDER_HOME)
        xdg = Home.xdg()
        return f"`<home>/{inside}` with --home; else {_shown_path(getattr(xdg, attribute), xdg)}"
    return "required"


def _allowed(dotted: str, name: str, annotation: str) -> str:
    choices = CHOICES.get(f"{dotted}.{name}")
    if choices:
        return " | ".join(f"`{choice}`" for choice in choices)
    if annotation in PLAIN_TYPES:
        no_limit = ", or `-1` for no limit" if f"{dotted}.{name}" in NO_LIMIT_KEYS else ""
        return PLAIN_TYPES[annotation] + no_limit
    raise TypeError(
        f"{dotted}.{name}: no description for a {annotation!r} value; add one to PLAIN_TYPES"
    )


def _section(heading: str, dotted: str, cls: type) -> Iterator[Section]:
    docs = attribute_docs(cls)
    hints = get_type_hints(cls)
    keys: list[Key] = []
    below: list[Section] = []
    for field in fields(cls):
        hint = hints[field.name]
        if is_dataclass(hint):
            below.extend(_section(f"[{dotted}.{field.name}]", f"{dotted}.{field.name}", hint))  # type: ignore[arg-type]
        elif get_origin(hint) is dict:
            description = SECTION_PREFIX.sub("", docs.get(field.name, ""))
            below.append(Section(f"[{dotted}.{field.name}]", description, ()))
        else:
            keys.append(
                Key(
                    field.name,
                    _default(dotted, field),
                    _allowed(dotted, field.name, str(field.type)),
                    docs.get(field.name, ""),
                )
            )
    description = SECTION_PREFIX.sub("", inspect.cleandoc(cls.__doc__ or ""))
    yield Section(heading, description[:1].upper() + description[1:], tuple(keys))
    yield from below


def sections() -> list[Section]:
    """Every table of config.toml, in the order Config declares them."""
    result: list[Section] = []
    hints = get_type_hints(Config)
    for field in fields(Config):
        hint = hints[field.name]
        args = [arg for arg in get_args(hint) if arg is not type(None)]
        if get_origin(hint) is tuple and args and is_dataclass(args[0]):
            result.extend(_section(f"[[{field.name}]]", field.name, args[0]))  # type: ignore[arg-type]
        elif get_origin(hint) in (Union, types.UnionType) and args and is_dataclass(args[0]):
            result.extend(_section(f"[{field.name}]", field.name, args[0]))  # type: ignore[arg-type]
        elif is_dataclass(hint):
            result.extend(_section(f"[{field.name}]", field.name, hint))  # type: ignore[arg-type]
        else:
            raise TypeError(f"Config.{field.name}: not a section the docs know how to show")
    return result


def keys_markdown() -> str:
    """Every section as a heading, its description and a table of its keys."""
    parts: list[str] = []
    for section in sections():
        parts.append(f"### `{section.heading}`\n\n{prose(section.description)}")
        if section.keys:
            parts.append(
                table(
                    ("key", "default", "allowed values", "meaning"),
                    [
                        (f"`{key.name}`", key.default, key.allowed, key.meaning or "—")
                        for key in section.keys
                    ],
                )
            )
    return "\n\n".join(parts)


def naming_markdown() -> str:
    """The default naming template of each library kind and the fields a template may use."""
    rows = [(f"`{kind}`", f"`{template}`") for kind, template in DEFAULT_NAMING.items()]
    fields_text = ", ".join(f"`{{{name}}}`" for name in sorted(TEMPLATE_FIELDS))
    return (
        table(("kind", "default naming"), rows)
        + f"\n\nFields a template may use: {cell(fields_text)}."
    )


def regions() -> dict[str, str]:
    return {"config-keys": keys_markdown(), "naming": naming_markdown()}

"""docs/ticket-json.md's generated parts: the fields the ticket reader accepts, and its values."""

from __future__ import annotations

import types
from dataclasses import fields
from enum import Enum
from typing import Any, Union, get_args, get_origin, get_type_hints

from qtorrentino.docs.regions import table
from qtorrentino.domain.states import ItemState
from qtorrentino.domain.ticket import (
    FORMATS,
    Constraints,
    ItemType,
    TicketItem,
    TicketKind,
    TicketQuery,
    TicketSpec,
)
from qtorrentino.domain.ticket_json import (
    CONSTRAINT_FIELDS,
    ITEM_FIELDS,
    QUERY_FIELDS,
    REQUIRED_QUERY,
    RESOLUTIONS,
    TOP_FIELDS,
)

OBJECTS: tuple[tuple[str, type[Any], frozenset[str]], ...] = (
    ("the ticket", TicketSpec, TOP_FIELDS),
    ("`query`", TicketQuery, QUERY_FIELDS),
    ("each of `items`", TicketItem, ITEM_FIELDS),
    ("`constraints`", Constraints, CONSTRAINT_FIELDS),
)
"""Each JSON object of a ticket, the value it becomes, and the fields the reader accepts in it."""
JSON_NAMES = {str: "string", int: "integer", float: "number", bool: "`true` or `false`"}


def json_type(hint: Any) -> str:
    """How a field's Python type is written in JSON."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        present = [arg for arg in get_args(hint) if arg is not type(None)]
        return json_type(present[0]) + " or `null`"
    if origin is tuple:
        return f"list of {json_type(get_args(hint)[0])}s"
    if isinstance(hint, type) and issubclass(hint, Enum):
        return " | ".join(f"`{member.value}`" for member in hint)
    if hint in JSON_NAMES:
        return JSON_NAMES[hint]
    if hint is TicketItem:
        return "item object"
    return "object"


def fields_markdown() -> str:
    """A table per object: every accepted field with its JSON type, in the code's order."""
    parts: list[str] = []
    for label, model, accepted in OBJECTS:
        hints = get_type_hints(model)
        declared = [field.name for field in fields(model) if field.name in accepted]
        unknown = sorted(accepted - set(declared))
        if unknown:
            raise TypeError(f"{model.__name__} has no field for {', '.join(unknown)}")
        rows = [(f"`{name}`", json_type(hints[name])) for name in declared]
        parts.append(f"Fields of {label}:\n\n" + table(("field", "JSON type"), rows))
    return "\n\n".join(parts)


def values_markdown() -> str:
    """Kinds with the query fields each requires, item types and states, formats and resolutions."""
    kinds = table(
        ("kind", "required `query` fields"),
        [
            (f"`{kind.value}`", ", ".join(f"`{name}`" for name in REQUIRED_QUERY[kind]))
            for kind in TicketKind
        ],
    )
    listed = [
        ("Item types", [member.value for member in ItemType]),
        ("Item states", [member.value for member in ItemState]),
        ("Formats (`constraints.format`)", list(FORMATS)),
        ("Resolutions (`constraints.resolution`)", list(RESOLUTIONS)),
    ]
    lines = [
        f"{label}: " + ", ".join(f"`{value}`" for value in values) + "." for label, values in listed
    ]
    return kinds + "\n\n" + "\n\n".join(lines)


def regions() -> dict[str, str]:
    return {"ticket-fields": fields_markdown(), "ticket-values": values_markdown()}

"""Sample instances of the faces' read models, built from type hints, to list what they print."""

from __future__ import annotations

import types
from dataclasses import MISSING, fields, is_dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Union, get_args, get_origin, get_type_hints

SAMPLE_TIME = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
PLAIN_SAMPLES: dict[Any, Any] = {
    str: "x",
    int: 1,
    float: 0.5,
    bool: True,
    datetime: SAMPLE_TIME,
}


def sample_value(hint: Any) -> Any:
    """A value of the hinted type: optional values present, one entry in each collection."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        present = [arg for arg in get_args(hint) if arg is not type(None)]
        return sample_value(present[0])
    if origin in (tuple, list):
        entry = sample_value(get_args(hint)[0])
        return (entry,) if origin is tuple else [entry]
    if origin is dict:
        return {}
    if isinstance(hint, type) and issubclass(hint, Enum):
        return next(iter(hint))
    if is_dataclass(hint):
        return sample(hint)  # type: ignore[arg-type]
    if hint in PLAIN_SAMPLES:
        return PLAIN_SAMPLES[hint]
    raise TypeError(f"no sample for {hint!r}")


def sample(cls: type[Any]) -> Any:
    """An instance of a dataclass with every field filled (defaults kept where a field has one)."""
    hints = get_type_hints(cls)
    values = {
        field.name: sample_value(hints[field.name])
        for field in fields(cls)
        if field.init and field.default is MISSING and field.default_factory is MISSING
    }
    return cls(**values)


def json_keys(value: Any) -> list[tuple[str, list[str]]]:
    """The keys of value.to_json(), each with its objects' keys when it holds a list of them."""
    printed = value.to_json()
    result: list[tuple[str, list[str]]] = []
    for key, entry in printed.items():
        inner = (
            list(entry[0])
            if isinstance(entry, (list, tuple)) and entry and isinstance(entry[0], dict)
            else []
        )
        result.append((key, inner))
    return result

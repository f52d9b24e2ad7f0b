"""Strict checks of a decoded answer against a job's schema: exact keys, JSON types, sizes."""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from qtorrentino.textbrain.llm.exchange import Discard, discarded


def obj(value: Any, keys: tuple[str, ...], where: str) -> dict[str, Any]:
    """An object with exactly these keys (the schemas say additionalProperties: false)."""
    if not isinstance(value, dict):
        raise discarded(Discard.SCHEMA, f"{where} is not an object")
    missing = [key for key in keys if key not in value]
    extra = sorted(str(key) for key in value if key not in keys)
    if missing or extra:
        parts = (f"missing {', '.join(missing)}" if missing else "",
                 f"unexpected {', '.join(extra)}" if extra else "")
        said = "; ".join(part for part in parts if part)
        raise discarded(Discard.SCHEMA, f"{where}: {said}")
    return value


def array(value: Any, where: str, max_items: int) -> list[Any]:
    """A list of at most max_items entries."""
    if not isinstance(value, list):
        raise discarded(Discard.SCHEMA, f"{where} is not a list")
    if len(value) > max_items:
        raise discarded(Discard.SCHEMA, f"{where} has {len(value)} entries; at most {max_items}")
    return value


def integer(value: Any, where: str) -> int:
    """A JSON integer (not a boolean, not 1.0)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise discarded(Discard.SCHEMA, f"{where} = {value!r} is not an integer")
    return value


def number(value: Any, where: str) -> float:
    """A finite JSON number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise discarded(Discard.SCHEMA, f"{where} = {value!r} is not a number")
    return float(value)


def text(value: Any, where: str, max_chars: int) -> str:
    """A non-empty string on one line, control characters removed, at most max_chars long."""
    if not isinstance(value, str):
        raise discarded(Discard.SCHEMA, f"{where} is not a string")
    cleaned = "".join(char for char in " ".join(value.split())
                      if unicodedata.category(char) not in ("Cc", "Cf"))
    if not cleaned:
        raise discarded(Discard.SCHEMA, f"{where} is empty")
    if len(cleaned) > max_chars:
        raise discarded(Discard.SCHEMA,
                        f"{where} is {len(cleaned)} characters; at most {max_chars}")
    return cleaned


def object_schema(properties: dict[str, Any]) -> dict[str, Any]:
    """A JSON Schema object: every property required, nothing else allowed (strict mode)."""
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False}

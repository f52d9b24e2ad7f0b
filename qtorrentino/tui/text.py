"""Text from strangers made safe to show: never markup, control and bidi characters made visible, bounded."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

from rich.style import Style
from rich.text import Text

MAX_SHOWN_CHARS = 300
"""Longer values are cut with an ellipsis so one hostile name cannot blow up a layout."""

_INVISIBLE_FORMAT_CHARS = frozenset(
    "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)
"""Zero-width and text-direction characters: they reorder or hide what the person reads."""
_INVISIBLE = re.compile("[" + "".join(sorted(_INVISIBLE_FORMAT_CHARS)) + "]")


def visible(value: object, limit: int = MAX_SHOWN_CHARS) -> str:
    """The value as a plain string with every control, zero-width or bidi character shown as an escape."""
    text = "" if value is None else str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    if text.isprintable() and (text.isascii() or _INVISIBLE.search(text) is None):
        return text
    return "".join(_escape(char) for char in text)


def _escape(char: str) -> str:
    if char in _INVISIBLE_FORMAT_CHARS:
        return f"<U+{ord(char):04X}>"
    if char.isprintable() or char == " ":
        return char
    category = unicodedata.category(char)
    if category.startswith("C") or category in {"Zl", "Zp"}:
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"<U+{code:04X}>"
    return char


def plain(value: object, style: str | Style = "", limit: int = MAX_SHOWN_CHARS) -> Text:
    """A rich Text holding the value literally (no markup parsing), safe for any widget or table cell."""
    return Text(visible(value, limit), style=style, no_wrap=True, overflow="ellipsis", end="")


def inside(path: str, root: str | None) -> str:
    """A path shown relative to its library's folder when it lies inside it, else whole."""
    if root and PurePosixPath(path).is_relative_to(root):
        return str(PurePosixPath(path).relative_to(root))
    return path


def short_id(value: str | None, length: int = 8) -> str:
    """The first characters of an id: enough for the CLI's prefix matching."""
    return (value or "")[:length]

"""Command output: --json as one object per line, plain tables otherwise; stdout for results only."""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from qtorrentino.domain.redact import redact_value


def visible(text: str) -> str:
    """Make control and bidi characters visible so a stranger's name cannot rewrite the terminal."""
    if text.isprintable():
        return text
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Zl", "Zp"):
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def print_json_lines(objects: Iterable[dict[str, Any]], secrets: Sequence[str] = ()) -> None:
    """One JSON object per line, secrets redacted."""
    for obj in objects:
        sys.stdout.write(json.dumps(redact_value(obj, secrets), ensure_ascii=False) + "\n")
    sys.stdout.flush()


def print_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """A plain aligned table; every cell made visible-safe."""
    cells = [[visible("" if value is None else str(value)) for value in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in cells:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=False)]
    line = "  ".join(header.ljust(width) for header, width in zip(headers, widths, strict=False))
    sys.stdout.write(line.rstrip() + "\n")
    for row in cells:
        sys.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)).rstrip() + "\n")
    sys.stdout.flush()


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"

"""Generated regions in hand-written Markdown pages, found by their markers and replaced whole."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

BEGIN = "<!-- BEGIN GENERATED: {name} (python -m qtorrentino.docs --write rewrites this part) -->"
END = "<!-- END GENERATED: {name} -->"
REGION = re.compile(
    r"<!-- BEGIN GENERATED: (?P<name>[a-z0-9-]+) [^>]*-->\n.*?<!-- END GENERATED: (?P=name) -->",
    re.DOTALL,
)


class MissingRegion(LookupError):
    """A page lacks the markers of a region the generator fills."""


def fill(text: str, regions: Mapping[str, str]) -> str:
    """The page with each named region's body replaced by the generated Markdown."""
    found = {match.group("name") for match in REGION.finditer(text)}
    missing = sorted(set(regions) - found)
    if missing:
        raise MissingRegion(
            f"no region {', '.join(missing)}: add {BEGIN.format(name=missing[0])} "
            f"and {END.format(name=missing[0])} where it belongs"
        )

    def body(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in regions:
            return match.group(0)
        return f"{BEGIN.format(name=name)}\n{regions[name].strip()}\n{END.format(name=name)}"

    return REGION.sub(body, text)


CODE_SPAN = re.compile(r"(`[^`]*`)")


def prose(text: object) -> str:
    """Text whose angle brackets show as written (outside `code`), not as HTML tags."""
    parts = CODE_SPAN.split(str(text))
    return "".join(
        part if part.startswith("`") else part.replace("<", "&lt;").replace(">", "&gt;")
        for part in parts
    )


def cell(text: object) -> str:
    """Text safe in a Markdown table cell: pipes escaped, newlines folded, tags shown as written."""
    return prose(" ".join(str(text).split())).replace("|", "\\|")


def table(headers: tuple[str, ...], rows: Sequence[tuple[object, ...]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)

"""Which page holds which generated regions, and rendering or checking them all against the code."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from qtorrentino.docs import audit_page, cli_page, config_page, ticket_page
from qtorrentino.docs.regions import fill

if TYPE_CHECKING:
    from collections.abc import Callable

DOCS_DIR = Path(__file__).resolve().parents[2] / "docs"
PAGES: dict[str, Callable[[], dict[str, str]]] = {
    "configuration.md": config_page.regions,
    "ticket-json.md": ticket_page.regions,
    "cli.md": cli_page.regions,
    "audit.md": audit_page.regions,
}
"""Each generated page under docs/ and the function that renders its regions."""


def rendered(docs_dir: Path = DOCS_DIR) -> dict[Path, tuple[str, str]]:
    """Each page's text now and as the code says it should be."""
    result: dict[Path, tuple[str, str]] = {}
    for name, regions in PAGES.items():
        path = docs_dir / name
        current = path.read_text(encoding="utf-8")
        result[path] = (current, fill(current, regions()))
    return result


def stale(docs_dir: Path = DOCS_DIR) -> list[Path]:
    """The pages whose generated parts differ from the code."""
    return [path for path, (current, wanted) in rendered(docs_dir).items() if current != wanted]


def write(docs_dir: Path = DOCS_DIR) -> list[Path]:
    """Rewrite every stale page's generated parts; returns the pages changed."""
    changed = []
    for path, (current, wanted) in rendered(docs_dir).items():
        if current != wanted:
            path.write_text(wanted, encoding="utf-8")
            changed.append(path)
    return changed

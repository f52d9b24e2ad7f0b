"""Which config values are secrets: one list, read from a Config or straight from config.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

SECRET_KEYS: tuple[tuple[str, ...], ...] = (
    ("indexers", "api_key"),
    ("textbrain", "llm", "api_key"),
    ("tmdb", "api_key"),
    ("notify", "urls"),
    ("network", "proxy"),
)
"""Where secrets live; a list on the way (every [[indexers]], the notify URLs) is followed."""


def secrets_in(config: object) -> tuple[str, ...]:
    """Every non-empty secret of a Config or of a parsed config.toml, in SECRET_KEYS order."""
    found: list[str] = []
    for path in SECRET_KEYS:
        _collect(config, path, found)
    return tuple(value for value in found if value)


def secrets_of_file(path: Path) -> tuple[str, ...] | None:
    """The secrets of config.toml without validating the rest (what scrubbing output needs);
    None when the file cannot be read as TOML, so the caller loads it properly and reports why."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    except (OSError, UnicodeDecodeError):
        return None
    try:
        return secrets_in(tomllib.loads(text))
    except tomllib.TOMLDecodeError:
        return None


def _collect(node: object, path: tuple[str, ...], found: list[str]) -> None:
    if isinstance(node, list | tuple):
        for each in node:
            _collect(each, path, found)
    elif not path:
        if isinstance(node, str):
            found.append(node)
    else:
        child = node.get(path[0]) if isinstance(node, dict) else getattr(node, path[0], None)
        if child is not None:
            _collect(child, path[1:], found)

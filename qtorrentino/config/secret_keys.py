"""Which config values are secrets: one list, read from a Config or straight from config.toml."""

from __future__ import annotations

import tomllib

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


def secrets_of_text(text: str) -> tuple[str, ...]:
    """The secrets of a config.toml text that validated before (what scrubbing output needs)."""
    return secrets_in(tomllib.loads(text))


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

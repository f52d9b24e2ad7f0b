"""Themes from `themes/*.toml` (a checkout's top level, a wheel's `qtorrentino/themes`, the home's `themes/`)."""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path

from textual.color import Color, ColorParseError
from textual.theme import Theme

import qtorrentino
from qtorrentino.errors import ConfigError

log = logging.getLogger(__name__)

DEFAULT_THEME = "qtorrentino-dark"
COLOUR_KEYS = ("primary", "secondary", "accent", "warning", "error", "success", "foreground", "background",
               "surface", "panel", "boost")
APP_VARIABLE_DEFAULTS = {"progress-complete": "#87AF5F", "progress-remaining": "#3A3A3A"}
"""Variables app.tcss and the progress cells use; a theme file may override them under [variables]."""


@dataclass(frozen=True, slots=True)
class ThemeProblem:
    """A theme file that could not be used, and why (shown once as a warning)."""

    path: Path
    reason: str


def bundled_theme_dirs() -> tuple[Path, ...]:
    """The theme folders that ship with the program: in a wheel, then in a checkout."""
    package = Path(qtorrentino.__file__).resolve().parent
    candidates = (package / "themes", package.parent / "themes")
    return tuple(folder for folder in candidates if folder.is_dir())


def load_themes(folders: tuple[Path, ...]) -> tuple[list[Theme], list[ThemeProblem]]:
    """Every readable theme in the folders (a later folder's theme replaces an earlier one of the same name)."""
    themes: dict[str, Theme] = {}
    problems: list[ThemeProblem] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                theme = theme_from_file(path)
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError, ConfigError) as error:
                log.warning("theme %s skipped: %s", path, error)
                problems.append(ThemeProblem(path, str(error)))
                continue
            themes[theme.name] = theme
    return list(themes.values()), problems


def theme_from_file(path: Path) -> Theme:
    """One theme file → a Textual Theme; raises ConfigError naming the file and the bad key."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    name = raw.get("name", path.stem)
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{path.name}: 'name' must be a non-empty string")
    colours: dict[str, str] = {}
    for key in COLOUR_KEYS:
        if key in raw:
            colours[key] = _colour(path, key, raw[key])
    if "primary" not in colours:
        raise ConfigError(f"{path.name}: 'primary' is required")
    dark = raw.get("dark", True)
    if not isinstance(dark, bool):
        raise ConfigError(f"{path.name}: 'dark' must be true or false")
    variables = raw.get("variables", {})
    if not isinstance(variables, dict):
        raise ConfigError(f"{path.name}: [variables] must be a table")
    merged = {**APP_VARIABLE_DEFAULTS, **{str(key): _colour(path, f"variables.{key}", value)
                                          for key, value in variables.items()}}
    return Theme(name=name.strip(), primary=colours["primary"], secondary=colours.get("secondary"),
                 accent=colours.get("accent"), warning=colours.get("warning"), error=colours.get("error"),
                 success=colours.get("success"), foreground=colours.get("foreground"),
                 background=colours.get("background"), surface=colours.get("surface"), panel=colours.get("panel"),
                 boost=colours.get("boost"), dark=dark, variables=merged)


def _colour(path: Path, key: str, value: object) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{path.name}: '{key}' must be a colour string like \"#5FAFD7\"")
    try:
        Color.parse(value)
    except ColorParseError as error:
        raise ConfigError(f"{path.name}: '{key}' = {value!r} is not a colour") from error
    return value

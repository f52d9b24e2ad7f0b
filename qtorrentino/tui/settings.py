"""UiSettings: what the terminal app takes from config (theme, key remaps, theme folders)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qtorrentino.tui.themes import DEFAULT_THEME, bundled_theme_dirs

if TYPE_CHECKING:
    from qtorrentino.config.home import Home
    from qtorrentino.config.model import Config


@dataclass(frozen=True, slots=True)
class UiSettings:
    """What the app takes from config: theme, key remaps, theme folders."""

    theme: str = DEFAULT_THEME
    """The theme to start with; the command palette can switch it."""
    keys: dict[str, str] = field(default_factory=dict)
    """[ui.keys]: binding id ("<screen>.<action>") → key(s), comma-separated."""
    theme_dirs: tuple[Path, ...] = field(default_factory=bundled_theme_dirs)
    """Folders searched for *.toml themes; later folders win."""

    @classmethod
    def from_config(cls, config: Config, home: Home) -> UiSettings:
        """The settings of a home: its [ui] section, and its own `themes/` folder after the bundled ones."""
        return cls(theme=config.ui.theme, keys=dict(config.ui.keys),
                   theme_dirs=(*bundled_theme_dirs(), home.data_dir / "themes"))

    @classmethod
    def defaults(cls, theme: str = DEFAULT_THEME, keys: dict[str, str] | None = None) -> UiSettings:
        """Settings for a run without config (tests, snapshots)."""
        return cls(theme=theme, keys=dict(keys or {}))

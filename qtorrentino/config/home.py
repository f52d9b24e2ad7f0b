"""Where a home's files live: --home / QTORRENTINO_HOME puts everything in one folder, else XDG dirs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "qtorrentino"
HOME_ENV = "QTORRENTINO_HOME"


@dataclass(frozen=True, slots=True)
class Home:
    """The folders and files of one qtorrentino home."""

    config_file: Path
    data_dir: Path
    """Database, audit log, torrent state, lock."""
    log_dir: Path
    cache_dir: Path
    single_folder: bool
    """True when --home or QTORRENTINO_HOME put everything in one folder."""

    @classmethod
    def at(cls, folder: Path) -> Home:
        """A home that keeps config, database, logs and state in one folder."""
        folder = folder.expanduser().absolute()
        return cls(config_file=folder / "config.toml", data_dir=folder, log_dir=folder / "logs",
                   cache_dir=folder, single_folder=True)

    @classmethod
    def xdg(cls) -> Home:
        """The default home in the XDG config, data, state and cache folders."""
        import platformdirs  # here: a command on a --home never pays for it (~5 ms)

        return cls(
            config_file=Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml",
            data_dir=Path(platformdirs.user_data_dir(APP_NAME)),
            log_dir=Path(platformdirs.user_log_dir(APP_NAME)),
            cache_dir=Path(platformdirs.user_cache_dir(APP_NAME)),
            single_folder=False,
        )

    @classmethod
    def resolve(cls, flag: str | None) -> Home:
        """--home wins, then QTORRENTINO_HOME, then the XDG folders."""
        chosen = flag or os.environ.get(HOME_ENV)
        return cls.at(Path(chosen)) if chosen else cls.xdg()

    @property
    def database(self) -> Path:
        return self.data_dir / "qtorrentino.db"

    @property
    def audit_jsonl(self) -> Path:
        return self.data_dir / "audit.jsonl"

    @property
    def torrents_dir(self) -> Path:
        """Resume data and .torrent copies."""
        return self.data_dir / "torrents"

    @property
    def lock_file(self) -> Path:
        return self.data_dir / "engine.lock"

    @property
    def wake_file(self) -> Path:
        """Touched by CLI writers so a running engine notices a change at once."""
        return self.data_dir / "wake"

    @property
    def trash_dir(self) -> Path:
        return self.data_dir / "trash"

    @property
    def default_download_dir(self) -> Path:
        return self.data_dir / "downloads" if self.single_folder else (
            Path.home() / "downloads" / APP_NAME
        )

    @property
    def default_staging_dir(self) -> Path:
        return self.cache_dir / "staging"

    def ensure(self) -> None:
        """Create the home's folders."""
        for folder in (self.data_dir, self.log_dir, self.torrents_dir):
            folder.mkdir(parents=True, exist_ok=True)

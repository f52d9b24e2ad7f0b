"""TOML config with defaults, and the home folder that holds config, database, logs and state."""

from qtorrentino.config.home import Home
from qtorrentino.config.load import load_config
from qtorrentino.config.model import Config

__all__ = ["Config", "Home", "load_config"]

"""A config.toml that validated once is not validated again by every command: the home keeps a stamp
of the text (and the program version) that last passed, so a short command checks a hash, not the config."""

from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING

from qtorrentino import __version__

if TYPE_CHECKING:
    from qtorrentino.config.home import Home

STAMP_NAME = "config.checked"
"""In the home's data folder: the stamp of the config text that last validated."""


def config_text(home: Home) -> str | None:
    """config.toml's text ("" when there is none: all defaults); None when it cannot be read."""
    try:
        return home.config_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError):
        return None


def is_checked(home: Home, text: str) -> bool:
    """Whether this text validated before under this version of the program."""
    try:
        return (home.data_dir / STAMP_NAME).read_text(encoding="ascii") == _stamp(text)
    except (OSError, UnicodeDecodeError):
        return False


def remember_checked(home: Home, text: str) -> None:
    """Record that this text validated; a home that cannot be written only costs the next command a full load."""
    target = home.data_dir / STAMP_NAME
    temporary = target.with_name(f"{STAMP_NAME}.{os.getpid()}.part")
    try:
        temporary.write_text(_stamp(text), encoding="ascii")
        os.replace(temporary, target)
    except OSError:
        temporary.unlink(missing_ok=True)


def _stamp(text: str) -> str:
    return hashlib.sha256(f"{__version__}\n{text}".encode(errors="surrogatepass")).hexdigest()

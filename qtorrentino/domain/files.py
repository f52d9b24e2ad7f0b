"""A file inside a torrent or on disk, as the matching rules see it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

AUDIO_EXTENSIONS = frozenset({".flac", ".mp3", ".ogg", ".opus", ".m4a", ".aac", ".wav", ".alac", ".ape", ".wv",
                              ".aiff"})
VIDEO_EXTENSIONS = frozenset({".mkv", ".mp4", ".avi", ".m4v", ".mov", ".ts", ".webm", ".wmv", ".mpg", ".mpeg"})
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif"})
EXECUTABLE_EXTENSIONS = frozenset({".exe", ".scr", ".lnk", ".bat", ".cmd", ".com", ".msi", ".vbs", ".ps1", ".jar",
                                   ".pif"})
COVER_STEMS = ("cover", "folder", "front", "albumart")
"""An album's cover image is named one of these (any case, any image extension), best first: the cover finder
tries them in this order, the download fetches such images beside the tracks, the file mapping prefers them."""
MAX_COVER_BYTES = 20 * 1024 * 1024
"""Larger "covers" are ignored: no player needs them and they may be hostile."""


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One file of a torrent: its index in the torrent, its path inside it (POSIX, '/'), its size."""

    index: int
    path: str
    size: int

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.path).suffix.lower()

    @property
    def is_audio(self) -> bool:
        return self.suffix in AUDIO_EXTENSIONS

    @property
    def is_video(self) -> bool:
        return self.suffix in VIDEO_EXTENSIONS

    @property
    def is_image(self) -> bool:
        return self.suffix in IMAGE_EXTENSIONS

    @property
    def is_executable(self) -> bool:
        return self.suffix in EXECUTABLE_EXTENSIONS

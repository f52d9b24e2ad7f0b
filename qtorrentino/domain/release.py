"""parse_release(name) → ReleaseInfo: the one release-name parser (own fast paths, then guessit)."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from qtorrentino.domain.files import AUDIO_EXTENSIONS, VIDEO_EXTENSIONS
from qtorrentino.domain.release_info import ReleaseInfo, clean_title
from qtorrentino.domain.release_music import (
    SITE_PREFIX,
    music_shaped,
    parse_music_name,
    parse_track_file,
)
from qtorrentino.domain.release_video import (
    EPISODE_WORD,
    YEAR,
    parse_video_fast,
    parse_with_guessit,
)

__all__ = ["MAX_NAME_CHARS", "ReleaseInfo", "parse_release"]

MAX_NAME_CHARS = 400
"""Longer names are cut before parsing: no real release name is longer; the regexes stay cheap."""
PARSE_CACHE_SIZE = 1 << 16
MEDIA_EXTENSIONS = AUDIO_EXTENSIONS | VIDEO_EXTENSIONS
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_VIDEO_HINT = re.compile(
    r"(?i)(?<![a-z0-9])(?:s\d{1,2}e\d{1,4}|s\d{1,2}|\d{1,2}x\d{2,3}|season[ ._]?\d+"
    r"|(?:480|576|720|1080|2160)[pi]|4k|[xh][ .]?26[45]|hevc|xvid|divx|blu-?ray|bdrip|brrip|web-?dl"
    r"|webrip|hdtv|dvdrip|hdrip|remux|hdcam|camrip|telesync|hdts|dvdscr)(?![a-z0-9])"
)
_AUDIO_HINT = re.compile(
    r"(?i)(?<![a-z0-9])(?:flac|mp3|alac|ape|ogg|opus|wav|aac|lossless|v0|v2|320|256|\d{3} ?kbps"
    r"|24 ?bit|16 ?bit|24-(?:44|48|96|192)|16-44|discography|discografia|discographie|diskografie"
    r"|anthology|vinyl|cd ?\d?)(?![a-z0-9])"
)
_SCENE_MUSIC = re.compile(r"^[^\s.]+-(?:19|20)\d\d-[^\s.]+$")
"""Scene music names use dashes and underscores, never spaces or dots: Artist-Album-WEB-2013-GRP."""


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def parse_release(name: str) -> ReleaseInfo:
    """Parse a torrent name or a file path inside a torrent; never raises, caches by name.

    A path ("Album/CD2/05 - Title.flac") is split only when it ends in a media file, so a release
    name such as "AC/DC - Back in Black" stays whole.
    """
    text = _CONTROL.sub(" ", name)[:MAX_NAME_CHARS].strip()
    parts = [part.strip() for part in text.replace("\\", "/").split("/")]
    parts = [part for part in parts if part not in ("", ".", "..")]
    if not parts:
        return ReleaseInfo()
    if _suffix(parts[-1]) not in MEDIA_EXTENSIONS:
        parts = [text]
    base = SITE_PREFIX.sub("", parts[-1])
    suffix = _suffix(base)
    if suffix in AUDIO_EXTENSIONS:
        return parse_track_file(base[: -len(suffix)], parts[:-1], suffix)
    extension = suffix if suffix in VIDEO_EXTENSIONS else None
    stem = base[: -len(suffix)] if extension else base
    if not extension and not _VIDEO_HINT.search(stem) and (
        _AUDIO_HINT.search(stem) or _SCENE_MUSIC.match(stem) or music_shaped(stem)
    ):
        return parse_music_name(stem)
    info = parse_video_fast(stem)
    if info is None:
        hinted = extension or any(hint.search(stem) for hint in (_VIDEO_HINT, EPISODE_WORD, YEAR))
        generic = ReleaseInfo(title=clean_title(stem) or None)
        info = parse_with_guessit(stem) if hinted else generic
    if extension is None:
        return info
    if len(parts) > 1 and info.kind == "generic":
        parent = parse_release(parts[-2])
        if parent.kind in ("episode", "season"):
            info = parent
    return replace(info, extension=extension)


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 and len(name) - dot <= 6 else ""

"""parse_release(name) → ReleaseInfo: the one release-name parser, for music, video and paths."""

from __future__ import annotations

import re
from functools import lru_cache

from qtorrentino.domain.files import AUDIO_EXTENSIONS, VIDEO_EXTENSIONS
from qtorrentino.domain.release_group import strip_site_prefix
from qtorrentino.domain.release_info import ReleaseInfo, revised
from qtorrentino.domain.release_music import (
    music_shaped,
    parse_music_name,
    parse_track_file,
)
from qtorrentino.domain.release_video import parse_video
from qtorrentino.domain.similarity import normalise

__all__ = ["MAX_NAME_CHARS", "ReleaseInfo", "parse_release"]

MAX_NAME_CHARS = 400
"""Longer names are cut before parsing: no real release name is longer; the regexes stay cheap."""
PARSE_CACHE_SIZE = 1 << 16
FOLDER_CACHE_SIZE = 1 << 12
FILE_EXTENSIONS = VIDEO_EXTENSIONS | frozenset({
    ".srt", ".sub", ".idx", ".ass", ".ssa", ".nfo", ".torrent", ".ogm", ".divx", ".iso", ".img",
    ".rar", ".zip", ".txt", ".vob", ".m2ts", ".rmvb", ".flv", ".3gp", ".asf", ".mk3d", ".nzb",
    ".sfv", ".par2", ".ifo", ".bup",
})
"""File extensions a release path may end in; the rest of the path is its folders."""
_FOLDER_TECHNICAL = ("resolution", "source", "video_codec", "audio_format", "release_group")
"""What a file inside a release folder inherits from it when its own name does not say."""
_SIDECARS = frozenset({".srt", ".sub", ".idx", ".ass", ".ssa", ".nfo", ".vtt"})
_SIDECAR_TAIL = re.compile(r"(?i)\.(?:[a-z]{2,3}|sample|proof|forced|sdh)$")
"""What sits between a release name and a subtitle or sample file's extension ("….eng.srt")."""
_ABBREVIATED = re.compile(r"^(?:[A-Za-z0-9]{2,10}[._])?[a-z0-9_]{1,10}-[a-z0-9]")
"""A scene file name made of its group's and title's initials: "arw-greenberg", "i-smwhr"."""
_HASHED = re.compile(
    r"^(?:[0-9a-fA-F]{16,}|[A-Za-z0-9]{6,}(?:-[A-Za-z0-9]{4,}){3,}|[A-Za-z0-9]{24,})$"
)
"""An obfuscated file name: a hex digest, dash-joined random blocks, or one long random run."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_VIDEO_HINT = re.compile(
    r"(?<![a-z0-9])(?:s\d{1,2}e\d{1,4}|s\d{1,2}|\d{1,2}x\d{2,3}|seasons?[ ._]?\d+|ep[ ._]?\d+"
    r"|(?:19|20)\d\d[-.](?:0[1-9]|1[0-2])[-.]\d\d"
    r"|\d{3,4}[pi]|4k|[xh][ .]?26[45]|hevc|xvid|divx|blu-?ray|bdrip|brrip|web-?dl"
    r"|webrip|hdtv|dvdrip|hdrip|remux|hdcam|camrip|telesync|hdts|dvdscr)(?![a-z0-9])"
)
"""Video words, read in the lowercased name (case-blind matching takes twice as long)."""
_AUDIO_HINT = re.compile(
    r"(?<![a-z0-9])(?:flac|mp3|alac|ape|ogg|opus|wav|aac|lossless|v0|v2|320|256|\d{3} ?kbps"
    r"|24 ?bit|16 ?bit|24-(?:44|48|96|192)|16-44|discography|discografia|discographie|diskografie"
    r"|anthology|vinyl|cd ?\d?)(?![a-z0-9])"
)
"""Music words, read in the lowercased name like _VIDEO_HINT."""
_SCENE_MUSIC = re.compile(r"^[^\s.]+-(?:19|20)\d\d-[^\s.]+$")
"""Scene music names use dashes and underscores, never spaces or dots: Artist-Album-WEB-2013-GRP."""


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def parse_release(name: str) -> ReleaseInfo:
    """Parse a torrent name or a file path inside a torrent; never raises, caches by name.

    A path ("Album/CD2/05 - Title.flac", "Movie (2010)/movie.720p.mkv") is read file first, its
    folders filling what the file name does not say; a hashed or abbreviated file name takes its
    folder's name. "AC/DC - Back in Black" stays whole: a slash splits a name only when the part
    after it ends in a file extension or the part before it is a folder name.
    """
    text = (name if name.isprintable() else _CONTROL.sub(" ", name))[:MAX_NAME_CHARS].strip()
    if "/" in text or "\\" in text:
        parts = [part.strip() for part in text.replace("\\", "/").split("/")]
        parts = [part for part in parts if part not in ("", ".", "..")]
    else:
        parts = [text] if text not in ("", ".", "..") else []
    if not parts:
        return ReleaseInfo()
    suffix = _suffix(parts[-1])
    if suffix in AUDIO_EXTENSIONS and not _VIDEO_HINT.search(parts[-1].lower()):
        base = strip_site_prefix(parts[-1])
        return parse_track_file(base[: -len(suffix)], parts[:-1], suffix)
    if suffix not in FILE_EXTENSIONS and (" / " in text or not _is_folder_path(parts)):
        parts = [text]
        suffix = ""
    base = parts[-1]
    stem = base[: -len(suffix)] if suffix else base
    if suffix in _SIDECARS or stem.lower().endswith((".sample", ".proof")):
        stem = _SIDECAR_TAIL.sub("", stem)
    if not suffix:
        stem = strip_site_prefix(stem)
    extension = suffix if suffix in VIDEO_EXTENSIONS else None
    if not suffix and not _VIDEO_HINT.search(lowered := stem.lower()) and (
        _AUDIO_HINT.search(lowered) or _SCENE_MUSIC.match(stem)
        or (music_shaped(stem) and not stem.startswith("["))
    ):
        return parse_music_name(stem)
    info = parse_video(stem, extension)
    if len(parts) > 1:
        info = _with_folders(info, stem, parts[:-1])
    if info.kind == "episode" and info.series is None and info.title:
        info = revised(info, series=info.title, title=None)
    return info


def _is_folder_path(parts: list[str]) -> bool:
    """ "Movies/Title.2010.1080p" is a path; "AC/DC - Back in Black" is one name."""
    return len(parts) > 2 or (len(parts) == 2 and len(parts[0]) > 3)


def _with_folders(info: ReleaseInfo, stem: str, folders: list[str]) -> ReleaseInfo:
    """Fill what a file name leaves out from the nearest folder that names a release; take the
    folder's name whole when the file's is a hash or a scene abbreviation ("abc-xyz.avi")."""
    for folder in reversed(folders[-3:]):
        parent = _folder_info(folder)
        if parent.kind == "generic" and parent.season is None and info.series is not None:
            continue
        if _obfuscated(stem, info, parent):
            return revised(parent, hashed=True, extension=info.extension,
                           resolution=parent.resolution or info.resolution,
                           source=parent.source or info.source,
                           video_codec=parent.video_codec or info.video_codec,
                           audio_format=parent.audio_format or info.audio_format)
        same = normalise(info.title or info.series or "") == normalise(parent.title or
                                                                        parent.series or "")
        changes: dict[str, object] = {
            key: getattr(parent, key) for key in _FOLDER_TECHNICAL
            if getattr(info, key) is None and getattr(parent, key) is not None
        } if parent.kind != "generic" else {}
        if info.year is None and parent.year is not None and (same or info.kind == "generic"):
            changes["year"] = parent.year
        if info.kind in ("episode", "generic") and info.season is None and parent.season:
            changes.update(season=parent.season, seasons=(parent.season,))
        if info.kind == "generic" and parent.kind in ("episode", "season"):
            return revised(parent, extension=info.extension)
        if info.kind == "episode" and info.series is None:
            changes["series"] = _series_folder(folders)
        return revised(info, **changes) if changes else info
    return info


@lru_cache(maxsize=FOLDER_CACHE_SIZE)
def _folder_info(folder: str) -> ReleaseInfo:
    """A folder's name read as a video release; the files of one folder share it."""
    return parse_video(folder)


def _series_folder(folders: list[str]) -> str | None:
    """The nearest folder above season folders ("Doctor Who/Season 06/E13 - Title.mkv")."""
    for folder in reversed(folders[-3:]):
        parent = _folder_info(folder)
        if parent.series or (parent.kind != "season" and parent.title):
            return parent.series or parent.title
    return None


def _obfuscated(stem: str, info: ReleaseInfo, parent: ReleaseInfo) -> bool:
    """A file name that says less than its folder: a hash, or a scene abbreviation."""
    if _HASHED.match(stem) or (_ABBREVIATED.match(stem) and (parent.title or parent.series) and (
            info.kind == "generic" or len((info.title or "").split()) == 1)):
        return True
    own = normalise(info.title or info.series or "")
    theirs = normalise(parent.title or parent.series or "")
    return bool(theirs) and len(own.split()) <= 2 and own.replace(" ", "") not in theirs.replace(
        " ", "") and (len(theirs.split()) > len(own.split()) or not own)


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 and len(name) - dot <= 6 else ""

"""The quality of a release, read from what its name says, and the two orders `upgrade_until` names.

Music: mp3_v2 < mp3_v0 < mp3_320 < aac < opus < flac < flac_24. Video: the resolution first
(480p < 576p < 720p < 1080p < 2160p), then the source within a resolution (cam < telesync < dvd <
hdtv < webrip < web-dl < bluray < remux). Pure code: the one place these orders and spellings live.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qtorrentino.domain.release_info import ReleaseInfo

MUSIC = "music"
VIDEO = "video"
MUSIC_QUALITIES = ("mp3_v2", "mp3_v0", "mp3_320", "aac", "opus", "flac", "flac_24")
"""Music qualities, worst first (DESIGN's order)."""
RESOLUTION_ORDER = ("480p", "576p", "720p", "1080p", "2160p")
"""Video resolutions, worst first; 576p (PAL) sits between DESIGN's 480p and 720p."""
SOURCE_ORDER = ("cam", "telesync", "dvd", "hdtv", "webrip", "web-dl", "bluray", "remux")
"""Video sources within a resolution, worst first (DESIGN's order)."""
SOURCE_RANKS: dict[str, str] = {
    "cam": "cam", "workprint": "cam", "vhs": "cam", "telesync": "telesync", "telecine": "telesync",
    "screener": "telesync", "dvd": "dvd", "hdtv": "hdtv", "hdrip": "webrip", "webrip": "webrip",
    "web-dl": "web-dl", "bluray": "bluray", "remux": "remux",
}
"""The parser's source words → the step of SOURCE_ORDER they count as."""
LOSSLESS = frozenset({"flac", "alac", "ape", "wav", "wavpack", "pcm"})
"""Lossless audio formats: they count as flac (flac_24 at 24 bits or more)."""
LOSSY_AUDIO: dict[str, str] = {"aac": "aac", "vorbis": "aac", "opus": "opus"}
"""Lossy audio formats other than MP3 → their step (Vorbis counts as AAC)."""
_REMUX = re.compile(r"(?i)(?<![a-z0-9])(?:bd)?remux(?![a-z0-9])")
SD = "480p"
"""A DVD release that names no resolution is standard definition."""
_UNKNOWN_SOURCE = -1
"""A video release that names no source ranks below every source of its resolution."""


@dataclass(frozen=True, slots=True)
class Quality:
    """A quality in one of the two orders: its name as the contracts spell it, and its rank."""

    family: str
    """music | video."""
    name: str
    """"flac", "mp3_320"; "1080p" or "1080p web-dl" (resolution, a space, source)."""
    rank: tuple[int, ...]
    """Compared within a family: (step,) for music, (resolution, source) for video."""

    def at_least(self, other: Quality) -> bool:
        """True when this quality meets other (as a cutoff): same family, rank at or above."""
        return self.family == other.family and self.rank >= other.rank

    def better_than(self, other: Quality) -> bool:
        """True when this quality is a step up from other (an upgrade)."""
        return self.family == other.family and self.rank > other.rank


def family_of(kind: str) -> str | None:
    """The quality order a ticket kind is measured in; None for generic tickets (either)."""
    if kind in ("album", "track"):
        return MUSIC
    if kind in ("movie", "episode", "season"):
        return VIDEO
    return None


def parse_quality(text: str, family: str | None) -> Quality:
    """A quality name ("flac", "1080p", "1080p bluray") in the family's order.

    Raises:
        ValueError: the name is in neither order, or not in the family's; the message lists them.
    """
    words = text.strip().casefold().split()
    if len(words) == 1 and words[0] in MUSIC_QUALITIES and family in (MUSIC, None):
        return Quality(MUSIC, words[0], (MUSIC_QUALITIES.index(words[0]),))
    if words and words[0] in RESOLUTION_ORDER and len(words) <= 2 and family in (VIDEO, None):
        source = words[1] if len(words) == 2 else None
        if source is None or source in SOURCE_ORDER:
            return _video(words[0], source)
    raise ValueError(f"{text!r} is not a {'quality' if family is None else family + ' quality'}: "
                     f"use {quality_names(family)}")


def quality_names(family: str | None) -> str:
    """The accepted names of a family, worst first, for messages and docs."""
    music = " < ".join(MUSIC_QUALITIES)
    video = (" < ".join(RESOLUTION_ORDER) + ", optionally with a source after a space ("
             + " < ".join(SOURCE_ORDER) + ")")
    if family == MUSIC:
        return music
    if family == VIDEO:
        return video
    return f"{music}; or {video}"


def release_quality(release: ReleaseInfo, title: str, family: str | None) -> Quality | None:
    """What a release's name says of its quality in the family's order; None when it says none."""
    music = _music(release) if family in (MUSIC, None) else None
    video = _video_of(release, title) if family in (VIDEO, None) else None
    if family is None and music is not None and video is not None:
        return video if release.kind in ("movie", "episode", "season") else music
    return music or video


def _music(release: ReleaseInfo) -> Quality | None:
    audio = release.audio_format
    if audio is None:
        return None
    if audio in LOSSLESS or audio == "dsd":
        hires = audio == "dsd" or (release.bit_depth or 0) >= 24
        name = "flac_24" if hires else "flac"
    elif audio == "mp3":
        bitrate = (release.audio_bitrate or "").upper()
        name = "mp3_320" if bitrate == "320" else "mp3_v0" if bitrate in ("V0", "256") else "mp3_v2"
    elif audio in LOSSY_AUDIO:
        name = LOSSY_AUDIO[audio]
    else:
        return None
    return Quality(MUSIC, name, (MUSIC_QUALITIES.index(name),))


def _video_of(release: ReleaseInfo, title: str) -> Quality | None:
    source = "remux" if _REMUX.search(title) else SOURCE_RANKS.get(release.source or "")
    resolution = release.resolution or (SD if source == "dvd" else None)
    if resolution not in RESOLUTION_ORDER:
        return None
    return _video(resolution or "", source)


def _video(resolution: str, source: str | None) -> Quality:
    rank = SOURCE_ORDER.index(source) if source else _UNKNOWN_SOURCE
    name = f"{resolution} {source}" if source else resolution
    return Quality(VIDEO, name, (RESOLUTION_ORDER.index(resolution), rank))


def cutoff_met(kind: str, quality: str | None, upgrade_until: str | None) -> bool | None:
    """Whether the placed quality meets upgrade_until: None without a cutoff, False unplaced."""
    if upgrade_until is None:
        return None
    if quality is None:
        return False
    family = family_of(kind)
    try:
        return parse_quality(quality, family).at_least(parse_quality(upgrade_until, family))
    except ValueError:
        return False

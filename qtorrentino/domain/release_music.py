"""Our music-name parser: "Artist - Album (Year) [FLAC]" release names and track file paths."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from qtorrentino.domain.release_group import strip_site_prefix
from qtorrentino.domain.release_info import (
    DASHES,
    YEAR_ONLY,
    YEAR_WORD,
    ReleaseInfo,
    Tags,
    is_tag_text,
    release_info,
    scan_tags,
)

_YEAR_RANGE = re.compile(rf"^\s*((?:19|20)\d\d)\s*[{re.escape(DASHES)}~]\s*((?:19|20)\d\d)\s*$")
_RELEASE_SHAPED = re.compile(rf"[\[\](){{}}]|\s[{re.escape(DASHES)}]\s")
"""What makes a folder name a release's name rather than a plain artist's: brackets or " - "."""
_LOOSE_YEAR_RANGE = re.compile(rf"((?:19|20)\d\d)\s*[{re.escape(DASHES)}~]\s*((?:19|20)\d\d)")
_DASH = re.compile(rf"\s+[{re.escape(DASHES)}]\s+")
_COLLECTION = re.compile(
    r"(?i)\b(?:the\s+)?(?:complete\s+)?(?:studio\s+)?"
    r"(?:discography|discografia|discographie|diskografie"
    r"|anthology|studio\s+albums|complete\s+albums|albums\s+collection|box\s+set)\b"
)
_EPISODE_AFTER_DASH = re.compile(
    rf"^\s*(?:(?:19|20)\d\d-\d\d-\d\d|\d{{1,4}}(?:v\d)?(?:\s+[{re.escape(DASHES)}]\s+|\s*$"
    rf"|\s*[\[(](?!(?:19|20)\d\d[)\]])))"
)
"""Show Name - 01 - Episode Title": an episode number where an album would stand."""
_SAMPLE_RATE_WORD = re.compile(r"(?i)^\d{2,3}(?:[.,]\d)?khz$")
_BRACKET = re.compile(r"\[([^\[\]]*)\]|\(([^()]*)\)|\{([^{}]*)\}")
_DISC_FOLDER = re.compile(r"(?i)^(?:cd|disc|disk|disco|disque)\s*[-_.]?\s*(\d{1,2})(?![0-9])")
_TRACK_DISC_NUMBER = re.compile(
    r"^(?P<disc>\d{1,2})[-.](?P<track>\d{1,3})(?:\s*[-.]\s*|\s+|_)(?P<rest>.*)$"
)
_TRACK_NUMBER = re.compile(r"^(?P<track>\d{1,3})(?:\s*[-._)]\s*|\s+)(?P<rest>.+)$")
_ARTIST_TRACK = re.compile(
    r"^(?P<artist>.+?)\s+-\s+(?:(?P<album>.+?)\s+-\s+)?(?P<track>\d{1,3})\s+-\s+(?P<rest>.+)$"
)
_AUDIO_FORMAT_BY_EXTENSION = {
    ".flac": "flac", ".mp3": "mp3", ".m4a": "aac", ".aac": "aac", ".ogg": "vorbis", ".opus": "opus",
    ".wav": "wav", ".ape": "ape", ".wv": "wavpack", ".alac": "alac", ".aiff": "aiff",
}


def music_shaped(stem: str) -> bool:
    """ "Artist - Album (1997)": a dash with something other than an episode number after it."""
    parts = _DASH.split(_BRACKET.sub(" ", stem), maxsplit=1)
    return len(parts) == 2 and bool(parts[1].strip()) and not _EPISODE_AFTER_DASH.match(parts[1])


def parse_music_name(stem: str) -> ReleaseInfo:
    """ "Artist - Album (Year) [FLAC 24-96]", "Artist - Discography (1990-2020) [MP3]", scene."""
    text, tags, year, year_range = _absorb_brackets(stem if " " in stem else stem.replace("_", " "))
    if (collection := _COLLECTION.search(text)) is not None:
        tags = tags.merged(scan_tags(text[collection.end():], music=True))
        artist = text[: collection.start()].strip(f" {DASHES}") or None
        if year_range is None and (span := _LOOSE_YEAR_RANGE.search(text, collection.end())):
            year_range = (int(span.group(1)), int(span.group(2)))
        return _music_info(tags, artist=artist, collection=True, year_range=year_range, year=year)
    parts = [part.strip() for part in _DASH.split(text) if part.strip()]
    group = None
    if len(parts) == 1 and "-" in text:
        parts, group = _scene_music_parts(text)
    artist = parts[0] if len(parts) > 1 else None
    rest = parts[1:] if len(parts) > 1 else parts
    if artist and (artist_year := YEAR_ONLY.match(artist)):
        artist, year = None, year or int(artist_year.group(1))
    if len(rest) > 1 and (leading_year := YEAR_ONLY.match(rest[0])):
        year, rest = year or int(leading_year.group(1)), rest[1:]
    while len(rest) > 1 and is_tag_text(rest[-1], music=True):
        tags = tags.merged(scan_tags(rest.pop(), music=True))
    album, trailing_tags = _strip_trailing_tags(" - ".join(rest), keep_years=year is not None)
    tags = tags.merged(trailing_tags)
    return _music_info(tags, artist=artist, album=album or None, year=year or tags.year,
                       year_range=year_range, group=group)


def _absorb_brackets(text: str) -> tuple[str, Tags, int | None, tuple[int, int] | None]:
    """Take years, year ranges, tags and edition notes out of bracket groups; keep other "(...)"."""
    tags = Tags()
    year: int | None = None
    year_range: tuple[int, int] | None = None
    kept: list[str] = []
    end = 0
    for match in _BRACKET.finditer(text):
        kept.append(text[end:match.start()])
        end = match.end()
        content = next(group for group in match.groups() if group is not None)
        if (only := YEAR_ONLY.match(content)) and year is None:
            year = int(only.group(1))
        elif span := _YEAR_RANGE.match(content):
            year_range = (int(span.group(1)), int(span.group(2)))
        elif (found := scan_tags(content, music=True)).unknown == 0 or (
            found.editions and found.unknown <= 2
        ):
            tags = tags.merged(replace(found, year=None) if found.editions else found)
        elif match.group(2) is not None:
            kept.append(f"({content})")
        kept.append(" ")
    kept.append(text[end:])
    return " ".join("".join(kept).split()), tags, year, year_range


def _scene_music_parts(text: str) -> tuple[list[str], str | None]:
    """ "Artist-Album-WEB-2013-GROUP" → (["Artist", "Album", "WEB", "2013"], "GROUP")."""
    pieces = [piece.strip() for piece in text.split("-") if piece.strip()]
    group = None
    last = pieces[-1] if pieces else ""
    if len(pieces) > 2 and not is_tag_text(last, music=True) and not YEAR_ONLY.match(last):
        group = pieces.pop()
    return (pieces, group) if len(pieces) > 1 else ([text], None)


def _strip_trailing_tags(text: str, *, keep_years: bool = False) -> tuple[str, Tags]:
    """ "Album 2012 FLAC" → ("Album", tags: 2012, flac); an album named "1989" keeps its name.

    Only quality words and years go: "The Marshall Mathers LP" and "(Taylor's Version)" stay whole.
    """
    words = text.split()
    cut = len(words)
    while cut > 1 and _is_quality_word(words[cut - 1], keep_years=keep_years):
        cut -= 1
    return " ".join(words[:cut]), scan_tags(" ".join(words[cut:]), music=True)


def _is_quality_word(word: str, *, keep_years: bool) -> bool:
    if not keep_years and YEAR_WORD.match(word):
        return True
    if not word.replace("-", "").isalnum():
        return False
    tags = scan_tags(word, music=True)
    return tags.unknown == 0 and not tags.editions and (
        bool(tags.fields) or word.lower() in ("vbr", "cbr", "lossless", "cue", "log", "rip", "iso")
        or bool(_SAMPLE_RATE_WORD.match(word)))


def _music_info(
    tags: Tags, *, artist: str | None = None, album: str | None = None, year: int | None = None,
    year_range: tuple[int, int] | None = None, collection: bool = False, group: str | None = None,
) -> ReleaseInfo:
    bit_depth = tags.get("bit_depth")
    flags = {value for key, value in tags.fields if key == "flag"}
    return release_info(
        kind="music", artist=artist, album=album, year=year, year_range=year_range,
        collection=collection, release_group=group, source=tags.get("source"),
        audio_format=tags.get("audio_format"), audio_bitrate=tags.get("audio_bitrate"),
        bit_depth=int(bit_depth) if bit_depth else None, editions=tags.editions,
        proper="proper" in flags, repack="repack" in flags,
    )


def _drop_tag_bracket(match: re.Match[str]) -> str:
    """ "Title [FLAC]" → "Title"; a bracket saying something else ("(Live)", "(feat. X)") stays."""
    tags = scan_tags(next(group for group in match.groups() if group is not None), music=True)
    return " " if tags.unknown == 0 and not tags.editions else match.group(0)


def parse_track_file(stem: str, folders: list[str], suffix: str) -> ReleaseInfo:
    """ "CD2/05 - Title.flac", "05. Artist - Title.mp3", "1-05 Title.flac", in an album folder."""
    disc: int | None = None
    if folders and (disc_folder := _DISC_FOLDER.match(folders[-1])):
        disc, folders = int(disc_folder.group(1)), folders[:-1]
    album_info = _album_folder(folders[-1]) if folders else ReleaseInfo()
    folder_artist = album_info.artist
    if folder_artist is None and len(folders) > 1:
        folder_artist = _artist_folder(folders[-2])
    if " " not in stem and stem.count("-") >= 2 and stem.split("-", 1)[0].isdigit():
        stem = " - ".join(stem.split("-", 2))
    text = " ".join(_BRACKET.sub(_drop_tag_bracket, stem.replace("_", " ")).split())
    track: int | None = None
    artist: str | None = None
    album = album_info.album
    if match := _TRACK_DISC_NUMBER.match(text):
        disc, track, text = disc or int(match["disc"]), int(match["track"]), match["rest"]
    elif match := _ARTIST_TRACK.match(text):
        artist, track, text = match["artist"], int(match["track"]), match["rest"]
        album = album or match["album"]
    elif match := _TRACK_NUMBER.match(text):
        track, text = int(match["track"]), match["rest"]
        if track > 100 and track % 100 and disc is None:
            disc, track = divmod(track, 100)
    split = _DASH.split(text, maxsplit=1)
    if artist is None and len(split) == 2 and not split[0].isdigit():
        artist, text = split
    title, tags = _strip_trailing_tags(text.strip(" -."))
    return release_info(
        kind="music", title=title or None, artist=artist or folder_artist, album=album,
        year=album_info.year, disc=disc, track=track,
        audio_format=_AUDIO_FORMAT_BY_EXTENSION.get(suffix) or album_info.audio_format,
        audio_bitrate=tags.get("audio_bitrate") or album_info.audio_bitrate,
        bit_depth=album_info.bit_depth, source=album_info.source, editions=album_info.editions,
        release_group=album_info.release_group, extension=suffix,
    )


def _artist_folder(name: str) -> str | None:
    """The artist an "Artist/Album/track" layout names: a plain folder name is the artist whole
    ("Artist 320", "Blink-182", "Sum 41"); a release's name ("Artist - Album [FLAC]", "Artist
    Discography") is read as one."""
    if not _RELEASE_SHAPED.search(name) and not _COLLECTION.search(name):
        return " ".join(name.replace("_", " ").split()) or None
    outer = _album_folder(name)
    return outer.artist if outer.collection else outer.artist or outer.album


@lru_cache(maxsize=4096)
def _album_folder(name: str) -> ReleaseInfo:
    """The folder an audio file sits in, read as "Artist - Album (Year) [Format]" or the album."""
    return parse_music_name(strip_site_prefix(name))

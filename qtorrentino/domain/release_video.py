"""Video release names: movies, episodes, season packs, daily shows and anime, in one pass.

The name is read lowercased with dots and underscores as spaces; its words are looked up in the
tag vocabulary (release_scan), its episode markers found by release_episodes, its group by
release_group, its title by release_title: what stands before the first marker that no title word
looks like.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from qtorrentino.domain.release_episodes import COMPLETE_SERIES, Structure, find_structure
from qtorrentino.domain.release_group import Group, find_group
from qtorrentino.domain.release_info import ReleaseInfo, release_info
from qtorrentino.domain.release_scan import HEIGHTS, Tag, Word, is_year, scan, spaced
from qtorrentino.domain.release_title import (
    DASHED,
    absolute_before,
    clean_title,
    episode_title,
    release_year,
    title_end_at,
    title_words,
)

_LOOSE_RESOLUTION = re.compile(
    r"(?<![0-9])(?:\d{3,4} ?[x*] ?)?(480|576|720|1080|2160)(?:p\d{2}|p)?(?= (?:hi10p|aac|x264|h264"
    r"|hdtv|hd|10bit|8bit|ac3)|[ \])]*$|\.)|(?<=[x*])(480|576|720|1080|2160)(?![0-9])")
_VERSION = re.compile(r"^(\d{1,4})?v(\d)$")
_BARE_EPISODE = re.compile(r"^(\d{1,4})(?:v(\d))?$")
_RANGE_AFTER = re.compile(r" ?- ?(\d{1,4})(?![0-9a-z])")
_ABSOLUTE_AFTER = re.compile(r"[ -]{1,3}\(?(\d{2,4})(?:-(\d{2,4}))?\)?(?![0-9a-z])")
"""Anime numbering after the season marker: "s16e03-04 - 313-314"."""
_EPISODE_TAIL = re.compile(r"(?i)[\s.]+(?:ep|episode)\.?$")
_SPECIAL_WORD = re.compile(r"(?<![a-z0-9])(?:specials?|ova|oad|ona)(?! edition)(?![a-z0-9])")
_ANIME_SPECIAL = re.compile(r"(?<![a-z0-9])(?:ova|oad|ona)(?![a-z0-9])")
_SD_TV = frozenset({"pdtv", "sdtv", "dsr", "dsrip", "tvrip", "dvbrip", "satrip"})


def parse_video(stem: str, extension: str | None = None) -> ReleaseInfo:
    """Parse a video release name (no extension); kind "generic" when nothing marks it as video."""
    group = find_group(stem)
    norm = spaced(stem)
    start, end = group.body_start, group.body_end
    tags, words, hints = scan(norm, start, len(norm))
    if group.name_start > 0:
        name_end = group.name_start + len(group.name or "")
        tags = [tag for tag in tags if not group.name_start <= tag.start < name_end]
        words = [word for word in words if not group.name_start <= word[0] < name_end]
        hints = [item for item in hints if item[0] < group.name_start]
    structure = find_structure(norm, hints, end)
    title_end = title_end_at(tags, structure, words, start, end, stem)
    if group.name and not group.leading and title_end >= end and structure is None and not any(
            word.isdigit() for _, _, word in words) and "(" not in stem[start:end]:
        group = Group(None, start, len(stem))
        end = len(stem)
        tags, words, hints = scan(norm, start, end)
        structure = find_structure(norm, hints, end)
        title_end = title_end_at(tags, structure, words, start, end, stem)
    tags_start = title_end
    year, title_end = release_year(words, structure, start, title_end)
    absolute: tuple[int, ...] = ()
    if structure is not None and structure.episodes:
        absolute, title_end = absolute_before(norm, words, start, title_end)
        if not absolute and (after := _ABSOLUTE_AFTER.match(norm, structure.end)):
            first, last = int(after.group(1)), int(after.group(2) or after.group(1))
            if max(structure.episodes) < first <= last <= first + 100:
                absolute = tuple(range(first, last + 1))
    bare = None
    dated = structure is not None and structure.air_date is not None and not structure.episodes
    air_date: str | None = None
    if structure is None or dated:
        bare = _bare_episode(words, tags, start, min(tags_start, structure.start) if structure
                             else tags_start, stem, norm, leading=group.leading,
                             year_at=title_end if year is not None else None)
        if bare is not None and dated:
            air_date, structure = structure.air_date if structure else None, None
        if bare is not None and bare.start > (words[0][0] if words else start):
            title_end = min(title_end, bare.start)
    by_year = year is not None and stem[title_end:title_end + 4] == str(year)
    title_text, tail_tags, title_cut = title_words(stem, tags, words, start, title_end,
                                                   by_year=by_year)
    first_word = words[0][0] if words else start
    leading_marker = (bare is not None and bare.start == first_word) or (
        structure is not None and structure.start <= first_word)
    after_marker: str | None = None
    if leading_marker:
        marker_end = bare.end if bare else structure.end if structure else start
        pieces = [clean_title(piece) for piece in DASHED.split(stem[marker_end:end].lstrip(" ._-"))]
        pieces = [piece for piece in pieces if piece]
        title_text = pieces[0] if len(pieces) > 1 else ""
        after_marker = pieces[1] if len(pieces) > 1 else pieces[0] if pieces else None
    if structure and "ep" in title_text[-9:].lower():
        title_text = _EPISODE_TAIL.sub("", title_text)
    found = [tag for tag in tags if tag.strong or tag.start >= title_cut] + tail_tags
    fields: dict[str, str] = {}
    editions: list[str] = []
    flags: set[str] = set()
    weak_fields: set[str] = set()
    for tag in found:
        if tag.field == "edition":
            if tag.value not in editions:
                editions.append(tag.value)
        elif tag.field == "flag":
            flags.add(tag.value)
        elif tag.field != "other" and (tag.field not in fields or fields[tag.field] == "atmos"
                                       or (tag.strong and tag.field in weak_fields)):
            fields[tag.field] = tag.value
            if tag.strong:
                weak_fields.discard(tag.field)
            else:
                weak_fields.add(tag.field)
    if "resolution" not in fields and ("720" in norm or "1080" in norm or "480" in norm
                                       or "576" in norm or "2160" in norm) and (
            size := _LOOSE_RESOLUTION.search(norm, title_cut)):
        fields["resolution"] = HEIGHTS[size.group(1) or size.group(2)]
    version = _version(words, title_end)
    if "resolution" not in fields and any(word in _SD_TV for _, _, word in words):
        fields["resolution"] = "480p"
    bit_depth = fields.get("bit_depth")
    revised = bool(flags & {"proper", "repack"})
    values: dict[str, Any] = {
        "resolution": fields.get("resolution"), "source": fields.get("source"),
        "video_codec": fields.get("video_codec"), "audio_format": fields.get("audio_format"),
        "bit_depth": int(bit_depth) if bit_depth else None, "release_group": group.name,
        "proper": "proper" in flags, "repack": "repack" in flags, "editions": tuple(editions),
        "version": version or (2 if revised else None),
        "real": "real" in flags, "year": year,
        "extension": extension,
    }
    if structure is not None:
        values.update(_episode_values(stem, structure, tags, title_text))
        if year is None and structure.seasons and 1900 <= structure.seasons[0] <= 2039:
            values["year"] = structure.seasons[0]
        values["absolute_episodes"] = absolute
        if leading_marker:
            values["title"] = after_marker
    elif bare is not None:
        values["air_date"] = air_date
        values.update(
            kind="episode", series=title_text or None, episodes=bare.episodes,
            season=bare.season, seasons=(bare.season,) if bare.season is not None else (),
            title=after_marker if leading_marker else episode_title(stem, tags, bare.end, end),
            absolute_episodes=bare.episodes if group.leading and bare.season is None else (),
            version=bare.version or values["version"])
    elif title_text and ("sp" in norm or "o" in norm) and (
            special := _SPECIAL_WORD.search(norm, title_end, end)
            or _ANIME_SPECIAL.search(norm, first_word + 1, end)):
        named = clean_title(stem[start:min(title_end, special.start())])
        values.update(kind="episode", series=named or title_text, special=True)
    elif title_text and ("complete" in norm or "integrale" in norm or "all " in norm) and (
            COMPLETE_SERIES.search(norm, start, end)):
        values.update(kind="season", series=title_text, collection=True)
    elif title_text and (year or any(tag.strong for tag in tags)):
        values.update(kind="movie", title=title_text)
    else:
        values.update(kind="generic", title=title_text or clean_title(stem[start:end]) or None,
                      release_group=group.name if found else None)
    return release_info(**values)


@dataclass(frozen=True, slots=True)
class _Bare:
    """An episode number with no S/E marker, where it stands and what follows it."""

    start: int
    episodes: tuple[int, ...]
    version: int | None
    end: int
    season: int | None = None


def _bare_episode(words: list[Word], tags: list[Tag], start: int,
                  title_end: int, stem: str, norm: str, *, leading: bool, year_at: int | None
                  ) -> _Bare | None:
    """An episode number with no S/E marker: "[Group] Title - 05", "Show.Name.102.HDTV",
    "Neverwhere.05.Down.Street", "[Group] Title - 16-20"."""
    tv = any(tag.field == "source" and tag.value == "hdtv" for tag in tags)
    tagged = {tag.start for tag in tags if tag.field != "other"}
    found: list[_Bare] = []
    for index, (word_start, word_end, word) in enumerate(words):
        if word_start >= title_end:
            break
        match = _BARE_EPISODE.match(word) if word[0].isdigit() else None
        numbered_file = index == 0 and word.startswith("0") and stem[word_end:word_end + 1] in ".-"
        if not match or word_start in tagged or is_year(word) or (
                index == 0 and not leading and not numbered_file):
            continue
        if index and len(word) <= 2 and stem[word_start - 1:word_start] in ".," and (
                words[index - 1][1] == word_start - 1 and words[index - 1][2].isdigit()
                and len(words[index - 1][2]) <= 2):
            continue
        dashed = norm[max(0, word_start - 3):word_start] == " - "
        if not (leading or dashed or tv or word.startswith("0")) or (
                year_at is not None and word_start < year_at and not (leading or dashed)):
            continue
        number, version = int(match.group(1)), int(match.group(2) or 0) or None
        episodes: tuple[int, ...] = (number,)
        end, season = word_end, None
        if (span := _RANGE_AFTER.match(norm, word_end)) and number < int(span.group(1)) <= (
                number + 100):
            episodes, end = tuple(range(number, int(span.group(1)) + 1)), span.end()
        elif not leading and len(match.group(1)) >= 3 and number % 100 and (
                tv or word.startswith("0")):
            season, number = divmod(number, 100)
            episodes = (number,)
            if found and found[-1].season == season and found[-1].end + 1 == word_start:
                found[-1] = _Bare(found[-1].start, (*found[-1].episodes, number), version, end,
                                  season)
                continue
        found.append(_Bare(word_start, episodes, version, end, season))
        if dashed:
            break
    return found[-1] if found else None


def _version(words: list[Word], after: int) -> int | None:
    for word_start, _, word in words:
        if word_start >= after and "v" in word and (match := _VERSION.match(word)):
            return int(match.group(2))
    return None


def _episode_values(stem: str, structure: Structure, tags: list[Tag], series: str
                    ) -> dict[str, Any]:
    seasons = structure.seasons
    named = episode_title(stem, tags, structure.end, len(stem))
    if structure.air_date and not structure.seasons and not structure.episodes:
        return {"kind": "episode", "series": series or None, "air_date": structure.air_date,
                "title": named}
    kind = "episode" if structure.episodes else "season"
    return {
        "kind": kind, "series": series or None, "season": seasons[0] if seasons else None,
        "seasons": seasons, "episodes": structure.episodes,
        "title": named if kind == "episode" else None, "special": structure.special,
        "collection": len(seasons) > 1, "air_date": structure.air_date,
    }

"""Video release names: movies, episodes, season packs, daily shows and anime, in one pass.

The name is read lowercased with dots and underscores as spaces; its words are looked up in the
tag vocabulary (release_vocab), its episode markers found by release_episodes, its group by
release_group. The title is what stands before the first marker that no title word looks like.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from qtorrentino.domain.release_episodes import (
    COMPLETE_SERIES,
    HINT_WORDS,
    Structure,
    find_structure,
    hint,
)
from qtorrentino.domain.release_group import Group, find_group
from qtorrentino.domain.release_info import DASHES, ReleaseInfo
from qtorrentino.domain.release_vocab import LANGUAGE_WORDS, PREFIXES, STRONG, TAGS

_SPACES = str.maketrans("._", "  ")
_TOKEN = re.compile(r"[^\W_]+")
_CHANNELS = re.compile(r"^(dd|ddp|eac3|ac3|aac|dts|truehd|flac|opus|mp3|ec3|atmos)(\d{1,2})$")
_WXH = re.compile(r"^\d{3,4}x(\d{3,4})$")
_LOOSE_RESOLUTION = re.compile(
    r"(?<![0-9])(?:\d{3,4} ?[x*] ?)?(480|576|720|1080|2160)(?:p\d{2}|p)?(?= (?:hi10p|aac|x264|h264"
    r"|hdtv|hd|10bit|8bit|ac3)|[ \])]*$|\.)|(?<=[x*])(480|576|720|1080|2160)(?![0-9])")
_YEARS = frozenset(str(year) for year in range(1900, 2040))
_DIGITS = "0123456789"
_HINT_CHARS = frozenset("se" + _DIGITS)
_HEIGHTS = {"480": "480p", "576": "576p", "720": "720p", "1080": "1080p", "2160": "2160p"}
_VERSION = re.compile(r"^(\d{1,4})?v(\d)$")
_AKA = re.compile(r"(?i)(?:\s|\.|_)(?:a\.?k\.?a\.?)(?:\s|\.|_)")
_BARE_EPISODE = re.compile(r"^(\d{1,4})(?:v(\d))?$")
_TITLE_DOTS = re.compile(r"(?<!\b[A-Za-z])\.|\.(?![A-Za-z]\b)")
"""Dots between words, but not those of initials ("S.H.I.E.L.D.")."""
_RANGE_AFTER = re.compile(r" ?- ?(\d{1,4})(?![0-9a-z])")
_DASHED = re.compile(r"\s+-\s+|[._]-[._]|\s*\[|\s*\(")
"""Where the words after a leading episode marker stop: "2x05 - Pure Laine - Je Me Souviens"."""
_ABSOLUTE_AFTER = re.compile(r"[ -]{1,3}\(?(\d{2,4})(?:-(\d{2,4}))?\)?(?![0-9a-z])")
"""Anime numbering after the season marker: "s16e03-04 - 313-314"."""
_FILM_NUMBER = re.compile(r"(?i)-f\d{1,3}-")
"""A collection's film number before the title: "James_Bond-f21-Casino_Royale"."""
_EXTRA_NUMBER = re.compile(r"(?i)-x\d{1,3}(?:-|$)")
"""An extra's number after the title: "Casino_Royale-x01-Becoming_Bond"."""
_EPISODE_TAIL = re.compile(r"(?i)[\s.]+(?:ep|episode)\.?$")
_SPECIAL_WORD = re.compile(r"(?<![a-z0-9])(?:specials?|ova|oad|ona)(?! edition)(?![a-z0-9])")
_ANIME_SPECIAL = re.compile(r"(?<![a-z0-9])(?:ova|oad|ona)(?![a-z0-9])")
_COUNTRY = re.compile(r"[\s.(]+(?:US|UK)\)?$")
_ARTICLE_LAST = re.compile(r"^(?P<rest>.+?),\s*(?P<article>The|A|An)$")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")
_SD_TV = frozenset({"pdtv", "sdtv", "dsr", "dsrip", "tvrip", "dvbrip", "satrip"})


@dataclass(slots=True)
class _Tag:
    start: int
    end: int
    field: str
    value: str
    strong: bool


def _scan(norm: str, start: int, end: int
          ) -> tuple[list[_Tag], list[tuple[int, int, str]], list[tuple[int, str]]]:
    """Every tag between start and end, every word, and the words that may begin an episode
    marker (with the kind of marker)."""
    words = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(norm, start, end)]
    tags: list[_Tag] = []
    hints: list[tuple[int, str]] = []
    index, count = 0, len(words)
    while index < count:
        word_start, word_end, word = words[index]
        hit, width = None, 1
        if word in PREFIXES and index + 1 < count:
            key = word
            for span in range(2, min(5, count - index + 1)):
                key += words[index + span - 1][2]
                if key in TAGS:
                    hit, width = TAGS[key], span
        if hit is None:
            hit = TAGS.get(word)
            if hit is None and word[0].isalpha() and word[-1].isdigit() and (
                channels := _CHANNELS.match(word)
            ):
                hit = TAGS[channels.group(1)]
            elif hit is None and "x" in word and (size := _WXH.match(word)):
                found = _HEIGHTS.get(size.group(1))
                hit = ("resolution", found, STRONG) if found else None
            elif hit is None and word.endswith(("x264", "x265")) and word[:-4] in TAGS:
                source = TAGS[word[:-4]]
                tags.append(_Tag(word_start, word_end - 4, source[0], source[1], True))
                hit = TAGS[word[-4:]]
                word_start = word_end - 4
        if hit is not None:
            if word == "dd" and norm[word_end:word_end + 1] == "+":
                hit = TAGS["ddp"]
            tags.append(_Tag(word_start, words[index + width - 1][1], hit[0], hit[1],
                             hit[2] == STRONG))
        if (hit is None or hit[0] == "other") and (
                word[0] in _HINT_CHARS or word.rstrip(_DIGITS) in HINT_WORDS) and (
                kind := hint(word)) is not None:
            hints.append((word_start, kind))
        index += width
    return tags, words, hints


def _is_year(word: str) -> bool:
    return word in _YEARS


def _clean(text: str) -> str:
    """Scene separators to spaces; brackets, dashes and dots left at either end dropped."""
    text = text.replace("_", " ")
    if "." in text and (" " not in text.strip() or text.count(".") > text.count(" ")):
        text = _TITLE_DOTS.sub(" ", text)
    if "(" in text or "[" in text:
        text = _EMPTY_BRACKETS.sub(" ", text)
    text = " ".join(text.split()).strip(f" {DASHES}([{{.,:;+")
    if text.endswith(("US", "UK", ")")) and (country := _COUNTRY.search(text)):
        text = text[: country.start()].strip(f" {DASHES}([{{.,:;+")
    if "," in text and (moved := _ARTICLE_LAST.match(text)):
        text = f"{moved['article']} {moved['rest']}"
    return text


def parse_video(stem: str, extension: str | None = None) -> ReleaseInfo:
    """Parse a video release name (no extension); kind "generic" when nothing marks it as video."""
    group = find_group(stem)
    norm = stem.lower().translate(_SPACES)
    start, end = group.body_start, group.body_end
    tags, words, hints = _scan(norm, start, len(norm))
    if group.name_start > 0:
        name_end = group.name_start + len(group.name or "")
        tags = [tag for tag in tags if not group.name_start <= tag.start < name_end]
        words = [word for word in words if not group.name_start <= word[0] < name_end]
        hints = [item for item in hints if item[0] < group.name_start]
    structure = find_structure(norm, hints, end)
    title_end = _title_end(tags, structure, words, start, end, stem)
    if group.name and not group.leading and title_end >= end and structure is None and not any(
            word.isdigit() for _, _, word in words) and "(" not in stem[start:end]:
        group = Group(None, start, len(stem))
        end = len(stem)
        tags, words, hints = _scan(norm, start, end)
        structure = find_structure(norm, hints, end)
        title_end = _title_end(tags, structure, words, start, end, stem)
    tags_start = title_end
    year, title_end = _year(words, structure, start, title_end)
    absolute: tuple[int, ...] = ()
    if structure is not None and structure.episodes:
        absolute, title_end = _absolute_before(norm, words, start, title_end)
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
    title_text, tail_tags, title_cut = _title(stem, tags, words, start, title_end, by_year=by_year)
    first_word = words[0][0] if words else start
    leading_marker = (bare is not None and bare.start == first_word) or (
        structure is not None and structure.start <= first_word)
    after_marker: str | None = None
    if leading_marker:
        marker_end = bare.end if bare else structure.end if structure else start
        pieces = [_clean(piece) for piece in _DASHED.split(stem[marker_end:end].lstrip(" ._-"))]
        pieces = [piece for piece in pieces if piece]
        title_text = pieces[0] if len(pieces) > 1 else ""
        after_marker = pieces[1] if len(pieces) > 1 else pieces[0] if pieces else None
    title_text = _EPISODE_TAIL.sub("", title_text) if structure else title_text
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
    if "resolution" not in fields and (size := _LOOSE_RESOLUTION.search(norm, title_cut)):
        fields["resolution"] = _HEIGHTS[size.group(1) or size.group(2)]
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
            title=after_marker if leading_marker else _episode_title(stem, tags, bare.end, end),
            absolute_episodes=bare.episodes if group.leading and bare.season is None else (),
            version=bare.version or values["version"])
    elif title_text and (special := _SPECIAL_WORD.search(norm, title_end, end)
                         or _ANIME_SPECIAL.search(norm, first_word + 1, end)):
        values.update(kind="episode", series=_clean(stem[start:min(title_end, special.start())])
                      or title_text, special=True)
    elif COMPLETE_SERIES.search(norm, start, end) and title_text:
        values.update(kind="season", series=title_text, collection=True)
    elif title_text and (year or any(tag.strong for tag in tags)):
        values.update(kind="movie", title=title_text)
    else:
        values.update(kind="generic", title=title_text or _clean(stem[start:end]) or None,
                      release_group=group.name if found else None)
    return ReleaseInfo(**values)


def _absolute_before(norm: str, words: list[tuple[int, int, str]], start: int, title_end: int
                     ) -> tuple[tuple[int, ...], int]:
    """ "Show Name 313-315 s16e03-05": anime numbering right before the season marker."""
    before = [word for word in words if start < word[0] < title_end]
    numbers: list[tuple[int, int]] = []
    for word_start, _, word in reversed(before):
        if not word.isdigit() or len(word) < 2 or _is_year(word):
            break
        numbers.insert(0, (word_start, int(word)))
    if len(numbers) < 2 or numbers[0][0] == (words[0][0] if words else -1):
        return (), title_end
    values = [number for _, number in numbers]
    if len(values) == 2 and norm[numbers[0][0]:numbers[1][0]].strip().endswith("-") and (
            values[0] < values[1] <= values[0] + 50):
        values = list(range(values[0], values[1] + 1))
    return tuple(values), numbers[0][0]


def _title_end(tags: list[_Tag], structure: Structure | None, words: list[tuple[int, int, str]],
               start: int, end: int, stem: str) -> int:
    """Where the title stops: the first strong tag, episode marker or square bracket."""
    candidates = [end]
    first_word = words[0][0] if words else start
    candidates += [tag.start for tag in tags if tag.strong and tag.start > first_word][:1]
    if structure is not None:
        candidates.append(structure.start)
    bracket = stem.find("[", first_word + 1, end)
    if bracket > 0:
        candidates.append(bracket)
    return min(candidates)


def _year(words: list[tuple[int, int, str]], structure: Structure | None, start: int,
          title_end: int) -> tuple[int | None, int]:
    """The release year, and the title's end moved to it when it stands right after the title."""
    first = words[0][0] if words else start
    inside = (structure.start, structure.end) if structure and structure.air_date else (-1, -1)
    before: tuple[int, str] | None = None
    for position, _, word in words:
        if word in _YEARS and not inside[0] <= position < inside[1]:
            if position >= title_end:
                return (int(before[1]), before[0]) if before else (int(word), title_end)
            if position > first:
                before = (position, word)
    if before:
        return int(before[1]), before[0]
    if structure and structure.air_date:
        return int(structure.air_date[:4]), title_end
    return None, title_end


@dataclass(frozen=True, slots=True)
class _Bare:
    """An episode number with no S/E marker, where it stands and what follows it."""

    start: int
    episodes: tuple[int, ...]
    version: int | None
    end: int
    season: int | None = None


def _bare_episode(words: list[tuple[int, int, str]], tags: list[_Tag], start: int,
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
        match = _BARE_EPISODE.match(word)
        numbered_file = index == 0 and word.startswith("0") and stem[word_end:word_end + 1] in ".-"
        if not match or word_start in tagged or _is_year(word) or (
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


def _title(stem: str, tags: list[_Tag], words: list[tuple[int, int, str]], start: int,
           end: int, *, by_year: bool) -> tuple[str, list[_Tag], int]:
    """The title text, and the weak tags cut from its end ("Movie EXTENDED 1080p"); right before
    the year only edition words go ("Johnny English 2003", "The Girl in the Spiders Web 2019")."""
    text = stem[start:end]
    if aka := _AKA.search(text):
        end = start + aka.start()
    if numbered := _FILM_NUMBER.search(stem, start, end):
        start = numbered.end()
    if extra := _EXTRA_NUMBER.search(stem, start, end):
        end = extra.start()
    opened = (stem.find(mark, start + 1, end) for mark in (" (", ".(", "_("))
    paren = min((found for found in opened if found > 0), default=-1)
    if paren > start:
        end = paren
    first = words[0][0] if words else start
    inside = [tag for tag in tags if first < tag.start and tag.end <= end]
    cut = end
    tail: list[_Tag] = []
    for tag in reversed(inside):
        if stem[tag.end:cut].strip(" ._-()[]{}") or tag.value == "real" or (by_year and (
                tag.field == "source" or stem[tag.start:tag.end].lower() in LANGUAGE_WORDS)):
            break
        tail.append(tag)
        cut = tag.start
    return _clean(stem[start:cut]), tail, end


def _version(words: list[tuple[int, int, str]], after: int) -> int | None:
    for word_start, _, word in words:
        if word_start >= after and "v" in word and (match := _VERSION.match(word)):
            return int(match.group(2))
    return None


def _episode_title(stem: str, tags: list[_Tag], begin: int, end: int) -> str | None:
    """The words between the episode marker and the first tag after it."""
    stop = min([tag.start for tag in tags if tag.start >= begin] + [end])
    text = _clean(_DASHED.split(stem[begin:stop].lstrip(" ._-"))[0]) if begin < stop else ""
    return text if any(ch.isalpha() for ch in text) else None


def _episode_values(stem: str, structure: Structure, tags: list[_Tag], series: str
                    ) -> dict[str, Any]:
    seasons = structure.seasons
    episode_title = _episode_title(stem, tags, structure.end, len(stem))
    if structure.air_date and not structure.seasons and not structure.episodes:
        return {"kind": "episode", "series": series or None, "air_date": structure.air_date,
                "title": episode_title}
    kind = "episode" if structure.episodes else "season"
    return {
        "kind": kind, "series": series or None, "season": seasons[0] if seasons else None,
        "seasons": seasons, "episodes": structure.episodes,
        "title": episode_title if kind == "episode" else None, "special": structure.special,
        "collection": len(seasons) > 1, "air_date": structure.air_date,
    }

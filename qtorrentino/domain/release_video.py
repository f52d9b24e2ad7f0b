"""Video release names: the fast scene and p2p paths, and the guessit wrapper for the rest."""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from qtorrentino.domain.release_info import (
    COMMON_TAGS,
    DASHES,
    YEAR_ONLY,
    ReleaseInfo,
    clean_title,
    is_tag_text,
    scan_tags,
)

log = logging.getLogger(__name__)

_EPISODE = re.compile(
    r"(?i)(?<![a-z0-9])s(?P<season>\d{1,2})[ ._-]?e(?P<first>\d{1,4})"
    r"(?P<more>(?:[ ._]?-?[ ._]?e\d{1,4}|-\d{1,4})*)(?![0-9])"
)
_CROSS_EPISODE = re.compile(
    r"(?i)(?<![a-z0-9])(?P<season>\d{1,2})x(?P<first>\d{2,3})(?P<more>(?:-\d{2,3})*)(?![0-9a-z])"
)
_SEASON = re.compile(
    r"(?i)(?<![a-z0-9])(?:s(?P<s1>\d{1,2})(?:[ ._]?-[ ._]?s?(?P<s1_end>\d{1,2}))?"
    r"|season[ ._]?(?P<s2>\d{1,2})(?:[ ._]?-[ ._]?(?P<s2_end>\d{1,2}))?)(?![0-9a-z])"
)
_MORE_EPISODES = re.compile(r"(?i)(-)?[ ._]?e?(\d{1,4})")
_ANIME = re.compile(
    r"^\[(?P<group>[^\]]{1,40})\]\s*(?P<title>[^\[\]]+?)\s+-\s+(?P<episode>\d{1,4})(?:v\d)?"
    r"\s*(?P<rest>(?:[\[(].*)?)$"
)
EPISODE_WORD = re.compile(r"(?i)(?<![a-z0-9])(?:e|ep|episode)[ ._-]?\d|\s-\s\d{1,4}(?![0-9])")
YEAR = re.compile(r"(?<![0-9a-z])((?:19|20)\d\d)(?![0-9a-z])", re.IGNORECASE)
_GROUP_AFTER_DASH = re.compile(r"(?P<before>[A-Za-z0-9]+)-(?P<group>[A-Za-z0-9][\w@]{0,30})\s*$")
_TRAILING_BRACKET = re.compile(r"\s*\[(?P<group>[^\[\]]{2,30})\]\s*$")
_LEADING_GROUP = re.compile(r"^\[(?P<group>[^\[\]\s.]{2,30}(?: [^\[\]\s.]{2,30})?)\]")
_PROPER = re.compile(r"(?i)(?<![a-z])proper(?![a-z])")
_REPACK = re.compile(r"(?i)(?<![a-z])(?:repack|rerip)(?![a-z])")


def _release_group(stem: str) -> str | None:
    """ "…x264-GROUP", "…x264-GROUP[rarbg]" or a trailing "[YTS.MX]"; never a tag such as WEB-DL."""
    if match := _GROUP_AFTER_DASH.search(_TRAILING_BRACKET.sub("", stem)):
        group = match.group("group")
        joined = (match.group("before") + group).lower()
        if joined not in COMMON_TAGS and group.lower() not in COMMON_TAGS and not group.isdigit():
            return group
    for bracket in (_TRAILING_BRACKET.search(stem), _LEADING_GROUP.match(stem)):
        if bracket and not is_tag_text(bracket.group("group"), music=False):
            return bracket.group("group").strip()
    return None


def parse_video_fast(stem: str) -> ReleaseInfo | None:
    """Scene and p2p shapes: Title.Year.Tags-GRP, Show.SxxEyy.Title.Tags-GRP, [Group] Title - 05."""
    if anime := _ANIME.match(stem):
        return _video_info("episode", anime["rest"], stem, series=clean_title(anime["title"]),
                           episodes=(int(anime["episode"]),), group=anime["group"].strip())
    if episode := _EPISODE.search(stem) or _CROSS_EPISODE.search(stem):
        series, year = _split_trailing_year(clean_title(stem[: episode.start()]))
        season = int(episode.group("season"))
        tail = stem[episode.end():]
        numbers = _episode_numbers(int(episode.group("first")), episode.group("more"))
        title = scan_tags(tail, music=False).leading_words or None
        return _video_info("episode", tail, stem, series=series, year=year, season=season,
                           seasons=(season,), episodes=numbers, title=title) if series else None
    if season_match := _SEASON.search(stem):
        first = int(season_match.group("s1") or season_match.group("s2"))
        last = int(season_match.group("s1_end") or season_match.group("s2_end") or first)
        series, year = _split_trailing_year(clean_title(stem[: season_match.start()]))
        seasons = tuple(range(first, max(first, last) + 1))
        tail = stem[season_match.end():]
        return _video_info("season", tail, stem, series=series, year=year, season=first,
                           seasons=seasons, collection=len(seasons) > 1) if series else None
    years = [match for match in YEAR.finditer(stem) if match.start() > 0]
    if not years:
        return None
    tail = stem[years[-1].end():]
    title = clean_title(stem[: years[-1].start()])
    words = scan_tags(tail, music=False).leading_words.split()
    if not title or (words and (len(words) > 3 or not scan_tags(tail, music=False).fields)):
        return None
    return _video_info("movie", tail, stem, title=title, year=int(years[-1].group(1)))


def _video_info(
    kind: str, tag_text: str, stem: str, *, title: str | None = None, year: int | None = None,
    series: str | None = None, season: int | None = None, seasons: tuple[int, ...] = (),
    episodes: tuple[int, ...] = (), collection: bool = False, group: str | None = None,
) -> ReleaseInfo:
    tags = scan_tags(tag_text, music=False)
    bit_depth = tags.get("bit_depth")
    return ReleaseInfo(
        kind=kind, title=title, year=year, series=series, season=season, seasons=seasons,
        episodes=episodes, resolution=tags.get("resolution"), source=tags.get("source"),
        video_codec=tags.get("video_codec"), audio_format=tags.get("audio_format"),
        bit_depth=int(bit_depth) if bit_depth else None,
        release_group=group or _release_group(stem), proper=bool(_PROPER.search(stem)),
        repack=bool(_REPACK.search(stem)), editions=tags.editions, collection=collection,
    )


def _episode_numbers(first: int, more: str) -> tuple[int, ...]:
    """ "E01E02" lists episodes; "E01-E03" or "E01-03" is a range."""
    numbers = [first]
    for dash, number_text in _MORE_EPISODES.findall(more or ""):
        number = int(number_text)
        if dash and number > numbers[-1] and number - numbers[-1] <= 50:
            numbers.extend(range(numbers[-1] + 1, number + 1))
        elif number not in numbers:
            numbers.append(number)
    return tuple(numbers)


def _split_trailing_year(title: str) -> tuple[str, int | None]:
    """ "Doctor Who 2005" → ("Doctor Who", 2005); a title that is only a year stays as it is."""
    words = title.rsplit(" ", 1)
    if len(words) == 2 and (year := YEAR_ONLY.match(words[1])):
        return words[0].strip(f" {DASHES}(["), int(year.group(1))
    return title, None


_GUESSIT_VALUES: dict[str, dict[str, str]] = {
    "source": {
        "Blu-ray": "bluray", "Ultra HD Blu-ray": "bluray", "Web": "web-dl", "HDTV": "hdtv",
        "Ultra HDTV": "hdtv", "Satellite": "hdtv", "Digital TV": "hdtv", "TV": "hdtv", "DVD": "dvd",
        "HD-DVD": "dvd", "Camera": "cam", "HD Camera": "cam", "Telesync": "telesync",
        "HD Telesync": "telesync", "Telecine": "telecine", "HD Telecine": "telecine",
        "Workprint": "workprint", "VHS": "vhs", "Video on Demand": "web-dl"},
    "video_codec": {"H.264": "h264", "H.265": "h265", "Xvid": "xvid", "DivX": "xvid", "AV1": "av1",
                    "VP9": "vp9", "MPEG-2": "mpeg2", "VC-1": "vc1"},
    "audio_codec": {
        "Dolby Digital": "ac3", "Dolby Digital Plus": "eac3", "DTS": "dts", "DTS-HD": "dts-hd",
        "DTS:X": "dts-x", "Dolby TrueHD": "truehd", "Dolby Atmos": "atmos", "AAC": "aac",
        "FLAC": "flac", "MP3": "mp3", "MP2": "mp2", "Opus": "opus", "Vorbis": "vorbis",
        "PCM": "pcm", "LPCM": "pcm"},
    "screen_size": {"480p": "480p", "576p": "576p", "720p": "720p", "1080p": "1080p",
                    "1080i": "1080p", "2160p": "2160p"},
    "edition": {
        "Remastered": "remaster", "Extended": "extended", "Director's Cut": "directors_cut",
        "Unrated": "unrated", "Uncut": "uncut", "Theatrical": "theatrical",
        "Criterion": "criterion", "Special": "special", "Limited": "limited", "IMAX": "imax",
        "Deluxe": "deluxe"},
}
"""guessit's spellings → ours, per guessit property; values not listed are dropped."""


def _strings(value: object) -> list[str]:
    """A guessit value (a string, a number, an object or a list of them) as strings."""
    items = value if isinstance(value, list) else [value]
    return [str(item) for item in items if item is not None]


def _numbers(value: object) -> list[int]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, int) and not isinstance(item, bool)]


def _ours(guessed: dict[str, object], key: str) -> str | None:
    """The first of guessit's values for key that we have a spelling for (any, when no table)."""
    table = _GUESSIT_VALUES.get(key)
    for text in _strings(guessed.get(key)):
        if table is None:
            return text.strip() or None
        if text in table:
            return table[text]
    return None


def parse_with_guessit(name: str) -> ReleaseInfo:
    """guessit for the video names the fast paths do not know; its untyped answer is converted here.

    Imported on first use: guessit takes a while to load and most names never need it.
    """
    from guessit import guessit
    from guessit.api import GuessitException

    try:
        guessed: dict[str, object] = dict(guessit(name))
    except GuessitException:
        log.debug("guessit could not parse %r", name)
        return ReleaseInfo(title=clean_title(name) or None)
    other = set(_strings(guessed.get("other")))
    source = _ours(guessed, "source")
    if source == "web-dl" and "Rip" in other:
        source = "webrip"
    if "Screener" in other or (source is None and {"HD", "Rip"} <= other):
        source = "screener" if "Screener" in other else "hdrip"
    depth = (_ours(guessed, "color_depth") or "").split("-")[0]
    years, seasons = _numbers(guessed.get("year")), _numbers(guessed.get("season"))
    editions = _GUESSIT_VALUES["edition"]
    info = ReleaseInfo(
        year=years[0] if years else None, resolution=_ours(guessed, "screen_size"), source=source,
        video_codec=_ours(guessed, "video_codec"), audio_format=_ours(guessed, "audio_codec"),
        bit_depth=int(depth) if depth.isdigit() else None,
        release_group=_ours(guessed, "release_group"), proper=bool(_PROPER.search(name)),
        repack=bool(_REPACK.search(name)),
        editions=tuple(editions[k] for k in _strings(guessed.get("edition")) if k in editions),
    )
    title = _ours(guessed, "title")
    if guessed.get("type") == "episode" and (EPISODE_WORD.search(name) or "Complete" in other):
        episodes = tuple(_numbers(guessed.get("episode")))
        return replace(info, kind="episode" if episodes else "season", series=title,
                       title=_ours(guessed, "episode_title"),
                       season=seasons[0] if seasons else None, seasons=tuple(seasons),
                       episodes=episodes,
                       collection=len(seasons) > 1 or (not seasons and "Complete" in other))
    if title and (info.year or info.resolution or info.source or info.video_codec):
        return replace(info, kind="movie", title=title)
    return replace(info, kind="generic", title=clean_title(name) or None, year=None)

"""parse_release(name) → ReleaseInfo: the one release-name parser (own fast paths, then guessit)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from qtorrentino.domain.files import AUDIO_EXTENSIONS, VIDEO_EXTENSIONS

log = logging.getLogger(__name__)

MAX_NAME_CHARS = 400
"""Longer names are cut before parsing: no real release name is longer; the regexes stay cheap."""
PARSE_CACHE_SIZE = 1 << 16
MEDIA_EXTENSIONS = AUDIO_EXTENSIONS | VIDEO_EXTENSIONS
DASHES = "-\u2013\u2014"
"""Hyphen, en dash and em dash: all three separate "Artist - Album"."""


@dataclass(frozen=True, slots=True)
class ReleaseInfo:
    """What a release or file name says about its content; unknown fields stay None or empty."""

    kind: str = "generic"
    """music | movie | episode | season | generic."""
    title: str | None = None
    """Movie title, episode title, track title, or the cleaned name of generic content."""
    year: int | None = None
    series: str | None = None
    season: int | None = None
    seasons: tuple[int, ...] = ()
    """Every season a pack covers (a multi-season pack names more than one)."""
    episodes: tuple[int, ...] = ()
    artist: str | None = None
    album: str | None = None
    disc: int | None = None
    track: int | None = None
    resolution: str | None = None
    source: str | None = None
    video_codec: str | None = None
    audio_format: str | None = None
    audio_bitrate: str | None = None
    bit_depth: int | None = None
    release_group: str | None = None
    proper: bool = False
    repack: bool = False
    editions: tuple[str, ...] = ()
    """Edition and version words: remaster, deluxe, live, extended, karaoke, tribute, ..."""
    collection: bool = False
    """A discography, anthology, box set, or a multi-season / complete-series pack."""
    year_range: tuple[int, int] | None = None
    extension: str | None = None

    def to_json(self) -> dict[str, object]:
        """The fields found, under the key names of `qtorrentino parse --json`."""
        values: dict[str, object] = {
            "kind": self.kind, "title": self.title, "year": self.year, "series": self.series,
            "season": self.season, "episodes": list(self.episodes) or None, "artist": self.artist,
            "album": self.album, "disc": self.disc, "track": self.track,
            "resolution": self.resolution, "source": self.source, "video_codec": self.video_codec,
            "audio_format": self.audio_format, "audio_bitrate": self.audio_bitrate,
            "release_group": self.release_group, "proper": self.proper or None,
            "repack": self.repack or None,
        }
        return {key: value for key, value in values.items() if value is not None and value != ""}


def _vocabulary(field_name: str, rows: dict[str, str]) -> dict[str, tuple[str, str]]:
    """{value: "word word"} → {word: (field, value)}; a word may be adjacent words run together."""
    return {word: (field_name, value) for value, words in rows.items() for word in words.split()}


_COMMON_TAGS: dict[str, tuple[str, str]] = {
    **_vocabulary("resolution", {"480p": "480p", "576p": "576p", "720p": "720p",
                                 "1080p": "1080p 1080i", "2160p": "2160p 4k"}),
    **_vocabulary("source", {
        "bluray": "bluray bdrip brrip bdremux remux bd", "web-dl": "webdl web", "webrip": "webrip",
        "hdtv": "hdtv pdtv sdtv dsr tvrip", "dvd": "dvdrip dvd dvdr dvd5 dvd9", "hdrip": "hdrip",
        "cam": "cam camrip hdcam", "telesync": "ts hdts telesync pdvd",
        "telecine": "tc hdtc telecine", "screener": "scr screener dvdscr bdscr",
        "workprint": "workprint", "vhs": "vhsrip"}),
    **_vocabulary("video_codec", {"h264": "x264 h264 avc", "h265": "x265 h265 hevc",
                                  "xvid": "xvid divx", "av1": "av1", "vp9": "vp9",
                                  "mpeg2": "mpeg2"}),
    **_vocabulary("audio_format", {
        "flac": "flac", "mp3": "mp3", "aac": "aac m4a", "opus": "opus", "vorbis": "ogg vorbis",
        "alac": "alac", "ape": "ape", "wav": "wav", "wavpack": "wv wavpack", "dsd": "dsd",
        "ac3": "ac3 dd dd51 dd20 dd71", "eac3": "eac3 ddp ddp51 ddp20 ddp71", "dts": "dts",
        "dts-hd": "dtshd dtshdma", "dts-x": "dtsx", "truehd": "truehd", "atmos": "atmos",
        "pcm": "lpcm pcm"}),
    **_vocabulary("bit_depth", {"10": "10bit hi10p", "8": "8bit", "12": "12bit", "24": "24bit",
                                "16": "16bit"}),
    **_vocabulary("flag", {"proper": "proper", "repack": "repack rerip"}),
    **_vocabulary("edition", {
        "remaster": "remastered remaster remasterd", "deluxe": "deluxe deluxeedition",
        "expanded": "expanded", "anniversary": "anniversary", "limited": "limited",
        "special": "special", "extended": "extended", "unrated": "unrated", "uncut": "uncut",
        "directors_cut": "directorscut dc", "final_cut": "finalcut",
        "collector": "collector collectors collectorsedition", "theatrical": "theatrical",
        "imax": "imax", "criterion": "criterion", "live": "live", "bootleg": "bootleg",
        "demo": "demo demos", "acoustic": "acoustic", "unplugged": "unplugged",
        "instrumental": "instrumental instrumentals", "karaoke": "karaoke", "tribute": "tribute",
        "mono": "mono", "reissue": "reissue", "remix": "remix remixes remixed",
        "soundtrack": "ost soundtrack", "bonus": "bonus", "japan": "japan japanese"}),
    **_vocabulary("known", {"": (
        "uhd hdr hdr10 hdr10plus dv sdr multi dubbed subbed internal complete nf amzn dsnp hmax"
        " atvp hulu itunes 51 71 20 edition version ed tracks stereo vbr cbr lossless hires hi-res"
        " mp4 mkv avi 10bits 2ch 6ch dual audio read nfo english korean french german spanish"
        " italian hindi russian swedish danish norwegian finnish dutch polish chinese mandarin"
        " cantonese portuguese turkish vostfr truefrench ita eng fra esp ger")}),
}
_MUSIC_TAGS: dict[str, tuple[str, str]] = {
    **_COMMON_TAGS,
    **_vocabulary("audio_bitrate", {
        "320": "320 320kbps 320k", "256": "256 256kbps 256k", "192": "192 192kbps 192k",
        "160": "160kbps", "128": "128 128kbps 128k", "V0": "v0", "V1": "v1", "V2": "v2"}),
    **_vocabulary("bit_depth", {"24": "2496 2448 24192 2488 24176 2444 hr", "16": "1644 1648"}),
    **_vocabulary("source", {"web": "web", "cd": "cd cdrip 2cd 3cd 4cd cd1 cd2", "sacd": "sacd",
                             "vinyl": "vinyl vinylrip", "cassette": "cassette tape"}),
}
_AUDIO_WITH_CHANNELS = re.compile(r"^(dd|ddp|eac3|ac3|aac|dts|truehd|flac|opus)\d{1,2}$")
_ORDINAL = re.compile(r"^\d{1,3}(?:st|nd|rd|th)$")
_CATALOG_NUMBER = re.compile(r"^[a-z]{2,6}\d{2,6}[a-z]?$")
_SAMPLE_RATE = re.compile(r"(?i)(?<![0-9])\d{2,3}(?:[.,]\d)?\s?khz(?![a-z])")
_YEAR_WORD = re.compile(r"^(?:19|20)\d\d$")
_SPLIT_TAGS = re.compile(rf"[\s._\[\](){{}}+,/{re.escape(DASHES)}:;!?\"@]+")


@dataclass(frozen=True, slots=True)
class _Tags:
    """Tags found in part of a name; merged() keeps the first value found for each field."""

    fields: tuple[tuple[str, str], ...] = ()
    editions: tuple[str, ...] = ()
    year: int | None = None
    leading_words: str = ""
    """Unknown words before the first tag, in their own case (an episode title)."""
    unknown: int = 0

    def get(self, name: str) -> str | None:
        return next((value for key, value in self.fields if key == name), None)

    def merged(self, other: _Tags) -> _Tags:
        editions = self.editions + tuple(w for w in other.editions if w not in self.editions)
        return _Tags(self.fields + other.fields, editions, self.year or other.year,
                     self.leading_words, self.unknown + other.unknown)


@lru_cache(maxsize=8192)
def _scan_tags(text: str, *, music: bool) -> _Tags:
    """Read quality, source, codec, edition and year tags from a stretch of a name."""
    table = _MUSIC_TAGS if music else _COMMON_TAGS
    words = [word for word in _SPLIT_TAGS.split(_SAMPLE_RATE.sub(" ", text)) if word]
    keys = [word.lower().replace("'", "") for word in words]
    fields: list[tuple[str, str]] = []
    editions: list[str] = []
    leading: list[str] = []
    year: int | None = None
    unknown = position = 0
    while position < len(keys):
        width, hit = 1, None
        for span in (3, 2, 1):
            joined = "".join(keys[position:position + span])
            if position + span <= len(keys) and (found := table.get(joined)):
                width, hit = span, found
                break
        key = keys[position]
        if hit is None and (channels := _AUDIO_WITH_CHANNELS.match(key)):
            hit = table[channels.group(1)]
        if hit is not None:
            if hit[0] == "edition":
                editions.append(hit[1])
            elif hit[0] != "known":
                fields.append(hit)
        elif _YEAR_WORD.match(key):
            year = year or int(key)
        elif not _ORDINAL.match(key) and not (music and _CATALOG_NUMBER.match(key)):
            unknown += 1
            if not fields and not editions and year is None:
                leading.append(words[position])
        position += width
    return _Tags(tuple(fields), tuple(dict.fromkeys(editions)), year, " ".join(leading), unknown)


def _is_tag_text(text: str, *, music: bool) -> bool:
    """True when every word is a known tag, a year or an ordinal ("20th Anniversary Edition")."""
    return _scan_tags(text, music=music).unknown == 0 and bool(text.strip(" -"))


_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_SITE_PREFIX = re.compile(r"(?i)^(?:www\.)?[a-z0-9-]+\.(?:com|org|net|to|se|me|io|cc|tv)\s+-\s+")
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
_EPISODE_WORD = re.compile(r"(?i)(?<![a-z0-9])(?:e|ep|episode)[ ._-]?\d|\s-\s\d{1,4}(?![0-9])")
_YEAR = re.compile(r"(?<![0-9a-z])((?:19|20)\d\d)(?![0-9a-z])", re.IGNORECASE)
_YEAR_ONLY = re.compile(r"^\s*[(\[]?((?:19|20)\d\d)[)\]]?\s*$")
_YEAR_RANGE = re.compile(rf"^\s*((?:19|20)\d\d)\s*[{re.escape(DASHES)}~]\s*((?:19|20)\d\d)\s*$")
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
_DASH = re.compile(rf"\s+[{re.escape(DASHES)}]\s+")
_SCENE_MUSIC = re.compile(r"^[^\s.]+-(?:19|20)\d\d-[^\s.]+$")
"""Scene music names use dashes and underscores, never spaces or dots: Artist-Album-WEB-2013-GRP."""
_COLLECTION = re.compile(
    r"(?i)\b(?:the\s+)?(?:complete\s+)?(?:discography|discografia|discographie|diskografie"
    r"|anthology|studio\s+albums|complete\s+albums|albums\s+collection|box\s+set)\b"
)
_BRACKET = re.compile(r"\[([^\[\]]*)\]|\(([^()]*)\)|\{([^{}]*)\}")
_DISC_FOLDER = re.compile(r"(?i)^(?:cd|disc|disk|disco|disque)\s*[-_.]?\s*(\d{1,2})(?![0-9])")
_TRACK_DISC_NUMBER = re.compile(
    r"^(?P<disc>\d{1,2})[-.](?P<track>\d{1,3})(?:\s*[-.]\s*|\s+|_)(?P<rest>.*)$"
)
_TRACK_NUMBER = re.compile(r"^(?P<track>\d{1,3})(?:\s*[-._)]\s*|\s+)(?P<rest>.+)$")
_ARTIST_TRACK = re.compile(
    r"^(?P<artist>.+?)\s+-\s+(?:(?P<album>.+?)\s+-\s+)?(?P<track>\d{1,3})\s+-\s+(?P<rest>.+)$"
)
_GROUP_AFTER_DASH = re.compile(r"(?P<before>[A-Za-z0-9]+)-(?P<group>[A-Za-z0-9][\w@]{0,30})\s*$")
_TRAILING_BRACKET = re.compile(r"\s*\[(?P<group>[^\[\]]{2,30})\]\s*$")
_LEADING_BRACKET = re.compile(r"^\s*\[[^\[\]]*\]\s*")
_LEADING_GROUP = re.compile(r"^\[(?P<group>[^\[\]\s.]{2,30}(?: [^\[\]\s.]{2,30})?)\]")
_PROPER = re.compile(r"(?i)(?<![a-z])proper(?![a-z])")
_REPACK = re.compile(r"(?i)(?<![a-z])(?:repack|rerip)(?![a-z])")
_AUDIO_FORMAT_BY_EXTENSION = {
    ".flac": "flac", ".mp3": "mp3", ".m4a": "aac", ".aac": "aac", ".ogg": "vorbis", ".opus": "opus",
    ".wav": "wav", ".ape": "ape", ".wv": "wavpack", ".alac": "alac", ".aiff": "aiff",
}


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
    base = _SITE_PREFIX.sub("", parts[-1])
    suffix = _suffix(base)
    if suffix in AUDIO_EXTENSIONS:
        return _parse_track_file(base[: -len(suffix)], parts[:-1], suffix)
    extension = suffix if suffix in VIDEO_EXTENSIONS else None
    stem = base[: -len(suffix)] if extension else base
    if not extension and not _VIDEO_HINT.search(stem) and (
        _AUDIO_HINT.search(stem) or _SCENE_MUSIC.match(stem) or _music_shaped(stem)
    ):
        return _parse_music_name(stem)
    info = _parse_video_fast(stem)
    if info is None:
        hinted = extension or any(hint.search(stem) for hint in (_VIDEO_HINT, _EPISODE_WORD, _YEAR))
        generic = ReleaseInfo(title=_clean_title(stem) or None)
        info = _parse_with_guessit(stem) if hinted else generic
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


def _music_shaped(stem: str) -> bool:
    """ "Artist - Album (1997)": a dash with something other than an episode number after it."""
    parts = _DASH.split(_BRACKET.sub(" ", stem), maxsplit=1)
    return len(parts) == 2 and bool(parts[1].strip()) and not parts[1].strip().isdigit()


def _clean_title(text: str) -> str:
    """Scene separators to spaces, leading [site] tags and trailing brackets or dashes dropped."""
    text = _LEADING_BRACKET.sub("", text.replace("_", " "))
    if " " not in text.strip():
        text = text.replace(".", " ")
    return " ".join(text.split()).strip(f" {DASHES}([{{.,")


def _release_group(stem: str) -> str | None:
    """ "…x264-GROUP", "…x264-GROUP[rarbg]" or a trailing "[YTS.MX]"; never a tag such as WEB-DL."""
    if match := _GROUP_AFTER_DASH.search(_TRAILING_BRACKET.sub("", stem)):
        group = match.group("group")
        joined = (match.group("before") + group).lower()
        if joined not in _COMMON_TAGS and group.lower() not in _COMMON_TAGS and not group.isdigit():
            return group
    for bracket in (_TRAILING_BRACKET.search(stem), _LEADING_GROUP.match(stem)):
        if bracket and not _is_tag_text(bracket.group("group"), music=False):
            return bracket.group("group").strip()
    return None


def _parse_video_fast(stem: str) -> ReleaseInfo | None:
    """Scene and p2p shapes: Title.Year.Tags-GRP, Show.SxxEyy.Title.Tags-GRP, [Group] Title - 05."""
    if anime := _ANIME.match(stem):
        return _video_info("episode", anime["rest"], stem, series=_clean_title(anime["title"]),
                           episodes=(int(anime["episode"]),), group=anime["group"].strip())
    if episode := _EPISODE.search(stem) or _CROSS_EPISODE.search(stem):
        series, year = _split_trailing_year(_clean_title(stem[: episode.start()]))
        season = int(episode.group("season"))
        tail = stem[episode.end():]
        numbers = _episode_numbers(int(episode.group("first")), episode.group("more"))
        title = _scan_tags(tail, music=False).leading_words or None
        return _video_info("episode", tail, stem, series=series, year=year, season=season,
                           seasons=(season,), episodes=numbers, title=title) if series else None
    if season_match := _SEASON.search(stem):
        first = int(season_match.group("s1") or season_match.group("s2"))
        last = int(season_match.group("s1_end") or season_match.group("s2_end") or first)
        series, year = _split_trailing_year(_clean_title(stem[: season_match.start()]))
        seasons = tuple(range(first, max(first, last) + 1))
        tail = stem[season_match.end():]
        return _video_info("season", tail, stem, series=series, year=year, season=first,
                           seasons=seasons, collection=len(seasons) > 1) if series else None
    years = [match for match in _YEAR.finditer(stem) if match.start() > 0]
    if not years:
        return None
    tail = stem[years[-1].end():]
    title = _clean_title(stem[: years[-1].start()])
    words = _scan_tags(tail, music=False).leading_words.split()
    if not title or (words and (len(words) > 3 or not _scan_tags(tail, music=False).fields)):
        return None
    return _video_info("movie", tail, stem, title=title, year=int(years[-1].group(1)))


def _video_info(
    kind: str, tag_text: str, stem: str, *, title: str | None = None, year: int | None = None,
    series: str | None = None, season: int | None = None, seasons: tuple[int, ...] = (),
    episodes: tuple[int, ...] = (), collection: bool = False, group: str | None = None,
) -> ReleaseInfo:
    tags = _scan_tags(tag_text, music=False)
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
    if len(words) == 2 and (year := _YEAR_ONLY.match(words[1])):
        return words[0].strip(f" {DASHES}(["), int(year.group(1))
    return title, None


def _parse_music_name(stem: str) -> ReleaseInfo:
    """ "Artist - Album (Year) [FLAC 24-96]", "Artist - Discography (1990-2020) [MP3]", scene."""
    text, tags, year, year_range = _absorb_brackets(stem if " " in stem else stem.replace("_", " "))
    if (collection := _COLLECTION.search(text)) is not None:
        tags = tags.merged(_scan_tags(text[collection.end():], music=True))
        artist = text[: collection.start()].strip(f" {DASHES}") or None
        return _music_info(tags, artist=artist, collection=True, year_range=year_range, year=year)
    parts = [part.strip() for part in _DASH.split(text) if part.strip()]
    group = None
    if len(parts) == 1 and "-" in text:
        parts, group = _scene_music_parts(text)
    artist = parts[0] if len(parts) > 1 else None
    rest = parts[1:] if len(parts) > 1 else parts
    if artist and (artist_year := _YEAR_ONLY.match(artist)):
        artist, year = None, year or int(artist_year.group(1))
    if len(rest) > 1 and (leading_year := _YEAR_ONLY.match(rest[0])):
        year, rest = year or int(leading_year.group(1)), rest[1:]
    while len(rest) > 1 and _is_tag_text(rest[-1], music=True):
        tags = tags.merged(_scan_tags(rest.pop(), music=True))
    album, trailing_tags = _strip_trailing_tags(" - ".join(rest), keep_years=year is not None)
    tags = tags.merged(trailing_tags)
    return _music_info(tags, artist=artist, album=album or None, year=year or tags.year,
                       year_range=year_range, group=group)


def _absorb_brackets(text: str) -> tuple[str, _Tags, int | None, tuple[int, int] | None]:
    """Take years, year ranges, tags and edition notes out of bracket groups; keep other "(...)"."""
    tags = _Tags()
    year: int | None = None
    year_range: tuple[int, int] | None = None
    kept: list[str] = []
    end = 0
    for match in _BRACKET.finditer(text):
        kept.append(text[end:match.start()])
        end = match.end()
        content = next(group for group in match.groups() if group is not None)
        if (only := _YEAR_ONLY.match(content)) and year is None:
            year = int(only.group(1))
        elif span := _YEAR_RANGE.match(content):
            year_range = (int(span.group(1)), int(span.group(2)))
        elif (found := _scan_tags(content, music=True)).unknown == 0 or (
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
    if len(pieces) > 2 and not _is_tag_text(last, music=True) and not _YEAR_ONLY.match(last):
        group = pieces.pop()
    return (pieces, group) if len(pieces) > 1 else ([text], None)


def _strip_trailing_tags(text: str, *, keep_years: bool = False) -> tuple[str, _Tags]:
    """ "Album 2012 FLAC" → ("Album", tags: 2012, flac); an album named "1989" keeps its name.

    Only quality words and years go: "The Marshall Mathers LP" and "(Taylor's Version)" stay whole.
    """
    words = text.split()
    cut = len(words)
    while cut > 1 and _is_quality_word(words[cut - 1], keep_years=keep_years):
        cut -= 1
    return " ".join(words[:cut]), _scan_tags(" ".join(words[cut:]), music=True)


def _is_quality_word(word: str, *, keep_years: bool) -> bool:
    if not keep_years and _YEAR_WORD.match(word):
        return True
    if not word.replace("-", "").isalnum():
        return False
    tags = _scan_tags(word, music=True)
    return tags.unknown == 0 and not tags.editions and bool(tags.fields)


def _music_info(
    tags: _Tags, *, artist: str | None = None, album: str | None = None, year: int | None = None,
    year_range: tuple[int, int] | None = None, collection: bool = False, group: str | None = None,
) -> ReleaseInfo:
    bit_depth = tags.get("bit_depth")
    flags = {value for key, value in tags.fields if key == "flag"}
    return ReleaseInfo(
        kind="music", artist=artist, album=album, year=year, year_range=year_range,
        collection=collection, release_group=group, source=tags.get("source"),
        audio_format=tags.get("audio_format"), audio_bitrate=tags.get("audio_bitrate"),
        bit_depth=int(bit_depth) if bit_depth else None, editions=tags.editions,
        proper="proper" in flags, repack="repack" in flags,
    )


def _drop_tag_bracket(match: re.Match[str]) -> str:
    """ "Title [FLAC]" → "Title"; a bracket saying something else ("(Live)", "(feat. X)") stays."""
    tags = _scan_tags(next(group for group in match.groups() if group is not None), music=True)
    return " " if tags.unknown == 0 and not tags.editions else match.group(0)


def _parse_track_file(stem: str, folders: list[str], suffix: str) -> ReleaseInfo:
    """ "CD2/05 - Title.flac", "05. Artist - Title.mp3", "1-05 Title.flac", in an album folder."""
    disc: int | None = None
    if folders and (disc_folder := _DISC_FOLDER.match(folders[-1])):
        disc, folders = int(disc_folder.group(1)), folders[:-1]
    album_info = _album_folder(folders[-1]) if folders else ReleaseInfo()
    folder_artist = album_info.artist
    if folder_artist is None and len(folders) > 1:
        outer = _album_folder(folders[-2])
        folder_artist = outer.artist if outer.collection else outer.artist or outer.album
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
    return ReleaseInfo(
        kind="music", title=title or None, artist=artist or folder_artist, album=album,
        year=album_info.year, disc=disc, track=track,
        audio_format=_AUDIO_FORMAT_BY_EXTENSION.get(suffix) or album_info.audio_format,
        audio_bitrate=tags.get("audio_bitrate") or album_info.audio_bitrate,
        bit_depth=album_info.bit_depth, source=album_info.source, editions=album_info.editions,
        release_group=album_info.release_group, extension=suffix,
    )


@lru_cache(maxsize=4096)
def _album_folder(name: str) -> ReleaseInfo:
    """The folder an audio file sits in, read as "Artist - Album (Year) [Format]" or the album."""
    return _parse_music_name(_SITE_PREFIX.sub("", name))


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


def _parse_with_guessit(name: str) -> ReleaseInfo:
    """guessit for the video names the fast paths do not know; its untyped answer is converted here.

    Imported on first use: guessit takes a while to load and most names never need it.
    """
    from guessit import guessit
    from guessit.api import GuessitException

    try:
        guessed: dict[str, object] = dict(guessit(name))
    except GuessitException:
        log.debug("guessit could not parse %r", name)
        return ReleaseInfo(title=_clean_title(name) or None)
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
    if guessed.get("type") == "episode" and (_EPISODE_WORD.search(name) or "Complete" in other):
        episodes = tuple(_numbers(guessed.get("episode")))
        return replace(info, kind="episode" if episodes else "season", series=title,
                       title=_ours(guessed, "episode_title"),
                       season=seasons[0] if seasons else None, seasons=tuple(seasons),
                       episodes=episodes,
                       collection=len(seasons) > 1 or (not seasons and "Complete" in other))
    if title and (info.year or info.resolution or info.source or info.video_codec):
        return replace(info, kind="movie", title=title)
    return replace(info, kind="generic", title=_clean_title(name) or None, year=None)

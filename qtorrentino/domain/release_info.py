"""ReleaseInfo, and the tag vocabulary and name patterns both release-name parsers share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, make_dataclass
from functools import lru_cache
from typing import Any

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
    absolute_episodes: tuple[int, ...] = ()
    """Anime numbering counted from the first episode of the series ("[Group] Title - 123")."""
    air_date: str | None = None
    """A daily show's episode by its date, ISO "2019-03-14"."""
    special: bool = False
    """A special, OVA or season 0 episode."""
    version: int | None = None
    """The release's revision: 2 for "v2", "PROPER" or "REPACK"; None when the name says none."""
    real: bool = False
    """ "REAL": a fix of a release the same group put out under the same name."""
    hashed: bool = False
    """The file name was a hash or obfuscated, so what is known came from its folder."""

    @property
    def full_season(self) -> bool:
        """Every episode of the season or seasons named (a season pack, not some episodes)."""
        return self.kind == "season"

    @property
    def multi_season(self) -> bool:
        """A pack of more than one season."""
        return len(self.seasons) > 1

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
            "absolute_episodes": list(self.absolute_episodes) or None, "air_date": self.air_date,
            "full_season": self.full_season or None, "multi_season": self.multi_season or None,
            "seasons": list(self.seasons) if self.multi_season else None,
            "special": self.special or None, "edition": list(self.editions) or None,
            "revision": {"version": self.version, "real": self.real} if (
                self.version or self.real) else None,
            "discography": {"start_year": (self.year_range or (None, None))[0],
                            "end_year": (self.year_range or (None, None))[1]} if (
                self.collection and self.kind == "music") else None,
            "audio_bit_depth": self.bit_depth if self.bit_depth in (16, 24, 32) else None,
            "hashed": self.hashed or None,
        }
        return {key: value for key, value in values.items() if value is not None and value != ""}


_Draft = make_dataclass(
    "_Draft", [(each.name, each.type, field(default=each.default)) for each in fields(ReleaseInfo)],
    slots=True,
)
"""ReleaseInfo's mutable twin: the same slots in the same order, filled by plain stores."""


def release_info(**values: Any) -> ReleaseInfo:
    """ReleaseInfo(**values), four times faster: the parser builds one per name, and a frozen
    dataclass's __init__ sets each of its 30 fields through object.__setattr__. The twin is filled
    and then made a ReleaseInfo (the same slot layout lets its class be swapped)."""
    draft = _Draft(**values)
    draft.__class__ = ReleaseInfo
    return draft  # type: ignore[no-any-return]


def revised(info: ReleaseInfo, **changes: Any) -> ReleaseInfo:
    """dataclasses.replace(info, **changes) through release_info."""
    values = {name: getattr(info, name) for name in ReleaseInfo.__slots__}
    values.update(changes)
    return release_info(**values)


def _vocabulary(field_name: str, rows: dict[str, str]) -> dict[str, tuple[str, str]]:
    """{value: "word word"} → {word: (field, value)}; a word may be adjacent words run together."""
    return {word: (field_name, value) for value, words in rows.items() for word in words.split()}


COMMON_TAGS: dict[str, tuple[str, str]] = {
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
        "alac": "alac", "ape": "ape", "wav": "wav", "wavpack": "wv wavpack",
        "dsd": "dsd dsd64 dsd128 dsd256 dff dsf",
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
        " mp4 mkv avi 10bits 2ch 6ch dual audio read nfo cue log eac logcue cuelog iso rip english"
        " korean french german spanish"
        " italian hindi russian swedish danish norwegian finnish dutch polish chinese mandarin"
        " cantonese portuguese turkish vostfr truefrench ita eng fra esp ger")}),
}
_MUSIC_TAGS: dict[str, tuple[str, str]] = {
    **COMMON_TAGS,
    **_vocabulary("audio_bitrate", {
        "320": "320 320kbps 320k", "256": "256 256kbps 256k", "192": "192 192kbps 192k",
        "160": "160 160kbps", "128": "128 128kbps 128k", "V0": "v0", "V1": "v1", "V2": "v2"}),
    **_vocabulary("bit_depth", {"24": "2496 2448 24192 2488 24176 2444 hr", "16": "1644 1648"}),
    **_vocabulary("source", {"web": "web", "cd": "cd cdrip 2cd 3cd 4cd cd1 cd2", "sacd": "sacd",
                             "vinyl": "vinyl vinylrip", "cassette": "cassette tape"}),
}
_AUDIO_WITH_CHANNELS = re.compile(r"^(dd|ddp|eac3|ac3|aac|dts|truehd|flac|opus)\d{1,2}$")
_ORDINAL = re.compile(r"^\d{1,3}(?:st|nd|rd|th)$")
_CATALOG_NUMBER = re.compile(r"^[a-z]{2,6}\d{2,6}[a-z]?$")
_SAMPLE_RATE = re.compile(r"(?i)(?<![0-9])\d{2,3}(?:[.,]\d)?\s?khz(?![a-z])")
YEAR_WORD = re.compile(r"^(?:19|20)\d\d$")
_SPLIT_TAGS = re.compile(rf"[\s._\[\](){{}}+,/{re.escape(DASHES)}:;!?\"@]+")


@dataclass(frozen=True, slots=True)
class Tags:
    """Tags found in part of a name; merged() keeps the first value found for each field."""

    fields: tuple[tuple[str, str], ...] = ()
    editions: tuple[str, ...] = ()
    year: int | None = None
    leading_words: str = ""
    """Unknown words before the first tag, in their own case (an episode title)."""
    unknown: int = 0

    def get(self, name: str) -> str | None:
        """The first value found for a field ("resolution", "audio_format", ...), if any."""
        return next((value for key, value in self.fields if key == name), None)

    def merged(self, other: Tags) -> Tags:
        """These tags followed by other's; editions without repeats."""
        editions = self.editions + tuple(w for w in other.editions if w not in self.editions)
        return Tags(self.fields + other.fields, editions, self.year or other.year,
                    self.leading_words, self.unknown + other.unknown)


@lru_cache(maxsize=8192)
def scan_tags(text: str, *, music: bool) -> Tags:
    """Read quality, source, codec, edition and year tags from a stretch of a name."""
    table = _MUSIC_TAGS if music else COMMON_TAGS
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
        elif YEAR_WORD.match(key):
            year = year or int(key)
        elif not _ORDINAL.match(key) and not (music and _CATALOG_NUMBER.match(key)):
            unknown += 1
            if not fields and not editions and year is None:
                leading.append(words[position])
        position += width
    return Tags(tuple(fields), tuple(dict.fromkeys(editions)), year, " ".join(leading), unknown)


def is_tag_text(text: str, *, music: bool) -> bool:
    """True when every word is a known tag, a year or an ordinal ("20th Anniversary Edition")."""
    return scan_tags(text, music=music).unknown == 0 and bool(text.strip(" -"))


YEAR_ONLY = re.compile(r"^\s*[(\[]?((?:19|20)\d\d)[)\]]?\s*$")

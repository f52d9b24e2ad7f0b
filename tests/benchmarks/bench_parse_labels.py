"""The release-name corpus bench_parse_corpus.py grades on, with its labels mapped to our fields.

Three parts, none tuned for by the labels' authors for this project:

- guessit's own test files, read at run time from the installed guessit package
  (guessit/test/movies.yml, episodes.yml, various.yml; LGPL-3.0, nothing vendored). Entries guessit
  marks as negative (a leading "-") and entries that need a command-line option (a type hint, an
  expected title, ...) are left out: our parser takes no hints.
- parse-torrent-title 2.8.2's test set (tests/data/corpus/ptt/, MIT, vendored from its sdist):
  input.json with output_raw.json overlaid by output_standard.json. Its test generator writes into
  output_standard.json only the fields whose standardised value differs from the raw one, so the
  standardised labels are the raw ones with those overrides.
- Music names we wrote ourselves (tests/data/corpus/music_written.json), kept apart and reported
  separately: neither corpus has music.

How their fields map to ours (a label we cannot express in our vocabulary is left out, and the
count of those is printed; see UNMAPPED):

| ours | guessit | parse-torrent-title |
|---|---|---|
| title | title (type movie) | title (no season, episode or air date) |
| series | title (type episode) | title (a season, an episode or an air date) |
| year, season, episodes | year, season, episode | year, season, episode |
| resolution | screen_size, 1080i read as 1080p | resolution, 4K read as 2160p |
| source | source + other (Rip, Screener, HD) | raw quality word, read by SOURCE_WORDS |
| video_codec | video_codec | codec (standardised) |
| audio_format | audio_codec: ours must be one of the listed codecs | audio (standardised) |
| release_group | release_group | encoder (its "site" is a tracker tag, not a group) |
| edition | edition | extended, remastered, unrated, directorsCut, limited, ... flags |
| air_date | date | year-month-day when it has day and month |
| absolute_episodes | absolute_episode | (none) |
| proper | proper_count > 0 (Proper, Repack, Real, Rerip all count) | proper or repack |
| revision.version | version | (none) |

Conventions where a corpus and we differ (graded by our convention, not bent to both):
- guessit keeps a tracker tag written after the group in it ("LOL[ettv]"); for us "[ettv]" is the
  re-poster's tag and the group is "LOL" (issue 14). Such labels are graded without the tag and
  counted among the labels left out.
- PTT standardises HDRip to "WEB-DL"; an HDRip is not a web download: we grade PTT's raw word.
- guessit folds a season pack "S01" into type episode; our kind is "season" (kind is not graded).
- Titles are compared after similarity.normalise (case, accents, punctuation, a leading article).
- guessit cuts a title at " - " and keeps the rest as an alternative title ("Garo - Vanishing
  Line" → "Garo"); the whole is the show's name, and we keep it. Same for "Part 3" in a title
  ("The Godfather Part III" is that film's title) and for a country code after a series ("The
  Office US" and "The Office UK" are different shows; guessit puts "US" apart).
- parse-torrent-title keeps "aka Other Title" in a title; we cut the alternative title off.
- parse-torrent-title standardises "DD+" to Dolby Digital; DD+ is Dolby Digital Plus: "eac3".
- parse-torrent-title labels a complete-series pack's name as a title; ours is a "season"-kind
  release whose name is its series.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus"
GUESSIT_FILES = ("movies.yml", "episodes.yml", "various.yml")
RESOLUTIONS = {"480p", "576p", "720p", "1080p", "2160p"}
_TRACKER_SUFFIX = re.compile(r"\s*\[[^\[\]]+\]$")
"""guessit keeps a tracker tag in the group ("LOL[ettv]"); ours is the group before it ("LOL")."""


@dataclass
class Case:
    """One name and what its corpus says about it, in our field names."""

    part: str
    name: str
    expected: dict[str, Any]
    unmapped: list[str] = field(default_factory=list)


def _resolution(value: object) -> str | None:
    text = {"1080i": "1080p", "4K": "2160p"}.get(str(value), str(value))
    return text if text in RESOLUTIONS else None


GUESSIT_SOURCE = {
    "Blu-ray": "bluray", "Ultra HD Blu-ray": "bluray", "HDTV": "hdtv", "Ultra HDTV": "hdtv",
    "Analog HDTV": "hdtv", "Digital TV": "hdtv", "TV": "hdtv", "Satellite": "hdtv", "DVD": "dvd",
    "HD-DVD": "dvd", "VHS": "vhs", "Camera": "cam", "HD Camera": "cam", "Telesync": "telesync",
    "HD Telesync": "telesync", "Telecine": "telecine", "HD Telecine": "telecine",
    "Workprint": "workprint", "Video on Demand": "web-dl",
}
GUESSIT_CODEC = {"H.264": "h264", "H.265": "h265", "Xvid": "xvid", "DivX": "xvid",
                 "MPEG-2": "mpeg2", "VP9": "vp9", "VC-1": "vc1", "AV1": "av1"}
GUESSIT_AUDIO = {
    "Dolby Digital": "ac3", "Dolby Digital Plus": "eac3", "DTS": "dts", "DTS-HD": "dts-hd",
    "DTS:X": "dts-x", "Dolby TrueHD": "truehd", "Dolby Atmos": "atmos", "AAC": "aac",
    "FLAC": "flac", "MP3": "mp3", "MP2": "mp2", "Opus": "opus", "Vorbis": "vorbis", "PCM": "pcm",
    "LPCM": "pcm",
}
EDITIONS = {
    "Remastered": "remaster", "Extended": "extended", "Director's Cut": "directors_cut",
    "Unrated": "unrated", "Uncut": "uncut", "Theatrical": "theatrical", "Criterion": "criterion",
    "Special": "special", "Limited": "limited", "IMAX": "imax", "Collector": "collector",
    "Alternative Cut": "alternative_cut", "Ultimate": "ultimate", "Fan": "fan",
    "Festival": "festival", "Restored": "restored", "Uncensored": "uncensored",
}


def _listed(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def from_guessit(found: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """guessit's properties (a yml label or a live answer) → our fields, and what did not map."""
    ours: dict[str, Any] = {}
    lost: list[str] = []
    if "title" in found:
        ours["series" if found.get("type") == "episode" else "title"] = str(found["title"])
    if isinstance(found.get("year"), int):
        ours["year"] = found["year"]
    if "season" in found:
        seasons = _listed(found["season"])
        ours["season"] = seasons if len(seasons) > 1 else seasons[0]
    if "episode" in found:
        ours["episodes"] = _listed(found["episode"])
    if "screen_size" in found:
        _put(ours, lost, "resolution", _resolution(found["screen_size"]))
    other = {str(item) for item in _listed(found.get("other"))}
    if "source" in found:
        source = str(_listed(found["source"])[0])
        mapped = "webrip" if source == "Web" and "Rip" in other else (
            "web-dl" if source == "Web" else GUESSIT_SOURCE.get(source))
        _put(ours, lost, "source", "screener" if "Screener" in other else mapped)
    if "video_codec" in found:
        _put(ours, lost, "video_codec", GUESSIT_CODEC.get(str(_listed(found["video_codec"])[0])))
    if "audio_codec" in found:
        codecs = [GUESSIT_AUDIO.get(str(item)) for item in _listed(found["audio_codec"])]
        _put(ours, lost, "audio_format", [c for c in codecs if c] or None)
    if "release_group" in found:
        group = str(found["release_group"])
        bare = _TRACKER_SUFFIX.sub("", group)
        if bare != group:
            lost.append("release_group [tracker] suffix, graded without it")
        ours["release_group"] = bare or group
    if "edition" in found:
        editions = [EDITIONS.get(str(item)) for item in _listed(found["edition"])]
        _put(ours, lost, "edition", None if None in editions else sorted(editions))
    if "date" in found:
        ours["air_date"] = str(found["date"])
    if "absolute_episode" in found:
        ours["absolute_episodes"] = _listed(found["absolute_episode"])
    if "proper_count" in found:
        ours["proper"] = int(found["proper_count"]) > 0
    if "version" in found:
        ours["revision.version"] = int(found["version"])
    return ours, lost


def _put(ours: dict[str, Any], lost: list[str], key: str, value: object) -> None:
    if value is None:
        lost.append(key)
    else:
        ours[key] = value


def guessit_cases() -> list[Case]:
    """guessit's yml tests, loaded the way guessit's own test_yml.py loads them."""
    import guessit
    import yaml
    from guessit.yamlutils import OrderedDictYAMLLoader

    folder = Path(os.path.dirname(guessit.__file__)) / "test"
    cases: list[Case] = []
    for file_name in GUESSIT_FILES:
        with (folder / file_name).open(encoding="utf-8") as stream:
            data = yaml.load(stream, OrderedDictYAMLLoader)  # noqa: S506 - guessit's own fixtures, read its way
        last = None
        for key, value in reversed(list(data.items())):
            data[key], last = (last, last) if value is None else (value, value)
        default = data.pop("__default__", None) or {}
        for key, label in data.items():
            name = str(key)
            if name[:1] in "-+" or label.get("options"):
                continue
            merged = {**default, **{k: v for k, v in label.items() if k[:1] != "-"}}
            expected, lost = from_guessit(merged)
            cases.append(Case(f"guessit/{file_name}", name, expected, lost))
    return cases


SOURCE_WORDS = {
    "bluray": "bluray", "brrip": "bluray", "bdrip": "bluray", "bd": "bluray", "bdremux": "bluray",
    "bluray rip": "bluray", "br-rip": "bluray", "blu-ray": "bluray", "usbd": "bluray",
    "web-dl": "web-dl", "webdl": "web-dl", "web.dl": "web-dl", "web": "web-dl",
    "web-dlmux": "web-dl", "webrip": "webrip", "web rip": "webrip", "hdtv": "hdtv",
    "pdtv": "hdtv", "hdtvrip": "hdtv", "satrip": "hdtv", "ahdtvmux": "hdtv", "dvdrip": "dvd",
    "dvd-rip": "dvd", "hddvd": "dvd", "hdrip": "hdrip", "dvdscr": "screener", "hdcam": "cam",
    "camrip": "cam", "cam": "cam", "cam-rip": "cam", "ts": "telesync", "hdts": "telesync",
    "telesync": "telesync",
}
"""parse-torrent-title's raw quality words → our source ("WBBRip" is left out: no such source)."""
PTT_AUDIO = {"Dolby Digital": "ac3", "Dolby Digital Plus": "eac3", "Dolby Digital EX": "ac3",
             "AAC": "aac", "AAC-LC": "aac", "DTS": "dts", "DTS-HD MA": "dts-hd", "FLAC": "flac",
             "MP3": "mp3", "Dolby TrueHD": "truehd", "OGG": "vorbis"}
PTT_CODEC = {"H.264": "h264", "H.265": "h265", "Xvid": "xvid", "VC-1": "vc1", "MPEG-2": "mpeg2",
             "AV1": "av1"}
PTT_EDITIONS = {"extended": "extended", "remastered": "remaster", "unrated": "unrated",
                "directorsCut": "directors_cut", "limited": "limited",
                "internationalCut": "international_cut"}


def ptt_cases() -> list[Case]:
    """parse-torrent-title's test set: raw labels overlaid with the standardised differences."""
    folder = CORPUS / "ptt"
    names = json.loads((folder / "input.json").read_text(encoding="utf-8"))
    raw = json.loads((folder / "output_raw.json").read_text(encoding="utf-8"))
    standard = json.loads((folder / "output_standard.json").read_text(encoding="utf-8"))
    cases: list[Case] = []
    for name, raw_label, standard_label in zip(names, raw, standard, strict=True):
        label = {**raw_label, **standard_label}
        ours: dict[str, Any] = {}
        lost: list[str] = []
        episodic = "season" in label or "episode" in label or "day" in label
        ours["series" if episodic else "title"] = label["title"]
        for key in ("year", "season"):
            if key in label:
                ours[key] = label[key]
        if "episode" in label:
            ours["episodes"] = _listed(label["episode"])
        if "resolution" in label:
            _put(ours, lost, "resolution", _resolution(label["resolution"]))
        if "quality" in raw_label:
            _put(ours, lost, "source", SOURCE_WORDS.get(str(raw_label["quality"]).lower()))
        if "codec" in label:
            _put(ours, lost, "video_codec", PTT_CODEC.get(str(label["codec"])))
        if "audio" in label:
            codec = str(label["audio"]).rsplit(" ", 1)
            bare = codec[0] if len(codec) == 2 and codec[1][:1].isdigit() else str(label["audio"])
            _put(ours, lost, "audio_format", PTT_AUDIO.get(bare))
        if "encoder" in label:
            ours["release_group"] = label["encoder"]
        editions = sorted(ours_name for key, ours_name in PTT_EDITIONS.items() if label.get(key))
        if editions:
            ours["edition"] = editions
        if label.get("proper") or label.get("repack"):
            ours["proper"] = True
        if "day" in label and "month" in label and "year" in label:
            ours["air_date"] = f"{label['year']:04d}-{label['month']:02d}-{label['day']:02d}"
        cases.append(Case("parse-torrent-title", name, ours, lost))
    return cases


def music_cases() -> list[Case]:
    """The music names we wrote, labelled in our own field names."""
    rows = json.loads((CORPUS / "music_written.json").read_text(encoding="utf-8"))
    return [Case("music (ours)", row["name"], row["expected"]) for row in rows]


def all_cases() -> list[Case]:
    """Every part of the corpus, guessit's first."""
    return guessit_cases() + ptt_cases() + music_cases()

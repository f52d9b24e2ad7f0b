"""Video release names read word by word: the tag each word (or run of words) is, and the words
that may begin an episode marker.

Names are read lowercased with dots and underscores as spaces (same length as the name, so
positions carry over).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qtorrentino.domain.release_episodes import HINT_WORDS, hint
from qtorrentino.domain.release_vocab import PREFIXES, STRONG, TAGS

Word = tuple[int, int, str]
"""A run of letters or digits: where it starts, where it ends, the run lowercased."""
YEARS = frozenset(str(year) for year in range(1900, 2040))
HEIGHTS = {"480": "480p", "576": "576p", "720": "720p", "1080": "1080p", "2160": "2160p"}
_TOKEN = re.compile(r"[^\W_]+")
_ASCII_TOKEN = re.compile(r"[a-z0-9]+")
"""_TOKEN for a lowercased plain-ASCII name: a simple set is cheaper to match than a category."""
_CHANNELS = re.compile(r"^(dd|ddp|eac3|ac3|aac|dts|truehd|flac|opus|mp3|ec3|atmos)(\d{1,2})$")
_WXH = re.compile(r"^\d{3,4}x(\d{3,4})$")
_DIGITS = "0123456789"
_HINT_CHARS = frozenset("se" + _DIGITS)


@dataclass(slots=True)
class Tag:
    start: int
    end: int
    field: str
    value: str
    strong: bool


def scan(norm: str, start: int, end: int
          ) -> tuple[list[Tag], list[Word], list[tuple[int, str]]]:
    """Every tag between start and end, every word, and the words that may begin an episode
    marker (with the kind of marker)."""
    token = _ASCII_TOKEN if norm.isascii() else _TOKEN
    words = [(m.start(), m.end(), m.group()) for m in token.finditer(norm, start, end)]
    tags: list[Tag] = []
    hints: list[tuple[int, str]] = []
    count, joined_until = len(words), 0
    for index, (word_start, word_end, word) in enumerate(words):
        if index < joined_until:
            continue
        hit, width = None, 1
        if word in PREFIXES and index + 1 < count:
            key = word
            for span in range(2, min(5, count - index + 1)):
                key += words[index + span - 1][2]
                if key in TAGS:
                    hit, width = TAGS[key], span
        if hit is None and (hit := TAGS.get(word)) is None:
            if word[0].isalpha() and word[-1].isdigit() and (channels := _CHANNELS.match(word)):
                hit = TAGS[channels.group(1)]
            elif "x" in word and (size := _WXH.match(word)):
                found = HEIGHTS.get(size.group(1))
                hit = ("resolution", found, STRONG) if found else None
            elif word.endswith(("x264", "x265")) and word[:-4] in TAGS:
                source = TAGS[word[:-4]]
                tags.append(Tag(word_start, word_end - 4, source[0], source[1], True))
                hit = TAGS[word[-4:]]
                word_start = word_end - 4
        if hit is not None:
            if word == "dd" and norm[word_end:word_end + 1] == "+":
                hit = TAGS["ddp"]
            tags.append(Tag(word_start, words[index + width - 1][1], hit[0], hit[1],
                            hit[2] == STRONG))
            joined_until = index + width
        if (hit is None or hit[0] == "other") and (
                word[0] in _HINT_CHARS or word.rstrip(_DIGITS) in HINT_WORDS) and (
                kind := hint(word)) is not None:
            hints.append((word_start, kind))
    return tags, words, hints


def spaced(stem: str) -> str:
    """The name lowercased with dots and underscores as spaces: the form names are read in."""
    return stem.lower().replace(".", " ").replace("_", " ")


def is_year(word: str) -> bool:
    return word in YEARS

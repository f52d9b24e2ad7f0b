"""Where a video name's title stops and what it reads as: years, tags and markers that end it,
weak tags cut from its end, alternative titles and extras numbers dropped."""

from __future__ import annotations

import re

from qtorrentino.domain.release_episodes import Structure
from qtorrentino.domain.release_info import DASHES
from qtorrentino.domain.release_scan import YEARS, Tag, Word, is_year
from qtorrentino.domain.release_vocab import LANGUAGE_WORDS

DASHED = re.compile(r"\s+-\s+|[._]-[._]|\s*\[|\s*\(")
"""Where the words after a leading episode marker stop: "2x05 - Pure Laine - Je Me Souviens"."""
_AKA = re.compile(r"(?i)(?:\s|\.|_)(?:a\.?k\.?a\.?)(?:\s|\.|_)")
_TITLE_DOTS = re.compile(r"(?<!\b[A-Za-z])\.|\.(?![A-Za-z]\b)")
"""Dots between words, but not those of initials ("S.H.I.E.L.D.")."""
_INITIALS = re.compile(r"\b[A-Za-z]\.[A-Za-z]\b")
"""Where a dot _TITLE_DOTS keeps can stand: without one, every dot goes."""
_TITLE_ENDS = f" {DASHES}([{{.,:;+"
"""What a title loses at either end."""
_FILM_NUMBER = re.compile(r"(?i)-f\d{1,3}-")
"""A collection's film number before the title: "James_Bond-f21-Casino_Royale"."""
_EXTRA_NUMBER = re.compile(r"(?i)-x\d{1,3}(?:-|$)")
"""An extra's number after the title: "Casino_Royale-x01-Becoming_Bond"."""
_ARTICLE_LAST = re.compile(r"^(?P<rest>.+?),\s*(?P<article>The|A|An)$")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")


def clean_title(text: str) -> str:
    """Scene separators to spaces; brackets, dashes and dots left at either end dropped."""
    text = text.replace("_", " ")
    if "." in text and (" " not in text.strip() or text.count(".") > text.count(" ")):
        text = _TITLE_DOTS.sub(" ", text) if _INITIALS.search(text) else text.replace(".", " ")
    if "(" in text or "[" in text:
        text = _EMPTY_BRACKETS.sub(" ", text)
    text = " ".join(text.split()).strip(_TITLE_ENDS)
    if "," in text and (moved := _ARTICLE_LAST.match(text)):
        text = f"{moved['article']} {moved['rest']}"
    return text


def title_end_at(tags: list[Tag], structure: Structure | None, words: list[Word],
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


def release_year(words: list[Word], structure: Structure | None, start: int,
          title_end: int) -> tuple[int | None, int]:
    """The release year, and the title's end moved to it when it stands right after the title."""
    first = words[0][0] if words else start
    inside = (structure.start, structure.end) if structure and structure.air_date else (-1, -1)
    before: tuple[int, str] | None = None
    for position, _, word in words:
        if word in YEARS and not inside[0] <= position < inside[1]:
            if position >= title_end:
                return (int(before[1]), before[0]) if before else (int(word), title_end)
            if position > first:
                before = (position, word)
    if before:
        return int(before[1]), before[0]
    if structure and structure.air_date:
        return int(structure.air_date[:4]), title_end
    return None, title_end


def absolute_before(norm: str, words: list[Word], start: int, title_end: int
                     ) -> tuple[tuple[int, ...], int]:
    """ "Show Name 313-315 s16e03-05": anime numbering right before the season marker."""
    before = [word for word in words if start < word[0] < title_end]
    numbers: list[tuple[int, int]] = []
    for word_start, _, word in reversed(before):
        if not word.isdigit() or len(word) < 2 or is_year(word):
            break
        numbers.insert(0, (word_start, int(word)))
    if len(numbers) < 2 or numbers[0][0] == (words[0][0] if words else -1):
        return (), title_end
    values = [number for _, number in numbers]
    if len(values) == 2 and norm[numbers[0][0]:numbers[1][0]].strip().endswith("-") and (
            values[0] < values[1] <= values[0] + 50):
        values = list(range(values[0], values[1] + 1))
    return tuple(values), numbers[0][0]


def title_words(stem: str, tags: list[Tag], words: list[Word], start: int,
           end: int, *, by_year: bool) -> tuple[str, list[Tag], int]:
    """The title text, and the weak tags cut from its end ("Movie EXTENDED 1080p"); right before
    the year only edition words go ("Johnny English 2003", "The Girl in the Spiders Web 2019")."""
    text = stem[start:end]
    if ("ka" in text or "KA" in text) and (aka := _AKA.search(text)):
        end = start + aka.start()
    dashed = stem.lower() if "-" in stem else ""
    if "-f" in dashed and (numbered := _FILM_NUMBER.search(stem, start, end)):
        start = numbered.end()
    if "-x" in dashed and (extra := _EXTRA_NUMBER.search(stem, start, end)):
        end = extra.start()
    if "(" in stem:
        opened = (stem.find(mark, start + 1, end) for mark in (" (", ".(", "_("))
        paren = min((found for found in opened if found > 0), default=-1)
        if paren > start:
            end = paren
    first = words[0][0] if words else start
    inside = [tag for tag in tags if first < tag.start and tag.end <= end]
    cut = end
    tail: list[Tag] = []
    for tag in reversed(inside):
        if stem[tag.end:cut].strip(" ._-()[]{}") or tag.value == "real" or (by_year and (
                tag.field == "source" or stem[tag.start:tag.end].lower() in LANGUAGE_WORDS)):
            break
        tail.append(tag)
        cut = tag.start
    return clean_title(stem[start:cut]), tail, end


def episode_title(stem: str, tags: list[Tag], begin: int, end: int) -> str | None:
    """The words between the episode marker and the first tag after it."""
    stop = min([tag.start for tag in tags if tag.start >= begin] + [end])
    text = clean_title(DASHED.split(stem[begin:stop].lstrip(" ._-"))[0]) if begin < stop else ""
    return text if any(ch.isalpha() for ch in text) else None

"""Where a video name says which episodes it holds: S01E02 and its multi-episode forms, 1x02,
seasons and season packs, "Episode 4", "3 of 9", air dates of daily shows.

Every pattern reads the name lowercased with dots and underscores as spaces (same length as the
name, so positions carry over).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_B = r"(?<![a-z0-9])"
_E = r"(?![a-z0-9])"
_SXE = re.compile(
    _B + r"s(?P<season>\d{1,4}) ?(?:[-x] ?)?e(?:p ?)?(?P<first>\d{1,4})(?![0-9])"
    r"(?P<more>(?:(?: ?[-&+,~] ?| | and )?(?:s\d{1,4} ?)?e(?:p ?)? ?\d{1,4}(?![0-9])"
    r"|[-+&~] ?\d{1,3}(?![0-9a-z]))*)"
)
_SX = re.compile(_B + r"s(?P<season>\d{1,2}) ?-? ?x(?P<first>\d{1,3})" + _E)
_CROSS = re.compile(
    _B + r"(?P<season>\d{1,2}|(?:19|20)\d\d)x(?P<first>\d{2,3}|\d(?![0-9]))"
    r"(?P<more>(?:(?:x| ?[-&+] ?(?:\d{1,2}x)?| \d{1,2}x)\d{1,3}(?![0-9]))*)" + _E
)
_SEASON_WORD = (r"(?:season|seasons|saison|saisons|temporada|temporadas|temp|tem|stagione|staffel"
                r"|seizoen|sezon|series)")
_SEASON = re.compile(
    _B + r"(?:s(?P<s1>\d{1,2})(?:d\d{1,2}(?:-\d{1,2})?(?:&\d{1,2})*)?"
    r"(?P<more1>(?:[-~]s?\d{1,2}(?![0-9a-z])|(?: ?[-~&+,] ?| | to )s\d{1,2})*)"
    r"|(?P<s3>\d{1,2})(?:st|nd|rd|th) ?" + _SEASON_WORD
    + r"|" + _SEASON_WORD + r" (?P<roman>[ivx]{1,5})(?![a-z0-9])"
    r"|" + _SEASON_WORD + r" ?(?P<s2>\d{1,2})(?: ?of ?\d{1,2})?"
    r"(?P<more2>(?: ?(?:-|~|to|&|\+|,|and) ?\d{1,2}(?![0-9a-z]))*))" + _E
)
_EPISODE_WORD = re.compile(
    _B + r"(?:episode|episodes|episodio|ep|e|capitulo|cap|folge|odcinek)"
    r" {0,2}(?P<first>\d{1,4})(?:[ _](?P<last>\d{3,4})(?![0-9a-z]))?"
    r"(?P<more>(?: ?[-&+~] ?(?:ep?|episode)? ?\d{1,4}(?![0-9]))*)(?![0-9])"
)
_OF = re.compile(_B + r"(?P<first>\d{1,2}) ?of ?(?P<total>\d{1,2})" + _E)
_DATE = re.compile(
    r"(?<![0-9])(?:(?P<y>(?:19|20)\d\d)[ -](?P<m>0[1-9]|1[0-2])[ -](?P<d>0[1-9]|[12]\d|3[01])"
    r"|(?P<y4>[12]\d)[ -](?P<m4>0[1-9]|1[0-2])[ -](?P<d4>0[1-9]|[12]\d|3[01])(?![0-9])(?! ?x)"
    r"|(?P<d2>0[1-9]|[12]\d|3[01])[ -](?P<m2>0[1-9]|1[0-2])[ -](?P<y2>(?:19|20)\d\d)"
    r"|(?P<m3>0[1-9]|1[0-2])[ -](?P<d3>1[3-9]|2\d|3[01])[ -](?P<y3>(?:19|20)\d\d)"
    r"|(?P<y5>(?:19|20)\d\d)(?P<m5>0[1-9]|1[0-2])(?P<d5>0[1-9]|[12]\d|3[01]))(?![0-9])"
)
_MORE_NUMBERS = re.compile(r"([^0-9]*?)(\d{1,4})()")
_CROSS_MORE = re.compile(r"([^0-9]*?)(?:(?<=[ \-&+])\d{1,4}x)?(\d{1,3})()")
_DASHED_NUMBER = re.compile(r" ?(?:\((?:19|20)\d\d\) ?)?- ?(\d{1,4})(?![0-9a-z])")
_SEASON_IN_CHAIN = re.compile(r"s\d{1,4}")
_SPECIAL = re.compile(_B + r"(?:specials?|ova|oad|ona|sp ?\d{1,2})" + _E)
COMPLETE_SERIES = re.compile(
    _B + r"(?:complete[ -](?:series|collection|seasons)|all[ -]seasons|the complete"
    r"|integrale|all episodes)" + _E
)


@dataclass(frozen=True, slots=True)
class Structure:
    """The episode and season markers of a name, and where in it they stand."""

    start: int
    end: int
    seasons: tuple[int, ...] = ()
    episodes: tuple[int, ...] = ()
    air_date: str | None = None
    special: bool = False


def _numbers(first: int, more: str, *, cross: bool = False) -> tuple[int, ...]:
    """ "E01E02" lists episodes; "E01-E03" or "E01-03" is a range; "1x02-1x03" for cross forms."""
    numbers = [first]
    chain = _CROSS_MORE if cross else _MORE_NUMBERS
    for gap, number_text, _ in chain.findall(_SEASON_IN_CHAIN.sub("", more) if more else ""):
        number = int(number_text)
        if ("-" in gap or "~" in gap) and numbers[-1] < number <= numbers[-1] + 100:
            numbers.extend(range(numbers[-1] + 1, number + 1))
        elif number not in numbers:
            numbers.append(number)
    return tuple(numbers)


def _roman(text: str) -> int:
    """ "vii" → 7 ("Saison VII")."""
    values = [{"i": 1, "v": 5, "x": 10}[char] for char in text]
    return sum(-value if later > value else value
               for value, later in zip(values, [*values[1:], 0], strict=True))


def _season_list(first: int, more: str) -> tuple[int, ...]:
    seasons = [first]
    for gap, number_text, _ in _MORE_NUMBERS.findall(more.replace("to", "-") if more else ""):
        number = int(number_text)
        if ("-" in gap or "~" in gap) and seasons[-1] < number <= seasons[-1] + 60:
            seasons.extend(range(seasons[-1] + 1, number + 1))
        elif number not in seasons:
            seasons.append(number)
    return tuple(seasons)


_SEASON_WORDS = frozenset(
    [
        "season", "seasons", "saison", "saisons", "temporada", "temporadas", "temp", "tem",
        "stagione", "staffel", "seizoen", "sezon", "series"
    ]
)
_EPISODE_WORDS = frozenset(
    ["episode", "episodes", "episodio", "ep", "capitulo", "cap", "folge", "odcinek"]
)
HINT_WORDS = _SEASON_WORDS | _EPISODE_WORDS
"""Words not starting with s, e or a digit that may still begin an episode marker."""


def hint(word: str) -> str | None:
    """Which marker a word may begin: "s" (S01E02, S01), "x" (1x02), "e" (E02, Episode),
    "w" (Season 2), "d" (a year or day that may begin a date), "o" (3 of 9); None for most words."""
    first = word[0]
    if first == "s" and len(word) > 1 and word[1].isdigit():
        return "s"
    if first.isdigit() and len(word) <= 4 and word.endswith(("st", "nd", "rd", "th")):
        return "w"
    if first.isdigit():
        if "x" in word:
            return "x"
        if len(word) in (4, 8) or (len(word) == 2 and word <= "31"):
            return "d"
        return "o" if len(word) <= 2 else None
    if first == "e" and ((len(word) > 1 and word[1].isdigit()) or word in _EPISODE_WORDS or (
            word[:2] == "ep" and word[2:3].isdigit())):
        return "e"
    if word in _SEASON_WORDS or word.rstrip("0123456789") in _SEASON_WORDS:
        return "w"
    if first.isdigit() and word.endswith(("st", "nd", "rd", "th")) and len(word) <= 4:
        return "w"
    if word in _EPISODE_WORDS:
        return "e"
    return None


def _at(norm: str, kind: str, position: int, end: int) -> Structure | None:
    """The marker of the given kind that begins exactly at position, if any."""
    if kind == "s":
        if match := _SXE.match(norm, position, end):
            return Structure(match.start(), match.end(), (int(match["season"]),),
                             _numbers(int(match["first"]), match["more"]))
        if match := _SX.match(norm, position, end):
            return Structure(match.start(), match.end(), (int(match["season"]),),
                             (int(match["first"]),))
    if kind == "x" and (match := _CROSS.match(norm, position, end)):
        return Structure(match.start(), match.end(), (int(match["season"]),),
                         _numbers(int(match["first"]), match["more"], cross=True))
    if kind == "d" and (match := _DATE.match(norm, position, end)):
        year, month, day = (match["y"], match["m"], match["d"]) if match["y"] else (
            match["y2"], match["m2"], match["d2"]) if match["y2"] else (
            match["y3"], match["m3"], match["d3"]) if match["y3"] else (
            match["y5"], match["m5"], match["d5"]) if match["y5"] else (
            "20" + match["y4"], match["m4"], match["d4"])
        return Structure(match.start(), match.end(), air_date=f"{year}-{month}-{day}")
    if kind in "sw" and (match := _SEASON.match(norm, position, end)):
        if match["s2"] and _DATE.match(norm, match.start("s2"), end):
            return None
        first = int(match["s1"] or match["s2"] or match["s3"] or _roman(match["roman"]))
        seasons = _season_list(first, match["more1"] or match["more2"] or "")
        after = match.end() + 1
        episode = _EPISODE_WORD.match(norm, after, end) or _OF.match(norm, after, end)
        if episode:
            more = episode.groupdict().get("more") or ""
            return Structure(match.start(), episode.end(), seasons,
                             _numbers(int(episode["first"]), more))
        return Structure(match.start(), match.end(), seasons)
    return None


def _loose(norm: str, kind: str, position: int, end: int) -> Structure | None:
    """ "E02", "Episode 4" or "3 of 9" with no season: taken only when nothing firmer is found."""
    pattern = _EPISODE_WORD if kind == "e" else _OF if kind in "od" else None
    if pattern and (match := pattern.match(norm, position, end)):
        more = match.groupdict().get("more") or ""
        numbers = _numbers(int(match["first"]), more)
        if last := match.groupdict().get("last"):
            numbers = tuple(range(numbers[0], int(last) + 1)) if numbers[0] < int(last) <= (
                numbers[0] + 100) else numbers
        return Structure(match.start(), match.end(), (), numbers)
    return None


def find_structure(norm: str, hints: list[tuple[int, str]], end: int) -> Structure | None:
    """The first episode, season or air-date marker among the hinted word positions."""
    best = None
    for position, kind in hints:
        if (best := _at(norm, kind, position, end)) is not None:
            break
    if best is None:
        for position, kind in hints:
            if (best := _loose(norm, kind, position, end)) is not None:
                break
    if best is None:
        return None
    if best.seasons and not best.episodes and not best.air_date and (
            dashed := _DASHED_NUMBER.match(norm, best.end, end)):
        best = Structure(best.start, dashed.end(), best.seasons, (int(dashed.group(1)),))
    if best.seasons and not best.episodes and not best.air_date:
        for position, kind in hints:
            if position >= best.end and kind in "eo" and (
                episode := _loose(norm, kind, position, end)
            ):
                season = best.seasons[0]
                numbers = tuple(number - season * 100 if number > season * 100 and
                                number - season * 100 < 100 else number
                                for number in episode.episodes)
                best = Structure(best.start, episode.end, best.seasons, numbers)
                break
    air_date = best.air_date
    if air_date is None:
        for position, kind in hints:
            if position >= best.end and kind == "d" and (dated := _at(norm, kind, position, end)):
                air_date = dated.air_date
                break
    special = 0 in best.seasons or (any(word in norm for word in ("sp", "ova", "oad", "ona")) and
                                    bool(_SPECIAL.search(norm, best.start, end)))
    if special or air_date != best.air_date:
        return Structure(best.start, best.end, best.seasons, best.episodes, air_date, special)
    return best

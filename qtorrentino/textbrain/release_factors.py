"""Scoring factors from what the release parser reads beyond names: which episodes a release holds
(by season and episode, by anime absolute number, by a daily show's air date), which edition it
is, and whether it is a revision (PROPER, REPACK, v2) of an earlier release. docs/decisions.md
("Scoring what a release name says") gives the rules and why."""

from __future__ import annotations

import re
from functools import lru_cache

from qtorrentino.domain.release_info import ReleaseInfo, scan_tags
from qtorrentino.domain.similarity import normalise
from qtorrentino.domain.ticket import TicketKind, TicketQuery
from qtorrentino.textbrain.factor import FACTOR_CACHE_SIZE, Factor

MOVIE_CUTS = frozenset({"extended", "unrated", "uncut", "directors_cut", "final_cut", "special"})
"""Editions of a film with other footage than its standard (theatrical) cut."""
MUSIC_TRACK_EDITIONS = frozenset(
    {"deluxe", "expanded", "anniversary", "special", "bonus", "japan", "collector", "limited"}
)
"""Editions of an album with other tracks than the album itself."""
SAME_CONTENT_EDITIONS = frozenset(
    {"remaster", "reissue", "mono", "theatrical", "imax", "criterion"}
)
"""Editions that hold the same film or the same tracks, mastered or packaged otherwise."""
EDITIONS = MOVIE_CUTS | MUSIC_TRACK_EDITIONS | SAME_CONTENT_EDITIONS
"""Edition words the edition factor reads; the others (live, karaoke, remix…) mark other content and
are red flags instead."""
ASKED_EDITION_WEIGHT = 0.25
"""The edition's share of identity when the ticket names one: a quarter, like a film's year."""
EDITION_WEIGHT = 0.1
"""Its share when the ticket names none: an unasked cut or deluxe edition is a soft difference."""
NEUTRAL_WEIGHT = 0.0
"""Its share when neither the ticket nor the release names a different edition: no evidence either
way, so it must not dilute the factors that tell releases apart (another album by the same artist)."""
REVISION_WEIGHT = 0.05
"""A revision's quality bonus: it never lowers a score and stays below decide's 0.1 margin."""
_REVISION_WORDS = re.compile(
    r"(?i)(?<![a-z0-9])(?:real|proper|repack|rerip)(?![a-z0-9])|(?<=\d)v\d\b"
)


def _episodes(value: float, reason: str, flag: str = "") -> tuple[Factor, str]:
    return Factor("episodes", value, reason, 0.45, True), flag


@lru_cache(maxsize=FACTOR_CACHE_SIZE)
def episode_coverage(
    kind: TicketKind, season: int | None, wanted: frozenset[int], wanted_absolute: frozenset[int],
    wanted_date: str | None, found_kind: str, seasons: tuple[int, ...], found: tuple[int, ...],
    absolute: tuple[int, ...], air_date: str | None, collection: bool,
) -> tuple[Factor, str]:
    """Whether the release holds the wanted episodes (exactly, in a pack, not), and any red flag.

    A daily show's release is matched by its air date when the ticket gives one. A release numbered
    from the series' start ("[Group] Title - 29") is matched by the ticket's absolute numbers when
    it gives them, else by its episode numbers in the first season only: past it, which episode an
    absolute number is needs a map the ticket does not carry.
    """
    if wanted_date and air_date:
        if air_date == wanted_date:
            return _episodes(1.0, f"aired {wanted_date}, the wanted date")
        return _episodes(0.05, f"aired {air_date}, not the wanted {wanted_date}",
                         f"wrong air date ({air_date})")
    if season is not None and seasons and season not in seasons:
        return _episodes(0.05, f"season {seasons[0]}, not the wanted S{season:02d}",
                         f"wrong season (S{seasons[0]:02d})")
    if found_kind == "episode" and found and absolute and not seasons:
        if wanted_absolute:
            return _held_episodes(kind, wanted_absolute, absolute, "absolute ")
        if season not in (None, 1):
            numbers = ", ".join(str(number) for number in absolute)
            return _episodes(0.5, f"episode {numbers} counted from the series' start: the ticket "
                                  f"gives no absolute number for S{season:02d}")
    if found_kind == "episode" and found:
        return _held_episodes(kind, wanted, found, "")
    if found_kind == "season" and seasons:
        if len(seasons) > 1:
            return _episodes(0.75, f"multi-season pack S{seasons[0]:02d}-S{seasons[-1]:02d}")
        if kind is TicketKind.SEASON:
            return _episodes(1.0, "the season pack")
        return _episodes(0.85, "season pack (only the wanted files are downloaded)")
    if collection:
        return _episodes(0.65, "complete-series pack")
    if air_date:
        return _episodes(0.4, f"aired {air_date}: the ticket gives no air date")
    return _episodes(0.4, "season and episode not stated")


def _held_episodes(
    kind: TicketKind, wanted: frozenset[int], found: tuple[int, ...], numbering: str
) -> tuple[Factor, str]:
    """A release of single episodes against the wanted numbers (in-season or absolute)."""
    if kind is TicketKind.SEASON:
        return _episodes(0.3, "a single episode, not the whole season")
    have = wanted.intersection(found)
    if wanted and not have:
        flag = f"wrong {numbering}episode ({found[0]})" if numbering else (
            f"wrong episode (E{found[0]:02d})")
        return _episodes(0.05, f"not the wanted {numbering}episode", flag)
    share = len(have) / len(wanted) if wanted else 0.8
    reason = f"has {len(have)} of {len(wanted)} wanted {numbering}episodes"
    return _episodes(max(0.3, share), reason)


def asked_editions(query: TicketQuery, *, music: bool) -> frozenset[str]:
    """The editions a ticket's own words name ("Abbey Road (Super Deluxe Edition)", tag "uncut")."""
    text = " ".join(word for word in (query.album, query.title, query.text, *query.tags) if word)
    if not text:
        return frozenset()
    return frozenset(EDITIONS.intersection(scan_tags(text, music=music).editions))


def _label(editions: frozenset[str] | tuple[str, ...]) -> str:
    names = sorted(editions) if isinstance(editions, frozenset) else editions
    return " + ".join(name.replace("directors_", "director's ").replace("_", " ") for name in names)


@lru_cache(maxsize=FACTOR_CACHE_SIZE)
def edition_factor(asked: frozenset[str], found: tuple[str, ...], music: bool) -> Factor:
    """The release's edition against the one the ticket names, or against the standard one."""
    named = tuple(edition for edition in found if edition in EDITIONS)
    if asked:
        if asked.issubset(named):
            return Factor("edition", 1.0, f"{_label(asked)}, as asked", ASKED_EDITION_WEIGHT, True)
        if named:
            reason = f"{_label(named)}, not the wanted {_label(asked)}"
            return Factor("edition", 0.5, reason, ASKED_EDITION_WEIGHT, True)
        reason = f"edition not named (wanted {_label(asked)})"
        return Factor("edition", 0.6, reason, ASKED_EDITION_WEIGHT, True)
    other = tuple(edition for edition in named if edition in (
        MUSIC_TRACK_EDITIONS if music else MOVIE_CUTS))
    if other:
        what = "other tracks than the album" if music else "other footage than the standard cut"
        reason = f"{_label(other)}: {what}, not asked for"
        return Factor("edition", 0.85, reason, EDITION_WEIGHT, True)
    reason = f"{_label(named)}: the same content" if named else "standard edition"
    return Factor("edition", 1.0, reason, NEUTRAL_WEIGHT, True)


@lru_cache(maxsize=FACTOR_CACHE_SIZE)
def revision_factor(version: int | None, real: bool, proper: bool, repack: bool) -> Factor | None:
    """A small quality bonus for a PROPER, REPACK, REAL or vN: it fixes an earlier release."""
    if not real and (version or 1) < 2:
        return None
    words = [word for word, present in (("REAL", real), ("PROPER", proper), ("REPACK", repack))
             if present]
    label = " ".join(words) if words else f"v{version}"
    return Factor("revision", 1.0, f"{label}: fixes an earlier release", REVISION_WEIGHT)


def revision_rank(release: ReleaseInfo) -> tuple[bool, int]:
    """How far a release revises its original: REAL beats PROPER/REPACK/v2, which beat none."""
    return release.real, release.version or 1


def without_revision(title: str) -> str:
    """A release name without its revision words: the same for a PROPER and its original."""
    return normalise(_REVISION_WORDS.sub(" ", title))

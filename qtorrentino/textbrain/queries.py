"""Search queries for a ticket, in the order to try them: the most precise first, variants after."""

from __future__ import annotations

import re

from qtorrentino.domain.similarity import fold_accents
from qtorrentino.domain.ticket import MUSIC_KINDS, TicketKind, TicketSpec

_PUNCTUATION = re.compile(r"[^\w\s&'.-]+|(?<!\d)\.|\.(?!\d)")
"""Punctuation an indexer may drop; a dot between digits ("22.04", "5.1") is part of the name."""
_APOSTROPHE = re.compile("['`\u2019]")
_SPACES = re.compile(r"\s+")


def build_queries(spec: TicketSpec) -> list[str]:
    """The ordered query ladder for a ticket; no duplicates (ignoring case, spacing), no empties."""
    if spec.kind in MUSIC_KINDS:
        ladder = _music_queries(spec)
    elif spec.kind is TicketKind.MOVIE:
        ladder = _movie_queries(spec)
    elif spec.kind in (TicketKind.EPISODE, TicketKind.SEASON):
        ladder = _tv_queries(spec)
    else:
        ladder = _generic_queries(spec)
    return _unique(ladder + [variant for query in ladder for variant in spelling_variants(query)])


def spelling_variants(query: str) -> list[str]:
    """Forms an indexer may spell differently: no punctuation, ASCII letters, "&" as "and"."""
    plain = _SPACES.sub(" ", _PUNCTUATION.sub(" ", _APOSTROPHE.sub("", query))).strip()
    variants = [plain, fold_accents(query), fold_accents(plain)]
    if "&" in plain:
        variants.append(_SPACES.sub(" ", plain.replace("&", " and ")).strip())
    elif re.search(r"(?i)\band\b", plain):
        variants.append(re.sub(r"(?i)\band\b", "&", plain))
    return variants


def _music_queries(spec: TicketSpec) -> list[str]:
    query = spec.query
    artist = query.artist or ""
    album = query.album or ""
    year = str(query.year) if query.year else ""
    ladder: list[str] = []
    if album:
        ladder += [f"{artist} {album}", f"{artist} {album} {year}"]
    if spec.kind is TicketKind.TRACK:
        ladder += [f"{artist} {item.title}" for item in spec.requested_items if item.title]
        if query.title:
            ladder.append(f"{artist} {query.title}")
    if artist:
        ladder.append(f"{artist} discography")
    if album and not artist:
        ladder.append(album)
    return ladder


def _movie_queries(spec: TicketSpec) -> list[str]:
    title = spec.query.title or ""
    year = str(spec.query.year) if spec.query.year else ""
    return [f"{title} {year}", title] if title else []


def _tv_queries(spec: TicketSpec) -> list[str]:
    series = spec.query.series or ""
    if not series:
        return []
    season = spec.query.season
    if season is None:
        return [series]
    episodes = spec.query.episodes or tuple(
        item.number for item in spec.requested_items
        if item.number is not None and item.season in (None, season)
    )
    pack = f"{series} S{season:02d}"
    if spec.kind is TicketKind.EPISODE and episodes:
        singles = [f"{pack}E{number:02d}" for number in episodes]
        return [*singles, pack, f"{series} Season {season}", series]
    return [pack, f"{series} Season {season}", f"{series} complete", series]


def _generic_queries(spec: TicketSpec) -> list[str]:
    query = spec.query
    ladder = [text for text in (query.text, query.title) if text]
    if query.tags:
        ladder.append(" ".join(query.tags))
    return ladder


def _unique(queries: list[str]) -> list[str]:
    seen: set[str] = set()
    ordered: list[str] = []
    for query in queries:
        tidy = _SPACES.sub(" ", query).strip()
        key = tidy.casefold()
        if tidy and key not in seen:
            seen.add(key)
            ordered.append(tidy)
    return ordered

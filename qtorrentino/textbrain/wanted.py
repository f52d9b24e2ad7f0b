"""What a ticket asks for, prepared once per ticket for the scoring rules."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from qtorrentino.domain.similarity import normalise
from qtorrentino.domain.ticket import MUSIC_KINDS, VIDEO_KINDS, TicketKind, TicketSpec
from qtorrentino.textbrain.constraints import HardConstraints
from qtorrentino.textbrain.quality_factors import SMALL_MOVIE_MB
from qtorrentino.textbrain.release_factors import asked_editions
from qtorrentino.textbrain.unrelated import TicketWords

if TYPE_CHECKING:
    from qtorrentino.textbrain.verdicts import Content, Verdict

BOOTLEG_SOURCES = frozenset({"cam", "telesync", "telecine", "screener", "workprint"})
MUSIC_RED_WORDS = (
    "karaoke", "tribute", "covers", "cover version", "covered by", "8 bit", "chiptune", "lullaby",
    "lullabies", "instrumental", "instrumentals", "remix", "remixes", "remixed", "live", "bootleg",
    "concert", "acapella", "a cappella", "ringtone", "ringtones", "midi", "medley", "performs",
    "performed by", "in the style of", "made famous by", "parody", "nightcore", "sped up", "slowed",
    "8d audio", "demos", "string quartet",
)
VIDEO_RED_WORDS = ("trailer", "teaser", "sample", "featurette", "3d")
WANTED_CACHE_SIZE = 8
"""Tickets whose prepared form and cached verdicts are kept."""
FAMILIES = {
    TicketKind.ALBUM: "music", TicketKind.TRACK: "music", TicketKind.MOVIE: "movie",
    TicketKind.EPISODE: "tv", TicketKind.SEASON: "tv", TicketKind.GENERIC: "generic",
}
"""Which scoring rules a ticket kind uses."""
VIDEO_FAMILIES = ("movie", "tv")


@dataclass(frozen=True, slots=True)
class Wanted:
    """What the ticket asks for, prepared once per ticket (10,000 candidates share it)."""

    spec: TicketSpec
    family: str
    """music | movie | tv | generic: which scoring rules apply."""
    red_words: frozenset[str]
    """Single red-flag words the ticket does not contain ("live" is fine for "Live at Leeds")."""
    red_phrases: tuple[str, ...]
    """Multi-word red-flag phrases, space-padded, that the ticket does not contain."""
    red_anywhere: re.Pattern[str] | None
    """Finds any of the red words and phrases in a padded title; None when there are none."""
    episodes: frozenset[int]
    padded_artist: str
    """The wanted artist normalised and space-padded, to find it anywhere in a title."""
    album: str | None
    """The album a music ticket names (a track ticket's title when it names no album)."""
    album_in_title: bool
    """A track ticket without an album: its title may be anywhere in a candidate's name."""
    target_format: str | None
    target_kbps: int | None
    min_size_mb: int | None
    max_size_mb: int | None
    hard: HardConstraints
    """The ticket's own hard constraints: must_not words, an explicit resolution, size bounds."""
    whole_album: bool
    """An album ticket: a single album's size can look too small."""
    small_size: tuple[int, str]
    """For video and generic tickets, the size in MB below which a candidate is small, and why."""
    editions: frozenset[str] = frozenset()
    """The editions the ticket's own words name (a deluxe album, a director's cut)."""
    absolute_episodes: frozenset[int] = frozenset()
    """The wanted episodes' numbers counted from the series' start, when the ticket gives them."""
    words: TicketWords | None = None
    """The words of the ticket's names, for the pre-check that sets unrelated names aside."""
    contents: dict[tuple[object, ...], Content] = field(default_factory=dict, repr=False)
    """Content verdicts by the parsed fields they read: many candidates share a few of them."""
    verdicts: dict[str, Verdict] = field(default_factory=dict, repr=False)
    """Verdicts by title: a ticket scored again over the same results reuses them."""

    @classmethod
    def of(cls, spec: TicketSpec) -> Wanted:
        """Prepare the ticket: its scoring family, the red words it does not use, padded names."""
        query = spec.query
        names = [query.artist, query.album, query.title, query.series, query.text]
        names += [item.title for item in spec.items]
        asked = " " + " ".join(normalise(name, drop_article=False) for name in names if name) + " "
        every_red_word = MUSIC_RED_WORDS if spec.kind in MUSIC_KINDS else VIDEO_RED_WORDS
        red = tuple(word for word in every_red_word if f" {word} " not in asked)
        words = [word for word in red if " " not in word]
        red_anywhere = re.compile(f" (?:{'|'.join(map(re.escape, red))}) ") if red else None
        album = query.album or (query.title if spec.kind is TicketKind.TRACK else None)
        numbers = query.episodes or tuple(
            item.number for item in spec.requested_items if item.number is not None
        )
        return cls(
            spec, FAMILIES[spec.kind], frozenset(words),
            tuple(f" {word} " for word in red if " " in word), red_anywhere,
            frozenset(numbers),
            f" {normalise(query.artist)} " if query.artist else "\0", album,
            bool(album and not query.album), spec.constraints.format,
            spec.constraints.bitrate_kbps, spec.constraints.min_size_mb,
            spec.constraints.max_size_mb,
            HardConstraints.of(spec.constraints, video=spec.kind in VIDEO_KINDS),
            spec.kind is TicketKind.ALBUM,
            (SMALL_MOVIE_MB, "is small for a movie") if spec.kind is TicketKind.MOVIE else (0, ""),
            asked_editions(query, music=spec.kind in MUSIC_KINDS),
            frozenset(query.absolute_episodes), TicketWords.of(spec),
        )


@lru_cache(maxsize=WANTED_CACHE_SIZE)
def wanted_for(spec: TicketSpec) -> Wanted:
    """The ticket's prepared form, kept for the last few tickets with their verdicts."""
    return Wanted.of(spec)

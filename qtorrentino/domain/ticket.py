"""Tickets as plain values: what is wanted, the items to deliver, the constraints, and overlap rules."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from qtorrentino.domain.states import ItemState


class TicketKind(StrEnum):
    """What a ticket asks for."""

    ALBUM = "album"
    TRACK = "track"
    MOVIE = "movie"
    EPISODE = "episode"
    SEASON = "season"
    GENERIC = "generic"


class ItemType(StrEnum):
    """What one deliverable unit of a ticket is."""

    TRACK = "track"
    EPISODE = "episode"
    MOVIE = "movie"
    IMAGE = "image"
    FILE = "file"


FORMATS = ("copy", "flac", "opus", "ogg_vorbis", "mp3", "aac")
"""Conversion targets a ticket or a library may ask for."""
MUSIC_KINDS = frozenset({TicketKind.ALBUM, TicketKind.TRACK})
VIDEO_KINDS = frozenset({TicketKind.MOVIE, TicketKind.EPISODE, TicketKind.SEASON})
LIBRARY_KIND_FOR: dict[TicketKind, str] = {
    TicketKind.ALBUM: "music",
    TicketKind.TRACK: "music",
    TicketKind.MOVIE: "movies",
    TicketKind.EPISODE: "tv",
    TicketKind.SEASON: "tv",
    TicketKind.GENERIC: "other",
}
"""The library kind a ticket goes to when it names no library."""


@dataclass(frozen=True, slots=True)
class TicketQuery:
    """What is wanted: the union of the per-kind query fields (unused ones stay None/empty)."""

    artist: str | None = None
    album: str | None = None
    year: int | None = None
    label: str | None = None
    musicbrainz_release_id: str | None = None
    genres: tuple[str, ...] = ()
    title: str | None = None
    tmdb_id: int | None = None
    imdb_id: str | None = None
    series: str | None = None
    season: int | None = None
    episodes: tuple[int, ...] = ()
    tvdb_id: int | None = None
    text: str | None = None
    tags: tuple[str, ...] = ()
    air_date: str | None = None
    """A daily show's episode by the date it aired, ISO "2019-03-14": matches dated releases."""
    absolute_episodes: tuple[int, ...] = ()
    """The wanted episodes counted from the series' first (anime): their season/episode map."""


@dataclass(frozen=True, slots=True)
class Constraints:
    """How the result must look: audio target format and quality; video preferences."""

    format: str | None = None
    """None means the library's default format."""
    bitrate_kbps: int | None = None
    sample_rate_hz: int | None = None
    embed_tags: bool = True
    embed_cover: bool = True
    resolution: str | None = None
    video_codecs: tuple[str, ...] = ()
    release_groups: tuple[str, ...] = ()
    min_size_mb: int | None = None
    max_size_mb: int | None = None
    replace_existing: bool = False
    """Replace a different file already at the destination (the old one goes to trash)."""
    must_not: tuple[str, ...] = ()
    """Words or phrases a release name must not contain (a hard constraint: such a release is rejected)."""


@dataclass(frozen=True, slots=True)
class TicketItem:
    """One unit to deliver: a track, an episode, the movie file, an image."""

    id: str
    type: ItemType
    title: str = ""
    disc: int | None = None
    number: int | None = None
    season: int | None = None
    duration_secs: float | None = None
    requested: bool = True
    state: ItemState = ItemState.WANTED

    @property
    def label(self) -> str:
        """A short human name: "1-05 Title", "S01E02 Title", or the title."""
        if self.type is ItemType.EPISODE and self.season is not None and self.number is not None:
            return f"S{self.season:02d}E{self.number:02d} {self.title}".strip()
        if self.type is ItemType.TRACK and self.number is not None:
            return f"{self.disc or 1}-{self.number:02d} {self.title}".strip()
        return self.title or self.id


@dataclass(frozen=True, slots=True)
class TicketSpec:
    """A ticket as given (JSON, flags, the wizard), before the engine owns it."""

    kind: TicketKind
    query: TicketQuery
    items: tuple[TicketItem, ...] = ()
    constraints: Constraints = field(default_factory=Constraints)
    library: str | None = None
    priority: int = 100
    dry_run: bool = False
    requested_by: str | None = None
    auto_approve_threshold: float | None = None
    watch: bool = False
    """When nothing acceptable is found, wait for a release (state `waiting`) instead of failing."""
    upgrade_until: str | None = None
    """Keep watching after completion until a release at or above this quality is placed (implies watch)."""

    @property
    def title(self) -> str:
        """The derived display title the contracts name."""
        return ticket_title(self.kind, self.query)

    @property
    def requested_items(self) -> tuple[TicketItem, ...]:
        return tuple(item for item in self.items if item.requested)


def effective_format(spec: TicketSpec, library_format: str | None) -> str | None:
    """The target format a ticket really has: its own, else its library's default."""
    return spec.constraints.format or library_format


def ticket_title(kind: TicketKind, query: TicketQuery) -> str:
    """ "Artist – Album (Year)", "Title (Year)", "Series S01E02", or the free text."""
    year = f" ({query.year})" if query.year else ""
    if kind in MUSIC_KINDS:
        album = query.album or query.title or ""
        return f"{query.artist or 'Unknown artist'} – {album}{year}".strip()
    if kind is TicketKind.MOVIE:
        return f"{query.title or ''}{year}".strip()
    if kind in (TicketKind.EPISODE, TicketKind.SEASON):
        season = f" S{query.season:02d}" if query.season is not None else ""
        if kind is TicketKind.EPISODE and query.episodes:
            episodes = "".join(f"E{number:02d}" for number in query.episodes)
            return f"{query.series or ''}{season}{episodes}".strip()
        return f"{query.series or ''}{season}".strip()
    return query.text or query.title or "(untitled)"


def default_items(kind: TicketKind, query: TicketQuery) -> tuple[TicketItem, ...]:
    """The items a ticket implies when it lists none (the movie file, each asked-for episode)."""
    if kind is TicketKind.MOVIE:
        return (TicketItem(id="movie", type=ItemType.MOVIE, title=query.title or ""),)
    if kind is TicketKind.EPISODE and query.season is not None:
        return tuple(
            TicketItem(id=f"s{query.season:02d}e{number:02d}", type=ItemType.EPISODE,
                       season=query.season, number=number)
            for number in query.episodes
        )
    return ()


def _norm(text: str | None) -> str:
    return " ".join((text or "").casefold().split())


PROVIDER_IDS: dict[TicketKind, tuple[str, ...]] = {
    TicketKind.ALBUM: ("musicbrainz_release_id",),
    TicketKind.TRACK: ("musicbrainz_release_id",),
    TicketKind.MOVIE: ("tmdb_id", "imdb_id"),
    TicketKind.EPISODE: ("tmdb_id", "tvdb_id", "imdb_id"),
    TicketKind.SEASON: ("tmdb_id", "tvdb_id", "imdb_id"),
    TicketKind.GENERIC: (),
}
"""The query fields that name one release (an edition) or one title at a provider, by ticket kind."""
MERGING_KINDS = MUSIC_KINDS
"""Kinds whose partly overlapping tickets merge items: an album's tracks come from one album torrent,
while an episode release holds only the episodes its name says."""


def same_content(a: TicketSpec, b: TicketSpec) -> bool:
    """True when two tickets ask for the same content into the same library.

    Same kind and library, then the provider id when both name one (it tells editions apart), else
    the names and the year: artist+album(+year), title+year, series+season(+year), the free text.
    """
    if a.kind is not b.kind or _norm(a.library) != _norm(b.library):
        return False
    qa, qb = a.query, b.query
    for name in PROVIDER_IDS[a.kind]:
        first, second = getattr(qa, name), getattr(qb, name)
        if first and second:
            return bool(_norm(str(first)) == _norm(str(second)))
    if a.kind in MUSIC_KINDS:
        return (bool(qa.album or qa.title) and _norm(qa.artist) == _norm(qb.artist)
                and _norm(qa.album or qa.title) == _norm(qb.album or qb.title) and qa.year == qb.year)
    if a.kind is TicketKind.MOVIE:
        return _norm(qa.title) == _norm(qb.title) and qa.year == qb.year
    if a.kind in (TicketKind.EPISODE, TicketKind.SEASON):
        return _norm(qa.series) == _norm(qb.series) and qa.season == qb.season and qa.year == qb.year
    return _norm(qa.text) == _norm(qb.text)


def compatible_constraints(active: TicketSpec, new: TicketSpec) -> bool:
    """True when what the active ticket chooses and delivers is what the new one asks for.

    Call with both made effective (see with_defaults): the format the ticket's, else its library's;
    the threshold the ticket's, else the configured one. The new ticket's threshold may not be
    stricter than the active one's: the active one decides for both; it must watch as the new one asks.
    """
    if active.constraints != new.constraints:
        return False
    if (active.watch, active.upgrade_until) != (new.watch, new.upgrade_until):
        return False
    new_threshold, active_threshold = new.auto_approve_threshold, active.auto_approve_threshold
    if new_threshold is None or active_threshold is None:
        return new_threshold is None and active_threshold is None
    return new_threshold <= active_threshold


def with_defaults(spec: TicketSpec, library_format: str | None, threshold: float) -> TicketSpec:
    """The ticket with its effective format and auto-approve threshold filled in (for comparisons)."""
    constraints = replace(spec.constraints, format=effective_format(spec, library_format))
    chosen = spec.auto_approve_threshold if spec.auto_approve_threshold is not None else threshold
    return replace(spec, constraints=constraints, auto_approve_threshold=chosen)


def content_key(spec: TicketSpec) -> str:
    """What two tickets for the same content may share (names only): the index that finds them first.

    same_content() and compatible_constraints() then decide precisely.
    """
    query = spec.query
    if spec.kind in MUSIC_KINDS:
        return f"music|{_norm(query.artist)}|{_norm(query.album)}"
    if spec.kind is TicketKind.MOVIE:
        return f"movie|{_norm(query.title)}"
    if spec.kind in (TicketKind.EPISODE, TicketKind.SEASON):
        return f"tv|{_norm(query.series)}|{query.season}"
    return f"generic|{_norm(query.text)}"


def item_key(item: TicketItem) -> tuple[object, ...]:
    """What makes two items the same deliverable across tickets."""
    if item.type is ItemType.TRACK and item.number is not None:
        return ("track", item.disc or 1, item.number)
    if item.type is ItemType.EPISODE:
        return ("episode", item.season, item.number)
    return (item.type.value, _norm(item.title) or item.id)


@dataclass(frozen=True, slots=True)
class Overlap:
    """How a new ticket relates to an active one for the same content."""

    covered: bool
    """Every item the new ticket asks for is already asked for by the active one."""
    new_items: tuple[TicketItem, ...]
    """Items of the new ticket the active one lacks (to merge while it is before downloading)."""


def overlap(active: TicketSpec, new: TicketSpec) -> Overlap | None:
    """Compare a new ticket with an active one; None when they are not the same request.

    Same content under compatible constraints, neither a dry run. Items the active ticket lacks are
    offered for merging only for kinds whose releases hold them all (albums).
    """
    if active.dry_run or new.dry_run or not same_content(active, new):
        return None
    if not compatible_constraints(active, new):
        return None
    if not active.items:
        return Overlap(covered=True, new_items=())
    if not new.items:
        return Overlap(covered=False, new_items=())
    have = {item_key(item) for item in active.requested_items}
    missing = tuple(item for item in new.requested_items if item_key(item) not in have)
    return Overlap(covered=not missing, new_items=missing if new.kind in MERGING_KINDS else ())

"""Torznab requests: what to search for, and the t=search/music/movie/tvsearch parameters that ask for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qtorrentino.errors import IndexerError, UsageError

if TYPE_CHECKING:
    from qtorrentino.search.torznab_answers import Caps

RESULT_LIMIT = 100
SEARCH_MODES: dict[str, tuple[str, str, str]] = {
    "generic": ("search", "search", "q"),
    "music": ("music-search", "music", "q"),
    "movie": ("movie-search", "movie", "q"),
    "tv": ("tv-search", "tvsearch", "q,rid,season,ep"),
}
"""Kind → (caps element, t= function, params assumed when caps lists none: Sonarr's rule)."""
ASSUMED_PARAMS = {element: params for element, _, params in SEARCH_MODES.values()}
CATEGORY_FAMILY_FOR_KIND = {"music": 3000, "movie": 2000, "tv": 5000}


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """What to ask the indexers for; unset fields are simply not sent."""

    kind: str = "generic"
    """One of generic, music, movie, tv: picks t=search, music, movie or tvsearch."""
    q: str = ""
    """Free text; the title for movies and series."""
    artist: str | None = None
    album: str | None = None
    year: int | None = None
    imdb_id: str | None = None
    """With or without the "tt" prefix."""
    tmdb_id: int | None = None
    season: int | None = None
    episode: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in SEARCH_MODES:
            kinds = ", ".join(SEARCH_MODES)
            raise UsageError(f"unknown search kind {self.kind!r}; use one of: {kinds}")

    def describe(self) -> str:
        """The request as one line of text, for the audit log and the screen."""
        words = [self.q, self.artist or "", self.album or ""]
        if self.year is not None:
            words.append(f"({self.year})")
        if self.imdb_id:
            words.append(f"imdb:{self.imdb_id}")
        if self.tmdb_id is not None:
            words.append(f"tmdb:{self.tmdb_id}")
        words.append(self.episode_tag())
        return " ".join(word.strip() for word in words if word and word.strip())

    def episode_tag(self) -> str:
        """The season and episode as release names spell them ("S01E02", "S01"); "" without."""
        if self.season is None:
            return ""
        return f"S{self.season:02d}" + (f"E{self.episode:02d}" if self.episode is not None else "")


def search_params(
    request: SearchRequest, caps: Caps, *, configured: tuple[int, ...], indexer: str
) -> dict[str, str]:
    """The query parameters (without apikey) for a request, given what caps supports.

    Raises:
        IndexerError: the request has no words and the indexer offers only the generic search.
    """
    mode_name, function, _ = SEARCH_MODES[request.kind]
    if not caps.mode(mode_name).available:
        mode_name, function, _ = SEARCH_MODES["generic"]
    supported = caps.mode(mode_name).params or frozenset({"q"})
    params = {"t": function, "extended": "1"}
    words = [request.q.strip()]
    structured = _structured_fields(request)
    for name, (value, text) in structured.items():
        if name in supported:
            params[name] = value
        elif text:
            words.append(text)
    episode_sent = "season" in params and (request.episode is None or "ep" in params)
    if request.season is not None and not episode_sent:
        params.pop("season", None)
        params.pop("ep", None)
        words.append(request.episode_tag())
    query_text = " ".join(word for word in words if word)
    if query_text:
        params["q"] = query_text
    elif mode_name == "search":
        raise IndexerError(f"{indexer}: nothing to search for: the request has no words")
    categories = _categories_for(request.kind, configured)
    if categories:
        params["cat"] = ",".join(str(category) for category in categories)
    params["limit"] = str(min(RESULT_LIMIT, caps.max_results or RESULT_LIMIT))
    return params


def recent_params(configured: tuple[int, ...]) -> dict[str, str]:
    """The query parameters (without apikey) for the recent feed: t=search with no query (the RSS sync)."""
    params = {"t": "search", "extended": "1", "limit": str(RESULT_LIMIT)}
    if configured:
        params["cat"] = ",".join(str(category) for category in configured)
    return params


def _categories_for(kind: str, configured: tuple[int, ...]) -> tuple[int, ...]:
    """Configured categories in the kind's family (3000s for music...), else all configured."""
    family = CATEGORY_FAMILY_FOR_KIND.get(kind)
    if family is None:
        return configured
    in_family = tuple(category for category in configured if category // 1000 * 1000 == family)
    return in_family or configured or (family,)


def _structured_fields(request: SearchRequest) -> dict[str, tuple[str, str]]:
    """Torznab parameter → (value, the words to use instead when the indexer lacks it)."""
    fields: dict[str, tuple[str, str]] = {}
    if request.kind == "music":
        fields["artist"] = (request.artist or "", request.artist or "")
        fields["album"] = (request.album or "", request.album or "")
    if request.kind == "movie" and request.year is not None:
        fields["year"] = (str(request.year), str(request.year))
    elif request.year is not None:
        fields["year"] = (str(request.year), "")
    if request.kind in ("movie", "tv") and request.imdb_id:
        fields["imdbid"] = (request.imdb_id.strip().lower().removeprefix("tt"), "")
    if request.kind in ("movie", "tv") and request.tmdb_id is not None:
        fields["tmdbid"] = (str(request.tmdb_id), "")
    if request.kind == "tv" and request.season is not None:
        fields["season"] = (str(request.season), "")
        if request.episode is not None:
            fields["ep"] = (str(request.episode), "")
    return {name: pair for name, pair in fields.items() if pair[0]}

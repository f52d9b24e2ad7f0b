"""TMDB movie and TV search through tmdbsimple, with the base URL from config, one total deadline and a cache."""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import tmdbsimple

from qtorrentino.domain.redact import redact_text
from qtorrentino.errors import MetadataError
from qtorrentino.metadata.cache import cache_key
from qtorrentino.metadata.guard import ProviderGuard
from qtorrentino.metadata.transport import TmdbSession
from qtorrentino.net.http import HttpClient, HttpError

if TYPE_CHECKING:
    from collections.abc import Callable

    from qtorrentino.config.model import TmdbConfig
    from qtorrentino.config.proxy import ProxyUrl
    from qtorrentino.metadata.cache import MetadataCache
    from qtorrentino.net.deadline import Deadline

log = logging.getLogger(__name__)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DEADLINE_SECONDS = 25.0
"""Each call (every request it makes included) ends by then."""
_KEY_LOCK = threading.Lock()
"""tmdbsimple reads its API key from a module global at request time."""


@dataclass(frozen=True, slots=True)
class MovieCandidate:
    """A movie TMDB knows."""

    tmdb_id: int
    title: str
    year: int | None
    original_title: str
    overview: str
    popularity: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class SeriesCandidate:
    """A TV series TMDB knows."""

    tmdb_id: int
    name: str
    year: int | None
    overview: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Tmdb:
    """Movie and series searches; a TMDB that is down or refuses the key raises MetadataError."""

    def __init__(self, config: TmdbConfig, cache: MetadataCache, *,
                 deadline_seconds: float = DEADLINE_SECONDS, proxy: ProxyUrl | None = None) -> None:
        self._config = config
        self._cache = cache
        self._http = HttpClient(secrets=[str(config.api_key)], proxy=proxy)
        self.guard = ProviderGuard("TMDB", deadline_seconds=deadline_seconds)

    def search_movie(self, title: str, year: int | None = None, limit: int = 5) -> list[MovieCandidate]:
        """Movies matching title (and year when given), in TMDB's order.

        Raises:
            MetadataError: no API key, TMDB is down or refused the key, or answered garbage.
        """
        key = cache_key("tmdb", "movie", title, year, limit)
        cached = self._cache.get(key)
        if cached is None:
            params: dict[str, Any] = {"query": title, "include_adult": False}
            if year:
                params["year"] = year
            answer = self._request(tmdbsimple.Search, lambda search: search.movie(**params))
            cached = [movie.to_json() for movie in _movies(answer)[:limit]]
            self._cache.put(key, cached, days=self._config.cache_days)
        return [MovieCandidate(**values) for values in cached]

    def search_tv(self, name: str, limit: int = 5) -> list[SeriesCandidate]:
        """TV series matching name, in TMDB's order.

        Raises:
            MetadataError: as search_movie.
        """
        key = cache_key("tmdb", "tv", name, limit)
        cached = self._cache.get(key)
        if cached is None:
            answer = self._request(tmdbsimple.Search, lambda search: search.tv(query=name))
            cached = [series.to_json() for series in _series(answer)[:limit]]
            self._cache.put(key, cached, days=self._config.cache_days)
        return [SeriesCandidate(**values) for values in cached]

    def movie(self, tmdb_id: int) -> MovieCandidate:
        """One movie by its TMDB id.

        Raises:
            MetadataError: as search_movie, or TMDB knows no such movie.
        """
        key = cache_key("tmdb", "movie-id", tmdb_id)
        cached = self._cache.get(key)
        if cached is None:
            answer = self._request(lambda: tmdbsimple.Movies(tmdb_id), lambda movies: movies.info())
            found = _movies({"results": [answer]})
            if not found:
                raise MetadataError(f"TMDB has no usable movie {tmdb_id}")
            cached = found[0].to_json()
            self._cache.put(key, cached, days=self._config.cache_days)
        return MovieCandidate(**cached)

    def episode_air_date(self, series: str, season: int, episode: int, tmdb_id: int | None = None) -> str | None:
        """The date (ISO) an episode airs or aired, as TMDB gives it; None when TMDB does not know it.

        The series is TMDB's tmdb_id when given, else its first match for the name.

        Raises:
            MetadataError: as search_movie.
        """
        series_id = tmdb_id
        if series_id is None:
            found = self.search_tv(series, limit=1)
            if not found:
                return None
            series_id = found[0].tmdb_id
        key = cache_key("tmdb", "episode", series_id, season, episode)
        cached = self._cache.get(key)
        if cached is None:
            answer = self._request(lambda: tmdbsimple.TV_Episodes(series_id, season, episode),
                                   lambda episodes: episodes.info())
            air_date = answer.get("air_date")
            cached = {"air_date": air_date if isinstance(air_date, str) and _ISO_DATE.match(air_date) else None}
            self._cache.put(key, cached, days=min(1.0, self._config.cache_days))
        value = cached.get("air_date")
        return value if isinstance(value, str) else None

    def _request(self, make: Callable[[], Any], call: Callable[[Any], Any]) -> dict[str, Any]:
        api_key = str(self._config.api_key)
        if not api_key:
            raise MetadataError("TMDB needs an API key", hint='set api_key = "..." under [tmdb] in config.toml')

        def configured_call(deadline: Deadline) -> Any:
            with _KEY_LOCK:
                tmdbsimple.API_KEY = api_key
                endpoint = make()
            endpoint.base_uri = self._config.base_url.rstrip("/")
            endpoint.session = TmdbSession(self._http, deadline)
            try:
                return call(endpoint)
            except HttpError as error:
                if error.status == 404:
                    return {}
                raise

        answer = self.guard.call(configured_call, translate=lambda error: _describe(error, api_key))
        if not isinstance(answer, dict):
            raise MetadataError("TMDB answered something that is not a TMDB document")
        return answer


def _describe(error: BaseException, api_key: str) -> str:
    """An HTTP error as a sentence, with the API key (which rides in the URL) hidden."""
    if isinstance(error, HttpError) and error.status is not None:
        return "it refused the API key" if error.status == 401 else f"it answered HTTP {error.status}"
    if isinstance(error, HttpError):
        return redact_text(f"it cannot be reached ({error.message})", [api_key])
    if isinstance(error, ValueError):
        return "it answered something that is not JSON"
    return redact_text(f"{type(error).__name__}: {error}", [api_key])


def _year(date: object) -> int | None:
    head = date[:4] if isinstance(date, str) else ""
    return int(head) if head.isdigit() else None


def _results(answer: dict[str, Any]) -> list[dict[str, Any]]:
    results = answer.get("results")
    return [entry for entry in results if isinstance(entry, dict)] if isinstance(results, list) else []


def _movies(answer: dict[str, Any]) -> list[MovieCandidate]:
    """Convert /search/movie results; entries without an integer id or a title are skipped."""
    return [
        MovieCandidate(tmdb_id=entry["id"], title=entry["title"].strip(), year=_year(entry.get("release_date")),
                       original_title=str(entry.get("original_title") or ""),
                       overview=str(entry.get("overview") or ""),
                       popularity=float(entry.get("popularity") or 0)
                       if isinstance(entry.get("popularity"), (int, float)) else 0.0)
        for entry in _results(answer)
        if isinstance(entry.get("id"), int) and isinstance(entry.get("title"), str) and entry["title"].strip()
    ]


def _series(answer: dict[str, Any]) -> list[SeriesCandidate]:
    """Convert /search/tv results."""
    return [
        SeriesCandidate(tmdb_id=entry["id"], name=entry["name"].strip(), year=_year(entry.get("first_air_date")),
                        overview=str(entry.get("overview") or ""))
        for entry in _results(answer)
        if isinstance(entry.get("id"), int) and isinstance(entry.get("name"), str) and entry["name"].strip()
    ]

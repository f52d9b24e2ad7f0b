"""A loopback TMDB v3 server: movie and TV search and movie details in TMDB's own JSON shapes."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from tests.servers.loopback import LoopbackServer

DEFAULT_API_KEY = "tmdb-loopback-key-0123456789"
INVALID_KEY = {"status_code": 7, "status_message": "Invalid API key: You must be granted a valid key.",
               "success": False}
_EPISODE_PATH = re.compile(r"^/3/tv/(\d+)/season/(\d+)/episode/(\d+)$")
NOT_FOUND = {"status_code": 34, "status_message": "The resource you requested could not be found.",
             "success": False}


@dataclass(frozen=True)
class StubMovie:
    """A movie the server knows."""

    id: int
    title: str
    release_date: str
    overview: str = ""
    popularity: float = 10.0
    imdb_id: str | None = None


@dataclass(frozen=True)
class StubSeries:
    """A TV series the server knows."""

    id: int
    name: str
    first_air_date: str
    overview: str = ""


@dataclass(frozen=True)
class StubEpisode:
    """An episode of a series the server knows, with the date it airs."""

    series_id: int
    season: int
    number: int
    air_date: str
    name: str = ""


@dataclass
class TmdbServer(LoopbackServer):
    """Serves /3/search/movie, /3/search/tv, /3/movie/ID and /3/tv/ID/season/S/episode/E; checks
    api_key like TMDB does."""

    movies: tuple[StubMovie, ...] = ()
    series: tuple[StubSeries, ...] = ()
    episodes: tuple[StubEpisode, ...] = ()
    api_key: str = DEFAULT_API_KEY

    def start(self) -> TmdbServer:
        return self.serve(_Handler, "tmdb")

    @property
    def base_url(self) -> str:
        """What [tmdb] base_url should be set to."""
        return f"{self.origin}/3"

    def record(self, path: str, params: dict[str, str]) -> None:
        self.log_request_of({"path": path, **params})


def movie_result(movie: StubMovie) -> dict[str, Any]:
    """One entry of /search/movie results, with every field TMDB sends."""
    return {"adult": False, "backdrop_path": f"/backdrop{movie.id}.jpg", "genre_ids": [18],
            "id": movie.id, "original_language": "en", "original_title": movie.title,
            "overview": movie.overview, "popularity": movie.popularity, "poster_path": f"/poster{movie.id}.jpg",
            "release_date": movie.release_date, "title": movie.title, "video": False,
            "vote_average": 7.1, "vote_count": 1200}


def series_result(series: StubSeries) -> dict[str, Any]:
    """One entry of /search/tv results."""
    return {"adult": False, "backdrop_path": None, "genre_ids": [35], "id": series.id, "origin_country": ["GB"],
            "original_language": "en", "original_name": series.name, "overview": series.overview,
            "popularity": 5.5, "poster_path": None, "first_air_date": series.first_air_date,
            "name": series.name, "vote_average": 6.9, "vote_count": 80}


def episode_result(episode: StubEpisode) -> dict[str, Any]:
    """/tv/ID/season/S/episode/E as TMDB answers it."""
    return {"air_date": episode.air_date, "crew": [], "episode_number": episode.number, "guest_stars": [],
            "name": episode.name or f"Episode {episode.number}", "overview": "", "id": 1000 + episode.number,
            "production_code": "", "runtime": 42, "season_number": episode.season, "still_path": None,
            "vote_average": 0.0, "vote_count": 0}


def page(results: list[dict[str, Any]]) -> dict[str, Any]:
    return {"page": 1, "results": results, "total_pages": 1, "total_results": len(results)}


def _words_in(query: str, title: str) -> bool:
    """Loose like TMDB's own search: any longer word of the query in the title is a hit."""
    title_words = title.casefold().split()
    return any(word in title_words for word in query.casefold().split() if len(word) >= 4)


class _Handler(BaseHTTPRequestHandler):
    tmdb: ClassVar[TmdbServer]

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests read `requests` instead."""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        params = {key: values[0] for key, values in parse_qs(parts.query).items()}
        server = self.tmdb
        server.record(parts.path, params)
        if params.get("api_key") != server.api_key:
            self._send(401, INVALID_KEY)
            return
        query = params.get("query", "")
        year = params.get("year") or params.get("primary_release_year")
        if parts.path == "/3/search/movie":
            found = [movie_result(movie) for movie in server.movies if _words_in(query, movie.title)
                     and (not year or movie.release_date.startswith(year))]
            self._send(200, page(found))
        elif parts.path == "/3/search/tv":
            self._send(200, page([series_result(series) for series in server.series
                                  if _words_in(query, series.name)]))
        elif (found := _EPISODE_PATH.match(parts.path)) is not None:
            series_id, season, number = (int(group) for group in found.groups())
            episode = next((each for each in server.episodes if (each.series_id, each.season, each.number)
                            == (series_id, season, number)), None)
            if episode is None:
                self._send(404, NOT_FOUND)
            else:
                self._send(200, episode_result(episode))
        elif parts.path.startswith("/3/movie/"):
            movie_id = parts.path.removeprefix("/3/movie/")
            movie = next((movie for movie in server.movies if str(movie.id) == movie_id), None)
            if movie is None:
                self._send(404, NOT_FOUND)
            else:
                self._send(200, {**movie_result(movie), "imdb_id": movie.imdb_id, "runtime": 96,
                                 "status": "Released", "tagline": ""})
        else:
            self._send(404, NOT_FOUND)

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

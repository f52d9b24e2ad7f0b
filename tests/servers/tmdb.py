"""A loopback TMDB v3 server: movie and TV search and movie details in TMDB's own JSON shapes."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, ClassVar, Self
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from types import TracebackType

DEFAULT_API_KEY = "tmdb-loopback-key-0123456789"
INVALID_KEY = {"status_code": 7, "status_message": "Invalid API key: You must be granted a valid key.",
               "success": False}
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


@dataclass
class TmdbServer:
    """Serves /3/search/movie, /3/search/tv and /3/movie/ID; checks api_key like TMDB does."""

    movies: tuple[StubMovie, ...] = ()
    series: tuple[StubSeries, ...] = ()
    api_key: str = DEFAULT_API_KEY
    requests: list[dict[str, str]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def start(self) -> TmdbServer:
        handler = type("BoundHandler", (_Handler,), {"tmdb": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), name="tmdb-server",
                         daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """What [tmdb] base_url should be set to."""
        assert self._server is not None, "start() the server first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/3"

    def record(self, path: str, params: dict[str, str]) -> None:
        with self._lock:
            self.requests.append({"path": path, **params})


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

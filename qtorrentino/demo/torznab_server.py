"""A loopback Torznab server speaking Jackett's or Prowlarr's dialect (the demo's indexer; tests add faults)."""

from __future__ import annotations

import enum
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import parse_qs, quote, urlsplit
from xml.sax.saxutils import escape, quoteattr

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from types import TracebackType

DEFAULT_API_KEY = "loopback-secret-key"
DEFAULT_MODES: dict[str, str | None] = {
    "search": "q",
    "tv-search": "q,season,ep,imdbid,tvdbid,tmdbid",
    "movie-search": "q,imdbid,tmdbid",
    "music-search": "q,album,artist,label,year",
    "audio-search": "q,album,artist,label,year",
}
"""Caps element → supportedParams (None: available="no"; "": the attribute left out)."""
DEFAULT_CATEGORIES: dict[int, str] = {
    2000: "Movies",
    2040: "Movies/HD",
    3000: "Audio",
    3010: "Audio/MP3",
    3040: "Audio/Lossless",
    5000: "TV",
    5040: "TV/HD",
    8000: "Other",
}
HANG_LIMIT_SECONDS = 30.0
PUBLISHED = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


class Fault(enum.Enum):
    """How the API endpoint misbehaves; NONE answers properly."""

    NONE = "none"
    HTTP_500 = "http_500"
    RATE_LIMITED = "rate_limited"
    HANG = "hang"
    GARBAGE = "garbage"
    HTML_PAGE = "html_page"
    BILLION_LAUGHS = "billion_laughs"
    EXTERNAL_ENTITY = "external_entity"


@dataclass(frozen=True)
class Release:
    """One release the server offers."""

    title: str
    size: int
    seeders: int | None = 10
    """None: the item carries no seeders attribute (some feeds, usenet-style items)."""
    peers: int = 15
    info_hash: str | None = None
    magnet: str | None = None
    link: str | None = None
    """An explicit download URL; when None the server links to its own /download endpoint."""
    category: int = 3000
    files: int | None = None
    torrent: bytes | None = None
    """.torrent bytes the download link serves; without them it 302-redirects to the magnet."""
    imdb_id: str | None = None
    """Digits only; matched against imdbid searches."""
    published: datetime = PUBLISHED


@dataclass
class TorznabServer:
    """Serves caps, searches and downloads on 127.0.0.1; requires the API key like Jackett does."""

    releases: Sequence[Release] = ()
    style: str = "jackett"
    """"jackett" or "prowlarr": the shape of items and links."""
    api_key: str = DEFAULT_API_KEY
    modes: Mapping[str, str | None] = field(default_factory=lambda: dict(DEFAULT_MODES))
    categories: Mapping[int, str] = field(default_factory=lambda: dict(DEFAULT_CATEGORIES))
    fault: Fault = Fault.NONE
    retry_after: str = "120"
    """The Retry-After header sent with the RATE_LIMITED fault."""
    requests: list[dict[str, str]] = field(default_factory=list)
    """Every request's query parameters (plus "path"), in arrival order."""
    _server: ThreadingHTTPServer | None = field(default=None, init=False, repr=False)
    _release_hang: threading.Event = field(default_factory=threading.Event, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def start(self) -> TorznabServer:
        """Listen on a free loopback port and serve from a daemon thread."""
        handler = type("BoundHandler", (_Handler,), {"torznab": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="torznab-server", daemon=True
        ).start()
        return self

    def stop(self) -> None:
        """Release hung requests and close the socket."""
        self._release_hang.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> TorznabServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def origin(self) -> str:
        """http://127.0.0.1:PORT"""
        if self._server is None:
            raise RuntimeError("start() the server first")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        """The Torznab API URL to configure (without the key), in the style's own shape."""
        if self.style == "prowlarr":
            return f"{self.origin}/1/api"
        return f"{self.origin}/api/v2.0/indexers/loopback/results/torznab/api"

    def download_url(self, index: int, *, key: str | None = None) -> str:
        """Where release number index downloads from, with the key as the style carries it."""
        secret = quote(self.api_key if key is None else key)
        if self.style == "prowlarr":
            return f"{self.origin}/1/download?apikey={secret}&link={index}&file=release{index}"
        return (
            f"{self.origin}/dl/loopback/?jackett_apikey={secret}&path={index}&file=release{index}"
        )

    def api_requests(self) -> list[dict[str, str]]:
        """The recorded requests to the API endpoint only (caps and searches)."""
        with self._lock:
            return [request for request in self.requests if request["path"].endswith("/api")]

    def record(self, path: str, params: dict[str, str]) -> None:
        with self._lock:
            self.requests.append({"path": path, **params})

    def wait_for_release(self) -> None:
        self._release_hang.wait(HANG_LIMIT_SECONDS)

    def matching(self, params: Mapping[str, str]) -> Iterator[tuple[int, Release]]:
        """Releases matching a search: every query word in the title, category and ids agreeing."""
        words = (
            " ".join(params.get(name, "") for name in ("q", "artist", "album")).casefold().split()
        )
        categories = {int(c) for c in params.get("cat", "").split(",") if c.strip().isdigit()}
        wanted_tag = _episode_tag(params.get("season"), params.get("ep"))
        for index, release in enumerate(self.releases):
            title = release.title.casefold()
            if not all(word in title for word in words):
                continue
            if categories and not {release.category, release.category // 1000 * 1000} & categories:
                continue
            if params.get("imdbid") and params["imdbid"].removeprefix("tt") != release.imdb_id:
                continue
            if wanted_tag and wanted_tag not in title:
                continue
            yield index, release


def _episode_tag(season: str | None, episode: str | None) -> str:
    if not season or not season.isdigit():
        return ""
    return f"s{int(season):02d}" + (f"e{int(episode):02d}" if episode and episode.isdigit() else "")


class _Handler(BaseHTTPRequestHandler):
    """Routes /…/api, /dl/… (Jackett) and /1/download (Prowlarr)."""

    torznab: ClassVar[TorznabServer]

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: tests read requests from TorznabServer.requests."""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        params = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        server = self.torznab
        server.record(parts.path, params)
        if parts.path.endswith("/api"):
            self._api(params)
        elif parts.path.startswith(("/dl/", "/1/download")):
            self._download(params)
        else:
            self._send(404, b"not found", "text/plain")

    def _api(self, params: dict[str, str]) -> None:
        server = self.torznab
        fault = server.fault
        if fault is Fault.HANG:
            server.wait_for_release()
            return
        if fault is not Fault.NONE:
            self._fault(fault)
            return
        if params.get("apikey") != server.api_key:
            self._send_xml(_error_xml(100, "Invalid API Key"))
            return
        function = params.get("t", "")
        if function == "caps":
            self._send_xml(_caps_xml(server.modes, server.categories))
        elif function in ("search", "music", "movie", "tvsearch"):
            offset = int(params.get("offset", "0") or 0)
            limit = int(params.get("limit", "100") or 100)
            found = list(server.matching(params))[offset : offset + limit]
            items = "".join(_item_xml(server, index, release) for index, release in found)
            self._send_xml(_feed_xml(items))
        else:
            self._send_xml(_error_xml(202, f"No such function ({function})"), status=400)

    def _fault(self, fault: Fault) -> None:
        if fault is Fault.HTTP_500:
            self._send(500, b"<html><body>Internal Server Error</body></html>", "text/html")
        elif fault is Fault.RATE_LIMITED:
            body = _error_xml(429, "User configurable Indexer Query Limit of 10 reached.")
            self._send_xml(body, status=429, headers={"Retry-After": self.torznab.retry_after})
        elif fault is Fault.GARBAGE:
            self._send_xml(b'<?xml version="1.0"?><rss><channel><item><title>A & B</ti')
        elif fault is Fault.HTML_PAGE:
            self._send(
                200, b"<html><head><title>Just a moment...</title></head></html>", "text/html"
            )
        elif fault is Fault.BILLION_LAUGHS:
            self._send_xml(BILLION_LAUGHS)
        elif fault is Fault.EXTERNAL_ENTITY:
            self._send_xml(external_entity_xml(f"{self.torznab.origin}/evil.dtd"))

    def _download(self, params: dict[str, str]) -> None:
        server = self.torznab
        key = params.get("apikey") or params.get("jackett_apikey")
        index_text = params.get("link") or params.get("path") or ""
        if key != server.api_key:
            self._send(401, b"<html><body>Unauthorized</body></html>", "text/html")
            return
        if not index_text.isdigit() or int(index_text) >= len(server.releases):
            self._send(404, b"no such release", "text/plain")
            return
        release = server.releases[int(index_text)]
        if release.torrent is not None and params.get("magnet") != "1":
            self._send(200, release.torrent, "application/x-bittorrent")
        elif release.magnet:
            self._send(302, b"", "text/plain", headers={"Location": release.magnet})
        else:
            self._send(404, b"no torrent and no magnet", "text/plain")

    def _send_xml(
        self, body: bytes, *, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> None:
        self._send(status, body, "application/rss+xml; charset=utf-8", headers=headers)

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def _error_xml(code: int, description: str) -> bytes:
    declaration = '<?xml version="1.0" encoding="UTF-8"?>\n'
    return f'{declaration}<error code="{code}" description={quoteattr(description)} />'.encode()


def _caps_xml(modes: Mapping[str, str | None], categories: Mapping[int, str]) -> bytes:
    searching = []
    for name, params in modes.items():
        if params is None:
            searching.append(f'<{name} available="no" supportedParams="q"/>')
        elif params == "":
            searching.append(f'<{name} available="yes"/>')
        else:
            searching.append(f'<{name} available="yes" supportedParams="{params}"/>')
    parents = {cid: name for cid, name in categories.items() if cid % 1000 == 0 or cid >= 100000}
    category_xml = []
    for parent_id, parent_name in parents.items():
        subcats = "".join(
            f'<subcat id="{cid}" name={quoteattr(name)}/>'
            for cid, name in categories.items()
            if cid not in parents and cid // 1000 * 1000 == parent_id
        )
        category_xml.append(
            f'<category id="{parent_id}" name={quoteattr(parent_name)}>{subcats}</category>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><caps><server title="Loopback"/>'
        '<limits default="100" max="100"/>'
        f"<searching>{''.join(searching)}</searching>"
        f"<categories>{''.join(category_xml)}</categories></caps>"
    ).encode()


def _feed_xml(items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:torznab="http://torznab.com/schemas/2015/feed"><channel>'
        "<title>Loopback</title><description>Loopback feed</description>"
        f"{items}</channel></rss>"
    ).encode()


def _item_xml(server: TorznabServer, index: int, release: Release) -> str:
    """One <item> in the server's style (Jackett: <size>/<files> elements; Prowlarr: attrs)."""
    has_download = release.torrent is not None or release.magnet is not None
    link = release.link or (server.download_url(index) if has_download else None)
    attrs = {"category": str(release.category)}
    if release.seeders is not None:
        attrs["seeders"] = str(release.seeders)
    attrs["peers"] = str(release.peers)
    if release.info_hash:
        attrs["infohash"] = release.info_hash
    magnet = release.magnet
    if server.style == "prowlarr" and magnet:
        magnet = server.download_url(index) + "&magnet=1"
    if magnet:
        attrs["magneturl"] = magnet
    extra = ""
    if server.style == "prowlarr":
        indexer = '<prowlarrindexer id="1" type="public">Loopback</prowlarrindexer>'
        if release.files is not None:
            attrs["files"] = str(release.files)
    else:
        indexer = '<jackettindexer id="loopback">Loopback</jackettindexer>'
        extra = f"<files>{release.files}</files>" if release.files is not None else ""
    attr_xml = "".join(
        f'<torznab:attr name="{name}" value={quoteattr(value)}/>' for name, value in attrs.items()
    )
    enclosure = (
        f'<enclosure url={quoteattr(link)} length="{release.size}"'
        ' type="application/x-bittorrent"/>'
        if link
        else ""
    )
    return (
        f"<item><title>{escape(release.title)}</title>"
        f"<guid>{escape(link or release.title)}</guid>{indexer}"
        f"<pubDate>{format_datetime(release.published)}</pubDate><size>{release.size}</size>{extra}"
        f"<link>{escape(link or '')}</link><category>{release.category}</category>{enclosure}"
        f'{attr_xml}<torznab:attr name="downloadvolumefactor" value="0"/></item>'
    )


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'.encode()
        for n in range(1, 10)
    )
    + b"]><rss><channel><item><title>&lol9;</title></item></channel></rss>"
)
"""The classic entity expansion bomb: about 3 GB if a parser expanded it."""


def external_entity_xml(system_url: str) -> bytes:
    """An XXE document: an external DTD and an entity reading a local file."""
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{system_url}" ['
        '<!ENTITY secret SYSTEM "file:///etc/hostname">]>'
        "<rss><channel><item><title>&secret;</title><link>http://127.0.0.1/x</link></item></channel></rss>"
    ).encode()

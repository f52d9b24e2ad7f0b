"""Torznab client: caps (cached), t=search/music/movie/tvsearch → SearchResult; <error> → error."""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from qtorrentino.domain.magnet import magnet_info_hash
from qtorrentino.domain.redact import REDACTED
from qtorrentino.errors import IndexerError, UsageError
from qtorrentino.net.http import HttpClient, HttpError, MagnetRedirect, RateLimited
from qtorrentino.net.xml import HTML_HINT, XmlLimits, html_page, is_html_page, local_name, parse_xml
from qtorrentino.search.result import SearchResult
from qtorrentino.search.sealed_links import LinkSeal

if TYPE_CHECKING:
    from datetime import datetime
    from xml.etree.ElementTree import Element

    from qtorrentino.config.model import IndexerConfig
    from qtorrentino.config.proxy import ProxyUrl
    from qtorrentino.net.http import HttpResponse

logger = logging.getLogger(__name__)

TORZNAB_ATTR = "{http://torznab.com/schemas/2015/feed}attr"
CAPS_TTL_SECONDS = 3600.0
TORRENT_MAX_BYTES = 10 * 1024 * 1024
RESULT_LIMIT = 100
MAX_ITEMS_PER_ANSWER = 1000
FEED_LIMITS = XmlLimits(item_tag="item", max_items=MAX_ITEMS_PER_ANSWER)
FEED = "a Torznab feed"
SEARCH_MODES: dict[str, tuple[str, str, str]] = {
    "generic": ("search", "search", "q"),
    "music": ("music-search", "music", "q"),
    "movie": ("movie-search", "movie", "q"),
    "tv": ("tv-search", "tvsearch", "q,rid,season,ep"),
}
"""Kind → (caps element, t= function, params assumed when caps lists none: Sonarr's rule)."""
ASSUMED_PARAMS = {element: params for element, _, params in SEARCH_MODES.values()}
CATEGORY_FAMILY_FOR_KIND = {"music": 3000, "movie": 2000, "tv": 5000}
_KEY_PARAMETER = re.compile(r"(?i)^[a-z_]*api_?key$")
_REDACTED_KEY = re.compile(r"(?i)([?&;][a-z_]*api_?key=)" + re.escape(REDACTED))
_HEX_HASH = re.compile(r"[0-9a-f]{40}")


class IndexerKeyRejected(IndexerError):
    """The indexer refused the API key (Torznab codes 100-199): retrying will not help."""

    retryable = False


class IndexerRateLimited(IndexerError):
    """The indexer asked us to slow down; retry_after_seconds says for how long."""

    def __init__(self, message: str, *, retry_after_seconds: float, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.retry_after_seconds = retry_after_seconds


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


@dataclass(frozen=True, slots=True)
class SearchMode:
    """One search function in caps: whether it is available and which parameters it takes."""

    available: bool = False
    params: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Caps:
    """What an indexer says it can do (t=caps)."""

    modes: dict[str, SearchMode] = field(default_factory=dict)
    """By caps element name ("search", "music-search"...); audio-search counts as music-search."""
    categories: dict[int, str] = field(default_factory=dict)
    """Every category and subcategory id with its name."""
    max_results: int | None = None

    def mode(self, name: str) -> SearchMode:
        """The named mode, or an unavailable one when caps does not list it."""
        return self.modes.get(name, SearchMode())


class TorznabClient:
    """One Torznab endpoint (Jackett or Prowlarr); thread-safe."""

    def __init__(self, config: IndexerConfig, *, http: HttpClient | None = None,
                 proxy: ProxyUrl | None = None) -> None:
        base = urlsplit(config.url)
        pasted_keys = [value for key, value in parse_qsl(base.query) if _KEY_PARAMETER.match(key)]
        self._config = config
        self._api_key = str(config.api_key) or next(iter(pasted_keys), "")
        self._base = base._replace(
            query=urlencode(
                [(k, v) for k, v in parse_qsl(base.query) if not _KEY_PARAMETER.match(k)]
            )
        )
        self._host = (base.hostname or "").casefold()
        self._http = http or HttpClient(secrets=[self._api_key, *pasted_keys], proxy=proxy)
        self._seal = LinkSeal(self._api_key, config.url)
        self._caps_lock = threading.Lock()
        self._caps: tuple[Caps, float] | None = None

    @property
    def name(self) -> str:
        """The indexer's configured name."""
        return self._config.name

    def caps(self, *, deadline: float | None = None) -> Caps:
        """The indexer's caps, fetched once an hour at most."""
        with self._caps_lock:
            if self._caps is not None and time.monotonic() - self._caps[1] < CAPS_TTL_SECONDS:
                return self._caps[0]
        caps = _parse_caps(self._get_xml({"t": "caps"}, deadline, expected_root="caps"))
        with self._caps_lock:
            self._caps = (caps, time.monotonic())
        return caps

    def search(
        self, request: SearchRequest, *, deadline: float | None = None
    ) -> list[SearchResult]:
        """Search with the best function caps allows; links and magnets come back redacted (sealed).

        Raises:
            IndexerError: the indexer failed, answered garbage or an <error>; IndexerRateLimited
                and IndexerKeyRejected are the cases a caller treats specially.
        """
        params = self.search_params(request, self.caps(deadline=deadline))
        return self._results(self._get_xml(params, deadline, expected_root="rss"))

    def recent(self, *, deadline: float | None = None) -> list[SearchResult]:
        """The indexer's recent feed: t=search with no query, in the configured categories (the RSS sync).

        Raises:
            IndexerError: as search.
        """
        params = {"t": "search", "extended": "1", "limit": str(RESULT_LIMIT)}
        if self._config.categories:
            params["cat"] = ",".join(str(category) for category in self._config.categories)
        return self._results(self._get_xml(params, deadline, expected_root="rss"))

    def _results(self, root: Element) -> list[SearchResult]:
        """The usable <item>s of a feed, at most MAX_ITEMS_PER_ANSWER."""
        results: list[SearchResult] = []
        skipped = 0
        for item in root.iter("item"):
            if len(results) >= MAX_ITEMS_PER_ANSWER:
                break
            result = self._parse_item(item)
            if result is None:
                skipped += 1
            else:
                results.append(result)
        if skipped:
            logger.warning("%s: skipped %d item(s) with no title or no link", self.name, skipped)
        return results

    def search_params(self, request: SearchRequest, caps: Caps) -> dict[str, str]:
        """The query parameters (without apikey) for a request, given what caps supports."""
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
            raise IndexerError(f"{self.name}: nothing to search for: the request has no words")
        categories = self.categories_for(request.kind)
        if categories:
            params["cat"] = ",".join(str(category) for category in categories)
        params["limit"] = str(min(RESULT_LIMIT, caps.max_results or RESULT_LIMIT))
        return params

    def categories_for(self, kind: str) -> tuple[int, ...]:
        """Configured categories in the kind's family (3000s for music...), else all configured."""
        configured = self._config.categories
        family = CATEGORY_FAMILY_FOR_KIND.get(kind)
        if family is None:
            return configured
        in_family = tuple(category for category in configured if category // 1000 * 1000 == family)
        return in_family or configured or (family,)

    def fetch_torrent(
        self, link: str, *, expected_info_hash: str | None = None, deadline: float | None = None
    ) -> bytes | str:
        """Download a result's .torrent (bytes), or return the magnet URI it redirects to (str).

        A link whose API key was redacted in the results gets the configured key back, but only
        for this indexer's own host; passkeys sealed out of its path are put back.
        """
        if link.startswith("magnet:"):
            return self._checked_magnet(link, expected_info_hash)
        url = self._seal.open(self._restore_key(link), self.name)
        try:
            answer = self._http.get(
                url,
                timeout=self._timeout(deadline),
                allowed_hosts={self._host},
                max_bytes=TORRENT_MAX_BYTES,
            )
            if isinstance(answer, MagnetRedirect):
                return self._checked_magnet(answer.uri, expected_info_hash)
            self._http.raise_for_status(answer)
        except HttpError as error:
            raise self._indexer_error(error) from None
        if not answer.body.startswith(b"d"):
            kind = answer.headers.get("content-type", "unknown content").split(";")[0]
            raise IndexerError(f"{self.name}: the download link gave {kind}, not a .torrent file")
        return answer.body

    def _get_xml(
        self, params: dict[str, str], deadline: float | None, expected_root: str
    ) -> Element:
        """GET the API with params and parse the answer; <error> bodies win over the status."""
        query = urlencode(
            [*parse_qsl(self._base.query), *params.items(), ("apikey", self._api_key)]
        )
        url = urlunsplit(self._base._replace(query=query))
        try:
            answer = self._http.get(
                url, timeout=self._timeout(deadline), allowed_hosts={self._host}
            )
        except HttpError as error:
            raise self._indexer_error(error) from None
        if isinstance(answer, MagnetRedirect):
            raise IndexerError(f"{self.name}: the API answered with a magnet redirect")
        try:
            root: Element | None = parse_xml(
                answer.body, source=self.name, limits=FEED_LIMITS, expected=FEED
            )
            xml_error: IndexerError | None = None
        except IndexerError as error:
            root, xml_error = None, error
        if root is not None and local_name(root) == "error":
            raise self._torznab_error(root, answer)
        try:
            self._http.raise_for_status(answer)
        except HttpError as error:
            if is_html_page(answer.body):
                message = f"{self.name}: {error.message}: {html_page(FEED)}"
                raise IndexerError(message, hint=HTML_HINT) from None
            raise self._indexer_error(error) from None
        if root is None:
            raise xml_error or IndexerError(f"{self.name}: unreadable answer")
        if local_name(root) != expected_root:
            raise IndexerError(
                f"{self.name}: answered <{local_name(root)}> instead of <{expected_root}>"
            )
        return root

    def _torznab_error(self, root: Element, answer: HttpResponse) -> IndexerError:
        """Turn <error code=.. description=../> into the typed error a caller acts on."""
        code_text = root.get("code") or "900"
        description = self._http.redact(root.get("description") or "no description")
        code = int(code_text) if code_text.isdigit() else 900
        message = f"{self.name}: indexer error {code}: {description}"
        if 100 <= code < 200:
            return IndexerKeyRejected(
                message,
                hint=f"check api_key of the [[indexers]] entry {self.name!r} in config.toml",
            )
        if answer.status == 429 or "limit" in description.casefold():
            delay = self._http.retry_after_seconds(answer.headers.get("retry-after"))
            return IndexerRateLimited(
                f"{message} (retry after {delay:.0f}s)", retry_after_seconds=delay
            )
        return IndexerError(message)

    def _indexer_error(self, error: HttpError) -> IndexerError:
        """Name the indexer in an HTTP failure, keeping a 429's delay."""
        message = f"{self.name}: {error.message}"
        if isinstance(error, RateLimited):
            return IndexerRateLimited(message, retry_after_seconds=error.retry_after_seconds)
        return IndexerError(message, hint=error.hint)

    def _timeout(self, deadline: float | None) -> float:
        """Seconds this request may take: the configured timeout, cut to the caller's deadline."""
        timeout = self._config.timeout_seconds
        if deadline is None:
            return timeout
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise IndexerError(f"{self.name}: no answer within {timeout:g}s")
        return min(timeout, remaining)

    def _restore_key(self, link: str) -> str:
        """Put the configured API key back into a redacted link to this indexer's own host."""
        try:
            host = (urlsplit(link).hostname or "").casefold()
        except ValueError:
            return link
        if not self._api_key or host != self._host:
            return link
        return _REDACTED_KEY.sub(lambda match: match.group(1) + quote(self._api_key, safe=""), link)

    def _checked_magnet(self, magnet: str, expected_info_hash: str | None) -> str:
        """Return the magnet, refusing one whose info-hash is not the one the result promised."""
        found = _info_hash(None, magnet)
        if expected_info_hash and found and found != expected_info_hash.lower():
            raise IndexerError(
                f"{self.name}: the link led to another torrent ({found}, not {expected_info_hash})"
            )
        return magnet

    def _parse_item(self, item: Element) -> SearchResult | None:
        """One <item> as a SearchResult, or None when it has no title or nothing to download."""
        title = (item.findtext("title") or "").strip()
        attrs: dict[str, list[str]] = {}
        for attr in item.findall(TORZNAB_ATTR):
            attrs.setdefault((attr.get("name") or "").lower(), []).append(attr.get("value") or "")

        def first(name: str) -> str | None:
            return attrs.get(name, [None])[0]

        enclosure = item.find("enclosure")
        enclosure_url = enclosure.get("url") if enclosure is not None else None
        link = (enclosure_url or item.findtext("link") or "").strip() or None
        magnet = (first("magneturl") or "").strip() or None
        if magnet and not magnet.startswith("magnet:"):
            link, magnet = link or magnet, None
        if link and link.startswith("magnet:"):
            magnet, link = magnet or link, None
        if not title or not (link or magnet):
            return None
        seeders = _count(first("seeders"))
        peers = _count(first("peers"))
        leechers = _count(first("leechers"))
        if peers is None and leechers is not None:
            peers = (seeders or 0) + leechers
        sizes = (
            first("size"),
            item.findtext("size"),
            enclosure.get("length") if enclosure is not None else None,
        )
        category_texts = [
            *attrs.get("category", []),
            *(c.text or "" for c in item.findall("category")),
        ]
        redact = self._http.redact
        return SearchResult(
            title=title,
            indexer=self.name,
            size=next((size for size in map(_count, sizes) if size), 0),
            seeders=seeders,
            peers=peers or 0,
            info_hash=_info_hash(first("infohash"), magnet),
            magnet=redact(magnet) if magnet else None,
            link=redact(link) + self._seal.seal(link) if link else None,
            published=_published(item.findtext("pubDate")),
            categories=tuple(
                dict.fromkeys(c for c in map(_count, category_texts) if c is not None)
            ),
            guid=redact(guid) if (guid := (item.findtext("guid") or "").strip()) else None,
        )


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


def _parse_caps(root: Element) -> Caps:
    """Read a caps document (Jackett or Prowlarr shape)."""
    modes: dict[str, SearchMode] = {}
    searching = root.find("searching")
    for element in searching if searching is not None else ():
        name = "music-search" if local_name(element) == "audio-search" else local_name(element)
        if name == "music-search" and modes.get(name, SearchMode()).available:
            continue
        params_text = element.get("supportedParams")
        if params_text is None:
            params_text = ASSUMED_PARAMS.get(name, "q")
        params = frozenset(p.strip().lower() for p in params_text.split(",") if p.strip())
        modes[name] = SearchMode((element.get("available") or "").lower() == "yes", params)
    categories: dict[int, str] = {}
    category_root = root.find("categories")
    for category in category_root.iter() if category_root is not None else ():
        category_id = _count(category.get("id"))
        if category_id is not None and local_name(category) in ("category", "subcat"):
            categories[category_id] = category.get("name") or str(category_id)
    limits = root.find("limits")
    max_results = _count(limits.get("max")) if limits is not None else None
    return Caps(modes=modes, categories=categories, max_results=max_results or None)


def _count(text: str | None) -> int | None:
    """A non-negative integer from attribute text, or None when absent or nonsense."""
    try:
        value = int((text or "").strip())
    except ValueError:
        return None
    return value if value >= 0 else None


def _info_hash(attribute: str | None, magnet: str | None) -> str | None:
    """The lower-case hex v1 info-hash from the attribute, else what the magnet link names."""
    candidate = (attribute or "").strip().lower()
    if _HEX_HASH.fullmatch(candidate):
        return candidate
    return magnet_info_hash(magnet)


def _published(text: str | None) -> datetime | None:
    """An RFC 822 pubDate as an aware datetime; None when absent or unreadable."""
    if not text:
        return None
    try:
        moment = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

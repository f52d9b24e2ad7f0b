"""Torznab answers read: caps into Caps, feed <item>s into SearchResults, <error> into typed errors."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from qtorrentino.domain.magnet import magnet_info_hash
from qtorrentino.errors import IndexerError
from qtorrentino.net.xml import XmlLimits, local_name
from qtorrentino.search.result import SearchResult
from qtorrentino.search.torznab_request import ASSUMED_PARAMS

if TYPE_CHECKING:
    from datetime import datetime
    from xml.etree.ElementTree import Element

    from qtorrentino.net.http import HttpClient, HttpResponse
    from qtorrentino.search.sealed_links import LinkSeal

logger = logging.getLogger("qtorrentino.search.torznab")

TORZNAB_ATTR = "{http://torznab.com/schemas/2015/feed}attr"
MAX_ITEMS_PER_ANSWER = 1000
FEED_LIMITS = XmlLimits(item_tag="item", max_items=MAX_ITEMS_PER_ANSWER)
FEED = "a Torznab feed"
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


def parse_caps(root: Element) -> Caps:
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


@dataclass(frozen=True, slots=True)
class AnswerReader:
    """Reads one indexer's feeds and <error> answers, redacting keys and sealing passkeys on the way in."""

    indexer: str
    http: HttpClient
    """Redacts the indexer's secrets out of what is kept, and reads Retry-After."""
    seal: LinkSeal

    def results(self, root: Element) -> list[SearchResult]:
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
            logger.warning("%s: skipped %d item(s) with no title or no link", self.indexer, skipped)
        return results

    def error(self, root: Element, answer: HttpResponse) -> IndexerError:
        """Turn <error code=.. description=../> into the typed error a caller acts on."""
        code_text = root.get("code") or "900"
        description = self.http.redact(root.get("description") or "no description")
        code = int(code_text) if code_text.isdigit() else 900
        message = f"{self.indexer}: indexer error {code}: {description}"
        if 100 <= code < 200:
            return IndexerKeyRejected(
                message,
                hint=f"check api_key of the [[indexers]] entry {self.indexer!r} in config.toml",
            )
        if answer.status == 429 or "limit" in description.casefold():
            delay = self.http.retry_after_seconds(answer.headers.get("retry-after"))
            return IndexerRateLimited(
                f"{message} (retry after {delay:.0f}s)", retry_after_seconds=delay
            )
        return IndexerError(message)

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
        redact = self.http.redact
        return SearchResult(
            title=title,
            indexer=self.indexer,
            size=next((size for size in map(_count, sizes) if size), 0),
            seeders=seeders,
            peers=peers or 0,
            info_hash=_info_hash(first("infohash"), magnet),
            magnet=redact(magnet) if magnet else None,
            link=redact(link) + self.seal.seal(link) if link else None,
            published=_published(item.findtext("pubDate")),
            categories=tuple(
                dict.fromkeys(c for c in map(_count, category_texts) if c is not None)
            ),
            guid=redact(guid) if (guid := (item.findtext("guid") or "").strip()) else None,
        )


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

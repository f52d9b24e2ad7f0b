"""Torznab client: one endpoint over HTTP, caps cached, deadlines kept, API keys and passkeys guarded."""

from __future__ import annotations

import re
import threading
import time
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from qtorrentino.domain.magnet import magnet_info_hash
from qtorrentino.domain.redact import REDACTED
from qtorrentino.errors import IndexerError
from qtorrentino.net.http import HttpClient, HttpError, MagnetRedirect, RateLimited, TooSlow
from qtorrentino.net.xml import HTML_HINT, html_page, is_html_page, local_name, parse_xml
from qtorrentino.search.sealed_links import LinkSeal
from qtorrentino.search.torznab_answers import (
    FEED,
    FEED_LIMITS,
    AnswerReader,
    Caps,
    IndexerRateLimited,
    parse_caps,
)
from qtorrentino.search.torznab_request import recent_params, search_params

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from qtorrentino.config.model import IndexerConfig
    from qtorrentino.config.proxy import ProxyUrl
    from qtorrentino.search.result import SearchResult
    from qtorrentino.search.torznab_request import SearchRequest

CAPS_TTL_SECONDS = 3600.0
TORRENT_MAX_BYTES = 10 * 1024 * 1024
_KEY_PARAMETER = re.compile(r"(?i)^[a-z_]*api_?key$")
_REDACTED_KEY = re.compile(r"(?i)([?&;][a-z_]*api_?key=)" + re.escape(REDACTED))


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
        self._answers = AnswerReader(config.name, self._http, self._seal)
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
        caps = parse_caps(self._get_xml({"t": "caps"}, deadline, expected_root="caps"))
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
        caps = self.caps(deadline=deadline)
        params = search_params(request, caps, configured=self._config.categories, indexer=self.name)
        return self._answers.results(self._get_xml(params, deadline, expected_root="rss"))

    def recent(self, *, deadline: float | None = None) -> list[SearchResult]:
        """The indexer's recent feed: t=search with no query, in the configured categories (the RSS sync).

        Raises:
            IndexerError: as search.
        """
        params = recent_params(self._config.categories)
        return self._answers.results(self._get_xml(params, deadline, expected_root="rss"))

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
            raise self._answers.error(root, answer)
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

    def _indexer_error(self, error: HttpError) -> IndexerError:
        """Name the indexer in an HTTP failure, keeping a 429's delay."""
        message = f"{self.name}: {error.message}"
        if isinstance(error, TooSlow):  # its deadline may be what caps left of the indexer's timeout
            message = f"{self.name}: no answer from {error.shown_url} within {self._config.timeout_seconds:g}s"
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
        found = magnet_info_hash(magnet)
        if expected_info_hash and found and found != expected_info_hash.lower():
            raise IndexerError(
                f"{self.name}: the link led to another torrent ({found}, not {expected_info_hash})"
            )
        return magnet

"""The one HTTP client: total deadlines, a size cap, magnet-aware redirects, typed errors."""

from __future__ import annotations

import functools
import html
import http.client
import json
import logging
import math
import ssl
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import quote, urljoin, urlsplit

from qtorrentino import __version__
from qtorrentino.clock import Clock, SystemClock
from qtorrentino.domain.redact import redact_text
from qtorrentino.errors import QtorrentinoError
from qtorrentino.net.deadline import Deadline, open_socket
from qtorrentino.net.proxy import ProxyError

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence

    from qtorrentino.config.proxy import ProxyUrl

logger = logging.getLogger(__name__)

USER_AGENT = f"qtorrentino/{__version__}"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 5
READ_CHUNK_BYTES = 64 * 1024
DEFAULT_RETRY_AFTER_SECONDS = 60.0
MAX_RETRY_AFTER_SECONDS = 24 * 3600.0
ALLOWED_SCHEMES = frozenset({"http", "https"})
_URL_SAFE_CHARACTERS = ":/?#[]@!$&'()*+,;=%~"


class HttpError(QtorrentinoError):
    """A request failed: no answer in time, a refused URL, too large a body, or an error status."""

    retryable = True

    def __init__(self, message: str, *, status: int | None = None, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.status = status


class RateLimited(HttpError):
    """The server answered 429; retry_after_seconds says when asking again is welcome."""

    def __init__(self, message: str, *, retry_after_seconds: float, hint: str = "") -> None:
        super().__init__(message, status=429, hint=hint)
        self.retry_after_seconds = retry_after_seconds


class TooSlow(HttpError):
    """The request did not finish within its total deadline (shown_url: the URL, secrets redacted)."""

    def __init__(self, shown_url: str, seconds: float) -> None:
        super().__init__(f"no answer from {shown_url} within {round(seconds, 1):g}s")
        self.shown_url = shown_url


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A final (non-redirect) answer with its whole body."""

    url: str
    """The URL that answered, after redirects (not redacted: callers redact before showing it)."""
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    """Header names lower-cased."""
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class MagnetRedirect:
    """A redirect whose Location was a magnet URI: returned to the caller instead of followed."""

    uri: str


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The verifying TLS context, built once (loading the CA store takes ~0.1 s)."""
    return ssl.create_default_context()


class HttpClient:
    """Plain GET requests for indexers and metadata services; every failure is an HttpError.

    With a proxy (`[network] proxy`), every connection but a loopback one is tunnelled through it.
    """

    def __init__(
        self,
        *,
        secrets: Sequence[str] = (),
        user_agent: str = USER_AGENT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        clock: Clock | None = None,
        proxy: ProxyUrl | None = None,
    ) -> None:
        self._secrets = tuple(secret for secret in secrets if secret)
        self._user_agent = user_agent
        self._max_bytes = max_bytes
        self._clock = clock or SystemClock()
        self._proxy = proxy

    def redact(self, text: str) -> str:
        """Text with this client's secrets (and any key-shaped URL part) hidden."""
        return redact_text(text, self._secrets)

    def get(
        self,
        url: str,
        *,
        timeout: float,
        headers: Mapping[str, str] | None = None,
        allowed_hosts: Collection[str] | None = None,
        max_bytes: int | None = None,
    ) -> HttpResponse | MagnetRedirect:
        """GET url within timeout seconds in total, following at most MAX_REDIRECTS redirects.

        The deadline covers connecting, TLS, headers, body and every redirect. Any status is returned
        as a response (call raise_for_status); a redirect to `magnet:` is returned as a
        MagnetRedirect. allowed_hosts, when given, limits every hop to those hosts.
        """
        limit = self._max_bytes if max_bytes is None else max_bytes
        hosts = None if allowed_hosts is None else {host.casefold() for host in allowed_hosts}
        with Deadline(timeout) as deadline:
            return self._follow(url, deadline, headers or {}, hosts, limit)

    def _follow(
        self,
        url: str,
        deadline: Deadline,
        headers: Mapping[str, str],
        hosts: set[str] | None,
        limit: int,
    ) -> HttpResponse | MagnetRedirect:
        """GET url and the redirects it leads to, all under one deadline."""
        current_url = url
        for _ in range(MAX_REDIRECTS + 1):
            if current_url.startswith("magnet:"):
                return MagnetRedirect(current_url)
            self._check_url(current_url, hosts)
            response = self._get_once(current_url, deadline, headers, limit)
            location = response.headers.get("location")
            if response.status not in (301, 302, 303, 307, 308) or not location:
                return response
            location = html.unescape(location.strip())
            try:
                current_url = (
                    location if location.startswith("magnet:") else urljoin(current_url, location)
                )
            except ValueError:
                raise HttpError(f"{self.redact(url)} redirected to a malformed URL") from None
            logger.debug("redirect %s -> %s", self.redact(response.url), self.redact(current_url))
        raise HttpError(f"too many redirects (more than {MAX_REDIRECTS}) from {self.redact(url)}")

    def post_json(
        self,
        url: str,
        payload: object,
        *,
        timeout: float,
        headers: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
    ) -> HttpResponse:
        """POST payload as JSON within timeout seconds in total; redirects are not followed.

        Any status is returned as a response (call raise_for_status); the body is capped like get's.
        """
        limit = self._max_bytes if max_bytes is None else max_bytes
        self._check_url(url, None)
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        request_headers = {"Content-Type": "application/json", "Accept": "application/json",
                           **(headers or {})}
        with Deadline(timeout) as deadline:
            return self._get_once(url, deadline, request_headers, limit, method="POST", body=body)

    def raise_for_status(self, response: HttpResponse) -> None:
        """Raise RateLimited for 429 and HttpError for any other status outside 2xx."""
        if 200 <= response.status < 300:
            return
        shown_url = self.redact(response.url)
        if response.status == 429:
            delay = self.retry_after_seconds(response.headers.get("retry-after"))
            raise RateLimited(
                f"rate limited by {shown_url}: retry after {delay:.0f}s", retry_after_seconds=delay
            )
        raise HttpError(f"HTTP {response.status} from {shown_url}", status=response.status)

    def retry_after_seconds(self, header: str | None) -> float:
        """Read Retry-After (seconds or an HTTP date); a default when it is absent or unreadable."""
        if not header:
            return DEFAULT_RETRY_AFTER_SECONDS
        text = header.strip()
        try:
            delay = float(text)
            if not math.isfinite(delay):
                return DEFAULT_RETRY_AFTER_SECONDS
        except ValueError:
            try:
                moment = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                return DEFAULT_RETRY_AFTER_SECONDS
            if moment.tzinfo is None:
                return DEFAULT_RETRY_AFTER_SECONDS
            delay = (moment - self._clock.now()).total_seconds()
        return min(max(delay, 0.0), MAX_RETRY_AFTER_SECONDS)

    def _check_url(self, url: str, allowed_hosts: set[str] | None) -> None:
        """Refuse malformed URLs, schemes other than http(s) and hosts outside the allow-list."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise HttpError(f"refused malformed URL {self.redact(url)}") from None
        if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.hostname or port == 0:
            raise HttpError(
                f"refused URL {self.redact(url)}: only http, https and magnet links are allowed",
                hint="the indexer sent a link qtorrentino will not open",
            )
        if allowed_hosts is not None and parts.hostname.casefold() not in allowed_hosts:
            raise HttpError(
                f"refused {self.redact(url)}: host {parts.hostname} is not the configured indexer",
                hint="only the indexer's own host is contacted for its links",
            )

    def _get_once(
        self, url: str, deadline: Deadline, headers: Mapping[str, str], max_bytes: int,
        *, method: str = "GET", body: bytes | None = None,
    ) -> HttpResponse:
        """One request (GET unless told), no redirects followed; the deadline cuts it off anywhere."""
        parts = urlsplit(quote(url, safe=_URL_SAFE_CHARACTERS))
        shown_url = self.redact(url)
        tls = _tls_context() if parts.scheme.lower() == "https" else None
        connection = _DeadlineConnection(parts.hostname or "", parts.port, deadline, tls,
                                         self._proxy)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request_headers = {"User-Agent": self._user_agent, "Accept-Encoding": "identity", **headers}
        response: http.client.HTTPResponse | None = None
        try:
            connection.request(method, target, body=body, headers=request_headers)
            response = connection.getresponse()
            body = self._read_body(response, connection, deadline, max_bytes, shown_url)
            if deadline.passed:
                raise self._too_slow(shown_url, deadline)
            response_headers = {name.lower(): value for name, value in response.getheaders()}
            return HttpResponse(
                url=url, status=response.status, headers=response_headers, body=body
            )
        except ProxyError as error:
            if deadline.passed:
                raise self._too_slow(shown_url, deadline) from None
            raise HttpError(f"request to {shown_url} failed: {error}",
                            hint="check [network] proxy (`qtorrentino doctor` tests it)") from None
        except ssl.SSLError as error:
            if deadline.passed:
                raise self._too_slow(shown_url, deadline) from None
            raise HttpError(
                f"TLS failure talking to {shown_url}: {error.reason or error}",
                hint="the certificate is not trusted; fix the server or its URL",
            ) from None
        except (OSError, http.client.HTTPException) as error:
            if deadline.passed or isinstance(error, TimeoutError):
                raise self._too_slow(shown_url, deadline) from None
            reason = self.redact(str(error)) or type(error).__name__
            raise HttpError(f"request to {shown_url} failed: {reason}") from None
        finally:
            if response is not None:
                response.close()
            connection.close()

    def _read_body(
        self,
        response: http.client.HTTPResponse,
        connection: http.client.HTTPConnection,
        deadline: Deadline,
        max_bytes: int,
        shown_url: str,
    ) -> bytes:
        """Read the body in chunks, refusing more than max_bytes."""
        declared = response.getheader("Content-Length")
        if declared and declared.strip().isdigit() and int(declared) > max_bytes:
            raise HttpError(
                f"response from {shown_url} is {int(declared)} bytes; the limit is {max_bytes}"
            )
        chunks: list[bytes] = []
        received = 0
        while True:
            if connection.sock is not None:
                connection.sock.settimeout(deadline.remaining())
            chunk = response.read1(READ_CHUNK_BYTES)
            if not chunk:
                return b"".join(chunks)
            received += len(chunk)
            if received > max_bytes:
                raise HttpError(f"response from {shown_url} is over the {max_bytes}-byte limit")
            chunks.append(chunk)

    @staticmethod
    def _too_slow(shown_url: str, deadline: Deadline) -> HttpError:
        """The error for a request that did not finish within its total deadline."""
        return TooSlow(shown_url, deadline.seconds)


class _DeadlineConnection(http.client.HTTPConnection):
    """An HTTP(S) connection whose socket is opened and TLS-wrapped under the request's deadline."""

    def __init__(
        self, host: str, port: int | None, deadline: Deadline, tls: ssl.SSLContext | None,
        proxy: ProxyUrl | None = None,
    ) -> None:
        super().__init__(host, port or (443 if tls else 80), timeout=deadline.remaining())
        self.default_port = 443 if tls else 80
        self._deadline = deadline
        self._tls = tls
        self._proxy = proxy

    def connect(self) -> None:
        sock = open_socket((self.host, self.port), self._deadline, self._proxy)
        if self._tls is not None:
            sock = self._tls.wrap_socket(
                sock, server_hostname=self.host, do_handshake_on_connect=False
            )
            self._deadline.guard(sock)
            sock.do_handshake()
        sock.settimeout(self._deadline.remaining())
        self.sock = sock

"""The HTTP client, the token bucket and untrusted XML parsing, against a real loopback server."""

from __future__ import annotations

import threading
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, ClassVar

import pytest

from qtorrentino import __version__
from qtorrentino.clock import FrozenClock
from qtorrentino.errors import IndexerError, MetadataError
from qtorrentino.net.http import HttpClient, HttpError, HttpResponse, MagnetRedirect, RateLimited
from qtorrentino.net.ratelimit import TokenBucket
from qtorrentino.net.xml import XmlLimits, parse_xml
from tests.servers.drip import DripServer
from tests.servers.torznab import BILLION_LAUGHS, external_entity_xml

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

SECRET = "s3cr3t-api-key-value"  # noqa: S105 - a test value that must never be shown
MAGNET = (
    "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=Album&tr=http://t.example/a"
)
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


class _Routes(BaseHTTPRequestHandler):
    """Fixed behaviours keyed by path; hits are counted so tests can prove nothing was fetched."""

    hits: ClassVar[dict[str, int]] = {}
    release: ClassVar[threading.Event] = threading.Event()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.hits[path] = self.hits.get(path, 0) + 1
        port = self.headers.get("Host", "").rsplit(":", 1)[-1]
        redirects = {
            "/magnet": MAGNET.replace("&", "&amp;"),
            "/relative": "/ok",
            "/loop": "/loop",
            "/file": "file:///etc/passwd",
            "/elsewhere": f"http://localhost:{port}/ok",
        }
        if path == "/relative-to":
            self._reply(302, b"", {"Location": self.path.split("?", 1)[1]})
        elif path in redirects:
            self._reply(302, b"", {"Location": redirects[path]})
        elif path == "/ok":
            self._reply(200, self.headers.get("User-Agent", "").encode())
        elif path == "/big":
            self._reply(200, b"x" * 5000)
        elif path == "/big-unannounced":
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"y" * 5000)
        elif path == "/drip":
            self.send_response(200)
            self.end_headers()
            for _ in range(100):
                if self.release.wait(0.05):
                    return
                self.wfile.write(b"z")
                self.wfile.flush()
        elif path == "/hang":
            self.release.wait(10)
        elif path == "/429":
            self._reply(429, b"slow down", {"Retry-After": "7"})
        elif path == "/429-date":
            self._reply(
                429, b"", {"Retry-After": format_datetime(NOW + timedelta(seconds=90), usegmt=True)}
            )
        else:
            self._reply(500, b"boom")

    def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Routes)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    _Routes.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def client() -> HttpClient:
    return HttpClient(secrets=[SECRET], max_bytes=1000, clock=FrozenClock(NOW))


def _response(answer: HttpResponse | MagnetRedirect) -> HttpResponse:
    assert isinstance(answer, HttpResponse), answer
    return answer


def test_requests_carry_the_qtorrentino_user_agent(client: HttpClient, origin: str) -> None:
    answer = _response(client.get(f"{origin}/ok", timeout=5))
    assert answer.status == 200
    assert answer.body.decode() == f"qtorrentino/{__version__}"


def test_redirect_to_a_magnet_is_returned_not_followed(client: HttpClient, origin: str) -> None:
    answer = client.get(f"{origin}/magnet", timeout=5)
    assert answer == MagnetRedirect(MAGNET)


def test_relative_redirects_are_followed(client: HttpClient, origin: str) -> None:
    answer = _response(client.get(f"{origin}/relative", timeout=5))
    assert answer.status == 200
    assert answer.url == f"{origin}/ok"


def test_redirect_loops_stop(client: HttpClient, origin: str) -> None:
    with pytest.raises(HttpError, match="too many redirects"):
        client.get(f"{origin}/loop", timeout=5)


def test_redirect_to_a_local_file_is_refused(client: HttpClient, origin: str) -> None:
    with pytest.raises(HttpError, match="only http, https and magnet"):
        client.get(f"{origin}/file", timeout=5)


def test_redirect_to_another_host_is_refused_when_hosts_are_pinned(
    client: HttpClient, origin: str
) -> None:
    before = _Routes.hits.get("/ok", 0)
    with pytest.raises(HttpError, match="host localhost is not the configured indexer"):
        client.get(f"{origin}/elsewhere", timeout=5, allowed_hosts={"127.0.0.1"})
    assert _Routes.hits.get("/ok", 0) == before


@pytest.mark.parametrize("path", ["/big", "/big-unannounced"])
def test_bodies_over_the_cap_are_refused(client: HttpClient, origin: str, path: str) -> None:
    with pytest.raises(HttpError, match="limit"):
        client.get(f"{origin}{path}", timeout=5)


def test_a_slow_drip_body_hits_the_total_deadline(client: HttpClient, origin: str) -> None:
    started = time.monotonic()
    with pytest.raises(HttpError, match=r"within 0\.4s"):
        client.get(f"{origin}/drip", timeout=0.4)
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("mode", ["headers", "body"])
def test_a_server_dripping_headers_or_body_is_cut_off_at_the_total_deadline(
    client: HttpClient, mode: str
) -> None:
    with DripServer(mode=mode, interval=0.05) as server:
        started = time.monotonic()
        with pytest.raises(HttpError, match=r"no answer from .* within 0\.5s"):
            client.get(f"{server.origin}/api?apikey={SECRET}&t=caps", timeout=0.5)
        assert time.monotonic() - started < 1.0
        assert server.wait_hung_up(timeout=2.0), "the connection stayed open after the deadline"


def test_a_deadline_covers_redirects_too(client: HttpClient, origin: str) -> None:
    with DripServer(interval=0.05) as server:
        started = time.monotonic()
        with pytest.raises(HttpError, match=r"within 0\.5s"):
            client.get(f"{origin}/relative-to?{server.origin}/x", timeout=0.5)
        assert time.monotonic() - started < 1.0


def test_a_server_that_never_answers_times_out(client: HttpClient, origin: str) -> None:
    started = time.monotonic()
    with pytest.raises(HttpError, match="no answer"):
        client.get(f"{origin}/hang", timeout=0.3)
    assert time.monotonic() - started < 1.0


def test_429_carries_the_retry_after_delay_in_seconds(client: HttpClient, origin: str) -> None:
    answer = _response(client.get(f"{origin}/429", timeout=5))
    with pytest.raises(RateLimited) as raised:
        client.raise_for_status(answer)
    assert raised.value.retry_after_seconds == 7


def test_429_with_an_http_date_counts_from_the_clock(client: HttpClient, origin: str) -> None:
    answer = _response(client.get(f"{origin}/429-date", timeout=5))
    with pytest.raises(RateLimited) as raised:
        client.raise_for_status(answer)
    assert raised.value.retry_after_seconds == 90


def test_error_messages_never_show_the_key(client: HttpClient, origin: str) -> None:
    answer = _response(client.get(f"{origin}/broken?apikey={SECRET}&q=x", timeout=5))
    with pytest.raises(HttpError) as raised:
        client.raise_for_status(answer)
    assert raised.value.status == 500
    assert SECRET not in str(raised.value)
    assert "apikey=***" in str(raised.value)


@pytest.mark.parametrize(
    "url",
    ["http://[::1/api", "http://127.0.0.1:port/api", "ftp://127.0.0.1/x", "data:text/plain,x"],
)
def test_malformed_or_foreign_urls_are_typed_errors(client: HttpClient, url: str) -> None:
    with pytest.raises(HttpError, match="refused"):
        client.get(url, timeout=1)


def test_a_refused_connection_is_a_typed_error_without_the_key(client: HttpClient) -> None:
    probe = ThreadingHTTPServer(("127.0.0.1", 0), _Routes)
    port = probe.server_address[1]
    probe.server_close()
    with pytest.raises(HttpError) as raised:
        client.get(f"http://127.0.0.1:{port}/api?jackett_apikey={SECRET}", timeout=2)
    assert SECRET not in str(raised.value)


def test_token_bucket_allows_a_burst_then_refills_at_the_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(30, burst=2, monotonic=lambda: now[0])
    assert bucket.try_acquire()
    assert bucket.try_acquire()
    assert not bucket.try_acquire()
    assert bucket.wait_seconds() == pytest.approx(2.0)
    now[0] += 2.0
    assert bucket.try_acquire()
    assert not bucket.try_acquire()


def test_token_bucket_hands_out_each_token_once_across_threads() -> None:
    bucket = TokenBucket(1, burst=5)
    granted: list[bool] = []
    lock = threading.Lock()

    def take() -> None:
        result = bucket.try_acquire()
        with lock:
            granted.append(result)

    threads = [threading.Thread(target=take) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert granted.count(True) == 5


def test_token_bucket_acquire_waits_for_the_next_token_or_gives_up() -> None:
    bucket = TokenBucket(600, burst=1)
    assert bucket.acquire(timeout=0)
    started = time.monotonic()
    assert bucket.acquire(timeout=1)
    assert 0.05 <= time.monotonic() - started < 0.5
    assert not bucket.acquire(timeout=0.01)


def test_zero_rate_means_no_limit() -> None:
    bucket = TokenBucket(0)
    assert all(bucket.try_acquire() for _ in range(1000))


def test_billion_laughs_is_refused_quickly_and_without_memory_growth() -> None:
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(IndexerError, match="DTD"):
            parse_xml(BILLION_LAUGHS, source="indexer evil")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 1.0
    assert peak < 64 * 1024 * 1024


def test_external_entities_read_no_file_and_fetch_nothing(tmp_path: Path, origin: str) -> None:
    canary = tmp_path / "canary.txt"
    canary.write_text("CANARY-CONTENT")
    document = external_entity_xml(f"{origin}/evil.dtd").replace(
        b"file:///etc/hostname", f"file://{canary}".encode()
    )
    with pytest.raises(IndexerError) as raised:
        parse_xml(document, source="indexer evil")
    assert "CANARY" not in str(raised.value)
    assert _Routes.hits.get("/evil.dtd", 0) == 0


def test_parameter_entities_are_refused() -> None:
    document = b'<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]><r/>'
    with pytest.raises(IndexerError, match="refused as unsafe"):
        parse_xml(document, source="indexer evil")


@pytest.mark.parametrize(
    "document",
    [
        b"<rss><channel><title>A & B</title></channel></rss>",
        b'<rss version="<2"/>',
        b"<rss><channel><item><title>cut",
        b'<?xml version="1.0" encoding="no-such-encoding"?><rss/>',
        b"",
        b"\x00\x01\x02 not xml",
    ],
    ids=["raw-ampersand", "lt-in-attribute", "truncated", "bad-encoding", "empty", "binary"],
)
def test_malformed_xml_is_a_typed_error(document: bytes) -> None:
    with pytest.raises(IndexerError, match="indexer broken"):
        parse_xml(document, source="indexer broken")


def test_a_bom_and_leading_whitespace_are_accepted() -> None:
    root = parse_xml(b'\xef\xbb\xbf\r\n  <?xml version="1.0"?><caps/>', source="indexer")
    assert root.tag == "caps"


def test_oversized_xml_is_refused_before_parsing() -> None:
    with pytest.raises(IndexerError, match="the limit is 100"):
        parse_xml(b"<r>" + b"a" * 200 + b"</r>", source="indexer big", max_bytes=100)


def test_other_callers_choose_their_error_type() -> None:
    with pytest.raises(MetadataError, match="musicbrainz"):
        parse_xml(b"<r>", source="musicbrainz", error_type=MetadataError)


CLOUDFLARE_PAGE = (
    b"<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment...</title></head>"
    b"<body><noscript>Enable JavaScript and cookies to continue</noscript></body></html>"
)


@pytest.mark.parametrize(
    "page",
    [
        CLOUDFLARE_PAGE,
        b"\r\n<html><head><title>Login</title></head><body><form/></body></html>",
        b'<?xml version="1.0"?>\n<!-- login -->\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd"><html xmlns="http://www.w3.org/1999/xhtml"/>',
    ],
    ids=["cloudflare-doctype", "login-page", "xhtml"],
)
def test_an_html_page_is_named_as_such_not_as_hostile_xml(page: bytes) -> None:
    with pytest.raises(IndexerError) as raised:
        parse_xml(page, source="indexer", expected="a Torznab feed")
    assert str(raised.value) == (
        "indexer: an HTML page, not a Torznab feed "
        "(is the URL or API key right? a Cloudflare challenge?)"
    )


FLOOD_BYTES = 16 * 1024 * 1024 - 64


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b"<rss><channel>" + b"<a/>" * (FLOOD_BYTES // 4) + b"</channel></rss>", "more than 100000 elements"),
        (b"<a>" * (FLOOD_BYTES // 3), "nested more than 32 deep"),
        (b'<rss><item t="' + b"x" * FLOOD_BYTES + b'"/></rss>', "a single tag or comment over"),
        (b"<rss><item" + b"".join(b' a%d=">"' % n for n in range(1500)) + b"/></rss>", "more than 1000 attributes"),
        (b"<rss><title>" + b"x" * FLOOD_BYTES + b"</title></rss>", "characters of text in one element"),
    ],
    ids=["element-flood", "deep-nesting", "huge-attribute", "many-attributes", "huge-text"],
)
def test_floods_under_the_size_cap_are_refused_with_the_limit_they_crossed(
    document: bytes, reason: str
) -> None:
    with pytest.raises(IndexerError, match=reason) as raised:
        parse_xml(document, source="indexer flood")
    assert str(raised.value).startswith("indexer flood: XML with ")


def test_a_feed_is_cut_after_max_items_and_keeps_what_came_before() -> None:
    items = b"".join(b"<item><title>%d</title></item>" % n for n in range(1500))
    root = parse_xml(
        b"<rss><channel>" + items + b"</channel></rss>",
        source="indexer",
        limits=XmlLimits(item_tag="item", max_items=1000),
    )
    titles = [item.findtext("title") for item in root.iter("item")]
    assert titles == [str(n) for n in range(1000)]

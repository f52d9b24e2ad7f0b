"""HttpClient.post_json: a JSON body out, GET's total deadline and size cap, no redirects."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, ClassVar

import pytest

from qtorrentino.net.http import HttpClient, HttpError

if TYPE_CHECKING:
    from collections.abc import Iterator

SECRET = "sk-post-test-secret-0123456789"  # noqa: S105 - a test value that must never be shown


class _Routes(BaseHTTPRequestHandler):
    """Echoes what it was sent; or drips, hangs, floods or redirects."""

    release: ClassVar[threading.Event] = threading.Event()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/echo":
            echoed = {"method": self.command, "content_type": self.headers.get("Content-Type"),
                      "auth": self.headers.get("Authorization"), "body": json.loads(body)}
            self._reply(200, json.dumps(echoed, ensure_ascii=False).encode())
        elif self.path == "/drip":
            self.send_response(200)
            self.end_headers()
            for _ in range(100):
                if self.release.wait(0.05):
                    return
                self.wfile.write(b" ")
                self.wfile.flush()
        elif self.path == "/hang":
            self.release.wait(10)
        elif self.path == "/flood":
            self._reply(200, b"x" * 5000)
        elif self.path == "/moved":
            self._reply(307, b"", {"Location": "/echo"})
        else:
            self._reply(404, b"{}")

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
    return HttpClient(secrets=[SECRET], max_bytes=1000)


def test_the_payload_arrives_as_json_with_the_callers_headers(
    client: HttpClient, origin: str
) -> None:
    payload = {"model": "llama3.1",
               "messages": [{"role": "user", "content": "Мумий Тролль – Морская"}]}
    answer = client.post_json(f"{origin}/echo", payload, timeout=5,
                              headers={"Authorization": f"Bearer {SECRET}"})
    echoed = json.loads(answer.body)
    assert answer.status == 200
    assert echoed == {"method": "POST", "content_type": "application/json",
                      "auth": f"Bearer {SECRET}", "body": payload}


def test_a_slow_drip_answer_hits_the_total_deadline(client: HttpClient, origin: str) -> None:
    started = time.monotonic()
    with pytest.raises(HttpError, match=r"within 0\.4s"):
        client.post_json(f"{origin}/drip", {}, timeout=0.4)
    assert time.monotonic() - started < 1.0


def test_a_server_that_never_answers_times_out(client: HttpClient, origin: str) -> None:
    started = time.monotonic()
    with pytest.raises(HttpError, match="no answer"):
        client.post_json(f"{origin}/hang", {}, timeout=0.3)
    assert time.monotonic() - started < 1.0


def test_an_answer_over_the_cap_is_refused(client: HttpClient, origin: str) -> None:
    with pytest.raises(HttpError, match="limit"):
        client.post_json(f"{origin}/flood", {}, timeout=5)


def test_redirects_are_returned_not_followed(client: HttpClient, origin: str) -> None:
    answer = client.post_json(f"{origin}/moved", {"a": 1}, timeout=5)
    assert answer.status == 307
    with pytest.raises(HttpError, match="HTTP 307"):
        client.raise_for_status(answer)


def test_only_http_urls_are_posted_to(client: HttpClient) -> None:
    with pytest.raises(HttpError, match="refused"):
        client.post_json("file:///etc/passwd", {}, timeout=1)

"""A loopback HTTP server that answers `200 OK` and then drips its headers (or its body) one line at a time.

Requests the `drips` predicate does not pick are relayed to an upstream server (a real loopback Torznab), so a
test can make one endpoint misbehave (the caps, the search, a .torrent link) while the rest answers properly.
Each dripped connection is recorded with when the client gave up on it, so a test can see a deadline end
the request for real, not just stop the caller waiting.
"""

from __future__ import annotations

import http.client
import socketserver
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Self

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

DRIP_LIMIT_SECONDS = 90.0
"""A dripped answer never lasts longer than this, whatever the client does."""


@dataclass
class Dripped:
    """One request the server dripped: its target, when it began, and when the client hung up (or None)."""

    target: str
    started: float
    hung_up: float | None = None


@dataclass
class DripServer:
    """Serves on 127.0.0.1; `mode` "headers" drips header lines, "body" sends headers and drips the body."""

    mode: str = "headers"
    interval: float = 0.2
    upstream: str | None = None
    """http://127.0.0.1:PORT that requests not picked by `drips` are relayed to (404 without one)."""
    drips: Callable[[str], bool] = lambda target: True
    """Picks the request targets (path and query) to drip."""
    dripped: list[Dripped] = field(default_factory=list)
    _server: socketserver.ThreadingTCPServer | None = field(default=None, init=False, repr=False)
    _stopping: threading.Event = field(default_factory=threading.Event, init=False, repr=False)

    def start(self) -> Self:
        bound = type("BoundDripHandler", (_Handler,), {"drip": self})
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), bound)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), name="drip-server",
                         daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def origin(self) -> str:
        """http://127.0.0.1:PORT of the running server."""
        assert self._server is not None, "start() the server first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def wait_hung_up(self, timeout: float) -> bool:
        """True once every dripped request was abandoned by its client (waits at most timeout seconds)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.dripped and all(entry.hung_up is not None for entry in self.dripped):
                return True
            time.sleep(0.05)
        return False


class _Handler(socketserver.StreamRequestHandler):
    drip: ClassVar[DripServer]

    def handle(self) -> None:
        request_line = self.rfile.readline(8192).decode("latin-1")
        while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
            pass
        parts = request_line.split()
        target = parts[1] if len(parts) >= 2 else "/"
        server = self.drip
        if not server.drips(target):
            self._relay(target)
            return
        entry = Dripped(target=target, started=time.monotonic())
        server.dripped.append(entry)
        try:
            self._send(b"HTTP/1.1 200 OK\r\n")
            if server.mode == "body":
                self._send(b"Content-Type: application/rss+xml\r\nConnection: close\r\n\r\n<rss>")
            number = 0
            while not server._stopping.wait(server.interval):
                if time.monotonic() - entry.started > DRIP_LIMIT_SECONDS:
                    return
                number += 1
                line = f"X-Drip-{number}: {'.' * 10}\r\n" if server.mode == "headers" else "<a/>\n"
                self._send(line.encode())
        except OSError:
            entry.hung_up = time.monotonic()

    def _send(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()

    def _relay(self, target: str) -> None:
        """Answer from the upstream server, as it answered."""
        upstream = self.drip.upstream
        if upstream is None:
            self._send(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        host, port = upstream.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            connection.request("GET", target)
            answer = connection.getresponse()
            body = answer.read()
            head = [f"HTTP/1.1 {answer.status} {answer.reason}"]
            head += [f"{name}: {value}" for name, value in answer.getheaders()
                     if name.lower() not in ("content-length", "connection", "transfer-encoding")]
            head += [f"Content-Length: {len(body)}", "Connection: close"]
            self._send(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        finally:
            connection.close()

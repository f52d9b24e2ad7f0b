"""What the stub metadata services share: a threaded HTTP server on 127.0.0.1, started and stopped around a test."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Self

if TYPE_CHECKING:
    from types import TracebackType


@dataclass
class LoopbackServer:
    """Serves a handler class on a free loopback port; subclasses say which handler and how it finds them."""

    requests: list[dict[str, str]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def serve(self, handler: type[BaseHTTPRequestHandler], attribute: str) -> Self:
        """Start serving; the handler reaches this server as `self.<attribute>`."""
        bound = type("BoundHandler", (handler,), {attribute: self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), bound)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), name=f"{attribute}-server",
                         daemon=True).start()
        return self

    def start(self) -> Self:
        raise NotImplementedError

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
    def origin(self) -> str:
        """http://127.0.0.1:PORT of the running server."""
        assert self._server is not None, "start() the server first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def log_request_of(self, entry: dict[str, str]) -> None:
        """Keep one request for the test to read."""
        with self._lock:
            self.requests.append(entry)

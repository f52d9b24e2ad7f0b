"""One total deadline per request: what is left of it, and a timer that cuts the request's sockets when it passes.

A socket timeout bounds each read, not the request: a server that sends one header line every 0.2 s never
trips a 5 s read timeout. The timer shuts the socket down at the deadline, so whatever call is blocked on it
(connect, TLS handshake, headers, body) returns at once and the request ends for real.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import TYPE_CHECKING, Self

from qtorrentino.net.proxy import ProxyError, bypasses_proxy, tunnel

if TYPE_CHECKING:
    from types import TracebackType

    from qtorrentino.config.proxy import ProxyUrl


class Deadline:
    """A request's total time limit, used as `with Deadline(seconds) as deadline:` around the whole request."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._passed = False
        self._timer: threading.Timer | None = None

    @property
    def passed(self) -> bool:
        """True once the deadline has passed (and the guarded sockets were cut)."""
        with self._lock:
            return self._passed or time.monotonic() >= self._end

    def remaining(self) -> float:
        """Seconds left, never below a millisecond (a zero timeout would make a socket non-blocking)."""
        return max(0.001, self._end - time.monotonic())

    def guard(self, sock: socket.socket) -> None:
        """Cut this socket when the deadline passes (at once if it already has)."""
        with self._lock:
            self._sockets.append(sock)
            late = self._passed
        if late:
            _cut(sock)

    def __enter__(self) -> Self:
        self._timer = threading.Timer(self.remaining(), self._expire)
        self._timer.daemon = True
        self._timer.name = "http-deadline"
        self._timer.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            self._passed = True
            sockets = tuple(self._sockets)
        for sock in sockets:
            _cut(sock)


def _cut(sock: socket.socket) -> None:
    """Shut the connection down under whoever is blocked on it (TLS sockets included: the fd is shared)."""
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def open_socket(address: tuple[str, int], deadline: Deadline,
                proxy: ProxyUrl | None = None) -> socket.socket:
    """A TCP connection to (host, port) made before the deadline, through the proxy if one is given.

    The one place a connection is opened. Through a proxy, the proxy resolves the host name and
    the tunnel's handshake runs under the same deadline; a loopback target is reached directly
    (net/proxy.py). Name resolution itself cannot be interrupted; every connect attempt gets only
    what is left of the deadline.
    """
    if proxy is None or bypasses_proxy(address[0]):
        return _connect(address, deadline)
    try:
        sock = _connect((proxy.host, proxy.port), deadline)
    except OSError as error:
        raise ProxyError(f"cannot reach the {proxy.scheme} proxy at {proxy.address}: "
                         f"{error.strerror or error}") from None
    try:
        tunnel(sock, proxy, address, deadline)
    except ProxyError:
        sock.close()
        raise
    except OSError as error:
        sock.close()
        if deadline.passed:
            raise
        raise ProxyError(f"the {proxy.scheme} proxy at {proxy.address} broke off the handshake: "
                         f"{error.strerror or error}") from None
    return sock


def _connect(address: tuple[str, int], deadline: Deadline) -> socket.socket:
    """A direct TCP connection, trying each resolved address in turn."""
    host, port = address
    last_error: OSError | None = None
    for family, kind, protocol, _, target in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        sock = socket.socket(family, kind, protocol)
        deadline.guard(sock)
        try:
            sock.settimeout(deadline.remaining())
            sock.connect(target)
        except OSError as error:
            sock.close()
            last_error = error
            if deadline.passed:
                break
            continue
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    raise last_error or OSError(f"no address found for {host}")

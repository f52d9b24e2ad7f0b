"""A loopback HTTP CONNECT proxy (optional Basic login); a proxy that accepts and never answers."""

from __future__ import annotations

import base64
import contextlib
import socket
import threading
from dataclasses import dataclass, field
from typing import Self

from tests.servers.socks5 import ALLOWED_HOSTS, _relay

MAX_HEADER_BYTES = 16 * 1024


@dataclass
class _Listener:
    """Accepts connections on 127.0.0.1 in a thread and hands each to `_serve`."""

    connections: list[socket.socket] = field(default_factory=list)
    _listener: socket.socket | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> Self:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        threading.Thread(target=self._accept, name=type(self).__name__, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()
        if self._listener is not None:
            self._listener.close()
        for connection in self.connections:
            connection.close()

    @property
    def port(self) -> int:
        assert self._listener is not None
        return int(self._listener.getsockname()[1])

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        raise NotImplementedError


@dataclass
class HttpConnectProxy(_Listener):
    """HTTP CONNECT to loopback only; `connects` lists each host:port asked for; `names` are the
    host names it resolves (to a loopback address)."""

    username: str = ""
    password: str = ""
    names: dict[str, str] = field(default_factory=dict)
    connects: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        login = f"{self.username}:{self.password}@" if self.username else ""
        return f"http://{login}127.0.0.1:{self.port}"

    def _serve(self, client: socket.socket) -> None:
        with contextlib.closing(client):
            head = b""
            while not head.endswith(b"\r\n\r\n") and len(head) < MAX_HEADER_BYTES:
                byte = client.recv(1)
                if not byte:
                    return
                head += byte
            request, *header_lines = head.decode("latin-1").split("\r\n")
            method, authority, _ = request.split(" ", 2)
            headers = {name.strip().lower(): value.strip() for name, _, value in
                       (line.partition(":") for line in header_lines if line)}
            self.connects.append(authority)
            if self.username:
                expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
                if headers.get("proxy-authorization") != f"Basic {expected}":
                    client.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                                   b"Proxy-Authenticate: Basic realm=\"test\"\r\n\r\n")
                    return
            host, _, port = authority.rpartition(":")
            address = self.names.get(host, host)
            if method != "CONNECT" or address not in ALLOWED_HOSTS:
                client.sendall(b"HTTP/1.1 403 Forbidden\r\n\r\n")
                return
            upstream = socket.create_connection((address, int(port)), timeout=10)
            with contextlib.closing(upstream):
                upstream.settimeout(None)
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                pump = threading.Thread(target=_relay, args=(upstream, client), daemon=True)
                pump.start()
                _relay(client, upstream)
                pump.join(5)


@dataclass
class StallingProxy(_Listener):
    """Accepts every connection and never says a word: a proxy (or a tunnel) that hangs."""

    def _serve(self, client: socket.socket) -> None:
        self._stopping.wait(120)

"""A loopback SOCKS5 proxy (RFC 1928 CONNECT, RFC 1929 user/password) that records where it connected."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from dataclasses import dataclass, field
from typing import Self

RELAY_CHUNK = 65536
ALLOWED_HOSTS = ("127.0.0.1", "localhost")
"""It relays to loopback only: nothing in a test may reach further."""


@dataclass
class Socks5Proxy:
    """Serves on 127.0.0.1; `connects` lists each (host, port) a client asked for, `logins` each user."""

    username: str = ""
    password: str = ""
    names: dict[str, str] = field(default_factory=dict)
    """Host names this proxy resolves (to a loopback address): only a client that went through it
    reaches such a name."""
    connects: list[tuple[str, int]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    _listener: socket.socket | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> Self:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        threading.Thread(target=self._accept, name="socks5-proxy", daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()
        if self._listener is not None:
            self._listener.close()

    @property
    def url(self) -> str:
        """socks5://[user:pass@]127.0.0.1:PORT"""
        assert self._listener is not None
        login = f"{self.username}:{self.password}@" if self.username else ""
        return f"socks5://{login}127.0.0.1:{self._listener.getsockname()[1]}"

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with contextlib.closing(client):
            try:
                upstream = self._handshake(client)
            except (OSError, ValueError, struct.error):
                return
            if upstream is None:
                return
            with contextlib.closing(upstream):
                pump = threading.Thread(target=_relay, args=(upstream, client), daemon=True)
                pump.start()
                _relay(client, upstream)
                pump.join(5)

    def _handshake(self, client: socket.socket) -> socket.socket | None:
        version, count = _read(client, 2)
        methods = _read(client, count)
        wanted = 2 if self.username else 0
        if version != 5 or wanted not in methods:
            client.sendall(b"\x05\xff")
            return None
        client.sendall(bytes([5, wanted]))
        if wanted == 2:
            _, user_length = _read(client, 2)
            user = _read(client, user_length).decode()
            password = _read(client, _read(client, 1)[0]).decode()
            accepted = (user, password) == (self.username, self.password)
            client.sendall(b"\x01\x00" if accepted else b"\x01\x01")
            if not accepted:
                return None
            self.logins.append(user)
        _, command, _, kind = _read(client, 4)
        if kind == 1:
            host = socket.inet_ntoa(_read(client, 4))
        elif kind == 3:
            host = _read(client, _read(client, 1)[0]).decode()
        else:
            raise ValueError("only IPv4 and host names")
        port = struct.unpack(">H", _read(client, 2))[0]
        self.connects.append((host, port))
        address = self.names.get(host, host)
        if command != 1 or address not in ALLOWED_HOSTS:
            client.sendall(b"\x05\x02\x00\x01" + bytes(6))
            return None
        upstream = socket.create_connection((address, port), timeout=10)
        upstream.settimeout(None)
        bound_host, bound_port = upstream.getsockname()[:2]
        client.sendall(b"\x05\x00\x00\x01" + socket.inet_aton(bound_host) + struct.pack(">H", bound_port))
        return upstream


def _read(connection: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = connection.recv(count - len(data))
        if not chunk:
            raise ValueError("closed mid-handshake")
        data += chunk
    return data


def _relay(source: socket.socket, target: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while chunk := source.recv(RELAY_CHUNK):
            target.sendall(chunk)
    with contextlib.suppress(OSError):
        target.shutdown(socket.SHUT_WR)

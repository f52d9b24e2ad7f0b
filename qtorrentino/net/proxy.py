"""A tunnel through the [network] proxy on a connected socket: SOCKS5 (RFC 1928/1929), HTTP CONNECT.

The proxy resolves the target's host name (no DNS query of ours for it). Every read waits only for
what is left of the request's deadline, and the deadline's timer cuts the socket under a proxy that
stalls, so a tunnel never outlives its request. About 100 lines, where PySocks would add a
dependency that knows nothing of the total deadline.
"""

from __future__ import annotations

import base64
import ipaddress
import struct
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import socket

    from qtorrentino.config.proxy import ProxyUrl
    from qtorrentino.net.deadline import Deadline

MAX_CONNECT_ANSWER_BYTES = 16 * 1024
"""An HTTP proxy's answer to CONNECT is a status line and a few headers."""
SOCKS_VERSION = 5
NO_LOGIN, USER_PASSWORD, NO_ACCEPTABLE = 0, 2, 0xFF
SOCKS_REPLIES = {
    1: "general failure", 2: "connection not allowed by its rules", 3: "network unreachable",
    4: "host unreachable", 5: "connection refused", 6: "TTL expired", 7: "command not supported",
    8: "address type not supported",
}
"""RFC 1928's reply codes."""


class ProxyError(ConnectionError):
    """The proxy refused the tunnel (its login, the target), or does not speak its protocol."""


def bypasses_proxy(host: str) -> bool:
    """Loopback targets are reached directly: a proxy elsewhere cannot reach our loopback."""
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def tunnel(sock: socket.socket, proxy: ProxyUrl, target: tuple[str, int],
           deadline: Deadline) -> None:
    """Turn a connection to the proxy into one to target (host, port), or raise ProxyError."""
    if proxy.scheme == "http":
        _http_connect(sock, proxy, target, deadline)
    else:
        _socks5_connect(sock, proxy, target, deadline)


def _socks5_connect(sock: socket.socket, proxy: ProxyUrl, target: tuple[str, int],
                    deadline: Deadline) -> None:
    method = USER_PASSWORD if proxy.username else NO_LOGIN
    sock.sendall(bytes([SOCKS_VERSION, 1, method]))
    version, chosen = _read(sock, 2, deadline)
    if version != SOCKS_VERSION:
        raise ProxyError(f"{proxy.address} does not speak SOCKS5")
    if chosen != method:
        wanted = "a username and password" if method == USER_PASSWORD else "clients without a login"
        raise ProxyError(f"the SOCKS5 proxy at {proxy.address} does not accept {wanted}")
    if method == USER_PASSWORD:
        user, password = proxy.username.encode(), proxy.password.encode()
        if len(user) > 255 or len(password) > 255:
            raise ProxyError("a SOCKS5 username or password is at most 255 bytes")
        sock.sendall(bytes([1, len(user)]) + user + bytes([len(password)]) + password)
        if _read(sock, 2, deadline)[1] != 0:
            raise ProxyError(f"the SOCKS5 proxy at {proxy.address} refused the login of user "
                             f"{proxy.username!r}")
    host, port = target
    request = bytes([SOCKS_VERSION, 1, 0]) + _socks_address(host) + struct.pack(">H", port)
    sock.sendall(request)
    _, reply, _, kind = _read(sock, 4, deadline)
    if reply != 0:
        why = SOCKS_REPLIES.get(reply, f"reply {reply}")
        raise ProxyError(f"the SOCKS5 proxy at {proxy.address} could not reach {host}:{port}: "
                         f"{why}")
    bound = {1: 4, 4: 16}.get(kind)
    _read(sock, (bound if bound is not None else _read(sock, 1, deadline)[0]) + 2, deadline)


def _socks_address(host: str) -> bytes:
    """A SOCKS5 address: an IP literal as such, else the name for the proxy to resolve."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        name = host.encode("idna")
        if len(name) > 255:
            raise ProxyError(f"host name {host[:60]}… is too long for SOCKS5") from None
        return bytes([3, len(name)]) + name
    return (b"\x01" if address.version == 4 else b"\x04") + address.packed


def _http_connect(sock: socket.socket, proxy: ProxyUrl, target: tuple[str, int],
                  deadline: Deadline) -> None:
    host, port = target
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
    if proxy.username:
        login = base64.b64encode(f"{proxy.username}:{proxy.password}".encode()).decode("ascii")
        lines.append(f"Proxy-Authorization: Basic {login}")
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    answer = bytearray()
    while not answer.endswith(b"\r\n\r\n"):
        if len(answer) >= MAX_CONNECT_ANSWER_BYTES:
            raise ProxyError(f"the HTTP proxy at {proxy.address} answered CONNECT with endless "
                             "headers")
        answer += _read(sock, 1, deadline)
    status_line = answer.split(b"\r\n", 1)[0].decode("latin-1")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ProxyError(f"{proxy.address} does not speak HTTP (it answered {status_line[:60]!r})")
    if parts[1] == "407":
        raise ProxyError(f"the HTTP proxy at {proxy.address} wants a login"
                         + (" and refused the one given" if proxy.username else ""))
    if not parts[1].startswith("2"):
        raise ProxyError(f"the HTTP proxy at {proxy.address} refused CONNECT to {authority}: "
                         f"{status_line[9:80]}")


def _read(sock: socket.socket, count: int, deadline: Deadline) -> bytes:
    """Exactly count bytes, each wait bounded by what is left of the deadline."""
    data = b""
    while len(data) < count:
        sock.settimeout(deadline.remaining())
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ProxyError("the proxy closed the connection mid-handshake")
        data += chunk
    return data

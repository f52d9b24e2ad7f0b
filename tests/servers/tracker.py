"""A loopback BitTorrent HTTP tracker (BEP 3/23): hands out compact peer lists, records every announce."""

from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from tests.servers.loopback import LoopbackServer

if TYPE_CHECKING:
    from collections.abc import Callable

ANNOUNCE_PATH = "/announce"
"""libtorrent's SSRF mitigation accepts a tracker on 127.0.0.1 only at this path."""
REANNOUNCE_SECONDS = 2


@dataclass(frozen=True, slots=True)
class Announce:
    """One announce as the tracker heard it."""

    info_hash: str
    peer_id: bytes
    port: int
    uploaded: int
    downloaded: int
    left: int
    event: str
    user_agent: str


def _bencode(value: object) -> bytes:
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, str):
        return _bencode(value.encode())
    if isinstance(value, list):
        return b"l" + b"".join(_bencode(item) for item in value) + b"e"
    if isinstance(value, dict):
        return b"d" + b"".join(_bencode(key) + _bencode(value[key]) for key in sorted(value)) + b"e"
    raise TypeError(type(value))


class _TrackerHandler(BaseHTTPRequestHandler):
    tracker: Tracker

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != ANNOUNCE_PATH:
            self.send_error(404)
            return
        query = parse_qs(parts.query, keep_blank_values=True, encoding="latin-1")
        try:
            announce = Announce(
                info_hash=query["info_hash"][0].encode("latin-1").hex(),
                peer_id=query["peer_id"][0].encode("latin-1"),
                port=int(query["port"][0]),
                uploaded=int(query.get("uploaded", ["0"])[0]),
                downloaded=int(query.get("downloaded", ["0"])[0]),
                left=int(query.get("left", ["0"])[0]),
                event=query.get("event", [""])[0],
                user_agent=self.headers.get("User-Agent", ""),
            )
        except (KeyError, ValueError):
            self._reply({"failure reason": "bad announce"})
            return
        self._reply(self.tracker.announce(announce))

    def _reply(self, body: dict[str, object]) -> None:
        payload = _bencode(body)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads `announces` instead."""


@dataclass
class Tracker(LoopbackServer):
    """Every peer of a torrent learns every other peer; `announces` keeps what each one reported."""

    announces: list[Announce] = field(default_factory=list)
    _peers: dict[str, dict[bytes, int]] = field(default_factory=dict)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def start(self) -> Tracker:
        return self.serve(_TrackerHandler, "tracker")

    @property
    def announce_url(self) -> str:
        """The URL to put in a torrent's announce list."""
        return f"{self.origin}{ANNOUNCE_PATH}"

    def announce(self, announce: Announce) -> dict[str, object]:
        """Record an announce and answer it with the torrent's other peers (compact form)."""
        with self._changed:
            self.announces.append(announce)
            swarm = self._peers.setdefault(announce.info_hash, {})
            if announce.event == "stopped":
                swarm.pop(announce.peer_id, None)
            else:
                swarm[announce.peer_id] = announce.port
            others = b"".join(socket.inet_aton("127.0.0.1") + struct.pack(">H", port)
                              for peer_id, port in swarm.items() if peer_id != announce.peer_id)
            self._changed.notify_all()
        return {"interval": REANNOUNCE_SECONDS, "min interval": 1, "peers": others}

    def wait_for(self, condition: Callable[[list[Announce]], bool], what: str, timeout: float) -> None:
        """Wait until the announces heard so far satisfy condition."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition(list(self.announces)):
                if not self._changed.wait(max(0.0, deadline - time.monotonic())):
                    raise AssertionError(f"{what}: not within {timeout:g} s; heard {self.announces!r}")

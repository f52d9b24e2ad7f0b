"""A loopback HTTP server answering fixed bodies: a Cloudflare page, a flood of XML; caps answered properly.

`pages` maps a substring of the request target to the body served for it (first match wins), `redirects` to
a Location answered with 302 (a Prowlarr-style link that leads to a magnet); anything else gets `body`. Torznab
caps are answered with a minimal valid document unless a page says otherwise, so a client gets as far as its
search.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import ClassVar

from tests.servers.loopback import LoopbackServer

MINIMAL_CAPS = (b'<?xml version="1.0" encoding="UTF-8"?><caps><searching>'
                b'<search available="yes" supportedParams="q"/></searching></caps>')


@dataclass
class StaticServer(LoopbackServer):
    """Serves `body` (with `content_type` and `status`) for every GET not picked by `pages`."""

    body: bytes = b""
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    pages: dict[str, bytes] = field(default_factory=lambda: {"t=caps": MINIMAL_CAPS})
    redirects: dict[str, str] = field(default_factory=dict)

    def start(self) -> StaticServer:
        return self.serve(_Handler, "static")

    def answer_for(self, target: str) -> bytes:
        return next((page for part, page in self.pages.items() if part in target), self.body)


class _Handler(BaseHTTPRequestHandler):
    static: ClassVar[StaticServer]

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests read `requests` instead."""

    def do_GET(self) -> None:
        server = self.static
        server.log_request_of({"path": self.path})
        location = next((to for part, to in server.redirects.items() if part in self.path), None)
        if location is not None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = server.answer_for(self.path)
        self.send_response(server.status if body is server.body else 200)
        self.send_header("Content-Type", server.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

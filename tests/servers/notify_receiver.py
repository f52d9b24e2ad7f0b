"""A loopback notification receiver: records what apprise posts in ntfy's JSON publish format or as a JSON webhook.

ntfy (`ntfy://127.0.0.1:PORT/topic`, plain http) posts `{"topic", "title", "message", ...}` to `/`; apprise's
JSON webhook (`json://127.0.0.1:PORT/path`) posts `{"version", "title", "message", "type", ...}` to the path.
`status` makes it refuse every message (500: a broken service).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar

from tests.servers.loopback import LoopbackServer


@dataclass
class NotificationReceiver(LoopbackServer):
    """Keeps every posted message (path plus its JSON fields) in `requests`."""

    status: int = 200

    def start(self) -> NotificationReceiver:
        return self.serve(_Handler, "receiver")

    @property
    def host_port(self) -> str:
        return self.origin.removeprefix("http://")

    def messages(self) -> list[dict[str, Any]]:
        """What arrived, as posted (plus "path")."""
        return [dict(entry) for entry in self.requests]

    def wait_for(self, count: int, timeout: float) -> list[dict[str, Any]]:
        """The messages once at least count arrived (or whatever arrived by the timeout)."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages()


class _Handler(BaseHTTPRequestHandler):
    receiver: ClassVar[NotificationReceiver]

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests read `messages()` instead."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        payload = json.loads(self.rfile.read(length) or b"{}")
        self.receiver.log_request_of({"path": self.path, **payload})
        status = self.receiver.status
        body = b'{"id":"x1","event":"message"}' if status == 200 else b'{"error":"internal error"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

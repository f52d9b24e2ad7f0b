"""A loopback LLM server speaking one wire format exactly (openai, ollama or anthropic), scriptable.

Each chat request takes the next scripted behaviour (a good answer, text that is not JSON, a
refusal, a truncated answer, an HTTP error, a stall); with none scripted, `responder` answers.
Requests are checked as the real servers check them: a malformed one gets the real 400.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any, ClassVar

from tests.servers import llm_formats as formats
from tests.servers.llm_rules import request_problem
from tests.servers.loopback import LoopbackServer

if TYPE_CHECKING:
    from collections.abc import Callable

STALL_STEP_SECONDS = 0.05
MAX_STALL_SECONDS = 30.0
CHAT_PATHS = {"openai": "/v1/chat/completions", "ollama": "/api/chat", "anthropic": "/v1/messages"}
MODEL_PATHS = {"openai": "/v1/models", "ollama": "/api/tags", "anthropic": "/v1/models"}


@dataclass(frozen=True)
class Scripted:
    """One behaviour for one chat request."""

    kind: str
    """answer | raw | refusal | truncated | status | stall"""
    value: Any = None
    status: int = 200
    retry_after: str | None = None
    seconds: float = 0.0


def answer(value: Any) -> Scripted:
    """A good answer: value is the JSON the model returns (as a tool input for anthropic)."""
    return Scripted("answer", value)


def raw(text: str) -> Scripted:
    """Answer text that is sent as is (malformed JSON, prose, ...)."""
    return Scripted("raw", text)


def refusal(text: str = "I can't help with that request.") -> Scripted:
    return Scripted("refusal", text)


def truncated(text: str = '{"judgements": [{"candidate": 0, "sco') -> Scripted:
    """The model ran out of tokens mid-answer."""
    return Scripted("truncated", text)


def status(code: int, message: str = "", retry_after: str | None = None) -> Scripted:
    """An HTTP error in the provider's own error shape."""
    return Scripted("status", message or f"loopback error {code}", status=code,
                    retry_after=retry_after)


def stall(seconds: float) -> Scripted:
    """Hold the request this long (or until the server stops), then answer `{}`."""
    return Scripted("stall", {}, seconds=min(seconds, MAX_STALL_SECONDS))


@dataclass
class LlmServer(LoopbackServer):
    """One provider's API on 127.0.0.1."""

    flavour: str = "openai"
    models: tuple[str, ...] = ("llama3.1",)
    api_key: str = ""
    """When set, requests without it get the provider's 401."""
    structured: bool = True
    """False: asking for structured output gets a 400, as older compatible servers answer."""
    reasoning: bool = False
    """openai: a hosted reasoning model (o-series, gpt-5): max_tokens, and a temperature other
    than 1, get OpenAI's 400."""
    responder: Callable[[dict[str, Any]], Any] | None = None
    """Answers when the script is empty: gets the request body, returns the answer's JSON value."""
    script: deque[Scripted] = field(default_factory=deque)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    """Every chat request body, in order."""
    headers_seen: list[dict[str, str]] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def start(self) -> LlmServer:
        return self.serve(_Handler, "llm")

    def stop(self) -> None:
        self.stopping.set()
        super().stop()

    @property
    def base_url(self) -> str:
        """What [textbrain.llm] base_url should be set to."""
        return self.origin

    def then(self, *behaviours: Scripted) -> LlmServer:
        """Queue behaviours for the next chat requests."""
        self.script.extend(behaviours)
        return self

    @property
    def chat_count(self) -> int:
        return len(self.bodies)

    def next_behaviour(self, body: dict[str, Any]) -> Scripted:
        with self._lock:
            if self.script:
                return self.script.popleft()
        return answer(self.responder(body) if self.responder else {})


def user_prompt(body: dict[str, Any]) -> str:
    """The user message of a chat request, whatever the flavour."""
    return next(str(message["content"]) for message in body["messages"]
                if message["role"] == "user")


def prompt_section(body: dict[str, Any], label: str) -> Any:
    """The JSON under "label:" in the user prompt (the way qtorrentino lays its prompts out)."""
    for block in user_prompt(body).split("\n\n"):
        head, _, rest = block.partition(":\n")
        if head == label:
            return json.loads(rest)
    raise KeyError(label)


class _Handler(BaseHTTPRequestHandler):
    llm: ClassVar[LlmServer]
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        """No Nagle delay: answers leave in one go, as from a real server's tuned socket."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests read `bodies` instead."""

    def do_GET(self) -> None:
        server = self.llm
        if self.path.split("?")[0] != MODEL_PATHS[server.flavour]:
            self._error(404, f"no route {self.path}")
            return
        if not self._authorised():
            return
        listing = {"openai": formats.openai_models, "ollama": formats.ollama_tags,
                   "anthropic": formats.anthropic_models}[server.flavour]
        self._send(200, listing(server.models))

    def do_POST(self) -> None:
        server = self.llm
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length)
        if self.path != CHAT_PATHS[server.flavour]:
            self._error(404, f"no route {self.path}")
            return
        if not self._authorised():
            return
        try:
            body = json.loads(raw_body)
        except ValueError:
            self._error(400, "the request body is not valid JSON")
            return
        server.log_request_of({"path": self.path})
        with server._lock:
            server.bodies.append(body)
            server.headers_seen.append({name.lower(): value
                                        for name, value in self.headers.items()})
        problem = request_problem(server, body, self.headers)
        if problem is not None:
            self._error(*problem)
            return
        self._behave(server, body, server.next_behaviour(body))

    def _behave(self, server: LlmServer, body: dict[str, Any], behaviour: Scripted) -> None:
        if behaviour.kind == "status":
            extra = {"Retry-After": behaviour.retry_after} if behaviour.retry_after else {}
            self._error(behaviour.status, str(behaviour.value), extra)
            return
        if behaviour.kind == "stall":
            deadline = time.monotonic() + behaviour.seconds
            while time.monotonic() < deadline and not server.stopping.is_set():
                time.sleep(STALL_STEP_SECONDS)
        outcome = _outcome(server, body, behaviour)
        number = server.chat_count
        if server.flavour == "openai":
            self._send(200, formats.openai_reply(body, outcome, number))
        elif server.flavour == "anthropic":
            self._send(200, formats.anthropic_reply(body, outcome, number))
        elif body.get("stream", True) is not False:
            self._send_bytes(200, formats.ollama_stream(body, outcome), "application/x-ndjson")
        else:
            self._send(200, formats.ollama_reply(body, outcome))

    def _authorised(self) -> bool:
        expected = self.llm.api_key
        if not expected:
            return True
        if self.llm.flavour == "anthropic":
            given = self.headers.get("x-api-key", "")
        else:
            given = self.headers.get("Authorization", "").removeprefix("Bearer ")
        if given == expected:
            return True
        self._error(401, f"Incorrect API key provided: {given}.")
        return False

    def _error(self, code: int, message: str, headers: dict[str, str] | None = None) -> None:
        flavour = self.llm.flavour
        if flavour == "openai":
            body = formats.openai_error(code, message)
        elif flavour == "anthropic":
            body = formats.anthropic_error(code, message)
        else:
            body = formats.ollama_error(message)
        self._send(code, body, headers)

    def _send(self, code: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self._send_bytes(code, json.dumps(body).encode("utf-8"), "application/json", headers)

    def _send_bytes(self, code: int, data: bytes, content_type: str,
                    headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def _outcome(server: LlmServer, body: dict[str, Any], behaviour: Scripted) -> formats.Outcome:
    """What the model says for this behaviour, in the form the request asked for."""
    if behaviour.kind == "refusal":
        return formats.Outcome(text=None, stop="refusal", refusal=str(behaviour.value))
    if behaviour.kind == "truncated":
        return formats.Outcome(text=str(behaviour.value), stop="length")
    if behaviour.kind == "raw":
        return formats.Outcome(text=str(behaviour.value))
    as_tool = server.flavour == "anthropic" and "tool_choice" in body
    if as_tool and isinstance(behaviour.value, dict):
        return formats.Outcome(text=None, tool_input=behaviour.value)
    return formats.Outcome(text=json.dumps(behaviour.value))

"""What the three wire formats share: their interface, URL joining, the JSON-only instructions."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Protocol

from qtorrentino.textbrain.llm.exchange import Discard, discarded

if TYPE_CHECKING:
    from qtorrentino.textbrain.llm.exchange import LlmRequest, WireReply

ERROR_TEXT_CHARS = 300
"""How much of a server's own error message is kept in ours."""
_VERSIONED = re.compile(r"/v\d+$")


class WireFormat(Protocol):
    """One provider's HTTP API: where to send, what to send, how to read the answer."""

    name: str

    def chat_url(self, base_url: str) -> str:
        """The URL answering one chat request."""
        ...

    def models_url(self, base_url: str) -> str:
        """The URL listing the models the server has."""
        ...

    def headers(self, api_key: str) -> dict[str, str]:
        """Authentication and version headers ("" api_key: none)."""
        ...

    def body(
        self, request: LlmRequest, model: str, temperature: float, *, structured: bool
    ) -> dict[str, Any]:
        """The request body; structured asks for schema-constrained output."""
        ...

    def parse(self, body: Any) -> WireReply:
        """The answer out of the provider's envelope; LlmError(malformed) when it is not one."""
        ...

    def model_names(self, body: Any) -> list[str]:
        """Model names from the model listing."""
        ...


def versioned_url(base_url: str, path: str) -> str:
    """base_url + "/v1" (unless it already ends in a version) + path."""
    base = base_url.rstrip("/")
    if not _VERSIONED.search(base):
        base += "/v1"
    return base + path


def instructions(request: LlmRequest) -> str:
    """The job's instructions plus the JSON-only rule and the schema (structured output or not)."""
    schema = json.dumps(request.schema, separators=(",", ":"))
    return (f"{request.system}\n\nAnswer with one JSON object and nothing else, no prose and "
            f"no code fence. Its JSON Schema:\n{schema}")


def field(body: Any, *path: str | int) -> Any:
    """body[path[0]][path[1]]...; LlmError(malformed) naming the path when a step is missing."""
    value = body
    for step in path:
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            where = "".join(f"[{step!r}]" for step in path)
            raise discarded(Discard.MALFORMED, f"the answer has no {where}") from None
    return value


def count(value: Any) -> int:
    """A token count from a usage block; 0 when it is absent or not a count."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def error_text(body: bytes) -> str:
    """A server's own error message from an error answer (OpenAI, Ollama or Anthropic shapes)."""
    try:
        decoded = json.loads(body)
    except ValueError:
        text = body.decode("utf-8", "replace")
    else:
        found = decoded.get("error", decoded) if isinstance(decoded, dict) else decoded
        if isinstance(found, dict):
            found = found.get("message", found)
        text = found if isinstance(found, str) else json.dumps(found)
    return " ".join(text.split())[:ERROR_TEXT_CHARS]

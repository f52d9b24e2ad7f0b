"""OpenAI chat completions (`/v1/chat/completions`), as OpenAI-compatible servers speak it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from qtorrentino.textbrain.llm.exchange import Discard, WireReply, discarded
from qtorrentino.textbrain.llm.wire import count, field, instructions, versioned_url

if TYPE_CHECKING:
    from qtorrentino.textbrain.llm.exchange import LlmRequest

REFUSING_FINISHES = frozenset({"content_filter"})
_UNSUPPORTED = re.compile(r"Unsupported (?:parameter|value): '(max_tokens|temperature)'")
REPLACEMENTS = {"max_tokens": "max_completion_tokens", "temperature": None}
"""What hosted reasoning models (o-series, gpt-5) take instead of a parameter they refuse (None:
nothing, the model's default)."""


def parameter_fix(error: str) -> tuple[str, str | None] | None:
    """(the refused parameter, what to send instead) when a 400 says a parameter is unsupported."""
    found = _UNSUPPORTED.search(error)
    return (found.group(1), REPLACEMENTS[found.group(1)]) if found else None


class OpenAiWire:
    """Chat completions with `response_format: json_schema` (strict) when structured."""

    name = "openai"

    def chat_url(self, base_url: str) -> str:
        return versioned_url(base_url, "/chat/completions")

    def models_url(self, base_url: str) -> str:
        return versioned_url(base_url, "/models")

    def headers(self, api_key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {api_key}"} if api_key else {}

    def body(
        self, request: LlmRequest, model: str, temperature: float, *, structured: bool
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": model,
            "messages": [{"role": "system", "content": instructions(request)},
                         {"role": "user", "content": request.prompt}],
            "temperature": temperature,
            "max_tokens": request.max_tokens,
        }
        if structured:
            body["response_format"] = {"type": "json_schema", "json_schema": {
                "name": request.job, "schema": request.schema, "strict": True}}
        return body

    def parse(self, body: Any) -> WireReply:
        choice = field(body, "choices", 0)
        message = field(choice, "message")
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list):
            content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
        if content is not None and not isinstance(content, str):
            raise discarded(Discard.MALFORMED, "the answer's message content is not text")
        finish = choice.get("finish_reason") if isinstance(choice, dict) else None
        refusal = message.get("refusal") if isinstance(message, dict) else None
        if not refusal and finish in REFUSING_FINISHES:
            refusal = f"finish_reason {finish}"
        usage = body.get("usage") if isinstance(body.get("usage"), dict) else {}
        return WireReply(
            text=content, stop=str(finish or ""), truncated=finish == "length",
            refusal=str(refusal) if refusal else None,
            prompt_tokens=count(usage.get("prompt_tokens")),
            completion_tokens=count(usage.get("completion_tokens")),
            model=str(body.get("model") or ""),
        )

    def model_names(self, body: Any) -> list[str]:
        return [str(entry["id"]) for entry in field(body, "data")
                if isinstance(entry, dict) and "id" in entry]

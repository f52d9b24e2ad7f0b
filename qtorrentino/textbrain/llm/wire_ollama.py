"""Ollama's native chat API (`/api/chat`, `stream: false`, `format` with a JSON schema)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qtorrentino.textbrain.llm.exchange import Discard, WireReply, discarded
from qtorrentino.textbrain.llm.wire import count, field, instructions

if TYPE_CHECKING:
    from qtorrentino.textbrain.llm.exchange import LlmRequest


class OllamaWire:
    """/api/chat with a schema in `format` when structured, plain `"json"` otherwise."""

    name = "ollama"

    def chat_url(self, base_url: str) -> str:
        return base_url.rstrip("/") + "/api/chat"

    def models_url(self, base_url: str) -> str:
        return base_url.rstrip("/") + "/api/tags"

    def headers(self, api_key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {api_key}"} if api_key else {}

    def body(
        self, request: LlmRequest, model: str, temperature: float, *, structured: bool
    ) -> dict[str, Any]:
        return {
            "model": model,
            "messages": [{"role": "system", "content": instructions(request)},
                         {"role": "user", "content": request.prompt}],
            "stream": False,
            "format": request.schema if structured else "json",
            "options": {"temperature": temperature, "num_predict": request.max_tokens},
        }

    def parse(self, body: Any) -> WireReply:
        content = field(body, "message", "content")
        if not isinstance(content, str):
            raise discarded(Discard.MALFORMED, "the answer's message content is not text")
        reason = str(body.get("done_reason") or "")
        return WireReply(
            text=content, stop=reason, truncated=reason == "length" or body.get("done") is False,
            prompt_tokens=count(body.get("prompt_eval_count")),
            completion_tokens=count(body.get("eval_count")),
            model=str(body.get("model") or ""),
        )

    def model_names(self, body: Any) -> list[str]:
        return [str(entry.get("name") or entry.get("model")) for entry in field(body, "models")
                if isinstance(entry, dict) and (entry.get("name") or entry.get("model"))]

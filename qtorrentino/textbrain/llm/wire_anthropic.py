"""Anthropic's Messages API (`/v1/messages`): the answer as a forced tool call's input."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qtorrentino.textbrain.llm.exchange import Discard, WireReply, discarded
from qtorrentino.textbrain.llm.wire import count, field, instructions, versioned_url

if TYPE_CHECKING:
    from qtorrentino.textbrain.llm.exchange import LlmRequest

API_VERSION = "2023-06-01"
TOOL_NAME = "answer"
"""The one tool offered when structured: its input is the answer."""


class AnthropicWire:
    """Messages with a forced `answer` tool when structured, a JSON-only prompt otherwise."""

    name = "anthropic"

    def chat_url(self, base_url: str) -> str:
        return versioned_url(base_url, "/messages")

    def models_url(self, base_url: str) -> str:
        return versioned_url(base_url, "/models")

    def headers(self, api_key: str) -> dict[str, str]:
        headers = {"anthropic-version": API_VERSION}
        if api_key:
            headers["x-api-key"] = api_key
        return headers

    def body(
        self, request: LlmRequest, model: str, temperature: float, *, structured: bool
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": model,
            "max_tokens": request.max_tokens,
            "system": instructions(request),
            "messages": [{"role": "user", "content": request.prompt}],
            "temperature": temperature,
        }
        if structured:
            body["tools"] = [{"name": TOOL_NAME, "description": f"Give the {request.job} answer.",
                              "input_schema": request.schema}]
            body["tool_choice"] = {"type": "tool", "name": TOOL_NAME}
        return body

    def parse(self, body: Any) -> WireReply:
        blocks = field(body, "content")
        if not isinstance(blocks, list):
            raise discarded(Discard.MALFORMED, "the answer's content is not a list of blocks")
        stop = str(body.get("stop_reason") or "")
        tool_inputs = [block.get("input") for block in blocks if isinstance(block, dict)
                       and block.get("type") == "tool_use" and block.get("name") == TOOL_NAME]
        texts = [str(block.get("text", "")) for block in blocks
                 if isinstance(block, dict) and block.get("type") == "text"]
        usage = body.get("usage") if isinstance(body.get("usage"), dict) else {}
        refusal = (" ".join(texts).strip() or "stop_reason refusal") if stop == "refusal" else None
        return WireReply(
            text=None if tool_inputs else "".join(texts),
            data=tool_inputs[0] if tool_inputs else None,
            stop=stop, truncated=stop == "max_tokens",
            refusal=refusal,
            prompt_tokens=count(usage.get("input_tokens")),
            completion_tokens=count(usage.get("output_tokens")),
            model=str(body.get("model") or ""),
        )

    def model_names(self, body: Any) -> list[str]:
        return [str(entry["id"]) for entry in field(body, "data")
                if isinstance(entry, dict) and "id" in entry]

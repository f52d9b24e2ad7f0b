"""Bodies exactly as OpenAI chat completions, Ollama /api/chat and Anthropic /v1/messages send."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

CREATED = 1_767_268_800
"""2026-01-01T12:00:00Z: fixed, so answers are byte-for-byte repeatable."""


@dataclass(frozen=True)
class Outcome:
    """What the model "said": an answer text (or tool input), and how it stopped."""

    text: str | None
    tool_input: Any = None
    stop: str = "stop"
    """stop | length | refusal"""
    refusal: str | None = None


def tokens(text: str) -> int:
    """A rough token count (4 characters a token), as usage blocks report."""
    return max(1, len(text) // 4)


def prompt_chars(body: dict[str, Any]) -> str:
    """Every message's text, for the prompt token count."""
    system = body.get("system")
    messages = body.get("messages")
    said = [str(message.get("content", "")) for message in messages or ()
            if isinstance(message, dict)] if isinstance(messages, list) else []
    return (system if isinstance(system, str) else "") + "".join(said)


def openai_reply(body: dict[str, Any], outcome: Outcome, number: int) -> dict[str, Any]:
    """A chat.completion object."""
    finish = {"stop": "stop", "length": "length", "refusal": "stop"}[outcome.stop]
    message: dict[str, Any] = {"role": "assistant", "content": outcome.text,
                               "refusal": outcome.refusal, "annotations": []}
    completion = tokens(outcome.text or outcome.refusal or "")
    prompt = tokens(prompt_chars(body))
    return {"id": f"chatcmpl-loopback{number}", "object": "chat.completion", "created": CREATED,
            "model": body["model"], "choices": [{"index": 0, "message": message, "logprobs": None,
                                                 "finish_reason": finish}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                      "total_tokens": prompt + completion},
            "service_tier": "default", "system_fingerprint": "fp_loopback"}


def openai_error(status: int, message: str) -> dict[str, Any]:
    kinds = {401: ("invalid_request_error", "invalid_api_key"), 404: ("invalid_request_error",
             "model_not_found"), 429: ("requests", "rate_limit_exceeded")}
    kind, code = kinds.get(status, ("server_error" if status >= 500 else "invalid_request_error",
                                    None))
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def ollama_reply(body: dict[str, Any], outcome: Outcome) -> dict[str, Any]:
    """A non-streamed /api/chat answer (Ollama has no refusal field: a refusal is just text)."""
    text = outcome.text if outcome.text is not None else (outcome.refusal or "")
    done_reason = "length" if outcome.stop == "length" else "stop"
    return {"model": body["model"], "created_at": "2026-01-01T12:00:00.000000Z",
            "message": {"role": "assistant", "content": text}, "done_reason": done_reason,
            "done": True, "total_duration": 512_000_000, "load_duration": 2_000_000,
            "prompt_eval_count": tokens(prompt_chars(body)), "prompt_eval_duration": 90_000_000,
            "eval_count": tokens(text), "eval_duration": 400_000_000}


def ollama_stream(body: dict[str, Any], outcome: Outcome) -> bytes:
    """What /api/chat sends when `stream` is not false: NDJSON chunks, a done chunk last."""
    text = outcome.text or outcome.refusal or ""
    half = len(text) // 2
    chunks = [{"model": body["model"], "created_at": "2026-01-01T12:00:00Z",
               "message": {"role": "assistant", "content": part}, "done": False}
              for part in (text[:half], text[half:])]
    final = {**ollama_reply(body, outcome), "message": {"role": "assistant", "content": ""}}
    return b"".join(json.dumps(chunk).encode() + b"\n" for chunk in (*chunks, final))


def ollama_error(message: str) -> dict[str, Any]:
    return {"error": message}


def anthropic_reply(body: dict[str, Any], outcome: Outcome, number: int) -> dict[str, Any]:
    """A Messages API message: a tool_use block when the answer came as the forced tool's input."""
    content: list[dict[str, Any]] = []
    if outcome.tool_input is not None:
        tool = body["tool_choice"]["name"]
        content.append({"type": "tool_use", "id": f"toolu_loopback{number}", "name": tool,
                        "input": outcome.tool_input})
    elif outcome.text or outcome.refusal:
        content.append({"type": "text", "text": outcome.text or outcome.refusal})
    stop = {"stop": "tool_use" if outcome.tool_input is not None else "end_turn",
            "length": "max_tokens", "refusal": "refusal"}[outcome.stop]
    said = json.dumps(outcome.tool_input) if outcome.tool_input is not None else outcome.text or ""
    return {"id": f"msg_loopback{number}", "type": "message", "role": "assistant",
            "model": body["model"], "content": content, "stop_reason": stop, "stop_sequence": None,
            "usage": {"input_tokens": tokens(prompt_chars(body)), "output_tokens": tokens(said),
                      "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}}


def anthropic_error(status: int, message: str) -> dict[str, Any]:
    kinds = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
             404: "not_found_error", 429: "rate_limit_error", 529: "overloaded_error"}
    return {"type": "error", "error": {"type": kinds.get(status, "api_error"), "message": message}}


def openai_models(names: tuple[str, ...]) -> dict[str, Any]:
    return {"object": "list", "data": [{"id": name, "object": "model", "created": CREATED,
                                        "owned_by": "loopback"} for name in names]}


def ollama_tags(names: tuple[str, ...]) -> dict[str, Any]:
    return {"models": [{"name": f"{name}:latest", "model": f"{name}:latest",
                        "modified_at": "2026-01-01T12:00:00Z", "size": 4_920_753_328,
                        "digest": "46e0c10c039e", "details": {"format": "gguf", "family": "llama",
                                                              "parameter_size": "8.0B",
                                                              "quantization_level": "Q4_K_M"}}
                       for name in names]}


def anthropic_models(names: tuple[str, ...]) -> dict[str, Any]:
    data = [{"type": "model", "id": name, "display_name": name,
             "created_at": "2026-01-01T00:00:00Z"} for name in names]
    return {"data": data, "has_more": False, "first_id": names[0] if names else None,
            "last_id": names[-1] if names else None}

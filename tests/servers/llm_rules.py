"""What each real LLM API refuses: malformed requests, unknown models, features a server lacks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.servers.llm import LlmServer


def request_problem(server: LlmServer, body: Any, headers: Any) -> tuple[int, str] | None:
    """The 400/404 a real server gives a malformed request, an unknown model, a refused feature."""
    if not isinstance(body, dict) or not isinstance(body.get("model"), str):
        return 400, "model is required"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages or not all(
            isinstance(m, dict) and m.get("role") in ("system", "user", "assistant")
            and isinstance(m.get("content"), str) for m in messages):
        return 400, "messages: each needs a role and text content"
    known = body["model"] in server.models or body["model"].removesuffix(":latest") in server.models
    if not known:
        return 404, {"openai": f"The model `{body['model']}` does not exist or you do not have "
                               "access to it.",
                     "ollama": f'model "{body["model"]}" not found, try pulling it first',
                     "anthropic": f"model: {body['model']}"}[server.flavour]
    check = {"openai": _openai_problem, "ollama": _ollama_problem,
             "anthropic": _anthropic_problem}[server.flavour]
    return check(server, body, headers)


def _openai_problem(
    server: LlmServer, body: dict[str, Any], headers: Any
) -> tuple[int, str] | None:
    if server.reasoning and "max_tokens" in body:
        return 400, ("Unsupported parameter: 'max_tokens' is not supported with this model. Use "
                     "'max_completion_tokens' instead.")
    if server.reasoning and body.get("temperature", 1) != 1:
        return 400, (f"Unsupported value: 'temperature' does not support {body['temperature']} "
                     "with this model. Only the default (1) value is supported.")
    response_format = body.get("response_format")
    if response_format is None:
        return None
    kind = response_format.get("type") if isinstance(response_format, dict) else None
    if kind not in ("text", "json_object", "json_schema"):
        return 400, f"Invalid value for 'response_format.type': {kind!r}"
    if kind == "json_schema":
        if not server.structured:
            return 400, "response_format of type json_schema is not supported with this model"
        spec = response_format.get("json_schema") or {}
        if not isinstance(spec.get("name"), str) or not isinstance(spec.get("schema"), dict):
            return 400, "Missing required parameter: 'response_format.json_schema.name' or 'schema'"
        if spec.get("strict") and not _strict_schema(spec["schema"]):
            return 400, ("Invalid schema for response_format: In context=(), 'additionalProperties'"
                         " is required to be supplied and to be false, and every property required")
    return None


def _ollama_problem(
    server: LlmServer, body: dict[str, Any], headers: Any
) -> tuple[int, str] | None:
    shape = body.get("format")
    if isinstance(shape, dict) and not server.structured:
        return 400, 'invalid format: expected "json" or a valid JSON schema'
    if shape not in (None, "json", "") and not isinstance(shape, dict):
        return 400, f"invalid format: {shape!r}"
    return None


def _anthropic_problem(
    server: LlmServer, body: dict[str, Any], headers: Any
) -> tuple[int, str] | None:
    if headers.get("anthropic-version") is None:
        return 400, "anthropic-version: header is required"
    if not isinstance(body.get("max_tokens"), int):
        return 400, "max_tokens: Field required"
    if any(message.get("role") == "system" for message in body["messages"]):
        return 400, "messages: Unexpected role \"system\". Use the top-level `system` parameter"
    tools = body.get("tools")
    if tools is None:
        return None
    if not server.structured:
        return 400, "tools: tool use is not supported on this model"
    names = {tool.get("name") for tool in tools if isinstance(tool, dict)
             and isinstance(tool.get("input_schema"), dict)}
    choice = body.get("tool_choice") or {}
    if choice.get("type") == "tool" and choice.get("name") not in names:
        return 400, f"tool_choice: tool {choice.get('name')!r} not found in tools"
    return None


def _strict_schema(schema: Any) -> bool:
    """OpenAI strict mode: every object closed (additionalProperties false), all required."""
    if not isinstance(schema, dict):
        return True
    if schema.get("type") == "object":
        properties = schema.get("properties", {})
        if schema.get("additionalProperties") is not False:
            return False
        if sorted(schema.get("required", [])) != sorted(properties):
            return False
        return all(_strict_schema(value) for value in properties.values())
    if schema.get("type") == "array":
        return _strict_schema(schema.get("items"))
    return True

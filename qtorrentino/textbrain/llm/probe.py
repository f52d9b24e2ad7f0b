"""The doctor's look at the configured LLM: reachable, the model present, a tiny JSON answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qtorrentino.errors import LlmError
from qtorrentino.textbrain.llm import shape
from qtorrentino.textbrain.llm.client import LlmClient
from qtorrentino.textbrain.llm.exchange import Discard, LlmRequest, discarded

if TYPE_CHECKING:
    from qtorrentino.config.model import LlmConfig

MODELS_SHOWN = 8
PING = LlmRequest(
    job="doctor", system="You are being checked by a health probe.",
    prompt='Answer with the JSON object {"ok": true}.',
    schema=shape.object_schema({"ok": {"type": "boolean"}}), max_tokens=20,
)


@dataclass(frozen=True, slots=True)
class ProbeStep:
    """One line of the doctor's report about the LLM."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


def probe(config: LlmConfig) -> list[ProbeStep]:
    """Ask the server for its models, look for ours, then ask a one-line JSON question."""
    client = LlmClient(config)
    where = f"{config.provider} at {client.redact(config.base_url)}"
    try:
        names = client.list_models()
    except LlmError as error:
        return [ProbeStep("llm server", False, f"{where}: {error.message}",
                          error.hint or "check provider and base_url in [textbrain.llm]")]
    if names is None:
        steps = [ProbeStep("llm server", True, f"{where} answers (it lists no models)")]
    else:
        steps = [ProbeStep("llm server", True, f"{where} answers ({len(names)} models)")]
        if not has_model(names, config.model):
            return [*steps, _missing_model(config, names)]
        steps.append(ProbeStep("llm model", True, f"{config.model} is there"))
    advice = client.consult(PING, _pong)
    if advice.problem is not None:
        return [*steps, ProbeStep("llm answer", False, advice.explain(),
                                  advice.problem.hint or "try another model, or see the log")]
    how = "structured output" if client.structured else "by prompt: no structured output"
    return [*steps, ProbeStep("llm answer", True, f"answered JSON in {advice.use.latency_ms} ms "
                                                  f"({how})")]


def has_model(names: list[str], model: str) -> bool:
    """Whether the listing holds the model (Ollama lists "llama3.1" as "llama3.1:latest")."""
    return any(name in (model, f"{model}:latest") or name.removeprefix("models/") == model
               for name in names)


def _missing_model(config: LlmConfig, names: list[str]) -> ProbeStep:
    shown = ", ".join(names[:MODELS_SHOWN]) + (", ..." if len(names) > MODELS_SHOWN else "")
    fix = (f"ollama pull {config.model}" if config.provider == "ollama"
           else "set model in [textbrain.llm] to one the server has")
    return ProbeStep("llm model", False, f"{config.model!r} is not on the server (it has: "
                                         f"{shown or 'none'})", fix)


def _pong(answer: Any) -> bool:
    if shape.obj(answer, ("ok",), "the answer")["ok"] is not True:
        raise discarded(Discard.SCHEMA, f"asked for {{\"ok\": true}}, got {answer!r}"[:200])
    return True

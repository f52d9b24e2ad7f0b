"""What goes to a model and what comes back, whatever the wire; and why an answer was dropped."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from qtorrentino.errors import LlmError

T = TypeVar("T")


class Discard(StrEnum):
    """Why an LLM answer was not used: the audit's `llm_discarded` value."""

    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    RATE_LIMITED = "rate_limited"
    HTTP_ERROR = "http_error"
    AUTH = "auth"
    """The server refused the api_key (401/403)."""
    MODEL_MISSING = "model_missing"
    MALFORMED = "malformed"
    """Not JSON, or not the envelope the wire format promises."""
    TRUNCATED = "truncated"
    """Out of tokens (finish_reason length, done_reason length, stop_reason max_tokens)."""
    REFUSAL = "refusal"
    SCHEMA = "schema"
    """JSON, but not the shape the job's schema asks for."""
    OUT_OF_RANGE = "out_of_range"
    UNKNOWN_CANDIDATE = "unknown_candidate"
    UNKNOWN_ITEM = "unknown_item"
    UNKNOWN_FILE = "unknown_file"
    DUPLICATE = "duplicate"
    INCOMPLETE = "incomplete"
    """Some candidate shown to the model was not judged."""


def discarded(reason: Discard, message: str, hint: str = "") -> LlmError:
    """The typed error for an answer dropped for reason."""
    return LlmError(message, reason=reason.value, hint=hint)


@dataclass(frozen=True, slots=True)
class LlmRequest:
    """One job's question: instructions, the question with its data, the answer's JSON schema."""

    job: str
    """query_variants | judge_candidates | map_files | doctor: the job's name in logs."""
    system: str
    prompt: str
    schema: dict[str, Any]
    """JSON Schema of the answer object (sent as structured output where the server supports it)."""
    max_tokens: int


@dataclass(frozen=True, slots=True)
class WireReply:
    """A provider's answer taken out of its envelope, before anything in it is trusted."""

    text: str | None
    """The answer text (None when the answer came as a tool call's input)."""
    data: Any = None
    """A tool call's input object (anthropic tool use)."""
    stop: str = ""
    """Why the model stopped, in the provider's words."""
    truncated: bool = False
    refusal: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model: str = ""


@dataclass(frozen=True, slots=True)
class LlmUse:
    """Who answered one consultation and what it cost: the audit's llm_* keys."""

    provider: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    latency_ms: int
    cached: bool
    """Answered from the response cache: nothing was paid this time."""

    def audit_fields(self) -> dict[str, Any]:
        """The keys MatchingCompleted carries for this consultation."""
        return {"llm_provider": self.provider, "llm_model": self.model,
                "prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens,
                "llm_latency_ms": self.latency_ms, "llm_cached": self.cached}


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a consultation gave nothing usable, for the audit and the ticket's message."""

    reason: Discard
    message: str
    hint: str = ""
    """What the person can do about it, when anything."""


@dataclass(frozen=True, slots=True)
class Advice(Generic[T]):
    """A consultation's outcome: a validated value, or the problem that discarded it; never both."""

    value: T | None
    use: LlmUse
    """Who was asked and what it cost (tokens are 0 when no answer came back)."""
    problem: Problem | None = None

    @property
    def usable(self) -> bool:
        return self.value is not None

    def explain(self) -> str:
        """One line naming the LLM and its problem, for the log and the ticket's message."""
        who = f"LLM {self.use.provider} {self.use.model}"
        if self.problem is None:
            return f"{who}: answered"
        return f"{who}: {self.problem.reason.value}: {self.problem.message}"

    def audit_fields(self) -> dict[str, Any]:
        """llm_* keys for the audit: who answered, the cost, why an answer was dropped."""
        fields = self.use.audit_fields()
        fields["llm_discarded"] = self.problem.reason.value if self.problem else None
        fields["llm_error"] = self.problem.message if self.problem else None
        return fields

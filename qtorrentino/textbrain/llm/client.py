"""One configured LLM over plain HTTP: ask, decode, validate, cache; a failure is a Problem."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from typing import TYPE_CHECKING, Any, Protocol

from qtorrentino.errors import LlmError
from qtorrentino.net.http import HttpClient, HttpError, HttpResponse, MagnetRedirect, RateLimited
from qtorrentino.textbrain.llm.exchange import Advice, Discard, LlmUse, Problem, T, discarded
from qtorrentino.textbrain.llm.wire import error_text
from qtorrentino.textbrain.llm.wire_anthropic import AnthropicWire
from qtorrentino.textbrain.llm.wire_ollama import OllamaWire
from qtorrentino.textbrain.llm.wire_openai import OpenAiWire, parameter_fix

if TYPE_CHECKING:
    from collections.abc import Callable

    from qtorrentino.config.model import LlmConfig
    from qtorrentino.textbrain.llm.exchange import LlmRequest, WireReply
    from qtorrentino.textbrain.llm.wire import WireFormat

log = logging.getLogger(__name__)

WIRE_FORMATS: dict[str, WireFormat] = {
    "openai": OpenAiWire(), "ollama": OllamaWire(), "anthropic": AnthropicWire(),
}
MAX_ANSWER_BYTES = 2 * 1024 * 1024
CACHE_DAYS = 365.0
"""How long an answer is kept: replays and restarts within this ask nothing new."""
CACHE_PREFIX = "llm:"
_FENCED = re.compile(r"^```(?:json)?\s*\n(.*)\n\s*```$", re.DOTALL)
AUTH_HINT = "check api_key in [textbrain.llm]"
MAX_ADJUSTMENTS = 3
"""Requests resent after a 400 with what the server said it takes (two parameters, plain JSON)."""


class ResponseCache(Protocol):
    """Where validated answers are kept by request hash (the metadata cache's table)."""

    def get(self, key: str) -> Any | None: ...

    def put(self, key: str, value: Any, *, days: float) -> None: ...


class LlmClient:
    """Asks the configured model one job at a time, within one total deadline per request."""

    def __init__(self, config: LlmConfig, *, cache: ResponseCache | None = None) -> None:
        self.config = config
        self.wire = WIRE_FORMATS[config.provider]
        self._cache = cache
        self._http = HttpClient(secrets=(config.api_key,), max_bytes=MAX_ANSWER_BYTES)
        self._structured = True
        """Cleared once the server refuses structured output; JSON-only prompts from then on."""
        self._renamed: dict[str, str | None] = {}
        """Body parameters the server refused, and what is sent instead (None: nothing)."""

    def consult(self, request: LlmRequest, validate: Callable[[Any], T]) -> Advice[T]:
        """Ask (or read the cache), decode, validate; on a failure a Problem instead of a value."""
        started = time.monotonic()
        key = self.cache_key(request)
        cached = self._from_cache(key, validate)
        if cached is not None:
            value, hit = cached
            return Advice(value, self._use(hit, started, cached=True))
        reply: WireReply | None = None
        try:
            reply = self._exchange(request, started + self.config.timeout_seconds)
            answer = decode_answer(reply)
            value = validate(answer)
        except LlmError as error:
            use = self._use(_usage(reply), started, cached=False)
            problem = Problem(Discard(error.reason), error.message, error.hint)
            advice: Advice[T] = Advice(None, use, problem)
            log.warning("%s (%s)", advice.explain(), request.job)
            return advice
        stored = {"answer": answer, **_usage(reply)}
        if self._cache is not None:
            self._cache.put(key, stored, days=CACHE_DAYS)
        use = self._use(stored, started, cached=False)
        log.info("LLM %s (%s) answered %s in %d ms (%d+%d tokens)", self.wire.name, use.model,
                 request.job, use.latency_ms, use.prompt_tokens, use.completion_tokens)
        return Advice(value, use)

    @property
    def structured(self) -> bool:
        """Whether answers are asked for as structured output (False once the server refused it)."""
        return self._structured

    def list_models(self) -> list[str] | None:
        """The server's model names (None: it has no listing); LlmError when it cannot be asked."""
        try:
            response = self._http.get(self.wire.models_url(self.config.base_url),
                                      timeout=self.config.timeout_seconds,
                                      headers=self.wire.headers(self.config.api_key))
        except HttpError as error:
            raise _transport_error(error) from None
        if isinstance(response, MagnetRedirect):
            raise discarded(Discard.MALFORMED, "the model listing redirected to a magnet link")
        if response.status == 404:
            return None
        self._check_status(response)
        return self.wire.model_names(_json_of(response))

    def redact(self, text: str) -> str:
        """Text with the api_key (and any key-shaped part) hidden."""
        return self._http.redact(text)

    def cache_key(self, request: LlmRequest) -> str:
        """The request's hash: provider, URL, model and the whole body; never the api_key."""
        body = self.wire.body(request, self.config.model, self.config.temperature, structured=True)
        identity = {"provider": self.wire.name, "url": self.wire.chat_url(self.config.base_url),
                    "body": body}
        text = json.dumps(identity, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return CACHE_PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _from_cache(
        self, key: str, validate: Callable[[Any], T]
    ) -> tuple[T, dict[str, Any]] | None:
        """A cached answer that still passes validation, with its stored usage."""
        if self._cache is None:
            return None
        hit = self._cache.get(key)
        if not isinstance(hit, dict) or "answer" not in hit:
            return None
        try:
            return validate(hit["answer"]), hit
        except LlmError:
            return None

    def _exchange(self, request: LlmRequest, deadline: float) -> WireReply:
        """POST the request; after a 400 it is sent again as the server says it wants it: without a
        parameter it refuses (a hosted reasoning model's max_tokens, temperature), or asking for
        JSON by prompt alone when it refuses structured output."""
        structured = self._structured
        response = self._post(request, deadline, structured=structured)
        refused = ""
        for _ in range(MAX_ADJUSTMENTS):
            if response.status not in (400, 422):
                break
            said = error_text(response.body)
            fix = parameter_fix(said) if isinstance(self.wire, OpenAiWire) else None
            if fix is not None and fix[0] not in self._renamed:
                self._renamed[fix[0]] = fix[1]
                log.warning("the %s server refused %s; sending %s from now on", self.wire.name,
                            fix[0], fix[1] or "nothing in its place")
            elif structured:
                structured, refused = False, said
            else:
                break
            response = self._post(request, deadline, structured=structured)
        if structured != self._structured and 200 <= response.status < 300:
            log.warning("the %s server refused structured output (%s); asking for JSON by "
                        "prompt from now on", self.wire.name, self._http.redact(refused))
            self._structured = False
        self._check_status(response)
        return self.wire.parse(_json_of(response))

    def _post(self, request: LlmRequest, deadline: float, *, structured: bool) -> HttpResponse:
        """One POST within what is left of the deadline."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise discarded(Discard.TIMEOUT, f"no answer within {self.config.timeout_seconds:g}s")
        body = self.wire.body(request, self.config.model, self.config.temperature,
                              structured=structured)
        for name, instead in tuple(self._renamed.items()):
            if name in body:
                value = body.pop(name)
                if instead is not None:
                    body[instead] = value
        try:
            return self._http.post_json(self.wire.chat_url(self.config.base_url), body,
                                        timeout=remaining,
                                        headers=self.wire.headers(self.config.api_key))
        except HttpError as error:
            raise _transport_error(error) from None

    def _check_status(self, response: HttpResponse) -> None:
        """Raise the typed LlmError for an error status, with the server's own words."""
        if 200 <= response.status < 300:
            return
        said = self._http.redact(error_text(response.body))
        where = f"{self.wire.name} server {self._http.redact(self.config.base_url)}"
        if response.status in (401, 403):
            raise discarded(Discard.AUTH, f"the {where} refused the api_key (HTTP "
                            f"{response.status}): {said}", AUTH_HINT)
        if response.status == 404 and "model" in said.casefold():
            raise discarded(Discard.MODEL_MISSING, f"the {where} has no model "
                            f"{self.config.model!r}: {said}",
                            "`qtorrentino doctor` lists its models")
        try:
            self._http.raise_for_status(response)
        except RateLimited as error:
            raise discarded(Discard.RATE_LIMITED, f"{error.message}: {said}") from None
        except HttpError as error:
            raise discarded(Discard.HTTP_ERROR, f"{error.message}: {said}") from None

    def _use(self, usage: dict[str, Any], started: float, *, cached: bool) -> LlmUse:
        return LlmUse(provider=self.wire.name, model=str(usage.get("model") or self.config.model),
                      prompt_tokens=int(usage.get("prompt_tokens", 0)),
                      completion_tokens=int(usage.get("completion_tokens", 0)),
                      latency_ms=round((time.monotonic() - started) * 1000), cached=cached)


def decode_answer(reply: WireReply) -> Any:
    """The answer's JSON value; a refusal, a truncation or text that is not JSON is discarded."""
    if reply.refusal:
        said = " ".join(reply.refusal.split())[:200]
        raise discarded(Discard.REFUSAL, f"the model refused: {said}")
    if reply.truncated:
        raise discarded(Discard.TRUNCATED, f"the answer was cut off (stop reason {reply.stop!r})",
                        "the model ran out of tokens; fewer candidates (max_candidates) help")
    if reply.data is not None:
        return reply.data
    text = (reply.text or "").strip()
    fenced = _FENCED.match(text)
    if fenced:
        text = fenced.group(1).strip()
    if not text:
        raise discarded(Discard.MALFORMED, "the answer was empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise discarded(Discard.MALFORMED, f"the answer is not JSON ({error.msg} at char "
                        f"{error.pos}): {text[:80]!r}") from None


def _usage(reply: WireReply | None) -> dict[str, Any]:
    if reply is None:
        return {}
    return {"model": reply.model, "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens}


def _json_of(response: HttpResponse) -> Any:
    try:
        return json.loads(response.body)
    except ValueError:
        raise discarded(Discard.MALFORMED, f"the server's answer is not JSON: "
                        f"{response.body[:80]!r}") from None


def _transport_error(error: HttpError) -> LlmError:
    """No usable answer: out of time, too large, or the server could not be reached."""
    if error.status is None and " within " in error.message:
        return discarded(Discard.TIMEOUT, error.message,
                         "raise [textbrain.llm] timeout_seconds or use a faster model")
    if error.status is None and "limit" in error.message:
        return discarded(Discard.MALFORMED, error.message)
    return discarded(Discard.UNREACHABLE, error.message,
                     error.hint or "check base_url in [textbrain.llm]; `qtorrentino doctor` "
                     "tests it")

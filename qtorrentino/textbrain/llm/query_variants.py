"""Job (a): other queries (alternate titles, transliterations) when the searches found nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qtorrentino.textbrain.llm import shape
from qtorrentino.textbrain.llm.exchange import LlmRequest
from qtorrentino.textbrain.llm.prompt_data import listing, ticket_data

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from qtorrentino.domain.ticket import TicketSpec

JOB = "query_variants"
MAX_VARIANTS = 5
MAX_QUERY_CHARS = 120
SYSTEM = (
    "You help search torrent indexers for one media request whose searches found nothing useful. "
    f"Suggest up to {MAX_VARIANTS} other search queries, best first: alternate or "
    "original-language titles, transliterations (Cyrillic, Greek, Japanese, ... to Latin script "
    "and back), other spellings of the artist or series, well-known abbreviations. Each query is "
    "a few words, as a person types into a torrent search; add no quality words. Repeat none of "
    "the queries tried."
)
SCHEMA = shape.object_schema({"queries": {"type": "array", "items": {"type": "string"}}})


def variants_request(spec: TicketSpec, tried: Sequence[str]) -> LlmRequest:
    """The question for a ticket whose queries in `tried` found nothing."""
    prompt = listing([("Wanted", ticket_data(spec)), ("Queries tried", list(tried))])
    return LlmRequest(job=JOB, system=SYSTEM, prompt=prompt, schema=SCHEMA, max_tokens=400)


def variants_validator(tried: Sequence[str]) -> Callable[[Any], tuple[str, ...]]:
    """A validator keeping new, distinct queries; a wrong shape discards the whole answer."""
    seen = {_folded(query) for query in tried}

    def validate(answer: Any) -> tuple[str, ...]:
        raw = shape.array(shape.obj(answer, ("queries",), "the answer")["queries"], "queries",
                          MAX_VARIANTS)
        fresh: list[str] = []
        for position, entry in enumerate(raw):
            query = shape.text(entry, f"queries[{position}]", MAX_QUERY_CHARS)
            if _folded(query) not in seen:
                seen.add(_folded(query))
                fresh.append(query)
        return tuple(fresh)

    return validate


def _folded(query: str) -> str:
    return " ".join(query.casefold().split())

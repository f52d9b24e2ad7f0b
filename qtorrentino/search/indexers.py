"""Several indexers searched at once, each with its own limits; one failure never sinks the rest."""

from __future__ import annotations

import logging
import re
import threading
import time
import traceback
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from qtorrentino.domain.redact import redact_text
from qtorrentino.errors import ConfigError, IndexerError, QtorrentinoError, UsageError
from qtorrentino.net.ratelimit import TokenBucket
from qtorrentino.search.torznab import TorznabClient
from qtorrentino.search.torznab_answers import IndexerRateLimited
from qtorrentino.search.torznab_request import SearchRequest

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from qtorrentino.clock import Clock
    from qtorrentino.config.model import IndexerConfig
    from qtorrentino.config.proxy import ProxyUrl
    from qtorrentino.search.result import SearchResult

logger = logging.getLogger(__name__)

CACHE_SECONDS = 300.0
MAX_POOL_THREADS = 16
DEADLINE_GRACE_SECONDS = 1.0
RECENT_FEED = "(recent feed)"
"""How a read of an indexer's recent feed is described (the RSS sync's request has no query)."""
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    """What one indexer did for one request: what the caller audits as SearchExecuted."""

    indexer: str
    query: str
    """The request as text (SearchRequest.describe())."""
    results: tuple[SearchResult, ...] = ()
    duration_ms: int = 0
    error: str | None = None
    """Why this indexer gave nothing (redacted), or None when it answered."""
    cached: bool = False
    """True when served from the few-minute result cache without asking the indexer."""


@dataclass(frozen=True, slots=True)
class SearchReport:
    """All indexers' outcomes for one request, and their results merged."""

    outcomes: tuple[SearchOutcome, ...]
    results: tuple[SearchResult, ...]
    """Merged across indexers (same info-hash, else same title and size), most seeders first."""


class IndexerSet:
    """The configured indexers, searched together through a small thread pool."""

    def __init__(self, indexers: Sequence[IndexerConfig], clock: Clock, *,
                 proxy: ProxyUrl | None = None) -> None:
        self._configs = {config.name: config for config in indexers}
        self._clients = {config.name: TorznabClient(config, proxy=proxy) for config in indexers}
        self._buckets = {
            config.name: TokenBucket(config.rate_limit_per_minute) for config in indexers
        }
        self._secrets = tuple(str(config.api_key) for config in indexers if config.api_key)
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, SearchRequest], tuple[datetime, tuple[SearchResult, ...]]] = {}
        self._blocked_until: dict[str, datetime] = {}
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, min(MAX_POOL_THREADS, 2 * len(self._clients))),
            thread_name_prefix="search",
        )

    @property
    def names(self) -> tuple[str, ...]:
        """The configured indexer names, in config order."""
        return tuple(self._clients)

    def client(self, name: str) -> TorznabClient:
        """The client for one indexer by name (case-insensitive)."""
        for known, client in self._clients.items():
            if known.casefold() == name.casefold():
                return client
        known_names = ", ".join(self._clients) or "none configured"
        raise UsageError(f"no indexer named {name!r} (configured: {known_names})")

    def search(self, request: SearchRequest, *, only: str | None = None) -> SearchReport:
        """Ask every indexer (or only the named one) at once, each within its own timeout."""
        names = [self.client(only).name] if only is not None else list(self._clients)
        if not names:
            raise ConfigError(
                "no indexers configured",
                hint="add an [[indexers]] entry with url and api_key to config.toml",
            )
        started = time.monotonic()
        futures: dict[str, Future[SearchOutcome]] = {}
        for name in names:
            deadline = started + self._configs[name].timeout_seconds
            futures[name] = self._pool.submit(self._search_one, name, request, deadline)
        longest = max(self._configs[name].timeout_seconds for name in names)
        wait(futures.values(), timeout=longest + DEADLINE_GRACE_SECONDS)
        outcomes = tuple(
            self._collect(name, request, future, started) for name, future in futures.items()
        )
        results = merge_results(result for outcome in outcomes for result in outcome.results)
        return SearchReport(outcomes=outcomes, results=tuple(results))

    def fetch_torrent(self, result: SearchResult) -> bytes | str:
        """A result's torrent from its download sources in order, via its indexer (bytes or a magnet URI)."""
        client = self.client(result.indexer)
        sources = result.download_sources()
        if not sources:
            raise IndexerError(
                f"{result.indexer}: the result {result.title!r} has no magnet and no link"
            )
        for source in sources[:-1]:
            try:
                return client.fetch_torrent(source, expected_info_hash=result.info_hash)
            except IndexerError as error:
                logger.info("%s: %s; trying the next link", result.indexer, error.message)
        return client.fetch_torrent(sources[-1], expected_info_hash=result.info_hash)

    def close(self) -> None:
        """Stop the pool; searches still waiting on a slow indexer end at their own deadline."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def recent(self, name: str) -> SearchOutcome:
        """One indexer's recent feed (never cached), within its rate limit and its total deadline."""
        known = self.client(name).name
        deadline = time.monotonic() + self._configs[known].timeout_seconds
        return self._limited(known, RECENT_FEED, deadline, lambda: self._clients[known].recent(deadline=deadline))

    def _search_one(self, name: str, request: SearchRequest, deadline: float) -> SearchOutcome:
        """One indexer's search: cache, then the request within the indexer's limits."""
        query = request.describe()
        now = self._clock.now()
        with self._lock:
            cached = self._cache.get((name, request))
        if cached is not None and cached[0] > now:
            return SearchOutcome(name, query, cached[1], 0, None, cached=True)
        outcome = self._limited(name, query, deadline, lambda: self._clients[name].search(request, deadline=deadline))
        if outcome.error is None:
            with self._lock:
                self._cache[(name, request)] = (now + timedelta(seconds=CACHE_SECONDS), outcome.results)
                self._drop_expired_locked(now)
        return outcome

    def _limited(self, name: str, query: str, deadline: float,
                 ask: Callable[[], list[SearchResult]]) -> SearchOutcome:
        """One request to an indexer: Retry-After block, rate limit, then ask; failures as error outcomes."""
        started = time.monotonic()
        now = self._clock.now()
        with self._lock:
            blocked_until = self._blocked_until.get(name)
        if blocked_until is not None and blocked_until > now:
            wait_seconds = (blocked_until - now).total_seconds()
            error = f"{name}: rate-limited by the indexer; skipped for another {wait_seconds:.0f}s"
            return SearchOutcome(name, query, (), 0, error)
        bucket = self._buckets[name]
        if not bucket.acquire(timeout=max(0.0, deadline - time.monotonic())):
            rate = self._configs[name].rate_limit_per_minute
            error = (
                f"{name}: over rate_limit_per_minute = {rate}; "
                f"next search possible in {bucket.wait_seconds():.0f}s"
            )
            return SearchOutcome(name, query, (), _elapsed_ms(started), error)
        try:
            results = tuple(ask())
        except IndexerRateLimited as error:
            with self._lock:
                self._blocked_until[name] = now + timedelta(seconds=error.retry_after_seconds)
            return self._failed(name, query, started, error)
        except QtorrentinoError as error:
            return self._failed(name, query, started, error)
        logger.info("%s: %d result(s) for %r", name, len(results), query)
        return SearchOutcome(name, query, results, _elapsed_ms(started), None)

    def _failed(
        self, name: str, query: str, started: float, error: QtorrentinoError
    ) -> SearchOutcome:
        """An error outcome with the message redacted; logged without secrets."""
        message = redact_text(error.message, self._secrets)
        logger.warning("search on %s failed: %s", name, message)
        return SearchOutcome(name, query, (), _elapsed_ms(started), message)

    def _collect(
        self, name: str, request: SearchRequest, future: Future[SearchOutcome], started: float
    ) -> SearchOutcome:
        """The outcome of a finished future; a timeout or a bug becomes an error outcome."""
        query = request.describe()
        if not future.done():
            timeout = self._configs[name].timeout_seconds
            logger.warning("search on %s gave no answer within %gs", name, timeout)
            return SearchOutcome(
                name, query, (), _elapsed_ms(started), f"{name}: no answer within {timeout:g}s"
            )
        error = future.exception()
        if error is None:
            return future.result()
        details = redact_text("".join(traceback.format_exception(error)), self._secrets)
        logger.error("search on %s crashed:\n%s", name, details)
        message = redact_text(
            f"{name}: internal error: {type(error).__name__}: {error}", self._secrets
        )
        return SearchOutcome(name, query, (), _elapsed_ms(started), message)

    def _drop_expired_locked(self, now: datetime) -> None:
        expired = [key for key, (expires, _) in self._cache.items() if expires <= now]
        for key in expired:
            del self._cache[key]


def merge_results(results: Iterable[SearchResult]) -> list[SearchResult]:
    """Merge the same release seen on several indexers, keeping the copy with the most seeders."""
    merged: list[SearchResult] = []
    by_hash: dict[str, int] = {}
    by_name: dict[tuple[str, int], int] = {}
    for result in results:
        position = by_hash.get(result.info_hash) if result.info_hash else None
        name_key = (_normalised_title(result.title), result.size)
        if position is None and name_key in by_name:
            other_hash = merged[by_name[name_key]].info_hash
            if result.info_hash is None or other_hash in (None, result.info_hash):
                position = by_name[name_key]
        if position is None:
            merged.append(result)
            position = len(merged) - 1
        else:
            merged[position] = _combine(merged[position], result)
        if merged[position].info_hash:
            by_hash[merged[position].info_hash or ""] = position
        by_name.setdefault(name_key, position)
    return sorted(merged, key=lambda result: result.seeders_order, reverse=True)


def _combine(kept: SearchResult, other: SearchResult) -> SearchResult:
    """The better-seeded copy, gaps filled from the other (links only from the same indexer)."""
    best, rest = (other, kept) if other.seeders_order > kept.seeders_order else (kept, other)
    portable_magnet = rest.magnet if rest.magnet and rest.magnet.startswith("magnet:") else None
    same_indexer = best.indexer == rest.indexer
    return replace(
        best,
        info_hash=best.info_hash or rest.info_hash,
        magnet=best.magnet or (rest.magnet if same_indexer else portable_magnet),
        link=best.link or (rest.link if same_indexer else None),
        published=best.published or rest.published,
        size=best.size or rest.size,
        categories=tuple(dict.fromkeys((*best.categories, *rest.categories))),
    )


def _normalised_title(title: str) -> str:
    """A title compared loosely: case, punctuation and separators ignored."""
    return " ".join(_NOT_WORD.sub(" ", title.casefold()).split())


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)

"""MusicBrainz release search and track lists through musicbrainzngs: base URL from config, 1 req/s, cached."""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import musicbrainzngs

from qtorrentino import __version__
from qtorrentino.errors import MetadataError
from qtorrentino.metadata.cache import cache_key
from qtorrentino.metadata.guard import ProviderGuard

if TYPE_CHECKING:
    from qtorrentino.config.model import MusicBrainzConfig
    from qtorrentino.metadata.cache import MetadataCache

log = logging.getLogger(__name__)

REQUESTS_PER_SECOND = 1.0
"""MusicBrainz allows about one request a second per IP; over that it answers 503."""
DEADLINE_SECONDS = 15.0
"""musicbrainzngs retries a 503 for about a minute and has no socket timeout: we stop waiting sooner."""
_USER_AGENT = re.compile(r"^\s*(?P<app>[^/\s]+)/(?P<version>\S+)\s*(?:\(\s*(?P<contact>[^)]*?)\s*\))?\s*$")
_SETTINGS_LOCK = threading.Lock()
"""musicbrainzngs keeps host and user agent in module globals; one call at a time sets and uses them."""


@dataclass(frozen=True, slots=True)
class ReleaseCandidate:
    """A release a search found, as the new-ticket wizard and unmatched suggestions show it."""

    id: str
    title: str
    artist: str
    artist_id: str | None
    date: str | None
    year: int | None
    country: str | None
    track_count: int | None
    score: int
    """MusicBrainz's own 0..100 relevance; not to be trusted alone."""
    primary_type: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ReleaseTrack:
    """One track of a release, with its recording id (what Picard writes as MUSICBRAINZ_TRACKID)."""

    disc: int
    number: int
    title: str
    duration_secs: float | None
    recording_id: str


class MusicBrainz:
    """Release searches and track lists; a provider that is down raises MetadataError quickly."""

    def __init__(self, config: MusicBrainzConfig, cache: MetadataCache, *,
                 deadline_seconds: float = DEADLINE_SECONDS) -> None:
        self._config = config
        self._cache = cache
        self.guard = ProviderGuard("MusicBrainz", deadline_seconds=deadline_seconds)
        parts = urlsplit(config.base_url)
        self._host = parts.netloc or "musicbrainz.org"
        self._https = parts.scheme != "http"
        found = _USER_AGENT.match(config.user_agent)
        self._agent = ((found.group("app"), found.group("version"), found.group("contact") or None) if found
                       else ("qtorrentino", __version__, config.user_agent.strip() or None))

    def search_releases(self, artist: str, album: str, limit: int = 5) -> list[ReleaseCandidate]:
        """Releases matching artist and album, best first (by MusicBrainz's score).

        Raises:
            MetadataError: MusicBrainz is down, slow or answered garbage.
        """
        key = cache_key("musicbrainz", "releases", artist, album, limit)
        cached = self._cache.get(key)
        if cached is None:
            answer = self._request(lambda: musicbrainzngs.search_releases(artist=artist, release=album,
                                                                          limit=limit))
            cached = [candidate.to_json() for candidate in _candidates(answer)]
            self._cache.put(key, cached, days=self._config.cache_days)
        return [ReleaseCandidate(**values) for values in cached]

    def release_tracks(self, release_id: str) -> list[ReleaseTrack]:
        """Every track of a release in disc and track order.

        Raises:
            MetadataError: MusicBrainz is down, slow, answered garbage, or knows no such release.
        """
        key = cache_key("musicbrainz", "release", release_id)
        cached = self._cache.get(key)
        if cached is None:
            answer = self._request(lambda: musicbrainzngs.get_release_by_id(
                release_id, includes=["recordings", "artist-credits", "media"]))
            cached = [asdict(track) for track in _tracks(answer)]
            self._cache.put(key, cached, days=self._config.cache_days)
        return [ReleaseTrack(**values) for values in cached]

    def _request(self, call: Any) -> dict[str, Any]:
        def configured_call() -> Any:
            if not _SETTINGS_LOCK.acquire(timeout=self.guard.deadline_seconds):
                raise MetadataError("an earlier MusicBrainz request is still waiting for an answer")
            try:
                musicbrainzngs.set_useragent(*self._agent)
                musicbrainzngs.set_hostname(self._host, use_https=self._https)
                musicbrainzngs.set_rate_limit(1.0 / REQUESTS_PER_SECOND, 1)
                return call()
            except musicbrainzngs.ResponseError as error:
                if getattr(error.cause, "code", None) == 404:
                    return {}
                raise
            finally:
                _SETTINGS_LOCK.release()

        answer = self.guard.call(configured_call, translate=_describe)
        if not isinstance(answer, dict):
            raise MetadataError("MusicBrainz answered something that is not a MusicBrainz document")
        return answer


def _describe(error: BaseException) -> str:
    """musicbrainzngs's errors as a sentence (its messages carry the cause)."""
    if isinstance(error, musicbrainzngs.ResponseError):
        return f"it refused the request ({error.cause})"
    if isinstance(error, musicbrainzngs.NetworkError):
        return f"it cannot be reached ({error.cause or error})"
    return f"{type(error).__name__}: {error}"


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _number(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.strip().isdigit() else None


def _candidates(answer: dict[str, Any]) -> list[ReleaseCandidate]:
    """Convert a search answer; entries without an id or title are skipped."""
    found = []
    for release in answer.get("release-list") or []:
        if not isinstance(release, dict) or not _text(release.get("id")) or not _text(release.get("title")):
            continue
        credits = [credit for credit in release.get("artist-credit") or [] if isinstance(credit, dict)]
        artist_id = next((_text(credit["artist"].get("id")) for credit in credits
                          if isinstance(credit.get("artist"), dict)), None)
        date = _text(release.get("date"))
        group = release.get("release-group")
        primary_type = _text(group.get("primary-type")) if isinstance(group, dict) else None
        found.append(ReleaseCandidate(
            id=str(release["id"]).strip(), title=str(release["title"]).strip(),
            artist=_text(release.get("artist-credit-phrase")) or "", artist_id=artist_id, date=date,
            year=_number((date or "")[:4]), country=_text(release.get("country")),
            track_count=_number(release.get("medium-track-count")), score=_number(release.get("ext:score")) or 0,
            primary_type=primary_type,
        ))
    return sorted(found, key=lambda candidate: -candidate.score)


def _tracks(answer: dict[str, Any]) -> list[ReleaseTrack]:
    """Convert a release lookup into its tracks; damaged entries are skipped."""
    release = answer.get("release")
    if not isinstance(release, dict):
        raise MetadataError("MusicBrainz knows no such release")
    tracks = []
    for disc_index, medium in enumerate(release.get("medium-list") or [], start=1):
        if not isinstance(medium, dict):
            continue
        disc = _number(medium.get("position")) or disc_index
        for track_index, track in enumerate(medium.get("track-list") or [], start=1):
            recording = track.get("recording") if isinstance(track, dict) else None
            if not isinstance(recording, dict) or not _text(recording.get("id")):
                continue
            length = _number(track.get("length") or recording.get("length"))
            tracks.append(ReleaseTrack(
                disc=disc, number=_number(track.get("position")) or track_index,
                title=_text(recording.get("title")) or f"Track {track_index:02d}",
                duration_secs=length / 1000 if length else None, recording_id=str(recording["id"]).strip(),
            ))
    return tracks

"""MusicBrainz release search and track lists: base URL from config, 1 req/s, one total deadline, cached.

Requests go through the project's HTTP client (musicbrainzngs's urllib has no deadline at all); the answer is
checked by the bounded, defused XML parser and then read by musicbrainzngs's own parser into its usual dicts.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import asdict, dataclass
from importlib.metadata import version
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from musicbrainzngs import mbxml

from qtorrentino import __version__
from qtorrentino.errors import MetadataError
from qtorrentino.metadata.cache import cache_key
from qtorrentino.metadata.guard import ProviderGuard
from qtorrentino.metadata.transport import get, out_of_time, seconds_left
from qtorrentino.net.http import HttpClient, HttpError
from qtorrentino.net.ratelimit import TokenBucket
from qtorrentino.net.xml import parse_xml

if TYPE_CHECKING:
    from qtorrentino.config.model import MusicBrainzConfig
    from qtorrentino.config.proxy import ProxyUrl
    from qtorrentino.metadata.cache import MetadataCache
    from qtorrentino.net.deadline import Deadline

log = logging.getLogger(__name__)

REQUESTS_PER_SECOND = 1.0
"""MusicBrainz allows about one request a second per IP; over that it answers 503."""
DEADLINE_SECONDS = 15.0
"""Each call, its retries of a busy (503) MusicBrainz included, ends by then."""
_USER_AGENT = re.compile(r"^\s*(?P<app>[^/\s]+)/(?P<version>\S+)\s*(?:\(\s*(?P<contact>[^)]*?)\s*\))?\s*$")
_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
_PACE = TokenBucket(60 * REQUESTS_PER_SECOND, burst=1)
"""MusicBrainz counts requests per IP, so the whole process shares one pace."""


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
                 deadline_seconds: float = DEADLINE_SECONDS, proxy: ProxyUrl | None = None) -> None:
        self._config = config
        self._cache = cache
        self.guard = ProviderGuard("MusicBrainz", deadline_seconds=deadline_seconds)
        found = _USER_AGENT.match(config.user_agent)
        app, app_version, contact = ((found.group("app"), found.group("version"), found.group("contact"))
                                     if found else ("qtorrentino", __version__, config.user_agent.strip()))
        self._user_agent = f"{app}/{app_version} python-musicbrainzngs/{version('musicbrainzngs')}" + (
            f" ( {contact} )" if contact else "")
        self._base = config.base_url.rstrip("/")
        self._http = HttpClient(user_agent=self._user_agent, proxy=proxy)

    def search_releases(self, artist: str, album: str, limit: int = 5) -> list[ReleaseCandidate]:
        """Releases matching artist and album, best first (by MusicBrainz's score).

        Raises:
            MetadataError: MusicBrainz is down, slow or answered garbage.
        """
        key = cache_key("musicbrainz", "releases", artist, album, limit)
        cached = self._cache.get(key)
        if cached is None:
            query = f"artist:({_lucene(artist)}) release:({_lucene(album)})"
            answer = self._request("release/", {"query": query, "limit": str(limit)})
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
            answer = self._request(f"release/{quote(release_id, safe='')}",
                                   {"inc": "recordings artist-credits media"})
            cached = [asdict(track) for track in _tracks(answer)]
            self._cache.put(key, cached, days=self._config.cache_days)
        return [ReleaseTrack(**values) for values in cached]

    def _request(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        """GET /ws/2/<path> and parse it; a busy (503) MusicBrainz is asked again, at its pace, until the deadline."""
        url = f"{self._base}/ws/2/{path}?{urlencode(params)}"

        def call(deadline: Deadline) -> dict[str, Any]:
            busy = ""
            while True:
                if not _PACE.acquire(timeout=seconds_left(deadline, busy)):
                    raise out_of_time(deadline, busy)
                answer = get(self._http, url, deadline)
                if answer.status == 404:
                    return {}
                if answer.status != 503:
                    break
                busy = "it is busy: HTTP 503"
                log.info("MusicBrainz is busy (HTTP 503); asking again")
            self._http.raise_for_status(answer)
            parse_xml(answer.body, source="MusicBrainz", error_type=MetadataError)
            parsed: dict[str, Any] = mbxml.parse_message(io.BytesIO(answer.body))
            return parsed

        answer = self.guard.call(call, translate=_describe)
        if not isinstance(answer, dict):
            raise MetadataError("MusicBrainz answered something that is not a MusicBrainz document")
        return answer


def _lucene(text: str) -> str:
    """A search term as musicbrainzngs writes it: Lucene's special characters escaped, lower case."""
    return _LUCENE_SPECIAL.sub(r"\\\1", text).lower()


def _describe(error: BaseException) -> str:
    """An HTTP or parsing failure as a sentence."""
    if isinstance(error, HttpError) and error.status is not None:
        return f"it refused the request (HTTP {error.status})"
    if isinstance(error, HttpError):
        return f"it cannot be reached ({error.message})"
    if isinstance(error, (ValueError, SyntaxError)):
        return "it answered something that is not a MusicBrainz document"
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

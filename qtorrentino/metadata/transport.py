"""Metadata providers speak HTTP through the project's client: one total deadline per request, a size cap.

musicbrainzngs (urllib, no socket timeout) and tmdbsimple (requests, per-read timeouts) would let a server that
drips its headers hold a request long after the caller stopped waiting. Here every request ends at the call's
deadline; tmdbsimple gets a session object that does its GETs through HttpClient.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from qtorrentino.errors import MetadataError
from qtorrentino.net.http import HttpClient, HttpResponse, MagnetRedirect

if TYPE_CHECKING:
    from collections.abc import Mapping

    from qtorrentino.net.deadline import Deadline

MAX_ANSWER_BYTES = 4 * 1024 * 1024
"""A provider's answer is a few kilobytes; anything near this is not one."""
MIN_REQUEST_SECONDS = 0.5
"""A request is not started with less of the deadline left than this: it could not finish."""


def seconds_left(deadline: Deadline, why: str = "") -> float:
    """What is left of a call's deadline; MetadataError when too little for another request.

    The error's message is the reason only: the provider's guard says which provider is unavailable.
    """
    left = deadline.remaining()
    if left < MIN_REQUEST_SECONDS:
        raise out_of_time(deadline, why)
    return left


def out_of_time(deadline: Deadline, why: str = "") -> MetadataError:
    """The error for a call that ran out of its deadline (why: what kept it, if known)."""
    return MetadataError(f"no answer within {deadline.seconds:g} s" + (f" ({why})" if why else ""))


def get(http: HttpClient, url: str, deadline: Deadline,
        headers: Mapping[str, str] | None = None) -> HttpResponse:
    """GET url with what is left of the deadline as its total time; a redirect to a magnet is refused."""
    answer = http.get(url, timeout=seconds_left(deadline), headers=headers, max_bytes=MAX_ANSWER_BYTES)
    if isinstance(answer, MagnetRedirect):
        raise MetadataError("it answered with a redirect to a magnet link")
    return answer


@dataclass
class TmdbSession:
    """The part of requests.Session that tmdbsimple uses (`request`), served by HttpClient under a deadline."""

    http: HttpClient
    deadline: Deadline

    def request(self, method: str, url: str, params: Mapping[str, Any] | None = None, data: object = None,
                headers: Mapping[str, str] | None = None, timeout: object = None) -> TmdbAnswer:
        """tmdbsimple's GETs; its own timeout is replaced by what is left of the call's deadline."""
        if method != "GET" or data is not None:
            raise MetadataError(f"only lookups are made, not {method}")
        query = urlencode({key: value for key, value in (params or {}).items() if value is not None})
        answer = get(self.http, f"{url}?{query}" if query else url, self.deadline, headers)
        return TmdbAnswer(self.http, answer)


@dataclass
class TmdbAnswer:
    """The part of requests.Response that tmdbsimple uses."""

    http: HttpClient
    answer: HttpResponse
    encoding: str = "utf-8"

    @property
    def status_code(self) -> int:
        return self.answer.status

    def raise_for_status(self) -> None:
        """HttpError (with the status) for anything outside 2xx; the key in the URL is redacted."""
        self.http.raise_for_status(self.answer)

    def json(self) -> Any:
        """The body as JSON (ValueError when it is not)."""
        return json.loads(self.answer.body.decode(self.encoding, "replace"))

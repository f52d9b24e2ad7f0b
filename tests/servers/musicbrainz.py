"""A loopback MusicBrainz /ws/2 server answering release searches and lookups in the real XML format."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from tests.servers.loopback import LoopbackServer

NAMESPACES = 'xmlns="http://musicbrainz.org/ns/mmd-2.0#" xmlns:ns2="http://musicbrainz.org/ns/ext#-2.0"'
LUCENE_FIELD = re.compile(r"(\w+):\(([^)]*)\)")


@dataclass(frozen=True)
class StubTrack:
    """One track of a stub release."""

    title: str
    length_ms: int
    recording_id: str
    track_id: str


@dataclass(frozen=True)
class StubRelease:
    """One release the server knows, with its tracks on one medium."""

    id: str
    title: str
    artist: str
    artist_id: str
    date: str
    country: str
    release_group_id: str
    tracks: tuple[StubTrack, ...]


@dataclass
class MusicBrainzServer(LoopbackServer):
    """Serves /ws/2/release searches and lookups; `unavailable` makes it answer 503 like an overloaded MB."""

    releases: tuple[StubRelease, ...] = ()
    unavailable: bool = False

    def start(self) -> MusicBrainzServer:
        return self.serve(_Handler, "musicbrainz")

    @property
    def base_url(self) -> str:
        """What [musicbrainz] base_url should be set to."""
        return self.origin

    def record(self, path: str, params: dict[str, str], user_agent: str) -> None:
        self.log_request_of({"path": path, "user_agent": user_agent, "at": f"{time.monotonic():.3f}", **params})

    def search(self, query: str) -> list[tuple[int, StubRelease]]:
        """Releases whose artist and title contain every word of the lucene fields, scored like MB."""
        fields = {name: value.casefold().split() for name, value in LUCENE_FIELD.findall(query)}
        found = []
        for release in self.releases:
            haystacks = {"artist": release.artist.casefold(), "release": release.title.casefold()}
            if all(word in haystacks.get(name, "") for name, words in fields.items() for word in words):
                exact = release.title.casefold() == " ".join(fields.get("release", []))
                found.append((100 if exact else 90, release))
        return found


def _artist_credit(release: StubRelease) -> str:
    return (f'<artist-credit><name-credit><artist id="{release.artist_id}"><name>{escape(release.artist)}</name>'
            f"<sort-name>{escape(release.artist)}</sort-name></artist></name-credit></artist-credit>")


def _release_head(release: StubRelease) -> str:
    return (f"<title>{escape(release.title)}</title>"
            '<status id="4e304316-386d-3409-af2e-78857eec5cfe">Official</status>'
            "<text-representation><language>eng</language><script>Latn</script></text-representation>"
            + _artist_credit(release)
            + f'<release-group id="{release.release_group_id}" type="Album" '
              'type-id="f529b476-6e62-324f-b0aa-1f3e33d313fc">'
              '<primary-type id="f529b476-6e62-324f-b0aa-1f3e33d313fc">Album</primary-type></release-group>'
            + f"<date>{release.date}</date><country>{release.country}</country>")


def search_xml(found: list[tuple[int, StubRelease]]) -> str:
    """A /ws/2/release/?query= answer."""
    items = "".join(
        f'<release id="{release.id}" ns2:score="{score}">{_release_head(release)}'
        f'<medium-list count="1"><track-count>{len(release.tracks)}</track-count>'
        f'<medium><format>CD</format><disc-list count="0"/><track-list count="{len(release.tracks)}"/>'
        "</medium></medium-list></release>"
        for score, release in found
    )
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><metadata {NAMESPACES} '
            f'created="2026-01-01T12:00:00.000Z"><release-list count="{len(found)}" offset="0">{items}'
            "</release-list></metadata>")


def release_xml(release: StubRelease) -> str:
    """A /ws/2/release/MBID?inc=recordings+artist-credits answer."""
    tracks = "".join(
        f'<track id="{track.track_id}"><position>{number}</position><number>{number}</number>'
        f"<length>{track.length_ms}</length>"
        f'<recording id="{track.recording_id}"><title>{escape(track.title)}</title>'
        f"<length>{track.length_ms}</length></recording></track>"
        for number, track in enumerate(release.tracks, start=1)
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?><metadata {NAMESPACES}><release id="{release.id}">'
            f'{_release_head(release)}<medium-list count="1"><medium><position>1</position>'
            f'<format>CD</format><track-list count="{len(release.tracks)}" offset="0">{tracks}</track-list>'
            "</medium></medium-list></release></metadata>")


ERROR_503 = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><error><text>Your requests are exceeding the allowable "
             "rate limit. Please see http://wiki.musicbrainz.org/XMLWebService for more information.</text>"
             "</error>")
NOT_FOUND = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><error><text>Not Found</text></error>"


class _Handler(BaseHTTPRequestHandler):
    musicbrainz: ClassVar[MusicBrainzServer]

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests read `requests` instead."""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        params = {key: values[0] for key, values in parse_qs(parts.query).items()}
        server = self.musicbrainz
        server.record(parts.path, params, self.headers.get("User-Agent", ""))
        if server.unavailable:
            self._send(503, ERROR_503)
            return
        if parts.path.rstrip("/") == "/ws/2/release" and "query" in params:
            self._send(200, search_xml(server.search(params["query"])))
            return
        release_id = parts.path.removeprefix("/ws/2/release/").strip("/")
        release = next((release for release in server.releases if release.id == release_id), None)
        if release is None:
            self._send(404, NOT_FOUND)
            return
        self._send(200, release_xml(release))

    def _send(self, status: int, body: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/xml; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


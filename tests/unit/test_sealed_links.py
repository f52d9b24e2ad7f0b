"""Path passkeys: what redaction hides in a URL's path, and the sealed fragment that lets the link work."""

from __future__ import annotations

import pytest

from qtorrentino.domain.redact import path_secrets, redact_text
from qtorrentino.errors import IndexerError
from qtorrentino.search.sealed_links import LinkSeal

PASSKEY = "0123456789abcdef0123456789abcdef"
LINK = f"https://tracker.example/dl/{PASSKEY}/Album.2001.FLAC.torrent?apikey=k3y-0123456789"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (LINK, "https://tracker.example/dl/***/Album.2001.FLAC.torrent?apikey=***"),
        ("fetch https://t.example/rss/download/12345/aB3dE6gH9jK2mN5pQ8sT1vW4/x.torrent failed",
         "fetch https://t.example/rss/download/12345/***/x.torrent failed"),
        (f"https://t.example/torrents/{PASSKEY}.torrent", "https://t.example/torrents/***.torrent"),
        ("http://mb.example/ws/2/release/b84ee12a-09ef-421b-82de-0441a926375b?inc=media",
         "http://mb.example/ws/2/release/b84ee12a-09ef-421b-82de-0441a926375b?inc=media"),
        ("http://t.example/download/12345/Some.Release.2019.1080p.torrent",
         "http://t.example/download/12345/Some.Release.2019.1080p.torrent"),
        (f"/home/me/downloads/{PASSKEY}/file.flac", f"/home/me/downloads/{PASSKEY}/file.flac"),
    ],
    ids=["hex-passkey", "base64-token", "passkey-as-file-name", "musicbrainz-id", "release-name", "not-a-url"],
)
def test_passkey_like_path_segments_of_urls_are_hidden(text: str, shown: str) -> None:
    assert redact_text(text) == shown


def test_a_sealed_link_is_shown_redacted_and_opens_to_the_original() -> None:
    seal = LinkSeal("indexer-api-key-0123", "https://tracker.example/api")
    stored = redact_text(LINK) + seal.seal(LINK)
    assert PASSKEY not in stored and stored.startswith("https://tracker.example/dl/***/")
    assert redact_text(stored) == "https://tracker.example/dl/***/Album.2001.FLAC.torrent?apikey=***"
    assert seal.open(stored, "tracker") == redact_text(LINK).replace("***", PASSKEY, 1)
    assert seal.seal(LINK) == LinkSeal("indexer-api-key-0123", "https://other.example").seal(LINK)


def test_a_link_sealed_under_another_api_key_is_a_clear_error() -> None:
    stored = redact_text(LINK) + LinkSeal("old-api-key-0123", "u").seal(LINK)
    with pytest.raises(IndexerError, match="can no longer be opened") as raised:
        LinkSeal("new-api-key-4567", "u").open(stored, "tracker")
    assert "api_key changed" in raised.value.hint


def test_links_without_path_secrets_are_left_alone() -> None:
    plain = "http://127.0.0.1:9117/dl/loopback/?jackett_apikey=***&path=3&file=release3"
    assert path_secrets(plain) == []
    assert LinkSeal("key", "u").seal(plain) == ""
    assert LinkSeal("key", "u").open(plain, "x") == plain

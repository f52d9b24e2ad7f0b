"""The one magnet parser: hex and base32 btih, v2 btmh, names; bad links are a UsageError."""

from __future__ import annotations

import base64

import pytest

from qtorrentino.domain.magnet import magnet_info_hash, parse_magnet
from qtorrentino.errors import UsageError

V1 = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
V2 = "d" * 64


def test_hex_btih_is_the_info_hash_and_dn_the_name() -> None:
    magnet = parse_magnet(f"magnet:?xt=urn:btih:{V1.upper()}&dn=Some+Release%20%5BFLAC%5D&tr=udp%3A%2F%2Ft")
    assert (magnet.info_hash, magnet.v2_hash, magnet.name) == (V1, None, "Some Release [FLAC]")


def test_base32_btih_becomes_the_same_hex_hash() -> None:
    base32 = base64.b32encode(bytes.fromhex(V1)).decode()
    assert parse_magnet(f"magnet:?xt=urn:btih:{base32}").info_hash == V1
    assert parse_magnet(f"magnet:?xt=urn:btih:{base32.lower()}").info_hash == V1


def test_a_v2_only_link_is_known_by_its_truncated_hash_as_libtorrent_keys_it() -> None:
    magnet = parse_magnet(f"magnet:?xt=urn:btmh:1220{V2}&dn=v2")
    assert (magnet.info_hash, magnet.v2_hash) == (V2[:40], V2)


def test_a_hybrid_link_keeps_its_v1_hash_and_its_v2_hash() -> None:
    magnet = parse_magnet(f"magnet:?xt=urn:btmh:1220{V2}&xt=urn:btih:{V1}")
    assert (magnet.info_hash, magnet.v2_hash) == (V1, V2)


@pytest.mark.parametrize("uri", [
    "http://example.org/file.torrent",
    "magnet:?dn=no+hash",
    "magnet:?xt=urn:btih:1234",
    "magnet:?xt=urn:btih:" + "g" * 40,
    "magnet:?xt=urn:btmh:1114" + "a" * 40,
    "magnet:?xt=urn:sha1:" + V1,
])
def test_links_without_a_usable_hash_are_refused_with_a_hint(uri: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_magnet(uri)
    assert caught.value.hint and "magnet:?xt=urn:btih:" in caught.value.hint
    assert magnet_info_hash(uri) is None


def test_the_lenient_reader_answers_none_for_nothing() -> None:
    assert magnet_info_hash(None) is None
    assert magnet_info_hash(f"magnet:?xt=urn:btih:{V1}") == V1

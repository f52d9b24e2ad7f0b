"""The one magnet-URI parser: hex or base32 `btih` (v1), `btmh` multihash (v2), the display name."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from qtorrentino.errors import UsageError

HEX_V1 = re.compile(r"[0-9a-f]{40}")
BASE32_V1 = re.compile(r"[a-z2-7]{32}")
SHA256_MULTIHASH = re.compile(r"1220([0-9a-f]{64})")
"""A v2 `btmh`: multihash code 0x12 (sha2-256), length 0x20, then the 32-byte hash."""
MAGNET_HINT = "a magnet link looks like magnet:?xt=urn:btih:<40 hex digits>&dn=<name>"


@dataclass(frozen=True, slots=True)
class Magnet:
    """What a magnet link says about its torrent."""

    info_hash: str
    """The key a torrent is known by everywhere (session, catalog, candidates): the lower-case hex v1
    info-hash, else the v2 hash truncated to 20 bytes, as libtorrent's info_hash_t.get_best() gives it."""
    v2_hash: str | None
    """The full lower-case hex sha2-256 info-hash of a v2 or hybrid torrent, when the link gives it."""
    name: str
    """The `dn` display name ("" when the link has none)."""


def parse_magnet(uri: str) -> Magnet:
    """Read a magnet link; a link without a usable btih/btmh is a UsageError naming what is wrong."""
    text = uri.strip()
    if not text.lower().startswith("magnet:?"):
        raise UsageError("not a magnet link: it does not start with magnet:?", hint=MAGNET_HINT)
    params = parse_qs(urlsplit(text).query)
    v1: str | None = None
    v2: str | None = None
    for value in params.get("xt", []):
        scheme, _, digest = value.strip().lower().rpartition(":")
        if scheme == "urn:btih" and v1 is None:
            v1 = _v1_hash(digest)
        elif scheme == "urn:btmh" and v2 is None and (match := SHA256_MULTIHASH.fullmatch(digest)):
            v2 = match.group(1)
    if v1 is None and v2 is None:
        raise UsageError("the magnet link has no usable info-hash (xt=urn:btih:… or xt=urn:btmh:1220…)",
                         hint=MAGNET_HINT)
    info_hash = v1 if v1 is not None else (v2 or "")[:40]
    return Magnet(info_hash=info_hash, v2_hash=v2, name=params.get("dn", [""])[0].strip())


def magnet_info_hash(uri: str | None) -> str | None:
    """The info-hash a magnet link names, or None when the text is not a usable magnet link."""
    if not uri:
        return None
    try:
        return parse_magnet(uri).info_hash
    except UsageError:
        return None


def _v1_hash(digest: str) -> str | None:
    """A btih digest as lower-case hex: 40 hex digits as they are, 32 base32 letters decoded."""
    if HEX_V1.fullmatch(digest):
        return digest
    if BASE32_V1.fullmatch(digest):
        try:
            return base64.b32decode(digest.upper()).hex()
        except binascii.Error:
            return None
    return None

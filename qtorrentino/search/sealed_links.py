"""Passkeys in an indexer's link paths are sealed: never stored, logged or shown in clear, yet downloadable.

A tracker link such as `/dl/<32 hex passkey>/x.torrent` must be kept to download the torrent later (after an
approval, after a restart), but the passkey must not reach the database, the audit log, the logs or any
output. The link is kept redacted (`/dl/***/x.torrent`, domain.redact's rule) and followed by
`#sealed=<token>`: the hidden segments encrypted with AES-SIV under a key derived from the indexer's API key,
which lives in config.toml only. Redaction drops that fragment from anything shown; fetching the link puts
the passkeys back. The same passkey always seals to the same token, so a link stays one link. An indexer
without an API key gets a key derived from its URL: that keeps the passkey out of sight, nothing more.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

from qtorrentino.domain.redact import REDACTED, SEALED_FRAGMENT, path_secrets
from qtorrentino.errors import IndexerError

_HIDDEN_SEGMENT = re.compile(r"(?<=/)" + re.escape(REDACTED) + r"(?=[/.;]|$)")


class LinkSeal:
    """Seals and opens the passkey-like path segments of one indexer's links."""

    def __init__(self, api_key: str, indexer_url: str) -> None:
        secret = (api_key or indexer_url).encode()
        self._cipher = AESSIV(hmac.digest(secret, b"qtorrentino sealed link path", hashlib.sha512))

    def seal(self, link: str) -> str:
        """The fragment to append to the link once redacted: its path passkeys sealed ("" when it has none)."""
        tokens = [base64.urlsafe_b64encode(self._cipher.encrypt(secret.encode(), None)).rstrip(b"=").decode()
                  for secret in path_secrets(link)]
        return SEALED_FRAGMENT + ".".join(tokens) if tokens else ""

    def open(self, link: str, indexer: str) -> str:
        """A stored link as the indexer gave it: the hidden path segments filled from the sealed fragment.

        Raises:
            IndexerError: the fragment cannot be opened (the indexer's api_key changed since the search).
        """
        shown, found, tokens = link.partition(SEALED_FRAGMENT)
        if not found:
            return link
        secrets = iter([self._open_token(token, indexer) for token in tokens.split(".")])
        path_end = len(shown.split("?", 1)[0])
        path = _HIDDEN_SEGMENT.sub(lambda match: next(secrets, REDACTED), shown[:path_end])
        return path + shown[path_end:]

    def _open_token(self, token: str, indexer: str) -> str:
        try:
            return self._cipher.decrypt(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)), None).decode()
        except (InvalidTag, binascii.Error, ValueError, UnicodeDecodeError):
            raise IndexerError(
                f"{indexer}: this result's download link can no longer be opened",
                hint="the indexer's api_key changed since the search; search again (ticket force-search)",
            ) from None

"""The one rule for hiding secrets: API keys and passkeys in URLs, announce paths and free text."""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "***"
SEALED_FRAGMENT = "#sealed="
"""Ends a stored link whose path passkeys were hidden: their sealed (encrypted) forms, never shown."""

_QUERY_SECRET = re.compile(
    r"(?i)((?:^|[?&;\s])(?:apikey|api_key|passkey|pass_key|authkey|auth_key|torrent_pass|token|key|secret|password|pid|uid)=)"
    r"([^&#\s\"']+)"
)
_ENCODED_QUERY_SECRET = re.compile(
    r"(?i)((?:%3F|%26)(?:apikey|api_key|passkey|authkey|torrent_pass|token|key|secret|password)%3D)"
    r"([^&%\s\"']+)"
)
_ANNOUNCE_PASSKEY = re.compile(r"(?i)(https?://[^\s\"'/]+/)([0-9a-z]{16,64})(/announce)")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^/\s:@\"']+):([^/\s@\"']+)@")
_URL_PATH = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://[^/\s\"'<>]+(/[^?#\s\"'<>]*)")
_PATH_TOKEN = re.compile(r"(?<=/)[A-Za-z0-9+=_-]{16,}(?=[/.;]|$)")
_UUID = re.compile(r"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HEX = re.compile(r"(?i)[0-9a-f]+")
_SEALED = re.compile(re.escape(SEALED_FRAGMENT) + r"[A-Za-z0-9_.-]*")
_BEARER = re.compile(r"(?i)\b(bearer\s+)([A-Za-z0-9._~+/=-]{8,})")
"""An Authorization header's token, wherever a server or proxy echoes it."""
_PROVIDER_KEY = re.compile(
    r"\bsk-(?:ant-|proj-)?(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Z])[A-Za-z0-9_-]{32,}"
)
"""OpenAI- and Anthropic-shaped API keys ("sk-…", "sk-ant-…", "sk-proj-…"): long, mixed case."""


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Hide known secrets and passkey-shaped URL parts in any text."""
    for secret in secrets:
        if secret and len(secret) >= 4 and secret in text:
            text = text.replace(secret, REDACTED)
    if "=" in text:
        text = _QUERY_SECRET.sub(lambda match: match.group(1) + REDACTED, text)
    if "%3" in text:
        text = _ENCODED_QUERY_SECRET.sub(lambda match: match.group(1) + REDACTED, text)
    if SEALED_FRAGMENT in text:
        text = _SEALED.sub("", text)
    if "://" in text:
        text = _ANNOUNCE_PASSKEY.sub(lambda match: match.group(1) + REDACTED + match.group(3), text)
        text = _USERINFO.sub(lambda match: f"{match.group(1)}{match.group(2)}:{REDACTED}@", text)
        text = _URL_PATH.sub(_redact_path, text)
    if "earer" in text or "sk-" in text:
        text = _BEARER.sub(lambda match: match.group(1) + REDACTED, text)
        text = _PROVIDER_KEY.sub(REDACTED, text)
    return text


def path_secrets(url: str) -> list[str]:
    """The passkey-like segments of a URL's path (`/dl/<32 hex>/x.torrent`), which redact_text hides."""
    found = _URL_PATH.match(url)
    if found is None:
        return []
    return [token.group() for token in _PATH_TOKEN.finditer(found.group(1)) if _looks_secret(token.group())]


def _redact_path(url: re.Match[str]) -> str:
    """A URL with its passkey-like path segments hidden (the host, query and file name kept)."""
    start = url.start(1) - url.start()
    path = _PATH_TOKEN.sub(lambda token: REDACTED if _looks_secret(token.group()) else token.group(), url.group(1))
    return url.group()[:start] + path


def _looks_secret(token: str) -> bool:
    """A passkey or token: 16+ hex digits, or 20+ base64 characters, mixing letters and digits (not a UUID)."""
    if not (any(c.isdigit() for c in token) and any(c.isalpha() for c in token)) or _UUID.fullmatch(token):
        return False
    return len(token) >= 20 or _HEX.fullmatch(token) is not None


def redact_value(value: object, secrets: Iterable[str] = ()) -> object:
    """Redact every string inside a JSON-shaped value (dicts, lists, strings)."""
    secret_list = tuple(secrets)
    if isinstance(value, str):
        return redact_text(value, secret_list)
    if isinstance(value, dict):
        return {
            key: REDACTED if _is_secret_key(str(key)) and value[key] else redact_value(item, secret_list)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [redact_value(item, secret_list) for item in value]
    return value


_SECRET_KEY_NAMES = frozenset({"api_key", "apikey", "passkey", "password", "token", "secret",
                               "x-api-key", "authorization"})


def _is_secret_key(key: str) -> bool:
    return key.casefold() in _SECRET_KEY_NAMES

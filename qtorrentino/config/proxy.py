"""The [network] proxy URL: socks5://[user:pass@]host:port or http://[user:pass@]host:port."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from qtorrentino.errors import ConfigError

PROXY_SCHEMES = ("socks5", "socks5h", "http")
PROXY_EXAMPLE = 'proxy = "socks5://127.0.0.1:1080"'


@dataclass(frozen=True, slots=True)
class ProxyUrl:
    """A parsed proxy: what libtorrent's proxy settings and `doctor` need."""

    scheme: str
    """socks5 (socks5h is the same for libtorrent: host names are resolved by the proxy) or http."""
    host: str
    port: int
    username: str = ""
    password: str = ""

    @property
    def address(self) -> str:
        """host:port, never the credentials (for messages)."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def parse_proxy(text: str) -> ProxyUrl | None:
    """The proxy a [network] proxy value names; None when it is empty.

    Raises:
        ConfigError: not a socks5:// or http:// URL with a host and a port.
    """
    if not text:
        return None
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise ConfigError(f"[network] proxy is not a URL ({error})", hint=f"e.g. {PROXY_EXAMPLE}") from None
    scheme = parts.scheme.lower()
    if scheme not in PROXY_SCHEMES:
        raise ConfigError(f"[network] proxy scheme {scheme or '(none)'!r} is not one of {', '.join(PROXY_SCHEMES)}",
                          hint=f"e.g. {PROXY_EXAMPLE}")
    if not parts.hostname or port is None or port == 0:
        raise ConfigError("[network] proxy needs a host and a port", hint=f"e.g. {PROXY_EXAMPLE}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError("[network] proxy takes no path or query", hint=f"e.g. {PROXY_EXAMPLE}")
    return ProxyUrl("socks5" if scheme == "socks5h" else scheme, parts.hostname, port,
                    unquote(parts.username or ""), unquote(parts.password or ""))

"""libtorrent settings beyond the basics: who the session says it is, and the proxy it goes through."""

from __future__ import annotations

import libtorrent as lt

from qtorrentino import __version__
from qtorrentino.config.proxy import parse_proxy

PEER_ID_CLIENT = "Qo"
"""Our two-letter client code in the Azureus-style peer id (-Qo0100-…)."""
_PROXY_TYPES = {  # (scheme, with credentials) → libtorrent's proxy_type
    ("socks5", False): lt.proxy_type_t.socks5,
    ("socks5", True): lt.proxy_type_t.socks5_pw,
    ("http", False): lt.proxy_type_t.http,
    ("http", True): lt.proxy_type_t.http_pw,
}


def default_user_agent() -> str:
    """The honest User-Agent: the program and the engine it runs on."""
    return f"qtorrentino/{__version__} libtorrent/{lt.__version__}"


def default_fingerprint() -> str:
    """The honest peer-id prefix: our client code and version, e.g. -Qo0100-."""
    version = [int(part) if part.isdigit() else 0 for part in __version__.split(".")] + [0, 0, 0]
    return lt.generate_fingerprint(PEER_ID_CLIENT, *version[:4])


def identity_settings(peer_fingerprint: str, user_agent: str) -> lt.settings_pack:
    """The peer-id prefix and User-Agent in force: the configured ones, else the honest defaults."""
    return {"peer_fingerprint": peer_fingerprint or default_fingerprint(),
            "user_agent": user_agent or default_user_agent()}


def proxy_settings(proxy: str) -> lt.settings_pack:
    """libtorrent's own proxy for peers and trackers; no proxy when the value is empty.

    Host names are resolved by the proxy. An HTTP proxy carries no UDP, so uTP is turned off with
    it rather than sent around it (SOCKS5 relays UDP for uTP and the DHT).
    """
    parsed = parse_proxy(proxy)
    if parsed is None:
        return {"proxy_type": lt.proxy_type_t.none}
    settings: lt.settings_pack = {
        "proxy_type": _PROXY_TYPES[(parsed.scheme, bool(parsed.username))],
        "proxy_hostname": parsed.host,
        "proxy_port": parsed.port,
        "proxy_username": parsed.username,
        "proxy_password": parsed.password,
        "proxy_hostnames": True,
        "proxy_peer_connections": True,
        "proxy_tracker_connections": True,
    }
    if parsed.scheme == "http":
        settings |= {"enable_incoming_utp": False, "enable_outgoing_utp": False}
    return settings

"""The libtorrent settings pack a session starts with, from [torrent]."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libtorrent as lt

from qtorrentino.errors import ConfigError
from qtorrentino.torrent.settings import identity_settings

if TYPE_CHECKING:
    from qtorrentino.config.model import TorrentConfig

DISK_QUEUE_BYTES = 256 << 20
STOP_TRACKER_TIMEOUT_SECONDS = 2
ALERT_QUEUE_SIZE = 10_000
MIN_RECONNECT_SECONDS = 5
"""Wait before dialling a peer again, times its failures (libtorrent's 60 s left a magnet whose only peer
refused once idle for a minute)."""

_AM = lt.alert.category_t
_ENCRYPTION = {
    "enabled": lt.enc_policy.enabled,
    "forced": lt.enc_policy.forced,
    "disabled": lt.enc_policy.disabled,
}


def session_settings(config: TorrentConfig, user_agent: str) -> lt.settings_pack:
    """The settings pack of [torrent]: identity, network switches, limits, encryption, alerts."""
    if config.encryption not in _ENCRYPTION:
        raise ConfigError(
            f"[torrent] encryption = {config.encryption!r} is not one of {', '.join(_ENCRYPTION)}"
        )
    return identity_settings(config.peer_fingerprint, user_agent or config.user_agent) | {
        "listen_interfaces": config.listen_interfaces,
        "enable_dht": config.enable_dht,
        "enable_lsd": config.enable_lsd,
        "enable_upnp": config.enable_upnp,
        "enable_natpmp": config.enable_natpmp,
        "enable_outgoing_utp": config.enable_utp,
        "enable_incoming_utp": config.enable_utp,
        "allow_multiple_connections_per_ip": config.allow_local_peers,
        "connections_limit": config.connections_limit,
        "download_rate_limit": config.download_rate_limit_kib * 1024,
        "upload_rate_limit": config.upload_rate_limit_kib * 1024,
        "ignore_limits_on_local_network": False,  # a configured limit applies to every peer
        "active_downloads": config.max_active_downloads,
        "active_seeds": config.max_active_seeds,
        "active_limit": max(500, config.max_active_downloads + config.max_active_seeds),
        "out_enc_policy": _ENCRYPTION[config.encryption],
        "in_enc_policy": _ENCRYPTION[config.encryption],
        "allowed_enc_level": lt.enc_level.both,
        "alert_mask": (_AM.error_notification | _AM.status_notification | _AM.storage_notification
                       | _AM.tracker_notification),
        "alert_queue_size": ALERT_QUEUE_SIZE,
        "stop_tracker_timeout": STOP_TRACKER_TIMEOUT_SECONDS,
        "max_queued_disk_bytes": DISK_QUEUE_BYTES,
        "min_reconnect_time": MIN_RECONNECT_SECONDS,
        "ssrf_mitigation": True,
        "validate_https_trackers": True,
        "allow_idna": False,
    }

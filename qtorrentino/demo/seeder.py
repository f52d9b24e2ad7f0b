"""A loopback seeder for the demo and the tests: a second TorrentSession on 127.0.0.1."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from qtorrentino import __version__
from qtorrentino.config.model import TorrentConfig
from qtorrentino.errors import TorrentError
from qtorrentino.torrent.alerts import IgnoringListener
from qtorrentino.torrent.maketorrent import MadeTorrent, magnet_with_peer, make_torrent
from qtorrentino.torrent.session import TorrentSession

if TYPE_CHECKING:
    from pathlib import Path
    from types import TracebackType

LOOPBACK_HOST = "127.0.0.1"
SEED_READY_TIMEOUT_SECONDS = 30.0
POLL_SECONDS = 0.02


def loopback_config(*, upload_rate_limit_kib: int = 0) -> TorrentConfig:
    """[torrent] for a session that only talks over 127.0.0.1 (no DHT, LSD, UPnP, NAT-PMP, uTP)."""
    return TorrentConfig(
        listen_interfaces=f"{LOOPBACK_HOST}:0",
        enable_dht=False,
        enable_lsd=False,
        enable_upnp=False,
        enable_natpmp=False,
        enable_utp=False,
        allow_local_peers=True,
        max_active_downloads=50,
        max_active_seeds=50,
        upload_rate_limit_kib=upload_rate_limit_kib,
    )


@dataclass(frozen=True, slots=True)
class SeededTorrent:
    """A torrent the seeder shares, with a magnet that points straight at the seeder (`x.pe`)."""

    made: MadeTorrent
    magnet: str

    @property
    def info_hash(self) -> str:
        """The torrent's v1 info-hash."""
        return self.made.info_hash

    @property
    def torrent_bytes(self) -> bytes:
        """The .torrent file."""
        return self.made.torrent_bytes


class Seeder:
    """Seeds folders over 127.0.0.1 from its own TorrentSession; close it (or use `with`)."""

    def __init__(self, state_dir: Path, *, upload_rate_limit_kib: int = 0) -> None:
        self.session = TorrentSession(
            loopback_config(upload_rate_limit_kib=upload_rate_limit_kib),
            state_dir,
            listener=IgnoringListener(),
            user_agent=f"qtorrentino-seeder/{__version__}",
        )

    @property
    def port(self) -> int:
        """The seeder's listening port on 127.0.0.1."""
        return self.session.listen_port

    def seed(
        self, path: Path, *, piece_size: int | None = None, hybrid: bool = True
    ) -> SeededTorrent:
        """Make a torrent of a file or folder and seed it; returns once peers can download it.

        Hybrid by default: many torrents in the wild are, and their pad files must never be wanted.
        """
        made = make_torrent(path, piece_size=piece_size, hybrid=hybrid)
        self.session.add_torrent_bytes(made.torrent_bytes, path.resolve().parent, seed_mode=True)
        deadline = time.monotonic() + SEED_READY_TIMEOUT_SECONDS
        while not self.session.status(made.info_hash).seeding:
            if time.monotonic() > deadline:
                raise TorrentError(f"the seeder never started seeding {made.name}")
            time.sleep(POLL_SECONDS)
        return SeededTorrent(made, magnet_with_peer(made.magnet, LOOPBACK_HOST, self.port))

    def close(self) -> None:
        """Stop seeding and shut the session down."""
        self.session.close(timeout=5)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

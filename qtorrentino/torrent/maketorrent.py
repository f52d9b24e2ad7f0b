"""Make a .torrent and a magnet link from a file or folder (tests, the demo's seeder, sharing)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from qtorrentino.errors import UsageError
from qtorrentino.torrent.metainfo import create_torrent_bytes, read_torrent_file

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

MIN_PIECE_SIZE_BYTES = 16 * 1024


@dataclass(frozen=True, slots=True)
class MadeTorrent:
    """A freshly made torrent: its identity, its .torrent bytes and a magnet link for it."""

    info_hash: str
    torrent_bytes: bytes
    magnet: str
    name: str


def make_torrent(
    path: Path, *, piece_size: int | None = None, hybrid: bool = False, trackers: Sequence[str] = ()
) -> MadeTorrent:
    """Hash a file or folder into a torrent: v1 unless hybrid (v1+v2 with pad files) is asked for.

    piece_size None lets libtorrent choose; otherwise a power of two of at least 16 KiB. trackers
    are announce URLs, one tier each.
    """
    if not path.exists():
        raise UsageError(f"cannot make a torrent of {path}: it does not exist")
    if piece_size is not None and (
        piece_size < MIN_PIECE_SIZE_BYTES or piece_size & (piece_size - 1)
    ):
        raise UsageError(f"piece size {piece_size} is not a power of two of at least 16 KiB")
    torrent_bytes = create_torrent_bytes(path, piece_size=piece_size, hybrid=hybrid, trackers=trackers)
    metadata = read_torrent_file(torrent_bytes)
    magnet = f"magnet:?xt=urn:btih:{metadata.info_hash}&dn={quote(metadata.name, safe='')}"
    return MadeTorrent(metadata.info_hash, torrent_bytes, magnet, metadata.name)


def magnet_with_peer(magnet: str, host: str, port: int) -> str:
    """Add a BEP 9 `x.pe` exact peer to a magnet link (IPv6 hosts get brackets)."""
    if not 0 < port < 65536:
        raise UsageError(f"peer port {port} is out of range")
    if not magnet.startswith("magnet:?"):
        raise UsageError("not a magnet link")
    address = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"{magnet}&x.pe={quote(address, safe='[]:.')}:{port}"

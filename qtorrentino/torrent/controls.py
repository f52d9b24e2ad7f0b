"""One torrent's detail (files with priorities, peers, trackers) copied out of libtorrent, and its controls."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from qtorrentino.clock import iso
from qtorrentino.domain.redact import redact_text
from qtorrentino.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import libtorrent as lt

    from qtorrentino.domain.files import FileEntry
    from qtorrentino.torrent.status import TorrentStatus

PRIORITY_NAMES = {0: "skip", 1: "low", 4: "normal", 7: "high"}
"""The file priorities a person picks from (libtorrent's 0–7 scale)."""
KIB = 1024
UNLIMITED = 0


@dataclass(frozen=True, slots=True)
class Announced:
    """The last answer a tracker gave, as the alerts reported it."""

    at: datetime
    error: str | None


@dataclass(frozen=True, slots=True)
class FileDetail:
    """One real file of the torrent (pad files left out)."""

    index: int
    path: str
    size: int
    done: int
    priority: int


@dataclass(frozen=True, slots=True)
class PeerDetail:
    """One connected peer."""

    address: str
    client: str
    progress: float
    download_bps: int
    upload_bps: int
    encrypted: bool
    seed: bool


@dataclass(frozen=True, slots=True)
class TrackerDetail:
    """One tracker: its status, when it last answered, what went wrong (URLs redacted: passkeys)."""

    url: str
    tier: int
    status: str
    """working | failing | updating | not contacted"""
    last_announce_at: datetime | None
    next_announce_at: datetime | None
    error: str | None
    seeds: int | None
    leechers: int | None


@dataclass(frozen=True, slots=True)
class TorrentDetail:
    """What the detail view shows of one torrent."""

    info_hash: str
    name: str
    upload_limit_kib: int
    """0 = no limit of its own (the session's limit applies)."""
    download_limit_kib: int
    files: tuple[FileDetail, ...]
    peers: tuple[PeerDetail, ...]
    trackers: tuple[TrackerDetail, ...]
    uploaded: int = 0
    """Payload bytes uploaded over the torrent's life (the totals `torrent list` and the resume data keep)."""
    downloaded: int = 0
    ratio: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The detail as `torrent show --json` prints it (times in ISO 8601 UTC)."""
        data = asdict(self)
        for tracker in data["trackers"]:
            tracker["last_announce_at"] = iso(tracker["last_announce_at"])
            tracker["next_announce_at"] = iso(tracker["next_announce_at"])
        return data


def describe(handle: lt.torrent_handle, status: TorrentStatus, files: Sequence[FileEntry],
             announced: Mapping[str, Announced]) -> TorrentDetail:
    """Copy a torrent's files, peers and trackers out of libtorrent now; totals come from status."""
    priorities = handle.get_file_priorities()
    progress = handle.file_progress()
    return TorrentDetail(
        info_hash=status.info_hash,
        name=status.name,
        upload_limit_kib=max(0, handle.upload_limit()) // KIB,
        download_limit_kib=max(0, handle.download_limit()) // KIB,
        files=tuple(FileDetail(entry.index, entry.path, entry.size, int(progress[entry.index]),
                               int(priorities[entry.index])) for entry in files),
        peers=tuple(_peer(peer) for peer in handle.get_peer_info()),
        trackers=tuple(_tracker(entry, announced.get(entry["url"])) for entry in handle.trackers()),
        uploaded=status.all_time_upload,
        downloaded=status.all_time_download,
        ratio=status.ratio,
    )


def checked_priority(priority: int) -> int:
    """A file priority a person may set: one of PRIORITY_NAMES."""
    if priority not in PRIORITY_NAMES:
        names = ", ".join(f"{value} ({name})" for value, name in PRIORITY_NAMES.items())
        raise UsageError(f"file priority {priority} is not one of {names}")
    return priority


def limit_bytes(kib: int) -> int:
    """libtorrent's per-torrent limit for a KiB/s figure (0 = none of its own)."""
    if kib < 0:
        raise UsageError(f"a rate limit of {kib} KiB/s is negative", hint="0 means no limit")
    return kib * KIB if kib else -1


def _peer(peer: lt.peer_info) -> PeerDetail:
    import libtorrent as lt  # here: `torrent list` uses this module without loading libtorrent

    host, port = peer.ip
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    client = peer.client.decode("utf-8", "replace") if isinstance(peer.client, bytes) else str(peer.client)
    encrypted = bool(peer.flags & (lt.peer_info.rc4_encrypted | lt.peer_info.plaintext_encrypted))
    return PeerDetail(address, client, float(peer.progress), int(peer.payload_down_speed),
                      int(peer.payload_up_speed), encrypted, bool(peer.flags & lt.peer_info.seed))


def _tracker(entry: lt.AnnounceEntrydict, announced: Announced | None) -> TrackerDetail:
    raw: dict[str, Any] = dict(entry)
    endpoints = [hashes for endpoint in raw.get("endpoints", []) for hashes in endpoint.get("info_hashes", [])]
    contacted = [state for state in endpoints if state.get("start_sent") or state.get("fails")]
    if any(state.get("updating") for state in endpoints):
        status = "updating"
    elif announced is not None and announced.error is None:
        status = "working"
    elif announced is not None or any(state.get("fails") for state in contacted):
        status = "failing"
    else:
        status = "working" if contacted else "not contacted"
    next_times = [state["next_announce"] for state in contacted if (state.get("next_announce") or 0) > 0]
    seeds = [state["scrape_complete"] for state in contacted if state.get("scrape_complete", -1) >= 0]
    leechers = [state["scrape_incomplete"] for state in contacted if state.get("scrape_incomplete", -1) >= 0]
    return TrackerDetail(
        url=redact_text(str(raw["url"])),
        tier=int(raw.get("tier", 0)),
        status=status,
        last_announce_at=announced.at if announced else None,
        next_announce_at=datetime.fromtimestamp(min(next_times), UTC) if next_times else None,
        error=announced.error if announced else None,
        seeds=max(seeds) if seeds else None,
        leechers=max(leechers) if leechers else None,
    )

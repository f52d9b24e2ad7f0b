"""Our frozen view of the torrent session: status, metadata and the notices the alert pump sends."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from qtorrentino.domain.files import FileEntry


class TorrentState(StrEnum):
    """What a torrent is doing, as the faces show it."""

    DOWNLOADING_METADATA = "downloading_metadata"
    METADATA_READY = "metadata_ready"
    """Metadata fetched and checked; nothing is downloaded until `start()`."""
    CHECKING = "checking"
    DOWNLOADING = "downloading"
    FINISHED = "finished"
    """Every wanted file is done; some files were not wanted."""
    SEEDING = "seeding"
    PAUSED = "paused"
    QUEUED = "queued"
    """Waiting for a slot under max_active_downloads / max_active_seeds."""
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class TorrentStatus:
    """Live numbers for one torrent, copied out of libtorrent."""

    info_hash: str
    """Lower-case hex v1 info-hash (a v2-only torrent: its truncated v2 hash)."""
    name: str
    save_path: Path
    progress: float
    """0..1 of the wanted bytes."""
    total_wanted: int
    total_wanted_done: int
    download_bps: int
    upload_bps: int
    peers: int
    seeds: int
    eta_seconds: int | None
    """None while nothing arrives or nothing is left."""
    ratio: float
    """All-time upload over all-time download of the wanted bytes."""
    all_time_download: int
    """Payload bytes downloaded over the torrent's life, across restarts."""
    all_time_upload: int
    state: TorrentState
    paused: bool
    finished: bool
    seeding: bool
    error: str | None
    active_seconds: int
    seeding_seconds: int
    added_at: datetime
    error_code: int | None = None
    """The errno of a file error (ENOSPC for a full disk), None without one."""


@dataclass(frozen=True, slots=True)
class TorrentMetadata:
    """What a checked .torrent holds: identity, name and real files (pad files left out)."""

    info_hash: str
    name: str
    files: tuple[FileEntry, ...]
    total_size: int


@dataclass(frozen=True, slots=True)
class RestoreReport:
    """What `TorrentSession.restore()` did with the resume data it found."""

    restored: tuple[str, ...] = ()
    rechecking: tuple[str, ...] = ()
    """Restored after an unclean shutdown: their data is being verified again."""
    orphaned: tuple[str, ...] = ()
    """Resume data for torrents the caller does not know; left on disk untouched."""
    missing: tuple[str, ...] = ()
    """Torrents the caller knows but without resume data: re-add them from their .torrent bytes."""
    failed: dict[str, str] = field(default_factory=dict)
    """Unreadable, mismatched or refused resume data, by info-hash: re-add from .torrent bytes."""


@dataclass(frozen=True, slots=True)
class StatusesUpdated:
    """The torrents whose numbers changed since the last update (at most one a second)."""

    statuses: tuple[TorrentStatus, ...]


@dataclass(frozen=True, slots=True)
class MetadataChecked:
    """A magnet's metadata arrived and passed the hostile-metadata check."""

    info_hash: str
    files: tuple[FileEntry, ...]


@dataclass(frozen=True, slots=True)
class TorrentFinished:
    """Every wanted file of a torrent is complete (also reported again after a restart)."""

    info_hash: str


@dataclass(frozen=True, slots=True)
class TorrentFailed:
    """A torrent hit an error: refused metadata, a disk or file error; the message is redacted."""

    info_hash: str
    message: str


@dataclass(frozen=True, slots=True)
class ResumeDataReady:
    """libtorrent produced resume data for a torrent; it still has to be written."""

    info_hash: str
    blob: bytes


@dataclass(frozen=True, slots=True)
class ResumeDataFailed:
    """libtorrent made no resume data for a torrent (it is being removed, or unchanged)."""

    info_hash: str
    message: str


@dataclass(frozen=True, slots=True)
class SessionFailed:
    """A session-wide problem, such as the listen port being taken."""

    message: str


Notice = (
    StatusesUpdated
    | MetadataChecked
    | TorrentFinished
    | TorrentFailed
    | ResumeDataReady
    | ResumeDataFailed
    | SessionFailed
)

"""Reading, checking and writing .torrent metadata with libtorrent (the look-before check)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import libtorrent as lt

from qtorrentino import __version__
from qtorrentino.domain.files import FileEntry
from qtorrentino.errors import HostileMetadata, UsageError
from qtorrentino.torrent.metainfo_check import REFUSAL_HINT, check_metainfo, files_from_info
from qtorrentino.torrent.status import TorrentMetadata

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence
    from pathlib import Path

MAX_TORRENT_BYTES = 10_000_000
LOAD_LIMITS = cast(
    "lt.load_torrent_limits",
    {
        "max_buffer_size": MAX_TORRENT_BYTES,
        "max_pieces": 0x200000,
        "max_decode_depth": 100,
        "max_decode_tokens": 3_000_000,
    },
)
WANTED_PRIORITY = 4


def create_torrent_bytes(
    path: Path,
    *,
    piece_size: int | None = None,
    hybrid: bool = False,
    trackers: Sequence[str] = (),
) -> bytes:
    """Hash a file or folder into a .torrent: v1 (Transmission 3 and aria2 cannot use v2), or hybrid v1+v2."""
    source = path.resolve()
    entries = lt.list_files(str(source))
    if not entries:
        raise UsageError(f"nothing to share in {source}")
    creator = lt.create_torrent(
        entries, piece_size or 0, 0 if hybrid else lt.create_torrent.v1_only
    )
    for tier, tracker in enumerate(trackers):
        creator.add_tracker(tracker, tier)
    creator.set_creator(f"qtorrentino/{__version__}")
    lt.set_piece_hashes(creator, str(source.parent))
    return lt.bencode(creator.generate())


def read_torrent_file(data: bytes) -> TorrentMetadata:
    """Check .torrent bytes and list their files without adding them (the look-before check).

    Raises:
        HostileMetadata: the bytes are not a torrent, or its metadata is hostile or absurd.
    """
    info = load_torrent(data)[1]
    files, _ = inspect_files(info)
    return TorrentMetadata(hash_text(info.info_hashes()), info.name(), files, info.total_size())


def load_torrent(data: bytes) -> tuple[lt.add_torrent_params, lt.torrent_info]:
    """Parse .torrent bytes within LOAD_LIMITS; anything else is HostileMetadata."""
    if len(data) > MAX_TORRENT_BYTES:
        raise HostileMetadata(
            f"refused a .torrent of {len(data)} bytes (limit {MAX_TORRENT_BYTES})"
        )
    try:
        params = lt.load_torrent_buffer(data, LOAD_LIMITS)  # type: ignore[call-overload]  # stubs mistype limits
    except RuntimeError as error:
        raise HostileMetadata(f"not a valid .torrent: {error}", hint=REFUSAL_HINT) from error
    if not isinstance(params, lt.add_torrent_params) or params.ti is None:
        raise HostileMetadata("not a valid .torrent: it holds no metadata", hint=REFUSAL_HINT)
    return params, params.ti


def hash_text(hashes: lt.info_hash_t) -> str:
    """The key a torrent goes by: its v1 info-hash, else its best (v2) one."""
    return str(hashes.v1 if hashes.has_v1() else hashes.get_best())


def inspect_files(info: lt.torrent_info) -> tuple[tuple[FileEntry, ...], int]:
    """Check the raw info dict (libtorrent's copy is already sanitised); list the real files."""
    try:
        raw = lt.bdecode(bytes(info.info_section()))
    except RuntimeError as error:
        raise HostileMetadata(f"unreadable torrent metadata: {error}", hint=REFUSAL_HINT) from error
    if not isinstance(raw, dict):
        raise HostileMetadata("torrent metadata is not a dictionary", hint=REFUSAL_HINT)
    fields: dict[bytes, object] = {
        key: value for key, value in raw.items() if isinstance(key, bytes)
    }
    name, raw_files = files_from_info(fields)
    check_metainfo(raw_files, info.num_pieces(), info.piece_length(), info.total_size(), name=name)
    layout = info.layout()
    files = tuple(
        FileEntry(index=index, path=layout.file_path(index), size=layout.file_size(index))
        for index in range(layout.num_files())
        if not layout.file_flags(index) & lt.file_storage.flag_pad_file
    )
    return files, layout.num_files()


def checked_wanted(
    files: Sequence[FileEntry], wanted: Collection[int] | None
) -> frozenset[int] | None:
    """The wanted file indexes as a set (None: every file); an unknown index is a UsageError."""
    if wanted is None:
        return None
    chosen = frozenset(wanted)
    if unknown := chosen - {entry.index for entry in files}:
        raise UsageError(
            f"no file with index {', '.join(map(str, sorted(unknown)))} in this torrent"
        )
    return chosen


def file_priorities(
    files: Sequence[FileEntry], file_count: int, wanted: frozenset[int] | None
) -> list[int]:
    """One priority per file index (pad files count): wanted files the default, the rest 0."""
    chosen = {entry.index for entry in files} if wanted is None else wanted
    return [WANTED_PRIORITY if index in chosen else 0 for index in range(file_count)]


def torrent_bytes(info: lt.torrent_info, trackers: list[str]) -> bytes:
    """Wrap the exact info bytes (re-encoding could change the info-hash) with the trackers."""
    head = b"d"
    if trackers:
        head += b"8:announce" + lt.bencode(trackers[0].encode())
        head += b"13:announce-list" + lt.bencode([[tracker.encode()] for tracker in trackers])
    return head + b"4:info" + bytes(info.info_section()) + b"e"

"""Refuse hostile torrent metadata (escaping paths, device names, absurd sizes) before any write."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

from qtorrentino.domain.paths import HOSTILE_PATH_DEPTH, hostile_path_problem
from qtorrentino.errors import HostileMetadata

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

MAX_FILES = 100_000
MAX_FILE_BYTES = 1 << 44
MAX_TOTAL_BYTES = 1 << 46
MAX_PIECES = 0x200000
MIN_PIECE_LENGTH_BYTES = 1024
MAX_PIECE_LENGTH_BYTES = 512 << 20

REFUSAL_HINT = "The release is unsafe or broken; choose another candidate."


@dataclass(frozen=True, slots=True)
class MetainfoFile:
    """One file entry exactly as the metadata spells it, before libtorrent sanitises anything."""

    parts: tuple[str, ...]
    """Path components below the torrent's name."""
    size: int
    pad: bool = False
    symlink: tuple[str, ...] | None = None
    """BEP 47 symlink target, relative to the torrent's root."""
    in_file_tree: bool = False
    """From a v2 `file tree`; a hybrid torrent lists each file once there and once in `files`."""


def check_metainfo(
    files: Sequence[MetainfoFile],
    piece_count: int,
    piece_length: int,
    total_size: int,
    *,
    name: str,
) -> None:
    """Refuse metadata that could write outside the save path or is absurd.

    Raises:
        HostileMetadata: naming the torrent, the offending file and why.
    """
    _check_path(name, (name,), name)
    if not files:
        _refuse(name, "it lists no files")
    if len(files) > MAX_FILES:
        _refuse(name, f"it lists {len(files)} files (the limit is {MAX_FILES})")
    if not 0 < total_size <= MAX_TOTAL_BYTES:
        _refuse(name, f"its total size of {total_size} bytes is absurd")
    if not MIN_PIECE_LENGTH_BYTES <= piece_length <= MAX_PIECE_LENGTH_BYTES:
        _refuse(name, f"its piece length of {piece_length} bytes is absurd")
    if not 0 < piece_count <= MAX_PIECES:
        _refuse(name, f"it has {piece_count} pieces (the limit is {MAX_PIECES})")
    seen_paths: dict[str, str] = {}
    for entry in files:
        shown = "/".join(entry.parts) or "(empty path)"
        _check_file(name, entry, shown)
        if entry.pad:
            continue
        key = f"{entry.in_file_tree}:{'/'.join(entry.parts).casefold()}"
        if key in seen_paths:
            _refuse(name, f"two files share the path {shown!r}")
        seen_paths[key] = shown


def files_from_info(info: Mapping[bytes, object]) -> tuple[str, list[MetainfoFile]]:
    """Read the name and every file list (v1 `files`/`length`, v2 `file tree`) of an info dict.

    Raises:
        HostileMetadata: when a field has the wrong type or a name is not UTF-8.
    """
    name = _text(info.get(b"name.utf-8", info.get(b"name")), "name", "?")
    files: list[MetainfoFile] = []
    if b"files" in info:
        files.extend(_v1_files(name, info[b"files"]))
    elif b"length" in info:
        files.append(MetainfoFile(parts=(name,), size=_integer(info[b"length"], name, name)))
    if b"file tree" in info:
        files.extend(_v2_files(name, info[b"file tree"], ()))
    return name, files


def _check_file(name: str, entry: MetainfoFile, shown: str) -> None:
    if entry.size < 0:
        _refuse(name, f"file {shown!r} has a negative size")
    if entry.size > MAX_FILE_BYTES:
        _refuse(name, f"file {shown!r} claims {entry.size} bytes")
    if entry.pad and not entry.parts:
        return
    _check_path(name, entry.parts, shown)
    if entry.symlink is not None:
        if not entry.symlink:
            _refuse(name, f"symlink {shown!r} has no target")
        _check_path(name, entry.symlink, f"{shown} -> {'/'.join(entry.symlink)}")


def _check_path(name: str, parts: tuple[str, ...], shown: str) -> None:
    """Refuse a path domain.paths.hostile_path_problem finds hostile (its size limits included)."""
    problem = hostile_path_problem(parts)
    if problem is not None:
        _refuse(name, f"file {shown[:200]!r} {problem}")


def _v1_files(name: str, raw_files: object) -> list[MetainfoFile]:
    if not isinstance(raw_files, list):
        _refuse(name, "its file list is malformed")
    files = []
    for raw in raw_files:
        if not isinstance(raw, dict):
            _refuse(name, "its file list is malformed")
        attributes = _attributes(raw.get(b"attr", b""), name)
        raw_path = raw.get(b"path.utf-8", raw.get(b"path"))
        if not isinstance(raw_path, list):
            _refuse(name, "a file entry has no path list")
        parts = tuple(_text(part, "path", name) for part in raw_path)
        files.append(
            MetainfoFile(
                parts=parts,
                size=_integer(raw.get(b"length"), "/".join(parts), name),
                pad="p" in attributes,
                symlink=_symlink(raw, attributes, name),
            )
        )
    return files


def _v2_files(name: str, tree: object, prefix: tuple[str, ...]) -> list[MetainfoFile]:
    if len(prefix) > HOSTILE_PATH_DEPTH:
        _refuse(name, f"its file tree is nested over {HOSTILE_PATH_DEPTH} folders deep")
    if not isinstance(tree, dict):
        _refuse(name, "its file tree is malformed")
    files = []
    for raw_key, node in tree.items():
        if raw_key == b"" and isinstance(node, dict):
            attributes = _attributes(node.get(b"attr", b""), name)
            files.append(
                MetainfoFile(
                    parts=prefix,
                    size=_integer(node.get(b"length", 0), "/".join(prefix), name),
                    pad="p" in attributes,
                    symlink=_symlink(node, attributes, name),
                    in_file_tree=True,
                )
            )
        else:
            files.extend(_v2_files(name, node, (*prefix, _text(raw_key, "path", name))))
    return files


def _symlink(raw: Mapping[bytes, object], attributes: str, name: str) -> tuple[str, ...] | None:
    if "l" not in attributes:
        return None
    target = raw.get(b"symlink path")
    if not isinstance(target, list):
        _refuse(name, "a symlink entry has no target")
    return tuple(_text(part, "symlink path", name) for part in target)


def _attributes(raw: object, name: str) -> str:
    return _text(raw, "attr", name) if raw else ""


def _text(raw: object, field_name: str, name: str) -> str:
    if not isinstance(raw, bytes):
        _refuse(name, f"its {field_name} field is missing or not text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        _refuse(name, f"a {field_name} field is not valid UTF-8: {raw[:80]!r}")


def _integer(raw: object, shown: str, name: str) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool):
        _refuse(name, f"file {shown!r} has no valid length")
    return raw


def _refuse(name: str, reason: str) -> NoReturn:
    raise HostileMetadata(f"refused torrent {name!r}: {reason}", hint=REFUSAL_HINT)

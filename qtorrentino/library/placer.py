"""FileProcessor: the one function that puts files into a library, a whole ticket as one unit."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import secrets
import shutil
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Literal

from qtorrentino.config.model import LINK_POLICIES
from qtorrentino.domain.paths import ensure_inside, safe_relative_path
from qtorrentino.errors import ConfigError, PlacementError, QtorrentinoError
from qtorrentino.library.marker import require_online_by_name
from qtorrentino.library.reflink import clone_file

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

logger = logging.getLogger(__name__)

LinkPolicy = Literal["hardlink", "copy", "hardlink_or_fail", "reflink"]
PlacementMethod = Literal["hardlink", "copy", "reflink"]
RollbackStatus = Literal["none", "rolled_back", "rollback_incomplete"]
"""none: nothing had been written; rolled_back: all undone; rollback_incomplete: see remaining."""
Existing = Literal["absent", "identical", "different"]

PARTIAL_NAME = re.compile(r"^\.qtorrentino-[0-9a-f]{16}\.part$")
"""Temporary names a placement writes under; only these may be left behind by a crash."""
FREE_SPACE_MARGIN_BYTES = 64 * 1024 * 1024
"""Kept free beyond the copies, so the database and logs on the same disk can still grow."""
COPY_CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class PlannedFile:
    """One file to place: a ticket item's source file and its path inside the library root."""

    item_id: str
    source: Path
    relative: PurePosixPath
    """Made safe again by place_files (safe_relative_path), whoever built it."""
    expected_size: int | None = None
    """Bytes the source must have; None skips the size check."""


@dataclass(frozen=True, slots=True)
class PlacedFile:
    """A file now in the library, and how it got there."""

    item_id: str
    path: Path
    method: PlacementMethod
    size: int
    already_present: bool = False
    """An identical file was already at path; nothing was written."""


@dataclass(frozen=True, slots=True)
class ReplacedFile:
    """A different file that was at path, kept (restorable) at trash_path."""

    path: Path
    trash_path: Path


@dataclass(frozen=True, slots=True)
class PlacementResult:
    """What one successful place_files call did."""

    files: tuple[PlacedFile, ...]
    rollback_status: RollbackStatus = "none"
    replaced: tuple[ReplacedFile, ...] = ()


class PlacementFailed(PlacementError):
    """A ticket's placement failed; rollback_status and remaining say what is left behind."""

    def __init__(
        self,
        message: str,
        *,
        rollback_status: RollbackStatus,
        hint: str = "",
        remaining: tuple[Path, ...] = (),
    ) -> None:
        super().__init__(message, hint=hint)
        self.rollback_status: RollbackStatus = rollback_status
        self.remaining = remaining


@dataclass(slots=True)
class _Step:
    """One planned file once checked: where it goes, whether it can be linked, what is there now."""

    planned: PlannedFile
    destination: Path
    size: int
    identity: tuple[int, int]
    linkable: bool
    existing: Existing


@dataclass(slots=True)
class _Journal:
    """Every change this call made to the filesystem, so a failure can undo them in reverse."""

    created_dirs: list[Path] = field(default_factory=list)
    created_files: dict[Path, tuple[int, int]] = field(default_factory=dict)
    replaced: list[ReplacedFile] = field(default_factory=list)
    temps: set[Path] = field(default_factory=set)
    touched_folders: set[Path] = field(default_factory=set)


def place_files(
    root: Path,
    plan: Sequence[PlannedFile],
    *,
    link: LinkPolicy,
    replace_existing: bool,
    trash_dir: Path,
    verify: Callable[[Path], None] | None,
    library: str | None = None,
) -> PlacementResult:
    """Place every planned file under root, all or nothing; sources are only ever read.

    When library names the configured library root belongs to, its disk must be there (its marker
    file, see library/marker.py). Destinations, free space and every source (size, then verify,
    which raises a QtorrentinoError to refuse a file) are checked before any file is written; each
    file is staged under a hidden temporary name beside its destination and published atomically.

    Raises:
        LibraryOffline: the library's disk is not mounted (no marker in its root); nothing written.
        PlacementFailed: a check or a file failed; rollback_status says what was undone.
        UnsafePath: a destination resolves outside root (a symlinked folder inside the library).
        ConfigError: link is not one of LINK_POLICIES.
    """
    if link not in LINK_POLICIES:
        raise ConfigError(
            f"link = {link!r} is not a placement policy",
            hint=f"use one of: {', '.join(LINK_POLICIES)}",
        )
    if library is not None:
        require_online_by_name(library)
    root = Path(root)
    if not root.is_dir():
        raise _refused(
            f"library root {root} is missing or not a folder",
            "mount it, or fix the library's path in config.toml",
        )
    steps = [_check(root, planned, link, replace_existing) for planned in plan]
    for destination, count in Counter(step.destination for step in steps).items():
        if count > 1:
            raise _refused(
                f"{count} items would be placed at {destination}",
                "give the items distinct titles or numbers",
            )
    _check_free_space(root, steps)
    for step in steps:
        _verify(step.planned.source, verify)
    journal = _Journal()
    placed: list[PlacedFile] = []
    try:
        for step in steps:
            placed.append(_commit(step, link, Path(trash_dir), root, journal))
        for folder in sorted(journal.touched_folders):
            _fsync_folder(folder)
    except (OSError, QtorrentinoError) as error:
        failed = steps[min(len(placed), len(steps) - 1)]
        raise _failure_after_rollback(journal, failed, error) from error
    except BaseException:
        _roll_back(journal)
        raise
    logger.info("placed %d file(s) under %s, %d replaced", len(placed), root, len(journal.replaced))
    return PlacementResult(files=tuple(placed), replaced=tuple(journal.replaced))


def clean_partial_files(root: Path) -> tuple[Path, ...]:
    """Remove the `.qtorrentino-*.part` temporaries an interrupted placement left under root."""
    removed: list[Path] = []
    for folder, _, names in os.walk(root, onerror=lambda error: logger.warning("%s", error)):
        for name in filter(PARTIAL_NAME.match, names):
            try:
                (Path(folder) / name).unlink()
                removed.append(Path(folder) / name)
            except OSError as error:
                logger.warning("cannot remove partial file %s: %s", Path(folder) / name, error)
    if removed:
        logger.info("removed %d partial file(s) under %s", len(removed), root)
    return tuple(removed)


def _check(root: Path, planned: PlannedFile, link: str, replace_existing: bool) -> _Step:
    """Resolve one destination and stat its source; refuse conflicts before anything is written."""
    destination = ensure_inside(root, safe_relative_path(planned.relative))
    try:
        source_stat = planned.source.stat()
    except OSError as error:
        raise _refused(
            f"source of {planned.item_id} is unreadable: {_describe(error)}",
            "the download or conversion output is gone; retry the ticket",
        ) from error
    if not stat.S_ISREG(source_stat.st_mode):
        raise _refused(f"source of {planned.item_id} ({planned.source}) is not a regular file", "")
    size = source_stat.st_size
    if planned.expected_size is not None and size != planned.expected_size:
        raise _refused(
            f"source {planned.source} is {size} bytes, expected {planned.expected_size}",
            "the download or conversion is incomplete",
        )
    existing = _existing(destination, planned.source, size)
    if existing == "different" and (destination.is_dir() or not replace_existing):
        raise _refused(
            f"{destination} already exists with different content; not overwriting it",
            "allow replace_existing to move the old file to trash first",
        )
    linkable = link not in ("copy", "reflink") and _nearest_device(destination) == source_stat.st_dev
    if link == "hardlink_or_fail" and not linkable and existing != "identical":
        raise _refused(
            f"{planned.source} is on another filesystem than {root}; link = "
            "hardlink_or_fail refuses to copy",
            'use link = "hardlink" to allow a copy',
        )
    identity = (source_stat.st_dev, source_stat.st_ino)
    return _Step(planned, destination, size, identity, linkable, existing)


def _check_free_space(root: Path, steps: list[_Step]) -> None:
    """Refuse when the copies this plan needs, plus a margin, exceed the free space under root."""
    copies = sum(step.size for step in steps if not step.linkable and step.existing != "identical")
    free = shutil.disk_usage(root).free
    if copies + FREE_SPACE_MARGIN_BYTES > free:
        raise _refused(
            f"not enough free space under {root}: {copies} bytes to copy plus "
            f"{FREE_SPACE_MARGIN_BYTES} spare needed, {free} free",
            "free some space, or keep downloads on the library's filesystem",
        )


def _verify(source: Path, verify: Callable[[Path], None] | None) -> None:
    """Run the caller's check (decode, duration) on a source before anything is committed."""
    try:
        if verify is not None:
            verify(source)
    except (OSError, QtorrentinoError) as error:
        reason = error.message if isinstance(error, QtorrentinoError) else _describe(error)
        raise _refused(
            f"{source} failed verification: {reason}",
            "the file is damaged or not what the ticket expects",
        ) from error


def _commit(step: _Step, link: str, trash_dir: Path, root: Path, journal: _Journal) -> PlacedFile:
    """Stage one file under a temporary name beside its destination, check it, then publish it."""
    planned, destination = step.planned, step.destination
    if step.existing == "identical":
        linked = _identity(destination) == step.identity
        return PlacedFile(
            planned.item_id,
            destination,
            "hardlink" if linked else "copy",
            step.size,
            already_present=True,
        )
    _make_folders(destination.parent, journal)
    temp = _temp_name(destination.parent)
    journal.temps.add(temp)
    method: PlacementMethod = "copy"
    if step.linkable:
        try:
            os.link(planned.source, temp)
            method = "hardlink"
        except OSError as error:
            if link == "hardlink_or_fail":
                raise PlacementError(f"hardlink refused: {_describe(error)}") from error
            logger.warning("hardlink of %s failed (%s); copying instead", planned.source, error)
    if method == "copy" and link == "reflink" and clone_file(planned.source, temp):
        method = "reflink"
    if method == "copy":
        _copy_verified(planned.source, temp)
    if temp.stat().st_size != step.size:
        raise PlacementError(f"staged file has {temp.stat().st_size} bytes, source {step.size}")
    if step.existing == "different":
        relative = destination.relative_to(root.resolve())
        trash_path = trash_dir / f"replaced-{secrets.token_hex(8)}" / relative
        _make_folders(trash_path.parent, journal)
        _preserve(destination, trash_path)
        journal.replaced.append(ReplacedFile(destination, trash_path))
        temp.replace(destination)
    else:
        _publish_new(temp, destination)
    journal.temps.discard(temp)
    journal.created_files[destination] = _identity(destination) or (-1, -1)
    journal.touched_folders.add(destination.parent)
    return PlacedFile(planned.item_id, destination, method, step.size)


def _failure_after_rollback(journal: _Journal, failed: _Step, error: Exception) -> PlacementFailed:
    """Roll the journal back and describe the failure with what, if anything, is left behind."""
    status, remaining = _roll_back(journal)
    reason = error.message if isinstance(error, QtorrentinoError) else str(error)
    reason = _describe(error) if isinstance(error, OSError) else reason
    if status == "rollback_incomplete":
        left = ", ".join(map(str, remaining))
        return PlacementFailed(
            f"placing {failed.planned.item_id} at {failed.destination} failed: {reason}; "
            f"rollback left {len(remaining)} path(s): {left}",
            rollback_status=status,
            remaining=remaining,
            hint="remove or restore the listed paths by hand",
        )
    return PlacementFailed(
        f"placing {failed.planned.item_id} at {failed.destination} failed: {reason}; "
        "nothing of this attempt is left in the library",
        rollback_status=status,
    )


def _roll_back(journal: _Journal) -> tuple[RollbackStatus, tuple[Path, ...]]:
    """Undo a journal: remove our files, restore replaced ones, drop the folders we made."""
    if not (journal.created_files or journal.replaced or journal.temps or journal.created_dirs):
        return "none", ()
    remaining: list[Path] = []
    restored = {replaced.path for replaced in journal.replaced}
    ours = [
        path
        for path, identity in journal.created_files.items()
        if path not in restored and _identity(path) == identity
    ]
    for path in [*journal.temps, *ours]:
        try:
            path.unlink(missing_ok=True)
        except OSError as error:
            logger.error("could not remove %s during rollback: %s", path, error)
            remaining.append(path)
    for replaced in reversed(journal.replaced):
        try:
            if _identity(replaced.path) != _identity(replaced.trash_path):
                _preserve(replaced.trash_path, replaced.path, replace=True)
            replaced.trash_path.unlink()
        except (OSError, QtorrentinoError) as error:
            logger.error(
                "could not restore %s from %s: %s", replaced.path, replaced.trash_path, error
            )
            remaining.append(replaced.path)
    for folder in reversed(journal.created_dirs):
        with contextlib.suppress(OSError):
            folder.rmdir()
    for folder in sorted(journal.touched_folders | {path.parent for path in journal.created_files}):
        with contextlib.suppress(OSError):
            _fsync_folder(folder)
    if remaining:
        logger.error("rollback incomplete; left in the library: %s", remaining)
        return "rollback_incomplete", tuple(remaining)
    return "rolled_back", ()


def _existing(destination: Path, source: Path, size: int) -> Existing:
    """What is at destination now: nothing, the same bytes as source, or something else."""
    try:
        destination_stat = destination.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return "absent"
    if not stat.S_ISREG(destination_stat.st_mode) or destination_stat.st_size != size:
        return "different"
    if destination.samefile(source) or _digest(destination) == _digest(source):
        return "identical"
    return "different"


def _copy_verified(source: Path, temp: Path) -> None:
    """Copy source to a new temp file, fsync it, and compare a hash of the re-read copy."""
    source_hash = hashlib.sha1(usedforsecurity=False)
    buffer = memoryview(bytearray(COPY_CHUNK_BYTES))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    with (
        source.open("rb", buffering=0) as reader,
        open(  # a descriptor, not a path
            os.open(temp, flags, 0o644), "wb", buffering=0
        ) as writer,
    ):
        while count := reader.readinto(buffer):
            source_hash.update(buffer[:count])
            writer.write(buffer[:count])
        os.fsync(writer.fileno())
    if _digest(temp) != source_hash.digest():
        raise PlacementError(
            f"the copy of {source} differs from the source after writing",
            hint="the storage corrupted data; check the disk or mount",
        )


def _preserve(path: Path, target: Path, *, replace: bool = False) -> None:
    """Put path's file at target (a hardlink when possible, else a verified copy), durably."""
    staged = _temp_name(target.parent)
    try:
        try:
            os.link(path, staged, follow_symlinks=False)
        except OSError:
            _copy_verified(path, staged)
        if replace:
            staged.replace(target)
        else:
            _publish_new(staged, target)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    _fsync_folder(target.parent)


def _publish_new(temp: Path, destination: Path) -> None:
    """Give temp its final name without ever overwriting a file that appeared meanwhile."""
    try:
        destination.hardlink_to(temp)
    except FileExistsError as error:
        raise PlacementError(f"{destination} appeared while placing; not overwriting it") from error
    except OSError:
        if destination.is_symlink() or destination.exists():
            raise
        temp.replace(destination)
        return
    temp.unlink()


def _make_folders(folder: Path, journal: _Journal) -> None:
    """Create folder and its missing parents, journalling each one for rollback and fsync."""
    missing = [parent for parent in (folder, *folder.parents) if not parent.exists()]
    for created in reversed(missing):
        created.mkdir()
        journal.created_dirs.append(created)
        journal.touched_folders.add(created.parent)
    if not folder.is_dir():
        blocker = next(parent for parent in (folder, *folder.parents) if parent.exists())
        raise PlacementError(f"{blocker} is a file where a folder is needed")


def _temp_name(folder: Path) -> Path:
    return folder / f".qtorrentino-{secrets.token_hex(8)}.part"


def _nearest_device(path: Path) -> int:
    """The device id of path's nearest existing folder (where a hardlink would land)."""
    return next(parent for parent in path.parents if parent.is_dir()).stat().st_dev


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        status = path.lstat()
    except OSError:
        return None
    return status.st_dev, status.st_ino


def _digest(path: Path) -> bytes:
    """A content digest to catch corruption, not an adversary: SHA-1 is the fastest here."""
    with path.open("rb") as reader:
        return hashlib.file_digest(reader, lambda: hashlib.sha1(usedforsecurity=False)).digest()


def _fsync_folder(folder: Path) -> None:
    """Make a folder's new entries durable (a rename is only safe once its folder is synced)."""
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _refused(message: str, hint: str) -> PlacementFailed:
    """A failure found before anything was written: nothing to roll back."""
    return PlacementFailed(message, rollback_status="none", hint=hint)


def _describe(error: OSError) -> str:
    """An OSError as a short sentence: the reason and the path it concerns."""
    reason = error.strerror or str(error)
    return f"{reason} ({error.filename})" if error.filename else reason

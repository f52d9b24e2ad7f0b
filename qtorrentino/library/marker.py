"""Library root markers: a root without its `.qtorrentino-library` file is an unmounted disk.

When a library is first seen at a root (this home's database records no marker root for it, or
another one), its marker is written and the root recorded, unless the root looks like a bare
mountpoint: missing, or holding none of the files on record under it. From then on a root without
its marker is offline: placement, organize, trash restores and scans refuse it with a retryable
LibraryOffline, and the rest of the program goes on. A library configured for the first time on an
empty folder is marked at once: a bare mountpoint of a never-seen library cannot be told from a new
empty library (see README).
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat

from qtorrentino.db.database import write_transaction
from qtorrentino.db.models import LibraryRow
from qtorrentino.errors import LibraryOffline, NotFound
from qtorrentino.library.items import db_path, fs_path, sql

log = logging.getLogger(__name__)

MARKER_NAME = ".qtorrentino-library"
SAMPLE_FILES = 20
"""Files on record a first sight looks for under a root; none there: the disk is not mounted."""
MISSING_ROOT = "the root is missing or not a folder"
MARKER_TEXT = (
    "# qtorrentino: this folder is the root of a library. While this file is missing, qtorrentino\n"
    "# takes the disk for unmounted and writes nothing here. Keep it.\nid = {id}\n"
)


def marker_path(root: str) -> str:
    """Where a library root's marker file is."""
    return os.path.join(root, MARKER_NAME)


def has_marker(root: str) -> bool:
    """Whether root holds a marker file (a regular file, not a symlink left there).

    Raises:
        OSError: the root cannot be examined (permission, I/O error).
    """
    try:
        return stat.S_ISREG(os.lstat(marker_path(root)).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return False


def offline_reason(library: LibraryRow) -> str | None:
    """Why the library's disk is taken for unmounted, or None when it is there; changes nothing."""
    root = os.path.realpath(library.root)
    try:
        marked = has_marker(root)
    except OSError as error:
        return f"its root cannot be read ({error.strerror or error})"
    if marked:
        return None
    if not os.path.isdir(root):
        return MISSING_ROOT
    if library.marker_root == root:
        return f"its marker file {MARKER_NAME} is missing"
    if not _holds_files_on_record(library.id, root):
        return "none of the files on record under it is there"
    return None


def require_online(library: LibraryRow) -> str:
    """The library's real root once its disk is known to be there; marks a root seen the first time.

    Raises:
        LibraryOffline: the root is missing, or has no marker although one was written there
            (unmounted), or is seen for the first time but holds none of the files on record
            under it.
    """
    root = os.path.realpath(library.root)
    reason = offline_reason(library)
    if reason is not None:
        raise LibraryOffline(library.name, root, reason)
    if library.marker_root != root:
        if not has_marker(root):
            _write_marker(library, root)
        _record(library, root)
    return root


def require_online_by_name(name: str) -> str:
    """require_online for a configured library's name.

    Raises:
        NotFound: no library has that name.
        LibraryOffline: see require_online.
    """
    library = LibraryRow.get_or_none(LibraryRow.name == name)
    if library is None:
        raise NotFound(f"no library called {name!r}", hint="see the [[libraries]] in config.toml")
    return require_online(library)


def _holds_files_on_record(library_id: int, root: str) -> bool:
    """True when nothing is on record under root, or some of what is on record is there."""
    prefix = db_path(root + os.sep)
    sample = [
        path
        for (path,) in sql(
            "SELECT m.path FROM media_file m JOIN media_file_state s ON s.media_file_id = m.id"
            ' WHERE m.library_id = ? AND s."exists" = 1 AND substr(m.path, 1, ?) = ? LIMIT ?',
            (library_id, len(prefix), prefix, SAMPLE_FILES),
        )
    ]
    return not sample or any(os.path.lexists(fs_path(path)) for path in sample)


def _write_marker(library: LibraryRow, root: str) -> None:
    """Write the marker under a temporary name, link it into place; one already there is kept."""
    temp = os.path.join(root, f".qtorrentino-{secrets.token_hex(8)}.part")
    try:
        descriptor = os.open(
            temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644
        )
        try:
            os.write(descriptor, MARKER_TEXT.format(id=library.id).encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        with contextlib.suppress(FileExistsError):
            os.link(temp, marker_path(root))
        os.unlink(temp)
        folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        log.warning(
            "library %s: cannot write its marker into %s (%s); its files on record vouch for it",
            library.name,
            root,
            error.strerror or error,
        )
        return
    log.info("library %s: marked its root %s", library.name, root)


def _record(library: LibraryRow, root: str) -> None:
    """Remember where the marker is, so the root without it is known to be offline from now on."""
    if not has_marker(root):
        return
    with write_transaction():
        LibraryRow.update(marker_root=root).where(LibraryRow.id == library.id).execute()
    library.marker_root = root

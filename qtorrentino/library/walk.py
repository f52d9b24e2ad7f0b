"""The library walk: every regular media file under a root, its size and mtime, keyed as stored."""

from __future__ import annotations

import hashlib
import logging
import os
from array import array
from dataclasses import dataclass, field
from stat import S_ISLNK, S_ISREG

from qtorrentino.library.items import db_path
from qtorrentino.library.marker import MARKER_NAME

log = logging.getLogger(__name__)

FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
"""A folder swapped for a symlink between listing and opening is not followed."""
GONE = (FileNotFoundError, NotADirectoryError)
"""Errors meaning an entry vanished mid-walk (a deletion); any other OSError makes it unreadable."""

Seen = tuple[str, int, float]
"""(stored path, size, mtime) of one file: what a rescan compares with the record, as a whole."""


@dataclass(slots=True)
class Walk:
    """What one walk of a library root saw: its files as three parallel lists, in walk order."""

    keys: list[str] = field(default_factory=list)
    """Stored paths of the regular media files."""
    sizes: list[int] = field(default_factory=list)
    mtimes: list[float] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    """Stored paths of folders (ending in '/') that could not be listed and files that could not be
    examined (permission, I/O error): what is on record under them is unreadable, not missing."""
    warnings: int = 0
    root_empty: bool = False
    """Nothing but the library's marker is in the root (an unmounted disk, marked by mistake)."""

    @property
    def found(self) -> set[Seen]:
        """Every file seen as (stored path, size, mtime), to compare with the record."""
        return set(zip(self.keys, self.sizes, self.mtimes, strict=True))

    def fingerprint(self) -> str:
        """A digest of every path, size and mtime seen, in walk order: equal digests, equal folders.

        An unchanged folder is walked in the same order (a filesystem lists an unchanged folder
        the same way); a folder listed in another order only costs a full comparison.
        """
        digest = hashlib.blake2b(digest_size=20)
        digest.update("\0".join(self.keys).encode("utf-8", "surrogatepass"))
        digest.update(array("q", self.sizes).tobytes())
        digest.update(array("d", self.mtimes).tobytes())
        return digest.hexdigest()


def walk(root: str, extensions: frozenset[str], excluded: frozenset[str] = frozenset()) -> Walk:
    """Regular media files under root (a real path), with stored paths as keys.

    Symlinks are never followed; hidden files (our `.qtorrentino-*` temporaries and the marker),
    partial downloads and the excluded folders (downloads, staging, trash) are skipped; FIFOs and
    devices are never opened; an entry that vanishes is a warning, one that cannot be read is
    unreadable. Files are examined relative to their folder's descriptor (the kernel resolves one
    name, not a whole path) with lstat, which tells a regular file from a link or a FIFO without
    opening anything.
    """
    result = Walk()
    with os.scandir(root) as probe:
        result.root_empty = all(entry.name == MARKER_NAME for entry in probe)
    suffixes = tuple(extensions)
    add_key, add_size, add_mtime = result.keys.append, result.sizes.append, result.mtimes.append
    pending = [(root + os.sep, db_path(root + os.sep))]
    while pending:
        folder, prefix = pending.pop()
        try:
            descriptor = os.open(folder, FOLDER_FLAGS)
        except OSError as error:
            _trouble(result, error, prefix, folder)
            continue
        try:
            with os.scandir(descriptor) as entries:
                for entry in entries:
                    name = entry.name
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            if name[0] != "." and (not excluded or folder + name not in excluded):
                                stored = name if name.isascii() else db_path(name)
                                pending.append((folder + name + os.sep, prefix + stored + "/"))
                            continue
                        if name[0] == "." or not (
                            name.endswith(suffixes) or name.lower().endswith(suffixes)
                        ):
                            continue
                        stat = entry.stat(follow_symlinks=False)
                    except OSError as error:
                        _trouble(result, error, prefix + db_path(name), folder + name)
                        continue
                    if not S_ISREG(stat.st_mode):
                        result.warnings += S_ISLNK(stat.st_mode)
                        continue
                    add_key(prefix + name if name.isascii() else prefix + db_path(name))
                    add_size(stat.st_size)
                    add_mtime(stat.st_mtime)
        except OSError as error:
            _trouble(result, error, prefix, folder)
        finally:
            os.close(descriptor)
    return result


def _trouble(result: Walk, error: OSError, key: str, path: str) -> None:
    """One entry could not be walked: a warning, and unless it vanished, unreadable."""
    result.warnings += 1
    if isinstance(error, GONE):
        log.warning("skipping %r: it vanished while scanning", path)
        return
    result.unreadable.append(key)
    log.warning("cannot read %r: %s; what is on record under it is kept, not marked missing",
                path, error.strerror or error)

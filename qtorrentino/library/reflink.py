"""Copy-on-write clones (`link = "reflink"`): a library file independent of the seeding data, at no extra space.

btrfs, XFS (reflink=1, the default since xfsprogs 5.1), bcachefs and others clone a file with the FICLONE
ioctl: both names share the blocks until one is written, so a re-tag of the library copy never touches
what is being seeded. Elsewhere the caller copies instead and records that it did.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

FICLONE = 0x40049409
"""_IOW(0x94, 9, int) from linux/fs.h."""
CANNOT_CLONE = frozenset({errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EINVAL, errno.ENOTTY,
                          errno.ENOSYS, errno.EPERM})
"""What a filesystem or a pair of filesystems that cannot clone answers."""
PROBE_BYTES = b"qtorrentino reflink probe\n"


def clone_file(source: Path, target: Path) -> bool:
    """Create target as a clone of source and flush it; False (nothing left behind) where cloning is impossible.

    Raises:
        OSError: anything else (target exists, no space, permissions).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    reader = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        writer = os.open(target, flags, 0o644)
        try:
            fcntl.ioctl(writer, FICLONE, reader)
            os.fsync(writer)
        except OSError as error:
            os.close(writer)
            target.unlink(missing_ok=True)
            if error.errno in CANNOT_CLONE:
                return False
            raise
        os.close(writer)
        return True
    finally:
        os.close(reader)


def can_clone(source_dir: Path, target_dir: Path) -> bool:
    """Whether a file in source_dir can be cloned into target_dir (tried with a small probe file)."""
    probe = source_dir / f".qtorrentino-reflink-{secrets.token_hex(4)}"
    clone = target_dir / f".qtorrentino-reflink-{secrets.token_hex(4)}"
    try:
        probe.write_bytes(PROBE_BYTES)
        return clone_file(probe, clone)
    except OSError:
        return False
    finally:
        for leftover in (probe, clone):
            with contextlib.suppress(OSError):
                leftover.unlink()

"""Cover art: pick it from the sources in order (fetched, torrent folder, embedded) and write it."""
# mypy: disable-error-code="no-untyped-call"
# (mutagen's frame, picture and tag classes have no annotations; this module wraps them)

from __future__ import annotations

import base64
import binascii
import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import mutagen
from mutagen.flac import FLAC, Picture
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4

from qtorrentino.domain.files import COVER_STEMS, MAX_COVER_BYTES
from qtorrentino.errors import ConversionError, UnsafePath
from qtorrentino.media.tags import MUTAGEN_FAILURES, image_mime

logger = logging.getLogger(__name__)

COVER_SUFFIXES = (".jpg", ".jpeg", ".png")
"""Suffixes the finder looks for in a folder: JPEG and PNG, the only images tags can embed."""
FRONT_COVER_TYPE = 3

CoverSource = Literal["cover-art-archive", "folder", "embedded"]


@dataclass(frozen=True, slots=True)
class CoverArt:
    """Cover image bytes, their mime type and where they came from."""

    data: bytes
    mime: str
    """"image/jpeg" or "image/png"."""
    source: CoverSource

    @property
    def extension(self) -> str:
        """ ".jpg" or ".png", matching the bytes."""
        return ".png" if self.mime == "image/png" else ".jpg"


def find_cover(
    *,
    fetched: bytes | None = None,
    torrent_folder: Path | None = None,
    source_file: Path | None = None,
) -> CoverArt | None:
    """The cover to use: Cover Art Archive bytes, else an image in the torrent folder, else the
    source file's embedded picture; None when none of them holds a JPEG or PNG.

    The folder search looks in the source file's folder and each parent up to `torrent_folder`
    (multi-disc releases keep the cover at the top) and never follows symlinks.
    """
    if fetched is not None:
        art = _as_cover(fetched, "cover-art-archive")
        if art is not None:
            return art
        logger.warning("fetched cover art is not a JPEG or PNG; looking elsewhere")
    if torrent_folder is not None:
        for folder in _folders_up_to(torrent_folder, source_file):
            art = _cover_in_folder(folder)
            if art is not None:
                return art
    if source_file is not None:
        return read_embedded_cover(source_file)
    return None


def read_embedded_cover(path: Path) -> CoverArt | None:
    """The front cover embedded in an audio file (else its first picture), or None."""
    try:
        audio = mutagen.File(path)
        pictures = _embedded_pictures(audio) if audio is not None else []
    except MUTAGEN_FAILURES as error:
        logger.info("cannot read embedded cover art from %s: %s", path, error)
        return None
    pictures.sort(key=lambda typed_picture: typed_picture[0] != FRONT_COVER_TYPE)
    for _picture_type, data in pictures:
        art = _as_cover(data, "embedded")
        if art is not None:
            return art
    return None


def write_cover_file(folder: Path, name: str, data: bytes) -> Path:
    """Write cover bytes as `folder/name` (temp name, fsync, rename); return the path written.

    When the bytes' format disagrees with the name's extension, the extension follows the bytes
    ("cover.jpg" holding PNG data is written as "cover.png"). An identical file is left alone.

    Raises:
        UnsafePath: `name` is not a plain file name.
        ConversionError: the bytes are not JPEG or PNG.
    """
    if not name or name in {".", ".."} or "/" in name or "\\" in name or "\0" in name:
        raise UnsafePath(f"cover file name {name!r} is not a plain file name")
    art = _as_cover(data, "cover-art-archive")
    if art is None:
        raise ConversionError("cover art is neither JPEG nor PNG")
    if _extension_for(Path(name).suffix) != art.extension:
        name = Path(name).stem + art.extension
    target = folder / name
    if target.is_file() and not target.is_symlink() and target.read_bytes() == data:
        return target
    temporary = folder / f".qtorrentino-{uuid.uuid4().hex}.part"
    try:
        with temporary.open("xb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def _extension_for(suffix: str) -> str | None:
    """The canonical image extension a file name's suffix stands for."""
    return {".jpg": ".jpg", ".jpeg": ".jpg", ".png": ".png"}.get(suffix.lower())


def _as_cover(data: bytes, source: CoverSource) -> CoverArt | None:
    if not data or len(data) > MAX_COVER_BYTES:
        return None
    try:
        return CoverArt(data=data, mime=image_mime(data), source=source)
    except ConversionError:
        return None


def _folders_up_to(torrent_folder: Path, source_file: Path | None) -> list[Path]:
    """The source file's folder and its parents, stopping at the torrent folder."""
    top = torrent_folder.absolute()
    if source_file is None:
        return [top]
    folders: list[Path] = []
    folder = source_file.absolute().parent
    while folder.is_relative_to(top) and folder != top:
        folders.append(folder)
        folder = folder.parent
    return [*folders, top]


def _cover_in_folder(folder: Path) -> CoverArt | None:
    """The best-named cover image directly in `folder`, matched case-insensitively."""
    try:
        entries = {entry.name.lower(): entry for entry in os.scandir(folder)}
    except OSError:
        return None
    for stem in COVER_STEMS:
        for suffix in COVER_SUFFIXES:
            entry = entries.get(stem + suffix)
            if entry is None or not entry.is_file(follow_symlinks=False):
                continue
            if entry.stat(follow_symlinks=False).st_size > MAX_COVER_BYTES:
                continue
            art = _as_cover(Path(entry.path).read_bytes(), "folder")
            if art is not None:
                return art
    return None


def _embedded_pictures(audio: object) -> list[tuple[int, bytes]]:
    """(picture type, bytes) for every picture a FLAC, Ogg, MP3 or MP4 file carries."""
    if isinstance(audio, FLAC):
        return [(picture.type, picture.data) for picture in audio.pictures]
    tags = getattr(audio, "tags", None)
    if tags is None:
        return []
    if isinstance(audio, MP3):
        return [(frame.type, frame.data) for frame in tags.getall("APIC")]
    if isinstance(audio, MP4):
        return [(FRONT_COVER_TYPE, bytes(cover)) for cover in tags.get("covr", [])]
    pictures = []
    for encoded in tags.get("metadata_block_picture", []):
        try:
            picture = Picture(base64.b64decode(encoded))
        except (binascii.Error, *MUTAGEN_FAILURES):
            logger.info("skipping an unreadable embedded picture")
            continue
        pictures.append((picture.type, picture.data))
    return pictures

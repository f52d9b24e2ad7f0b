"""Read and write track tags (Vorbis comments, ID3v2.4, MP4 atoms) and embedded cover art."""
# mypy: disable-error-code="no-untyped-call"
# (mutagen's frame, picture and tag classes have no annotations; this module wraps them)

from __future__ import annotations

import base64
import logging
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import mutagen
from mutagen.flac import FLAC, Picture
from mutagen.id3 import APIC, ID3, TALB, TCON, TDRC, TIT2, TPE1, TPE2, TPOS, TRCK, TXXX, UFID
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, MP4Cover, MP4FreeForm
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from qtorrentino.errors import ConversionError

if TYPE_CHECKING:
    from pathlib import Path

logger = logging.getLogger(__name__)

MUTAGEN_FAILURES = (mutagen.MutagenError, OSError, ValueError, struct.error, EOFError, KeyError)
"""What mutagen raises on damaged or hostile files (it is fuzzed, but not only MutagenError)."""
MUSICBRAINZ_OWNER = "http://musicbrainz.org"
ITUNES_FREEFORM = "----:com.apple.iTunes:"
VORBIS_KEYS = {
    "title": "TITLE",
    "artist": "ARTIST",
    "album": "ALBUM",
    "albumartist": "ALBUMARTIST",
    "date": "DATE",
    "genre": "GENRE",
    "musicbrainz_track_id": "MUSICBRAINZ_TRACKID",
    "musicbrainz_album_id": "MUSICBRAINZ_ALBUMID",
    "musicbrainz_releasegroup_id": "MUSICBRAINZ_RELEASEGROUPID",
    "musicbrainz_artist_id": "MUSICBRAINZ_ARTISTID",
    "musicbrainz_albumartist_id": "MUSICBRAINZ_ALBUMARTISTID",
    "musicbrainz_releasetrack_id": "MUSICBRAINZ_RELEASETRACKID",
}
"""Picard's names, which Navidrome, Jellyfin, Plex and beets read."""
VORBIS_NUMBERS = {
    "track_number": ("TRACKNUMBER",),
    "track_total": ("TRACKTOTAL", "TOTALTRACKS"),
    "disc_number": ("DISCNUMBER",),
    "disc_total": ("DISCTOTAL", "TOTALDISCS"),
}
TXXX_NAMES = {
    "musicbrainz_album_id": "MusicBrainz Album Id",
    "musicbrainz_releasegroup_id": "MusicBrainz Release Group Id",
    "musicbrainz_artist_id": "MusicBrainz Artist Id",
    "musicbrainz_albumartist_id": "MusicBrainz Album Artist Id",
    "musicbrainz_releasetrack_id": "MusicBrainz Release Track Id",
}
"""ID3 TXXX descriptions; the recording id goes in UFID, MP4 uses these names for all ids."""
ID3_TEXT_FRAMES = {"title": TIT2, "artist": TPE1, "albumartist": TPE2, "album": TALB}
ID3_TEXT_FRAMES |= {"date": TDRC, "genre": TCON}
MP4_KEYS = {"title": "\xa9nam", "artist": "\xa9ART", "albumartist": "aART", "album": "\xa9alb"}
MP4_KEYS |= {"date": "\xa9day", "genre": "\xa9gen"}
MP4_ID_NAMES = TXXX_NAMES | {"musicbrainz_track_id": "MusicBrainz Track Id"}


@dataclass(frozen=True, slots=True)
class TrackTags:
    """The tags qtorrentino writes and reads; None means "not set" (and is left alone on write)."""

    title: str | None = None
    artist: str | None = None
    album: str | None = None
    albumartist: str | None = None
    track_number: int | None = None
    track_total: int | None = None
    disc_number: int | None = None
    disc_total: int | None = None
    date: str | None = None
    """"1997" or "1997-05-21"."""
    genre: str | None = None
    musicbrainz_track_id: str | None = None
    """The recording id (Picard's MUSICBRAINZ_TRACKID)."""
    musicbrainz_album_id: str | None = None
    """The release id."""
    musicbrainz_releasegroup_id: str | None = None
    musicbrainz_artist_id: str | None = None
    musicbrainz_albumartist_id: str | None = None
    musicbrainz_releasetrack_id: str | None = None

    @property
    def year(self) -> int | None:
        """The year part of `date`, when it starts with four digits."""
        head = (self.date or "")[:4]
        return int(head) if head.isdigit() else None


def image_mime(data: bytes) -> str:
    """The mime type of JPEG or PNG bytes.

    Raises:
        ConversionError: the bytes are neither (covers must be JPEG or PNG).
    """
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    raise ConversionError("cover art is neither JPEG nor PNG")


def write_tags(path: Path, tags: TrackTags, cover: bytes | None = None) -> None:
    """Write `tags` (and `cover` as the front-cover picture) into an audio file, in place.

    Only ever call this on staged copies that qtorrentino made (conversion output): mutagen saves
    in place, and a seeding torrent's payload must never change. A file with more than one hard
    link is refused for that reason.

    Raises:
        ConversionError: the file is not a taggable FLAC/Ogg/Opus/MP3/MP4 file, is damaged, or is
            hard-linked; the cover is not JPEG or PNG.
    """
    if path.stat().st_nlink > 1:
        raise ConversionError(f"refusing to tag {path.name}: it is hard-linked (maybe seeding)")
    mime = image_mime(cover) if cover is not None else None
    audio = _open(path)
    try:
        if isinstance(audio, (FLAC, OggOpus, OggVorbis)):
            _write_vorbis(audio, tags, cover, mime)
        elif isinstance(audio, MP3):
            _write_id3(audio, tags, cover, mime)
        else:
            _write_mp4(audio, tags, cover, mime)
        audio.save()
    except MUTAGEN_FAILURES as error:
        raise ConversionError(f"cannot write tags to {path.name}: {error}") from error


def read_tags(path: Path) -> TrackTags:
    """Read the tags qtorrentino knows from an audio file (absent ones are None).

    Raises:
        ConversionError: the file is not a readable FLAC/Ogg/Opus/MP3/MP4 file.
    """
    audio = _open(path)
    try:
        if isinstance(audio, (FLAC, OggOpus, OggVorbis)):
            return _read_vorbis(audio)
        if isinstance(audio, MP3):
            return _read_id3(audio)
        return _read_mp4(audio)
    except MUTAGEN_FAILURES as error:
        raise ConversionError(f"cannot read tags from {path.name}: {error}") from error


def _open(path: Path) -> Any:
    """Open a file with mutagen as one of the supported types."""
    try:
        audio = mutagen.File(path)
    except MUTAGEN_FAILURES as error:
        raise ConversionError(f"cannot read {path.name} as audio: {error}") from error
    if not isinstance(audio, (FLAC, OggOpus, OggVorbis, MP3, MP4)):
        raise ConversionError(f"cannot tag {path.name}: not a FLAC, Ogg, Opus, MP3 or MP4 file")
    if audio.tags is None:
        audio.add_tags()
    return audio


def _front_cover(data: bytes, mime: str) -> Picture:
    picture = Picture()
    picture.type, picture.mime, picture.desc, picture.data = 3, mime, "Front Cover", data
    return picture


def _write_vorbis(audio: Any, tags: TrackTags, cover: bytes | None, mime: str | None) -> None:
    for field_name, key in VORBIS_KEYS.items():
        value = getattr(tags, field_name)
        if value is not None:
            audio[key] = [value]
    for field_name, keys in VORBIS_NUMBERS.items():
        number = getattr(tags, field_name)
        if number is not None:
            for key in keys:
                audio[key] = [str(number)]
    if cover is None or mime is None:
        return
    if isinstance(audio, FLAC):
        audio.clear_pictures()
        audio.add_picture(_front_cover(cover, mime))
    else:
        encoded = base64.b64encode(_front_cover(cover, mime).write()).decode("ascii")
        audio["METADATA_BLOCK_PICTURE"] = [encoded]


def _read_vorbis(audio: Any) -> TrackTags:
    def first(key: str) -> str | None:
        found = audio.tags.get(key)
        return _clean(found[0]) if found else None

    values: dict[str, Any] = {name: first(key) for name, key in VORBIS_KEYS.items()}
    for prefix in ("track", "disc"):
        number, total_in_number = _split_pair(first(VORBIS_NUMBERS[f"{prefix}_number"][0]))
        totals = (_leading_int(first(key)) for key in VORBIS_NUMBERS[f"{prefix}_total"])
        total = next((found for found in totals if found is not None), total_in_number)
        values[f"{prefix}_number"], values[f"{prefix}_total"] = number, total
    return TrackTags(**values)


def _write_id3(audio: Any, tags: TrackTags, cover: bytes | None, mime: str | None) -> None:
    id3: ID3 = audio.tags
    for field_name, frame in ID3_TEXT_FRAMES.items():
        value = getattr(tags, field_name)
        if value is not None:
            id3.setall(frame.__name__, [frame(encoding=3, text=[value])])
    for frame, number, total in (
        (TRCK, tags.track_number, tags.track_total),
        (TPOS, tags.disc_number, tags.disc_total),
    ):
        if number is not None:
            text = f"{number}/{total}" if total is not None else str(number)
            id3.setall(frame.__name__, [frame(encoding=3, text=[text])])
    for field_name, description in TXXX_NAMES.items():
        value = getattr(tags, field_name)
        if value is not None:
            id3.setall(f"TXXX:{description}", [TXXX(encoding=3, desc=description, text=[value])])
    if tags.musicbrainz_track_id is not None:
        recording = tags.musicbrainz_track_id.encode()
        id3.setall(f"UFID:{MUSICBRAINZ_OWNER}", [UFID(owner=MUSICBRAINZ_OWNER, data=recording)])
    if cover is not None:
        id3.delall("APIC")
        id3.add(APIC(encoding=3, mime=mime, type=3, desc="Front Cover", data=cover))


def _read_id3(audio: Any) -> TrackTags:
    id3: ID3 = audio.tags

    def text(frame_id: str) -> str | None:
        frame = id3.get(frame_id)
        return _clean(frame.text[0]) if frame is not None and frame.text else None

    values: dict[str, Any] = {name: text(frame.__name__) for name, frame in ID3_TEXT_FRAMES.items()}
    values["track_number"], values["track_total"] = _split_pair(text("TRCK"))
    values["disc_number"], values["disc_total"] = _split_pair(text("TPOS"))
    for field_name, description in TXXX_NAMES.items():
        values[field_name] = text(f"TXXX:{description}")
    recording = id3.get(f"UFID:{MUSICBRAINZ_OWNER}")
    values["musicbrainz_track_id"] = recording.data.decode(errors="replace") if recording else None
    return TrackTags(**values)


def _write_mp4(audio: Any, tags: TrackTags, cover: bytes | None, mime: str | None) -> None:
    for field_name, key in MP4_KEYS.items():
        value = getattr(tags, field_name)
        if value is not None:
            audio[key] = [value]
    if tags.track_number is not None:
        audio["trkn"] = [(tags.track_number, tags.track_total or 0)]
    if tags.disc_number is not None:
        audio["disk"] = [(tags.disc_number, tags.disc_total or 0)]
    for field_name, name in MP4_ID_NAMES.items():
        value = getattr(tags, field_name)
        if value is not None:
            audio[ITUNES_FREEFORM + name] = [MP4FreeForm(value.encode())]
    if cover is not None:
        image_format = MP4Cover.FORMAT_PNG if mime == "image/png" else MP4Cover.FORMAT_JPEG
        audio["covr"] = [MP4Cover(cover, imageformat=image_format)]


def _read_mp4(audio: Any) -> TrackTags:
    def first(key: str) -> Any:
        values = audio.tags.get(key)
        return values[0] if values else None

    values: dict[str, Any] = {name: _clean(first(key)) for name, key in MP4_KEYS.items()}
    for field_name, name in MP4_ID_NAMES.items():
        raw = first(ITUNES_FREEFORM + name)
        values[field_name] = bytes(raw).decode(errors="replace") if raw is not None else None
    for prefix, key in (("track", "trkn"), ("disc", "disk")):
        number, total = first(key) or (None, None)
        values[f"{prefix}_number"], values[f"{prefix}_total"] = number or None, total or None
    return TrackTags(**values)


def _clean(value: object) -> str | None:
    """A tag value as stripped text; blank means absent."""
    if value is None:
        return None
    return str(value).strip() or None


def _leading_int(text: str | None) -> int | None:
    head = (text or "").split("/")[0].strip()
    return int(head) if head.isdigit() else None


def _split_pair(text: str | None) -> tuple[int | None, int | None]:
    """ "3/12" → (3, 12); "3" → (3, None)."""
    number, _, total = (text or "").partition("/")
    return _leading_int(number), _leading_int(total)

"""What a media file holds (MediaInfo) and whether it fully decodes; ffprobe when present."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import mutagen

from qtorrentino.errors import ConversionError
from qtorrentino.media.ffmpeg import SAFE_DEMUXERS, file_url, find_ffmpeg, input_args, read_failure, run_ffmpeg
from qtorrentino.media.tags import MUTAGEN_FAILURES

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable
    from pathlib import Path

    from qtorrentino.media.ffmpeg import FfmpegInfo

logger = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 60
CHANNELS_BY_LAYOUT = {"mono": 1, "stereo": 2, "2.1": 3, "3.0": 3, "quad": 4, "4.0": 4, "5.0": 5}
MUTAGEN_SUFFIXES = frozenset({".flac", ".opus", ".ogg", ".oga", ".mp3", ".m4a"})
MUTAGEN_KINDS = {"FLAC": "flac", "OggOpus": "ogg", "OggVorbis": "ogg", "MP3": "mp3", "MP4": "mov"}
"""mutagen's file types that probing trusts, and ffmpeg's demuxer name for each."""
MUTAGEN_CODECS = {"FLAC": "flac", "OggOpus": "opus", "OggVorbis": "vorbis", "MP3": "mp3"}
CHANNELS_BY_LAYOUT |= {"5.0(side)": 5, "5.1": 6, "5.1(side)": 6, "6.1": 7, "7.1": 8, "7.1(wide)": 8}
INPUT_LINE = re.compile(r"^Input #0, (?P<formats>[^ ]+?), from ", re.MULTILINE)
DURATION_LINE = re.compile(
    r"^\s+Duration: (?:(?P<h>\d+):(?P<m>\d\d):(?P<s>\d\d(?:\.\d+)?)|N/A)"
    r".*?(?:bitrate: (?P<kbps>\d+) kb/s)?$",
    re.MULTILINE,
)
STREAM_LINE = re.compile(
    r"^\s+Stream #0:(?P<index>\d+)(?:\[[^\]]*\])?(?:\([^)]*\))?: "
    r"(?P<kind>Audio|Video|Subtitle|Data|Attachment): (?P<codec>[^\s,]+)(?P<rest>.*)$",
    re.MULTILINE,
)


@dataclass(frozen=True, slots=True)
class StreamInfo:
    """One stream of a media file, in ffmpeg's numbering."""

    index: int
    kind: str
    """"audio", "video", "subtitle", "data" or "attachment"."""
    codec: str
    """ffmpeg's codec name: "flac", "opus", "mp3", "aac", "h264", "mjpeg", ..."""
    attached_picture: bool = False
    """A cover image carried as a one-frame video stream."""


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What probing a file found; None where the file does not say."""

    duration_secs: float | None
    codec: str | None
    """The main stream's codec: the first real video stream's, else the first audio stream's."""
    bitrate: int | None
    """Overall bits per second."""
    channels: int | None
    sample_rate: int | None
    width: int | None
    height: int | None
    streams: tuple[StreamInfo, ...]
    """Every stream, except that mutagen's probe lists the audio stream only."""
    container: str | None
    """ffmpeg's demuxer name, first alias only: "flac", "ogg", "mp3", "mov", "matroska", ..."""

    @property
    def has_video(self) -> bool:
        """True when a real video stream (not a cover picture) is present."""
        return any(s.kind == "video" and not s.attached_picture for s in self.streams)

    @property
    def has_audio(self) -> bool:
        """True when an audio stream is present."""
        return any(s.kind == "audio" for s in self.streams)


def probe(path: Path, *, ffmpeg: FfmpegInfo | None = None) -> MediaInfo:
    """Describe a media file: ffprobe when present, else mutagen (audio) or `ffmpeg -i` output.

    Raises:
        ConversionError: the file is missing or no prober can read it.
    """
    if not path.is_file():
        raise ConversionError(f"cannot probe {path}: not a file")
    binary = ffmpeg or find_ffmpeg()
    if binary.ffprobe is not None:
        return _probe_with_ffprobe(path, binary.ffprobe)
    return _probe_with_mutagen(path) or _probe_with_ffmpeg(path, binary)


def verify_decodes(
    path: Path,
    *,
    ffmpeg: FfmpegInfo | None = None,
    on_progress: Callable[[float], None] | None = None,
    cancel: threading.Event | None = None,
) -> float:
    """Decode the whole file (`-f null -`, stopping at the first error); return decoded seconds.

    Raises:
        ConversionError: ffmpeg could not decode it, with ffmpeg's message.
    """
    binary = ffmpeg or find_ffmpeg()
    hint = probe(path, ffmpeg=binary).duration_secs
    args = ["-xerror", *input_args(path), "-map", "0:a?", "-map", "0:V?", "-f", "null", "-"]
    decoded = run_ffmpeg(
        args, on_progress=on_progress, duration_hint=hint, cancel=cancel, ffmpeg=binary
    )
    if decoded is None:
        raise ConversionError(f"{path.name}: ffmpeg decoded nothing")
    return decoded


def decodes(path: Path, *, ffmpeg: FfmpegInfo | None = None) -> bool:
    """True when the whole file decodes without an error."""
    try:
        verify_decodes(path, ffmpeg=ffmpeg)
    except ConversionError as error:
        logger.info("%s does not decode: %s", path, error)
        return False
    return True


def _probe_with_mutagen(path: Path) -> MediaInfo | None:
    """Read an audio file's stream info with mutagen; None hands the file to ffmpeg instead."""
    if path.suffix.lower() not in MUTAGEN_SUFFIXES:
        return None
    try:
        audio = mutagen.File(path)
    except MUTAGEN_FAILURES as error:
        logger.debug("mutagen cannot read %s (%s); asking ffmpeg", path, error)
        return None
    kind = type(audio).__name__
    if kind not in MUTAGEN_KINDS or not audio.info.length:
        return None
    info, length = audio.info, float(audio.info.length)
    codec = MUTAGEN_CODECS.get(kind) or _mp4_codec(str(getattr(info, "codec", "")))
    return MediaInfo(
        duration_secs=length,
        codec=codec,
        bitrate=round(path.stat().st_size * 8 / length),
        channels=getattr(info, "channels", None),
        sample_rate=48000 if kind == "OggOpus" else getattr(info, "sample_rate", None),
        width=None,
        height=None,
        streams=(StreamInfo(0, "audio", codec),),
        container=MUTAGEN_KINDS[kind],
    )


def _mp4_codec(mp4_codec: str) -> str:
    """ffmpeg's name for an MP4 sample entry: "mp4a.40.2" is AAC."""
    aliases = {"mp4a.6B": "mp3", "ac-3": "ac3", "ec-3": "eac3"}
    return "aac" if mp4_codec.startswith("mp4a.40") else aliases.get(mp4_codec, mp4_codec)


def _probe_with_ffprobe(path: Path, ffprobe: Path) -> MediaInfo:
    """Run ffprobe's JSON output through the same MediaInfo shape."""
    argv = [str(ffprobe), "-v", "error", "-protocol_whitelist", "file,pipe"]
    argv += ["-format_whitelist", SAFE_DEMUXERS, "-show_format", "-show_streams", "-of", "json"]
    completed = _run_probe([*argv, file_url(path)])
    if completed.returncode != 0:
        stderr = _last_lines(completed.stderr)
        raise read_failure(f"ffprobe cannot read {path.name}: {stderr}", stderr)
    try:
        return media_info_from_ffprobe(json.loads(completed.stdout))
    except (ValueError, TypeError, AttributeError) as error:
        raise ConversionError(f"ffprobe's report on {path.name} is unreadable") from error


def media_info_from_ffprobe(document: dict[str, Any]) -> MediaInfo:
    """Convert `ffprobe -show_format -show_streams -of json` output to MediaInfo."""
    streams = tuple(
        StreamInfo(
            index=int(stream.get("index", position)),
            kind=str(stream.get("codec_type", "data")),
            codec=str(stream.get("codec_name", "unknown")),
            attached_picture=bool(stream.get("disposition", {}).get("attached_pic", 0)),
        )
        for position, stream in enumerate(document.get("streams", []))
    )
    raw_streams: list[dict[str, Any]] = document.get("streams", [])
    audio = next((s for s in raw_streams if s.get("codec_type") == "audio"), {})
    pictures = {stream.index for stream in streams if stream.attached_picture}
    real_video = (s for s in raw_streams if s.get("codec_type") == "video")
    video = next((s for s in real_video if s.get("index") not in pictures), {})
    container_format = document.get("format", {})
    return MediaInfo(
        duration_secs=_float(container_format.get("duration")),
        codec=(video or audio).get("codec_name"),
        bitrate=_int(container_format.get("bit_rate")),
        channels=_int(audio.get("channels")),
        sample_rate=_int(audio.get("sample_rate")),
        width=_int(video.get("width")),
        height=_int(video.get("height")),
        streams=streams,
        container=str(container_format.get("format_name", "")).split(",")[0] or None,
    )


def _probe_with_ffmpeg(path: Path, binary: FfmpegInfo) -> MediaInfo:
    """Parse what `ffmpeg -i` prints about its input (it exits 1: no output was named).

    The file's name is cut out of the report first, so a name with line breaks forges nothing.
    """
    argv = [str(binary.path), "-nostdin", "-hide_banner", "-protocol_whitelist", "file,pipe"]
    completed = _run_probe([*argv, *input_args(path)])
    report = completed.stderr.replace(os.fsencode(file_url(path)), b"").decode(errors="replace")
    info = media_info_from_ffmpeg_report(report) if INPUT_LINE.search(report) else None
    if info is None or (info.sample_rate is None and info.width is None):
        stderr = _last_lines(completed.stderr)
        raise read_failure(f"ffmpeg cannot read {path.name}: {stderr}", stderr)
    return info


def media_info_from_ffmpeg_report(report: str) -> MediaInfo:
    """Convert the input description `ffmpeg -i` prints on stderr to MediaInfo."""
    input_line = INPUT_LINE.search(report)
    duration_line = DURATION_LINE.search(report)
    duration = bitrate = None
    if duration_line is not None and duration_line["h"] is not None:
        hours, minutes = int(duration_line["h"]), int(duration_line["m"])
        duration = hours * 3600 + minutes * 60 + float(duration_line["s"])
        bitrate = int(duration_line["kbps"]) * 1000 if duration_line["kbps"] else None
    streams: list[StreamInfo] = []
    channels = sample_rate = width = height = None
    main_codec: str | None = None
    for line in STREAM_LINE.finditer(report):
        kind, rest = line["kind"].lower(), line["rest"]
        stream = StreamInfo(int(line["index"]), kind, line["codec"], "(attached pic)" in rest)
        streams.append(stream)
        if kind == "audio" and channels is None:
            sample_rate = _first_int(r"(\d+) Hz", rest)
            channels = _channel_count(rest)
            main_codec = main_codec or stream.codec
        elif kind == "video" and not stream.attached_picture and width is None:
            size = re.search(r"\b(\d{2,5})x(\d{2,5})\b", rest)
            width, height = (int(size[1]), int(size[2])) if size else (None, None)
            main_codec = stream.codec
    return MediaInfo(
        duration_secs=duration,
        codec=main_codec,
        bitrate=bitrate,
        channels=channels,
        sample_rate=sample_rate,
        width=width,
        height=height,
        streams=tuple(streams),
        container=input_line["formats"].split(",")[0] if input_line else None,
    )


def _channel_count(stream_details: str) -> int | None:
    """Channels from an audio stream line: "stereo", "5.1(side)" or "3 channels"."""
    for field in stream_details.split(","):
        if field.strip() in CHANNELS_BY_LAYOUT:
            return CHANNELS_BY_LAYOUT[field.strip()]
    return _first_int(r"(\d+) channels", stream_details)


def _first_int(pattern: str, text: str) -> int | None:
    return int(found[1]) if (found := re.search(pattern, text)) else None


def _float(value: object) -> float | None:
    """A number from ffprobe, which writes them as strings and may say "N/A"."""
    try:
        return float(str(value)) if value is not None else None
    except ValueError:
        return None


def _int(value: object) -> int | None:
    return int(number) if (number := _float(value)) is not None else None


def _run_probe(argv: list[str]) -> subprocess.CompletedProcess[bytes]:
    """Run a short probe command; a hang or a missing binary becomes a ConversionError."""
    try:
        return subprocess.run(
            argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=PROBE_TIMEOUT_SECONDS
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ConversionError(f"probing failed: {error}") from error


def _last_lines(stderr: bytes) -> str:
    """The last few lines of a prober's stderr, for the error message."""
    return " | ".join(stderr.decode(errors="replace").strip().splitlines()[-3:])

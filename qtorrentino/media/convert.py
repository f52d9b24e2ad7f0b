"""Convert one downloaded file to a library target with ffmpeg; a pool runs jobs in parallel."""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qtorrentino.domain.durations import CONVERSION_DURATION_TOLERANCE_SECS
from qtorrentino.errors import ConversionError, DamagedSource, MissingPart, UsageError
from qtorrentino.media.ffmpeg import (
    available_encoders,
    file_url,
    find_ffmpeg,
    input_args,
    run_ffmpeg,
)
from qtorrentino.media.probe import MediaInfo, probe

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from types import TracebackType

    from qtorrentino.media.ffmpeg import FfmpegInfo

logger = logging.getLogger(__name__)

OPUS_SAMPLE_RATE_HZ = 48000
MP3_MAX_HZ = 48000
"""MP3 has no rate above 48 kHz: hi-res sources are resampled to it."""
TIMEOUT_BASE_SECS = 300.0
TIMEOUT_PER_MEDIA_SEC = 20.0
"""The wall-clock limit is 5 min plus 20 s per second of media: a hung ffmpeg is killed."""
MAX_NAME_BYTES = 255


@dataclass(frozen=True, slots=True)
class AudioPreset:
    """How one audio target is encoded."""

    extension: str
    muxer: str
    codec: str
    default_kbps: int | None
    """None means quality-based VBR (`-q:a`) when the job names no bitrate."""
    vbr_quality: str | None
    keeps_cover_stream: bool
    """The container can carry an attached picture (Ogg cannot; tags.py embeds the cover there)."""
    encoder_options: tuple[str, ...] = ()


PRESETS: dict[str, AudioPreset] = {
    "flac": AudioPreset(".flac", "flac", "flac", None, None, keeps_cover_stream=True),
    "opus": AudioPreset(".opus", "opus", "libopus", 160, None, keeps_cover_stream=False,
                        encoder_options=("-frame_duration", "60")),
    "ogg_vorbis": AudioPreset(".ogg", "ogg", "libvorbis", None, "6", keeps_cover_stream=False),
    "mp3": AudioPreset(".mp3", "mp3", "libmp3lame", None, "0", keeps_cover_stream=True),
    "aac": AudioPreset(".m4a", "ipod", "aac", 256, None, keeps_cover_stream=True),
}
"""Opus is always 48 kHz, in 60 ms packets (three 20 ms CELT frames each: same sound, a third of the packets,
~20 % less CPU); MP3 without a bitrate is LAME V0, with one CBR; AAC goes in .m4a."""
TARGETS = ("copy", *PRESETS)


@dataclass(frozen=True, slots=True)
class ConversionJob:
    """One file to convert into `dest_dir` (a staging folder) in the `target` format."""

    source: Path
    dest_dir: Path
    target: str = "copy"
    """One of TARGETS; "copy" never re-encodes (audio is copied byte for byte, video remuxed)."""
    bitrate_kbps: int | None = None
    """None means the preset's default (or VBR)."""
    sample_rate_hz: int | None = None
    """None keeps the source's rate (Opus is always 48 kHz)."""
    is_video: bool = False
    """Video is only ever remuxed: its target must be "copy"."""


@dataclass(frozen=True, slots=True)
class ConvertedFile:
    """A finished conversion: the file in dest_dir and what probing it found."""

    path: Path
    info: MediaInfo
    duration_ms: int
    """How long the conversion took (wall clock)."""


def convert(
    job: ConversionJob,
    on_progress: Callable[[float], None] | None = None,
    *,
    cancel: threading.Event | None = None,
    ffmpeg: FfmpegInfo | None = None,
) -> ConvertedFile:
    """Convert `job.source` into `job.dest_dir`: written under a temp name, checked, then renamed.

    The output keeps the source's name with the target's extension. It must last within
    ±2 s of the source, so a truncated or half-decoded file never reaches placement.

    Raises:
        UsageError: an unknown target, or an audio target for video.
        MissingPart: this ffmpeg lacks the target's encoder.
        ConversionError: ffmpeg failed (message ends with its stderr tail), was cancelled, or the
            output's duration is wrong.
    """
    _check_job(job)
    started = time.monotonic()
    binary = ffmpeg or find_ffmpeg()
    source_info = probe(job.source, ffmpeg=binary)
    extension = PRESETS[job.target].extension if job.target in PRESETS else job.source.suffix
    final = job.dest_dir / _output_name(job.source.stem, extension)
    job.dest_dir.mkdir(parents=True, exist_ok=True)
    temporary = job.dest_dir / f".qtorrentino-{uuid.uuid4().hex}.part{extension}"
    try:
        if job.target == "copy" and not job.is_video:
            shutil.copyfile(job.source, temporary)
            if on_progress is not None:
                on_progress(1.0)
        else:
            duration = source_info.duration_secs
            run_ffmpeg(
                _ffmpeg_args(job, source_info, binary, temporary),
                on_progress=on_progress,
                duration_hint=duration,
                cancel=cancel,
                timeout_secs=TIMEOUT_BASE_SECS + TIMEOUT_PER_MEDIA_SEC * (duration or 3600.0),
                ffmpeg=binary,
            )
        output_info = probe(temporary, ffmpeg=binary)
        _check_duration(job.source, source_info, output_info)
        temporary.replace(final)
    finally:
        temporary.unlink(missing_ok=True)
    elapsed_ms = round((time.monotonic() - started) * 1000)
    logger.info("converted %s → %s in %d ms", job.source, final, elapsed_ms)
    return ConvertedFile(path=final, info=output_info, duration_ms=elapsed_ms)


def _check_job(job: ConversionJob) -> None:
    """Refuse jobs that cannot work before anything is run."""
    if job.target not in TARGETS:
        raise UsageError(
            f"unknown conversion target {job.target!r}", hint=f"use one of: {', '.join(TARGETS)}"
        )
    if job.is_video and job.target != "copy":
        raise UsageError(
            f"video is only remuxed, not converted to {job.target}",
            hint='set the format to "copy" for video libraries and tickets',
        )
    if not job.source.is_file():
        raise ConversionError(f"source {job.source} is missing")


def _ffmpeg_args(
    job: ConversionJob, source_info: MediaInfo, binary: FfmpegInfo, output: Path
) -> list[str]:
    """The ffmpeg arguments (no program name, no global flags) for one job."""
    if job.target == "copy":
        remux = ["-map", "0", "-c", "copy", "-ignore_unknown", "-map_metadata", "0"]
        return [*input_args(job.source), *remux, file_url(output)]
    preset = PRESETS[job.target]
    if preset.codec not in available_encoders(binary):
        raise MissingPart(
            f"{binary.path} has no {preset.codec} encoder, needed for {job.target}",
            hint="Install a full ffmpeg build (Debian/Ubuntu: sudo apt install ffmpeg).",
        )
    if not source_info.has_audio:
        raise DamagedSource(f"{job.source.name} has no audio stream to convert")
    # One thread per job: audio encoders are single-threaded and the pool supplies parallelism.
    args = ["-threads", "1", *input_args(job.source), "-map", "0:a:0", "-threads", "1"]
    if preset.keeps_cover_stream:
        cover_only = ["-map", "0:v?", "-map", "-0:V?", "-c:v", "copy"]
        args += [*cover_only, "-disposition:v", "attached_pic"]
    args += ["-map_metadata", "0", "-c:a", preset.codec, *preset.encoder_options]
    kbps = job.bitrate_kbps or preset.default_kbps
    if kbps is not None and job.target != "flac":
        args += ["-b:a", f"{kbps}k"]
    elif preset.vbr_quality is not None:
        args += ["-q:a", preset.vbr_quality]
    sample_rate = OPUS_SAMPLE_RATE_HZ if job.target == "opus" else job.sample_rate_hz
    if job.target == "mp3" and sample_rate is None and (source_info.sample_rate or 0) > MP3_MAX_HZ:
        sample_rate = MP3_MAX_HZ
    if sample_rate is not None:
        args += ["-ar", str(sample_rate)]
    if job.target == "aac":
        args += ["-movflags", "+faststart"]
    return [*args, "-f", preset.muxer, file_url(output)]


def _check_duration(source: Path, source_info: MediaInfo, output_info: MediaInfo) -> None:
    """The output must last as long as the source, within CONVERSION_DURATION_TOLERANCE_SECS."""
    expected, measured = source_info.duration_secs, output_info.duration_secs
    if measured is None:
        raise ConversionError(f"converting {source.name} produced a file without a duration")
    actual = max(measured, 0.0)
    if expected is None:
        logger.warning("%s has no duration to check its conversion against", source)
        return
    if abs(actual - expected) > CONVERSION_DURATION_TOLERANCE_SECS:
        raise DamagedSource(
            f"converting {source.name} produced {actual:.1f} s of {expected:.1f} s: "
            "the source is probably truncated or damaged",
            hint="The downloaded file is damaged; another release is tried.",
        )


def _output_name(stem: str, extension: str) -> str:
    """stem + extension, shortening the stem so the name fits in 255 bytes."""
    encoded = stem.encode()
    room = MAX_NAME_BYTES - len(extension.encode())
    if len(encoded) > room:
        stem = encoded[:room].decode(errors="ignore")
    return stem + extension


class ConversionPool:
    """Runs conversion jobs in parallel on threads (ffmpeg does the work in child processes)."""

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers if workers > 0 else (os.cpu_count() or 1)
        """How many jobs run at once; 0 asked for one per core."""
        self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="conversion")
        self._lock = threading.Lock()
        self._running_cancels: set[threading.Event] = set()

    def submit(
        self,
        job: ConversionJob,
        on_progress: Callable[[float], None] | None = None,
        *,
        cancel: threading.Event | None = None,
    ) -> Future[ConvertedFile]:
        """Queue a job; the future holds the ConvertedFile or the conversion's error."""
        job_cancel = cancel or threading.Event()
        with self._lock:
            self._running_cancels.add(job_cancel)
        future = self._executor.submit(convert, job, on_progress, cancel=job_cancel)
        future.add_done_callback(lambda _done: self._forget(job_cancel))
        return future

    def shutdown(self, *, cancel_running: bool = False) -> None:
        """Wait for queued jobs, or with `cancel_running` drop them and kill running ffmpegs."""
        if cancel_running:
            with self._lock:
                for job_cancel in self._running_cancels:
                    job_cancel.set()
        self._executor.shutdown(wait=True, cancel_futures=cancel_running)

    def _forget(self, job_cancel: threading.Event) -> None:
        with self._lock:
            self._running_cancels.discard(job_cancel)

    def __enter__(self) -> ConversionPool:
        return self

    def __exit__(
        self,
        error_type: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.shutdown(cancel_running=error is not None)

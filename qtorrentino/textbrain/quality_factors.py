"""Quality factors and file checks: audio and video quality, seeders, size, a file list's faults."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING

from qtorrentino.domain.paths import hostile_path_problem
from qtorrentino.domain.ticket import MUSIC_KINDS, VIDEO_KINDS
from qtorrentino.textbrain.factor import FACTOR_CACHE_SIZE, Factor

if TYPE_CHECKING:
    from qtorrentino.domain.release import ReleaseInfo
    from qtorrentino.domain.ticket import TicketSpec
    from qtorrentino.search.result import SearchResult
    from qtorrentino.textbrain.filemap import FileMapping

LOSSLESS_FORMATS = frozenset({"flac", "alac", "ape", "wav", "wavpack", "dsd", "aiff", "pcm"})
VBR_KBPS = {"V0": 245, "V1": 225, "V2": 190}
LOSSY_TARGET_CODECS = {"opus": "opus", "ogg_vorbis": "vorbis", "mp3": "mp3", "aac": "aac"}
"""The source codec each lossy conversion target keeps without a second lossy encode."""
TRANSCODE_CAP = 0.7
"""A lossy source re-encoded to another lossy codec is worth at most this: each generation adds
artefacts."""
RESOLUTIONS = ("480p", "576p", "720p", "1080p", "2160p")
SOURCE_QUALITY = {"bluray": 1.0, "web-dl": 1.0, "webrip": 0.9, "hdtv": 0.75, "dvd": 0.6,
                  "hdrip": 0.6}
SMALL_ALBUM_MB = 60
"""A lossless single album below this size is probably incomplete."""
SMALL_LOSSY_MB = 20
SMALL_MOVIE_MB = 300
SIZE_CACHE_SIZE = 1 << 14
"""Size labels kept: results come back with the same sizes when a ticket is scored again."""


def _format_factor(value: float, reason: str) -> Factor:
    """The audio format factor (a quality factor)."""
    return Factor("format", value, reason, 0.45)


@lru_cache(maxsize=FACTOR_CACHE_SIZE)
def audio_quality(
    target: str | None, target_kbps: int | None, audio_format: str | None, bitrate: str | None,
    bit_depth: int | None,
) -> Factor:
    """Source audio quality, against the target format and bitrate when the ticket sets them."""
    kbps = VBR_KBPS.get(bitrate or "") or (int(bitrate) if bitrate and bitrate.isdigit() else None)

    if audio_format in LOSSLESS_FORMATS or (audio_format is None and bit_depth in (16, 24)):
        return _format_factor(1.0, f"{(audio_format or 'lossless').upper()}: lossless")
    label = " ".join(filter(None, ((audio_format or "").upper(), bitrate))) or "format not stated"
    if target == "flac":
        return _format_factor(0.25, f"{label}: lossy, the ticket wants FLAC")
    if kbps is None:
        return _format_factor(0.6 if audio_format else 0.5, f"{label}: bitrate unknown")
    if target_kbps and kbps < target_kbps:
        return _format_factor(0.3, f"{label}: below the wanted {target_kbps} kbps")
    value = min(0.85, 0.25 + kbps / 400)
    if target in LOSSY_TARGET_CODECS and LOSSY_TARGET_CODECS[target] != audio_format:
        reason = f"{label}: lossy, re-encoded to {target} loses more"
        return _format_factor(min(value, TRANSCODE_CAP), reason)
    return _format_factor(value, f"{label}: lossy")


def video_quality_of(spec: TicketSpec, release: ReleaseInfo) -> tuple[Factor, ...]:
    constraints = spec.constraints
    codec = release.video_codec if constraints.video_codecs else None
    group = release.release_group if constraints.release_groups else None
    return _video_quality(constraints.resolution or "1080p", constraints.video_codecs,
                          constraints.release_groups, release.resolution, release.source, codec,
                          group)


@lru_cache(maxsize=FACTOR_CACHE_SIZE)
def _video_quality(
    wanted_resolution: str, codecs: tuple[str, ...], groups: tuple[str, ...],
    resolution: str | None, source: str | None, codec: str | None, group: str | None,
) -> tuple[Factor, ...]:
    """Resolution, source, and (when the ticket names them) codec and release group."""
    if resolution in RESOLUTIONS and wanted_resolution in RESOLUTIONS:
        steps = abs(RESOLUTIONS.index(resolution) - RESOLUTIONS.index(wanted_resolution))
        value = 1.0 if steps == 0 else 0.6 if steps == 1 else 0.3
        factors = [Factor("resolution", value, f"{resolution} (wanted {wanted_resolution})", 0.35)]
    else:
        factors = [Factor("resolution", 0.5, "resolution not stated", 0.35)]
    named_source = source or "not stated"
    source_value = SOURCE_QUALITY.get(named_source, 0.55)
    factors.append(Factor("source", source_value, f"source {named_source}", 0.25))
    if codecs:
        fits = codec in codecs
        reason = f"codec {codec or 'not stated'}" + ("" if fits else " (not a wanted codec)")
        factors.append(Factor("codec", 1.0 if fits else 0.4, reason, 0.15))
    if groups:
        fits = (group or "").casefold() in {wanted.casefold() for wanted in groups}
        factors.append(Factor("group", 1.0 if fits else 0.5, f"group {group or '?'}", 0.15))
    return tuple(factors)


@lru_cache(maxsize=FACTOR_CACHE_SIZE)
def seeders_factor(seeders: int | None) -> Factor:
    """More seeders, likelier to finish; an unknown count is neither a bonus nor a red flag."""
    if seeders is None:
        return Factor("seeders", 0.5, "seeders unknown", 0.2)
    value = min(1.0, math.log10(1 + max(0, seeders)) / 2)
    return Factor("seeders", value, f"{seeders} seeders", 0.2)


HELD = Factor("seeders", 1.0, "already held: nothing new to download", 0.2)
"""A catalog torrent's files come from the torrent we hold, not from a swarm."""


def size_factor(
    size_bytes: int, low: int | None, high: int | None, small_mb: int, small_reason: str
) -> Factor:
    """Size against the ticket's bounds (low, high MB), else against small_mb for such content."""
    size_mb = size_bytes / 1_000_000
    label = size_label(size_bytes)
    if (low and size_mb < low) or (high and size_mb > high):
        return _sized(0.2, f"{label} is outside the wanted {low or 0}-{high or 'any'} MB")
    if size_mb < small_mb:
        return _sized(0.3, f"{label} {small_reason}")
    return _sized(1.0, label)


@lru_cache(maxsize=SIZE_CACHE_SIZE)
def size_label(size_bytes: int) -> str:
    """A size as a reason spells it: whole MB and one-decimal GB, KB below one MB (never "0 MB")."""
    size_mb = size_bytes / 1_000_000
    if size_mb >= 1000:
        return f"{size_mb / 1000:.1f} GB"
    return f"{size_mb:.0f} MB" if size_mb >= 1 else f"{size_bytes / 1000:.0f} KB"


@lru_cache(maxsize=FACTOR_CACHE_SIZE)
def _sized(value: float, reason: str) -> Factor:
    return Factor("size", value, reason, 0.15)


def coverage_factor(mapping: FileMapping) -> Factor:
    """How much of what the ticket wants the file list holds: part of a candidate's identity."""
    mapped, wanted = len(mapping.assignments), mapping.requested_count
    if not mapped:
        return Factor("files", 0.05, "none of the wanted files are in the torrent", 0.4, True)
    reason = f"{mapped} of {wanted} wanted files found"
    return Factor("files", max(0.05, mapping.confidence), reason, 0.4, True)


def file_flags(spec: TicketSpec, result: SearchResult) -> list[str]:
    """What a file list shows wrong: programs, unsafe paths, no audio (music), no video (video)."""
    flags = []
    executables = sorted({entry.suffix for entry in result.files if entry.is_executable})
    if executables:
        flags.append(f"contains executables ({', '.join(executables)})")
    if any(hostile_path_problem(entry.path) is not None for entry in result.files):
        flags.append("unsafe file paths")
    if spec.kind in MUSIC_KINDS and not any(entry.is_audio for entry in result.files):
        flags.append("no audio files")
    if spec.kind in VIDEO_KINDS and not any(entry.is_video for entry in result.files):
        flags.append("no video files")
    return flags


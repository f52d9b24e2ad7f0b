"""Generated free media for the demo, the tests and the benchmarks: tones, tagged albums, covers, video, bad files."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from qtorrentino.media.ffmpeg import file_url, run_ffmpeg
from qtorrentino.media.tags import TrackTags, write_tags

if TYPE_CHECKING:
    from pathlib import Path

ENCODER_ARGS = {
    ".flac": ["-c:a", "flac"],
    ".mp3": ["-c:a", "libmp3lame", "-b:a", "128k"],
    ".opus": ["-c:a", "libopus", "-b:a", "96k"],
    ".ogg": ["-c:a", "libvorbis", "-q:a", "3"],
    ".m4a": ["-c:a", "aac", "-b:a", "128k"],
    ".wav": ["-c:a", "pcm_s16le"],
}
"""How a generated tone is encoded, by the file's extension."""


def make_tone(
    path: Path,
    seconds: float = 5.0,
    *,
    frequency_hz: int = 440,
    sample_rate_hz: int = 44100,
    channels: int = 2,
    noise: bool = False,
) -> Path:
    """Write a sine tone (or, with `noise`, seeded pink noise, which compresses like music)."""
    if noise:
        source = f"anoisesrc=d={seconds}:c=pink:r={sample_rate_hz}:a=0.3:seed={frequency_hz}"
    else:
        source = f"sine=frequency={frequency_hz}:sample_rate={sample_rate_hz}:duration={seconds}"
    path.parent.mkdir(parents=True, exist_ok=True)
    args = ["-f", "lavfi", "-i", source, "-ac", str(channels), *ENCODER_ARGS[path.suffix.lower()]]
    run_ffmpeg([*args, "-y", file_url(path)])
    return path


def make_cover(path: Path, *, size: int = 64, color: str = "red") -> bytes:
    """Write a solid-colour cover image (PNG for a ".png" path, else JPEG) and return its bytes."""
    codec = "png" if path.suffix.lower() == ".png" else "mjpeg"
    path.parent.mkdir(parents=True, exist_ok=True)
    source = f"color=c={color}:s={size}x{size}"
    image = ["-frames:v", "1", "-c:v", codec, "-f", "image2", "-update", "1"]
    run_ffmpeg(["-f", "lavfi", "-i", source, *image, "-y", file_url(path)])
    return path.read_bytes()


def make_tagged_tone(
    path: Path,
    tags: TrackTags,
    seconds: float = 5.0,
    *,
    cover: bytes | None = None,
    noise: bool = False,
) -> Path:
    """A tone with tags (and an embedded cover) written by qtorrentino's own tagger."""
    make_tone(path, seconds, noise=noise)
    write_tags(path, tags, cover)
    return path


def make_corrupt_audio(path: Path, size: int = 20_000) -> Path:
    """A ".flac" that starts with FLAC's magic and continues with seeded garbage."""
    garbage = random.Random(size).randbytes(size)  # noqa: S311 - repeatable noise, not a secret
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"fLaC" + garbage)
    return path


def make_truncated_flac(path: Path, seconds: float = 10.0, keep: float = 0.4) -> Path:
    """A FLAC whose header promises `seconds` but whose file stops after `keep` of its frames."""
    make_tone(path, seconds, noise=True)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def make_video(path: Path, seconds: float = 4.0, *, width: int = 160, height: int = 120) -> Path:
    """A small test-pattern video with a sine soundtrack (MPEG-4 Part 2 + AAC)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    picture = f"testsrc=size={width}x{height}:rate=25:duration={seconds}"
    sound = f"sine=frequency=440:duration={seconds}"
    streams = ["-f", "lavfi", "-i", picture, "-f", "lavfi", "-i", sound]
    codecs = ["-c:v", "mpeg4", "-q:v", "10", "-c:a", "aac", "-b:a", "64k", "-shortest"]
    run_ffmpeg([*streams, *codecs, "-y", file_url(path)])
    return path


def make_album(
    folder: Path,
    *,
    tracks: int = 3,
    seconds: float = 5.0,
    artist: str = "Test Artist",
    album: str = "Test Album",
    year: int = 2001,
    cover: bytes | None = None,
    noise: bool = False,
) -> list[Path]:
    """A folder of tagged FLAC tracks named "NN - Track NN.flac", plus cover.jpg when given."""
    folder.mkdir(parents=True, exist_ok=True)
    if cover is not None:
        (folder / "cover.jpg").write_bytes(cover)
    made = []
    for number in range(1, tracks + 1):
        tags = TrackTags(
            title=f"Track {number:02d}",
            artist=artist,
            album=album,
            albumartist=artist,
            track_number=number,
            track_total=tracks,
            disc_number=1,
            disc_total=1,
            date=str(year),
        )
        track = folder / f"{number:02d} - Track {number:02d}.flac"
        made.append(make_tagged_tone(track, tags, seconds, noise=noise))
    return made

"""Find ffmpeg (on PATH or the bundled imageio-ffmpeg) and run it as an argv list with progress."""

from __future__ import annotations

import functools
import logging
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal

from qtorrentino.errors import ConversionError, DamagedSource, MissingPart

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable, Sequence

logger = logging.getLogger(__name__)

STDERR_TAIL_BYTES = 2048
"""How much of ffmpeg's stderr a ConversionError carries."""
DAMAGED_INPUT_SIGNS = ("Invalid data found when processing input", "moov atom not found",
                       "Error while decoding stream", "corrupt decoded frame", "Header missing",
                       "invalid sync code")
"""ffmpeg's words for an input it cannot read whole: the downloaded file is damaged, not the machine."""
MACHINE_TROUBLE_SIGNS = ("No space left on device", "Cannot allocate memory", "Permission denied")
"""Words that put the fault on this machine even when an input looks damaged too."""
POLL_SECONDS = 0.2
"""How often a running ffmpeg is checked for cancellation and its deadline."""
VERSION_TIMEOUT_SECONDS = 20
GLOBAL_FLAGS = ("-nostdin", "-hide_banner", "-nostats", "-loglevel", "warning")
PROGRESS_FLAGS = ("-progress", "pipe:1")
"""Flags every run gets: no stdin, no banner, warnings and errors only."""
SAFE_DEMUXERS = (
    "flac,ogg,mp3,mov,matroska,wav,w64,aiff,ape,wv,tta,asf,avi,mpegts,mpeg,aac,ac3,eac3,dts,"
    "truehd,dsf,caf,flv,mpegvideo,h264,hevc,m4v"
)
"""Demuxers ffmpeg may pick for a file we did not make: no playlists (hls, dash, concat)."""
INSTALL_HINT = (
    "Install ffmpeg (Debian/Ubuntu: sudo apt install ffmpeg) or reinstall qtorrentino so that "
    "imageio-ffmpeg's bundled binary is present (pip install --force-reinstall imageio-ffmpeg)."
)

FfmpegSource = Literal["PATH", "imageio-ffmpeg"]


@dataclass(frozen=True, slots=True)
class FfmpegInfo:
    """The ffmpeg binary in use and where it came from."""

    path: Path
    """Absolute path of the ffmpeg executable."""
    version: str
    """The first line of `ffmpeg -version`, e.g. "ffmpeg version 5.1.9-0+deb12u1"."""
    source: FfmpegSource
    """"PATH" for a system ffmpeg, "imageio-ffmpeg" for the bundled one."""
    ffprobe: Path | None
    """ffprobe next to it or on PATH; None means probing falls back to mutagen and `ffmpeg -i`."""


def find_ffmpeg() -> FfmpegInfo:
    """Return the ffmpeg to use: the one on PATH, else imageio-ffmpeg's bundled binary.

    Raises:
        MissingPart: neither is usable; the hint says how to install one.
    """
    return _locate(os.environ.get("PATH", ""), os.environ.get("IMAGEIO_FFMPEG_EXE", ""))


@functools.lru_cache(maxsize=8)
def _locate(search_path: str, bundled_override: str) -> FfmpegInfo:
    """Look up ffmpeg once per (PATH, IMAGEIO_FFMPEG_EXE) pair, so env changes are seen."""
    on_path = shutil.which("ffmpeg", path=search_path)
    source: FfmpegSource = "PATH" if on_path is not None else "imageio-ffmpeg"
    executable = Path(on_path).absolute() if on_path is not None else _bundled_ffmpeg()
    version = _version_line(executable)
    ffprobe_beside = executable.with_name("ffprobe")
    ffprobe_on_path = shutil.which("ffprobe", path=search_path)
    if ffprobe_beside.is_file() and os.access(ffprobe_beside, os.X_OK):
        ffprobe: Path | None = ffprobe_beside
    else:
        ffprobe = Path(ffprobe_on_path).absolute() if ffprobe_on_path else None
    logger.info("using %s (%s) from %s; ffprobe: %s", executable, version, source, ffprobe)
    return FfmpegInfo(path=executable, version=version, source=source, ffprobe=ffprobe)


def _bundled_ffmpeg() -> Path:
    """The imageio-ffmpeg binary (or the one IMAGEIO_FFMPEG_EXE names)."""
    import imageio_ffmpeg

    try:
        return Path(imageio_ffmpeg.get_ffmpeg_exe()).absolute()
    except RuntimeError as error:
        message = "ffmpeg not found on PATH and no bundled ffmpeg"
        raise MissingPart(message, hint=INSTALL_HINT) from error


def _version_line(executable: Path) -> str:
    """Run `ffmpeg -version` to prove the binary works; its first line names the version."""
    try:
        completed = subprocess.run(
            [str(executable), "-hide_banner", "-version"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=VERSION_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        message = f"ffmpeg at {executable} does not run: {error}"
        raise MissingPart(message, hint=INSTALL_HINT) from error
    lines = completed.stdout.decode(errors="replace").splitlines()
    if completed.returncode != 0 or not lines:
        message = f"ffmpeg at {executable} does not run (exit {completed.returncode})"
        raise MissingPart(message, hint=INSTALL_HINT)
    return lines[0].strip()


def available_encoders(ffmpeg: FfmpegInfo | None = None) -> frozenset[str]:
    """The encoder names this ffmpeg lists in `ffmpeg -encoders` (libopus, libmp3lame, ...)."""
    return _encoders((ffmpeg or find_ffmpeg()).path)


@functools.lru_cache(maxsize=4)
def _encoders(executable: Path) -> frozenset[str]:
    """Ask one ffmpeg binary for its encoders, once."""
    completed = subprocess.run(
        [str(executable), "-hide_banner", "-encoders"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=VERSION_TIMEOUT_SECONDS,
        check=False,
    )
    listing = (line.split() for line in completed.stdout.decode(errors="replace").splitlines())
    rows = (parts for parts in listing if len(parts) >= 3 and len(parts[0]) == 6)
    return frozenset(parts[1] for parts in rows if parts[1] != "=")


def file_url(path: Path) -> str:
    """`file:` plus the absolute path, so ffmpeg never reads a name as an option or a protocol."""
    return "file:" + str(Path(path).absolute())


def input_args(path: Path) -> list[str]:
    """The `-i` group for a file we did not make: only safe demuxers, named by a `file:` URL."""
    return ["-format_whitelist", SAFE_DEMUXERS, "-i", file_url(path)]


def run_ffmpeg(
    args: Sequence[str],
    *,
    on_progress: Callable[[float], None] | None = None,
    duration_hint: float | None = None,
    cancel: threading.Event | None = None,
    timeout_secs: float | None = None,
    ffmpeg: FfmpegInfo | None = None,
) -> float | None:
    """Run ffmpeg with `args` (no program name) and return the last output time in seconds.

    Every input is opened with `-protocol_whitelist file,pipe`; stdin is closed; progress comes on
    stdout (`-progress pipe:1`) and is reported as 0..1 of `duration_hint`, reaching 1.0 only on
    success. stderr goes to a temp file (reading two pipes from one thread can deadlock).

    Raises:
        ConversionError: ffmpeg failed, was cancelled or ran past `timeout_secs`; the message ends
            with the tail of its stderr.
    """
    binary = ffmpeg or find_ffmpeg()
    argv = [str(binary.path), *GLOBAL_FLAGS, *PROGRESS_FLAGS, *_whitelist_inputs(list(args))]
    logger.debug("running %s", argv)
    progress = _Progress(on_progress, duration_hint)
    with tempfile.TemporaryFile() as stderr_file:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr_file,
            start_new_session=True,
        )
        try:
            stop_reason = _follow(process, progress, cancel, timeout_secs)
        finally:
            _kill_if_running(process)
        if stop_reason is not None:
            logger.info("ffmpeg %s; its stderr ended with: %s", stop_reason, _tail(stderr_file))
            raise ConversionError(f"ffmpeg {stop_reason}")
        if process.returncode != 0:
            tail = _tail(stderr_file)
            raise read_failure(f"ffmpeg exited with status {process.returncode}: {tail}", tail)
    progress.finish()
    return progress.out_time_secs


def read_failure(message: str, stderr_text: str) -> ConversionError:
    """The error for an ffmpeg or ffprobe run that failed: DamagedSource (release-bound) when its stderr says
    the input cannot be read whole and nothing blames this machine, else a ConversionError (retried)."""
    if any(sign in stderr_text for sign in DAMAGED_INPUT_SIGNS) and not any(
            sign in stderr_text for sign in MACHINE_TROUBLE_SIGNS):
        return DamagedSource(message, hint="The downloaded file is damaged; another release is tried.")
    return ConversionError(message, hint="Retry; if it fails the same way, check ffmpeg and the disk.")


def _whitelist_inputs(args: list[str]) -> list[str]:
    """Put `-protocol_whitelist file,pipe` before every `-i`; refuse inputs that are not files."""
    whitelisted: list[str] = []
    for position, arg in enumerate(args):
        if arg == "-i":
            operand = args[position + 1] if position + 1 < len(args) else ""
            from_lavfi = position >= 2 and args[position - 2 : position] == ["-f", "lavfi"]
            if not (from_lavfi or operand.startswith("file:/") or operand.startswith("pipe:")):
                message = f"refusing ffmpeg input {operand!r}: inputs must be file: URLs"
                raise ConversionError(message)
            whitelisted += ["-protocol_whitelist", "file,pipe"]
        whitelisted.append(arg)
    return whitelisted


class _Progress:
    """Turns ffmpeg's `-progress` key=value lines into a monotonic 0..1 callback."""

    def __init__(
        self, on_progress: Callable[[float], None] | None, duration_hint: float | None
    ) -> None:
        self._on_progress = on_progress
        self._duration = duration_hint if duration_hint and duration_hint > 0 else None
        self._reported = -1.0
        self.out_time_secs: float | None = None

    def feed(self, line: str) -> None:
        """Take one `key=value` line from ffmpeg's progress stream."""
        key, _, value = line.strip().partition("=")
        if key != "out_time_us" or not value.lstrip("-").isdigit():
            return
        self.out_time_secs = max(int(value), 0) / 1_000_000
        if self._duration is not None:
            self._report(min(self.out_time_secs / self._duration, 0.999))

    def finish(self) -> None:
        """ffmpeg succeeded: report completion."""
        self._report(1.0)

    def _report(self, fraction: float) -> None:
        if self._on_progress is not None and fraction > self._reported:
            self._reported = fraction
            self._on_progress(fraction)


def _follow(
    process: subprocess.Popen[bytes],
    progress: _Progress,
    cancel: threading.Event | None,
    timeout_secs: float | None,
) -> str | None:
    """Read progress until ffmpeg ends; return why it was stopped early, or None."""
    if process.stdout is None:
        raise ConversionError("ffmpeg started without a progress pipe")
    deadline = time.monotonic() + timeout_secs if timeout_secs else None
    pending = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while True:
            if cancel is not None and cancel.is_set():
                return "was cancelled"
            if deadline is not None and time.monotonic() > deadline:
                return f"ran longer than {timeout_secs:.0f} s and was stopped"
            if not selector.select(POLL_SECONDS):
                continue
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                break
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                progress.feed(line.decode(errors="replace"))
    process.wait()
    return None


def _kill_if_running(process: subprocess.Popen[bytes]) -> None:
    """Kill ffmpeg's whole process group if it is still running, and reap it."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            logger.debug("ffmpeg %d ended before it could be killed", process.pid)
        process.wait()
    if process.stdout is not None:
        process.stdout.close()


def _tail(stderr_file: IO[bytes]) -> str:
    """The last ~2 KB of ffmpeg's stderr, starting at a line boundary."""
    stderr_file.seek(0, os.SEEK_END)
    size = stderr_file.tell()
    stderr_file.seek(max(size - STDERR_TAIL_BYTES, 0))
    tail = stderr_file.read().decode(errors="replace")
    if size > STDERR_TAIL_BYTES and "\n" in tail:
        tail = tail.split("\n", 1)[1]
    return tail.strip()

"""The one path-safety rule: a stranger's name becomes a relative path that stays inside a root."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path, PurePath, PurePosixPath
from typing import TYPE_CHECKING

from qtorrentino.errors import UnsafePath

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

COMPONENT_MAX_BYTES = 240
"""UTF-8 bytes per file or folder name: 255 less room for sidecar suffixes (`.en.srt`, ` (2)`)."""
PATH_MAX_BYTES = 1024
"""UTF-8 bytes for a whole relative path, far below PATH_MAX once joined to a library root."""
PATH_MAX_DEPTH = 32
"""Components in a relative path; deeper than this is no media layout anyone meant."""
EXTENSION_MAX_CHARS = 12
"""A final suffix longer than this is part of the name, not an extension to keep when truncating."""
COMPONENT_MIN_BYTES = 16
"""A component is never shortened below this to fit the whole-path bound."""
HOSTILE_COMPONENT_BYTES = 255
"""A torrent's file name longer than this (UTF-8) is hostile: no common filesystem stores it."""
HOSTILE_PATH_BYTES = 4096
"""A torrent's file path longer than this (UTF-8) is hostile: PATH_MAX."""
HOSTILE_PATH_DEPTH = 64
"""A torrent's file nested deeper than this is hostile: no release lays files out so."""

RESERVED_DEVICE_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"COM{digit}" for digit in "0123456789¹²³"}
    | {f"LPT{digit}" for digit in "0123456789¹²³"}
)
"""Names Windows (and SMB shares served to it) treat as devices, with or without an extension."""

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
"""Characters that reorder how a name is displayed (`evil\u202egnp.exe` shows as `evilexe.png`)."""

CONTROL_CHARACTERS = frozenset(chr(code) for code in [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029])
"""C0 and C1 controls, DEL and the line/paragraph separators: they break a name across lines or terminals."""

_CHARACTER_REPLACEMENTS = str.maketrans(
    {"/": "_", "\\": "_", "<": "_", ">": "_", "|": "_", "*": "_", "?": "", '"': "'", "\ufeff": ""}
    | {control: " " for control in CONTROL_CHARACTERS}
    | {bidi: "" for bidi in BIDI_CONTROLS}
    | {surrogate: "\ufffd" for surrogate in range(0xD800, 0xE000)}
)
"""Separators and characters media servers or SMB refuse; controls become spaces, bidi vanishes."""
_COLON_WITH_SPACE = re.compile(r"\s*:\s+")
_WHITESPACE_RUN = re.compile(r"\s+")
_EXTENSION = re.compile(rf"\.[A-Za-z0-9]{{1,{EXTENSION_MAX_CHARS}}}$")
_DRIVE_LETTER = re.compile(r"^[A-Za-z]:")
_FORBIDDEN_CHARACTER = re.compile(f"[{re.escape(''.join(sorted(CONTROL_CHARACTERS | BIDI_CONTROLS)))}]")
_ESCAPE_CONSEQUENCE = "which would write outside the download folder"


def hostile_path_problem(path_or_parts: str | Sequence[str]) -> str | None:
    """Why a stranger's relative path (a torrent's file) is hostile, or None when it is safe to use as is.

    The one rule for torrent file paths: the metadata check refuses a torrent for it, scoring flags a
    candidate for it and file mapping never picks such a file. A string is split on `/`; a sequence
    holds one name per element (a `/` or `\\` inside one is a separator smuggled into a name).
    The reason reads after "file NAME": "has a '..' path element, which would write outside ...".
    The size limits are HOSTILE_*; safe_relative_path's tighter ones sanitise what is written.
    """
    if isinstance(path_or_parts, str):
        if path_or_parts.startswith(("/", "\\")):
            return "has an absolute path"
        parts: Sequence[str] = path_or_parts.split("/") if path_or_parts else ()
    else:
        parts = path_or_parts
    if not parts:
        return "has an empty path"
    if len(parts) > HOSTILE_PATH_DEPTH:
        return f"is nested {len(parts)} folders deep"
    if len("/".join(parts).encode(errors="surrogatepass")) > HOSTILE_PATH_BYTES:
        return f"has a path over {HOSTILE_PATH_BYTES} bytes"
    for position, part in enumerate(parts):
        problem = _hostile_component_problem(part, first=position == 0)
        if problem is not None:
            return problem
    if any(len(part.encode(errors="surrogatepass")) > HOSTILE_COMPONENT_BYTES for part in parts):
        return f"has a name over {HOSTILE_COMPONENT_BYTES} bytes"
    return None


def _hostile_component_problem(part: str, *, first: bool) -> str | None:
    """Why one name of a torrent's file path is hostile, or None."""
    if part in ("", ".", ".."):
        element = "an empty path element" if not part else f"a {part!r} path element"
        return f"has {element}, {_ESCAPE_CONSEQUENCE}"
    if first and part.startswith(("/", "\\")):
        return "has an absolute path"
    if _DRIVE_LETTER.match(part):
        return "has an absolute path" if first else f"has a drive letter inside its path ({part!r})"
    if "/" in part or "\\" in part:
        return "has a separator inside a name"
    if _FORBIDDEN_CHARACTER.search(part):
        return "has control or text-direction characters in its name"
    if part.split(".", 1)[0].rstrip(" ").upper() in RESERVED_DEVICE_NAMES:
        return f"is named after a device ({part!r})"
    return None


def safe_component(text: str, *, max_bytes: int = COMPONENT_MAX_BYTES) -> str:
    """Sanitise one file or folder name; returns "" when nothing usable is left.

    Separators, characters media servers and SMB refuse, control and bidi characters are
    replaced, a leading `-` or `.` is neutralised, reserved device names are suffixed, trailing
    dots and spaces go, and the name is cut to max_bytes of UTF-8 keeping its extension.
    """
    cleaned = unicodedata.normalize("NFC", text).translate(_CHARACTER_REPLACEMENTS)
    cleaned = _COLON_WITH_SPACE.sub(" - ", cleaned).replace(":", "-")
    cleaned = _WHITESPACE_RUN.sub(" ", cleaned)
    cleaned = _strip_edges(cleaned)
    if cleaned.startswith("-"):
        cleaned = "_" + cleaned[1:]
    cleaned = _truncate_keeping_extension(cleaned, max_bytes)
    stem = cleaned.split(".", 1)[0].rstrip(" ")
    if stem.upper() in RESERVED_DEVICE_NAMES:
        cleaned = _truncate_keeping_extension(stem + "_" + cleaned[len(stem) :], max_bytes)
    return cleaned


def safe_relative_path(parts_or_text: str | PurePath | Iterable[str]) -> PurePosixPath:
    """Return a relative POSIX path, every component sanitised, that cannot leave its folder.

    A string or path is split on `/`; each string of an iterable is one component (a `/` inside it
    is replaced, never a new folder). `..`, `.`, empty components and a leading `/` are dropped.

    Raises:
        UnsafePath: nothing usable is left, or the path is deeper than PATH_MAX_DEPTH.
    """
    if isinstance(parts_or_text, PurePath):
        raw_parts: list[str] = parts_or_text.as_posix().split("/")
    elif isinstance(parts_or_text, str):
        raw_parts = parts_or_text.split("/")
    else:
        raw_parts = list(parts_or_text)
    components = [safe_component(part) for part in raw_parts if part not in ("", ".", "..")]
    components = [component for component in components if component]
    shown = _shown("/".join(raw_parts))
    if not components:
        raise UnsafePath(
            f"{shown} leaves no usable file name once made safe",
            hint="the name is empty or made only of characters a library cannot hold",
        )
    if len(components) > PATH_MAX_DEPTH:
        raise UnsafePath(
            f"{shown} is {len(components)} folders deep (at most {PATH_MAX_DEPTH})",
            hint="check the naming template or the torrent's file list",
        )
    return PurePosixPath(*_fit_path_bound(components))


def ensure_inside(root: Path, path: Path | PurePath) -> Path:
    """Return path (a relative one joined to root) with its folder resolved; refuse it outside root.

    Symlinks count: a folder that links elsewhere, or a final name that is a symlink pointing out,
    is refused. The final name itself is not followed, so a caller can see a planted symlink.

    Raises:
        UnsafePath: the path, once resolved, is not inside root.
    """
    try:
        resolved_root = Path(root).resolve()
        candidate = Path(path) if Path(path).is_absolute() else resolved_root / Path(path)
        if candidate.name in ("", ".", ".."):
            candidate = candidate.resolve()
        destination = candidate.parent.resolve() / candidate.name
        fully_resolved = destination.resolve()
    except (OSError, RuntimeError) as error:
        raise UnsafePath(
            f"{path} cannot be resolved under {root}: {error}",
            hint="a symlink inside the library loops or is unreadable; remove it",
        ) from error
    if destination == resolved_root:
        return destination
    if not destination.is_relative_to(resolved_root) or not fully_resolved.is_relative_to(
        resolved_root
    ):
        raise UnsafePath(
            f"{path} resolves outside the library root {resolved_root}",
            hint="a folder or file inside the library is a symlink pointing elsewhere; remove it",
        )
    return destination


def _strip_edges(text: str) -> str:
    """Drop leading spaces and dots (hidden files) and trailing ones (Windows refuses them)."""
    return text.lstrip(". ").rstrip(". ")


def _truncate_keeping_extension(text: str, max_bytes: int) -> str:
    """Cut text to max_bytes of UTF-8 without splitting a character, keeping a short extension."""
    if len(text.encode("utf-8")) <= max_bytes:
        return text
    extension_match = _EXTENSION.search(text)
    extension = extension_match.group(0) if extension_match and extension_match.start() > 0 else ""
    stem = text[: len(text) - len(extension)]
    budget = max(max_bytes - len(extension.encode("utf-8")), 1)
    shortened = _strip_edges(stem.encode("utf-8")[:budget].decode("utf-8", errors="ignore"))
    return (shortened or "_") + extension


def _fit_path_bound(components: list[str]) -> list[str]:
    """Shorten the longest components until the joined path fits PATH_MAX_BYTES."""
    fitted = list(components)
    while (excess := len("/".join(fitted).encode("utf-8")) - PATH_MAX_BYTES) > 0:
        longest_index = max(
            range(len(fitted)), key=lambda index: len(fitted[index].encode("utf-8"))
        )
        longest_bytes = len(fitted[longest_index].encode("utf-8"))
        if longest_bytes <= COMPONENT_MIN_BYTES:
            break
        target = max(longest_bytes - excess, COMPONENT_MIN_BYTES, longest_bytes // 2)
        fitted[longest_index] = _truncate_keeping_extension(fitted[longest_index], target)
    return fitted


def _shown(text: str) -> str:
    """A short printable form of the input for error messages (controls escaped, length capped)."""
    printable = repr(text)
    return printable if len(printable) <= 120 else printable[:117] + "..."

"""Typed errors with a message the person can act on; the only base the faces catch."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar


class FailureClass(StrEnum):
    """What a failure does to a ticket (docs/states.md): decided once per error type, routed in one place."""

    TRANSIENT = "transient"
    """Network, HTTP 5xx, disk busy or full: failed, retried with back-off, resumes in the same stage."""
    RELEASE = "release"
    """The release is bad (verification failed, corrupt or wrong content): blocklisted, next candidate."""
    TICKET = "ticket"
    """The ticket cannot be done as asked (impossible constraints, no such library): failed for good."""


class QtorrentinoError(Exception):
    """A failure with a message the person can act on, and an optional hint saying how."""

    retryable: ClassVar[bool] = False
    exit_code: ClassVar[int] = 1

    @property
    def failure_class(self) -> FailureClass:
        """Transient when retryable, else bound to the ticket; release-bound errors say so themselves."""
        return FailureClass.TRANSIENT if self.retryable else FailureClass.TICKET

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ConfigError(QtorrentinoError):
    """The config file or a command-line value is wrong; the message names the key and the fix."""

    exit_code = 2

    @property
    def failure_class(self) -> FailureClass:
        """A ticket naming a library that is not configured cannot be done until the config changes."""
        return FailureClass.TICKET


class UsageError(QtorrentinoError):
    """A command was called wrongly (bad flag, bad ticket JSON)."""

    exit_code = 2


class TicketValidationError(UsageError):
    """Ticket JSON that does not follow the contract; the message names the field."""


class MissingPart(QtorrentinoError):
    """A required part (ffmpeg, libtorrent) is not usable."""

    exit_code = 3


class IllegalTransition(QtorrentinoError):
    """A state change the transition table does not allow."""


class NotFound(QtorrentinoError):
    """An id or prefix that names nothing, or more than one thing."""


class EngineRunning(QtorrentinoError):
    """Another engine already holds this home."""


class IndexerError(QtorrentinoError):
    """An indexer answered with an error, garbage or not at all."""

    retryable = True


class MetadataError(QtorrentinoError):
    """A metadata provider (MusicBrainz, TMDB) failed or is down."""

    retryable = True


class TorrentError(QtorrentinoError):
    """libtorrent refused or failed a torrent."""

    retryable = True


class HostileMetadata(TorrentError):
    """Torrent metadata that would write outside the download folder or is absurd."""

    retryable = False

    @property
    def failure_class(self) -> FailureClass:
        return FailureClass.RELEASE


class MetadataRefused(TorrentError):
    """A candidate's file list does not fit the ticket; the next candidate should be tried."""

    retryable = False

    @property
    def failure_class(self) -> FailureClass:
        return FailureClass.RELEASE


class ConversionError(QtorrentinoError):
    """ffmpeg failed; the message carries the tail of its stderr."""

    retryable = True


class PlacementError(QtorrentinoError):
    """A file could not be placed into a library; the ticket's files were rolled back."""

    retryable = True


class UnsafePath(QtorrentinoError):
    """A name from a torrent, tag or indexer that would escape a library root."""


class AcquisitionError(QtorrentinoError):
    """Nothing usable was found for a ticket."""

    retryable = True


class InternalError(QtorrentinoError):
    """A bug: logged with its traceback, shown to the person as a pointer to the log."""

    retryable = True

    @classmethod
    def from_bug(cls, error: BaseException) -> InternalError:
        """Wrap an unexpected exception so the ticket fails with a pointer to the log."""
        return cls(f"internal error: {type(error).__name__}: {error} (see logs/qtorrentino.log)")


class LlmError(QtorrentinoError):
    """The LLM matcher got no usable answer; reason names why (timeout, truncated, refusal, ...)."""

    retryable = True

    def __init__(self, message: str, *, reason: str, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.reason = reason


class ReleaseBound(QtorrentinoError):
    """A failure that belongs to the chosen release, not the ticket: blocklist it, try the next candidate."""

    @property
    def failure_class(self) -> FailureClass:
        return FailureClass.RELEASE


class VerificationFailed(ReleaseBound):
    """A downloaded or converted file is not what the ticket asked for (duration, no audio, unreadable)."""


class DamagedSource(ConversionError, ReleaseBound):
    """ffmpeg cannot read a downloaded file whole (corrupt, truncated, no audio): a retry reads the same
    bytes, so the release is blocklisted and the next candidate tried."""


class TorrentFileError(TorrentError):
    """libtorrent could not read or write a torrent's files (disk full, I/O error, permission denied)."""

    def __init__(self, message: str, *, hint: str = "", fault: str = "file_error") -> None:
        super().__init__(message, hint=hint)
        self.fault = fault
        """`disk_full` for ENOSPC (the notifier keys on it), else `file_error`."""


class TicketStuck(QtorrentinoError):
    """Nothing moved a ticket for too long, or nothing can: it waits for a person (retry, cancel)."""


class LibraryOffline(PlacementError):
    """A library's root is missing or lacks its marker file: its disk is taken for unmounted."""

    fault: ClassVar[str] = "library_offline"
    """What the audit event's data["fault"] says, so a notifier can tell this failure apart."""
    rollback_status: ClassVar[str] = "none"
    """Nothing was written: the refusal comes before any file."""

    def __init__(self, library: str, root: str, reason: str) -> None:
        super().__init__(f"library {library} at {root} is offline: {reason}; is the disk mounted?",
                         hint="mount it and try again (waiting tickets retry on their own, or run "
                              "`qtorrentino ticket retry ID`); if the library moved, fix its path "
                              "in config.toml")
        self.library = library
        self.root = root

    def audit_data(self) -> dict[str, str]:
        """The keys a refused placement or scan adds to its audit event."""
        return {"fault": self.fault, "library": self.library, "path": self.root}

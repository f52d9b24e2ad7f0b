"""The pipeline in one table: for each ticket state, who owns it, what it claims, emits, and where it goes.

Open this module first. `engine/wiring.py` builds one worker per worker name below, and each worker
claims exactly the states this table gives it; the transitions themselves live in `domain/states.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from qtorrentino.domain.states import TRANSITIONS, TicketState

S = TicketState


class OwnerKind(StrEnum):
    """Who moves a ticket out of a state."""

    WORKER = "worker"
    """A stage worker claims the ticket (a lease in SQLite) and moves it on."""
    CHORE = "chore"
    """A housekeeping chore looks at it on a schedule (the automatic retry of a failed ticket)."""
    SCHEDULE = "schedule"
    """The watch looks at it on its own long schedule (the RSS sync, the periodic search): it may rightly
    not move for days, so the watchdog leaves it alone and `--exit-when-idle` counts it idle."""
    PERSON = "person"
    """Only a person moves it on (approve, reject, force-search, force-magnet, retry, cancel)."""
    FINAL = "final"
    """Nothing moves it any more."""


@dataclass(frozen=True, slots=True)
class Stage:
    """One row of the table: a state and its one owner."""

    state: TicketState
    kind: OwnerKind
    owner: str
    """The worker's or chore's name, or `person` / `final`."""
    claims: str
    """What the owner takes up from this state."""
    emits: tuple[str, ...]
    """The audit event types the owner records while the ticket is here (besides TicketStateChanged)."""

    @property
    def next(self) -> tuple[TicketState, ...]:
        """Where the ticket may go from here (the transition table's answer, in declaration order)."""
        return tuple(target for target in TicketState if (self.state, target) in TRANSITIONS)


@dataclass(frozen=True, slots=True)
class Helper:
    """A worker that works on tickets in a state without owning it: it never moves them on."""

    name: str
    looks_at: tuple[TicketState, ...]
    """The states whose tickets it works on (it is woken when a ticket enters one)."""
    does: str


ACQUISITION = "acquisition"
DOWNLOAD_START = "download"
DOWNLOADING = "downloading"
CONVERSION = "conversion"
PLACEMENT = "placement"
RETRY = "retry"
CANDIDATE_FILES = "candidate-files"
WATCH = "watch"

STAGES: tuple[Stage, ...] = (
    Stage(S.PENDING, OwnerKind.WORKER, ACQUISITION, "a new ticket, highest priority first", ()),
    Stage(S.ACQUIRING, OwnerKind.WORKER, ACQUISITION,
          "a ticket to search for: torrents already held and the indexers' results, scored as one list",
          ("SearchExecuted", "MatchingCompleted", "ApprovalRequested", "ReleaseFound", "UpgradeStarted")),
    Stage(S.NEEDS_APPROVAL, OwnerKind.PERSON, "person", "the approval queue: approve, reject, force-search",
          ("ApprovalGranted", "ApprovalRejected", "AdminForceSearch", "AdminForceMagnet")),
    Stage(S.AUTO_APPROVED, OwnerKind.WORKER, DOWNLOAD_START,
          "the chosen candidate: fetch its file list, check it, start only the files the ticket needs "
          "(or raise them on a torrent already held)",
          ("MetadataRefused", "ReleaseBlocklisted", "DownloadStarted", "DownloadFailed", "FileMappingCompleted")),
    Stage(S.APPROVED, OwnerKind.WORKER, DOWNLOAD_START, "as auto_approved, for a person's pick",
          ("MetadataRefused", "ReleaseBlocklisted", "DownloadStarted", "DownloadFailed", "FileMappingCompleted")),
    Stage(S.DOWNLOADING, OwnerKind.WORKER, DOWNLOADING,
          "a downloading ticket, at once when its torrent finishes and again every few seconds: "
          "completion, stalls, file errors, a torrent missing from the session",
          ("DownloadCompleted", "DownloadFailed", "DownloadStalled", "ReleaseBlocklisted")),
    Stage(S.CONVERTING, OwnerKind.WORKER, CONVERSION,
          "a downloaded ticket: each requested item to the target format, tagged, into staging",
          ("ConversionStarted", "ConversionCompleted", "ConversionFailed")),
    Stage(S.PLACING, OwnerKind.WORKER, PLACEMENT,
          "a converted ticket: every item into its library as one unit, verified, else rolled back",
          ("PlacementStarted", "PlacementCompleted", "PlacementFailed", "ReleaseBlocklisted",
           "UpgradeCompleted")),
    Stage(S.ACQUISITION_FAILED, OwnerKind.PERSON, "person", "force-search, force-magnet or cancel",
          ("AdminForceSearch", "AdminForceMagnet")),
    Stage(S.FAILED, OwnerKind.CHORE, RETRY,
          "a retryable failure whose back-off has passed, back to the stage it failed in "
          "(a failure that is not retryable waits for `ticket retry` or `ticket cancel`)",
          ("AdminRetry",)),
    Stage(S.WAITING, OwnerKind.SCHEDULE, WATCH,
          "a watched ticket nothing acceptable was found for: acquired again when the RSS sync finds "
          "a matching release, or when its periodic search is due (with back-off; not before an "
          "episode airs)",
          ("ReleaseFound", "WatchEnded")),
    Stage(S.COMPLETED, OwnerKind.FINAL, "final", "", ()),
    Stage(S.REJECTED, OwnerKind.FINAL, "final", "", ()),
    Stage(S.CANCELLED, OwnerKind.FINAL, "final", "", ("TorrentRemoved",)),
    Stage(S.DRY_RUN_COMPLETE, OwnerKind.FINAL, "final", "", ()),
)
"""Every ticket state exactly once (tests/unit/test_stages.py checks it)."""

BY_STATE: dict[TicketState, Stage] = {stage.state: stage for stage in STAGES}

HELPERS: tuple[Helper, ...] = (
    Helper(CANDIDATE_FILES, (S.NEEDS_APPROVAL,),
           "fetches the file lists of a waiting ticket's top candidates (no content) for the approval screen"),
)
"""Workers beside the owners: they never claim a ticket nor change its state."""


def owned_by(owner: str) -> tuple[TicketState, ...]:
    """The states a worker or chore claims, in table order."""
    return tuple(stage.state for stage in STAGES if stage.owner == owner)


def worker_names() -> tuple[str, ...]:
    """Every worker the table names, in pipeline order (the engine builds one of each)."""
    names: list[str] = []
    for stage in STAGES:
        if stage.kind is OwnerKind.WORKER and stage.owner not in names:
            names.append(stage.owner)
    return tuple(names)


def helped_by(name: str) -> tuple[TicketState, ...]:
    """The states a helper looks at."""
    return next(helper.looks_at for helper in HELPERS if helper.name == name)


def helper_names() -> tuple[str, ...]:
    """Every helper the table names (the engine builds one of each, after the owners)."""
    return tuple(helper.name for helper in HELPERS)

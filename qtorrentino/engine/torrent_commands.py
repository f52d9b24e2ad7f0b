"""A person's torrent command as stored on the catalog row for the running engine (`TorrentRow.command`).

The CLI writes it and wakes the engine; the engine carries it out at once, or at its next start. Plain
verbs (`pause`, `resume`, `remove`, `remove_data`) are stored as they are; commands with arguments as JSON.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from qtorrentino.errors import UsageError

PLAIN_ACTIONS = ("pause", "resume", "remove", "remove_data", "recheck", "reannounce", "detail")
ACTIONS = (*PLAIN_ACTIONS, "limits", "priority")
DETAIL_SUFFIX = ".detail.json"
"""The engine answers `detail` with `<info_hash>.detail.json` in the home's torrents/live folder."""


@dataclass(frozen=True, slots=True)
class TorrentCommand:
    """One request: what to do, who asked, and the arguments of `limits` and `priority`."""

    action: str
    actor: str = "engine"
    upload_kib: int = 0
    download_kib: int = 0
    file_index: int = 0
    priority: int = 4

    def encode(self) -> str:
        """The text stored in `TorrentRow.command`."""
        if self.action not in ACTIONS:
            raise UsageError(f"unknown torrent command {self.action!r}", hint=f"one of {', '.join(ACTIONS)}")
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def decode(cls, text: str) -> TorrentCommand:
        """Read a stored command: a plain verb (older rows) or JSON."""
        if text in PLAIN_ACTIONS:
            return cls(text)
        try:
            fields = json.loads(text)
            command = cls(**fields)
        except (ValueError, TypeError) as error:
            raise UsageError(f"unreadable torrent command {text[:80]!r}: {error}") from None
        if command.action not in ACTIONS:
            raise UsageError(f"unknown torrent command {command.action!r}")
        return command

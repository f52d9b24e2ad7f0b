"""What an audit event says in one line, per type, from its data: the sentences the screen shows."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import PurePath
from typing import Any

SizeFormat = Callable[[float | None], str]
"""How a face writes a byte count (the screen: decimal units, "253 KB")."""
Sentence = Callable[[Mapping[str, Any], SizeFormat], str]
"""One event's data → one line; "" when the data lacks what the sentence needs."""

TELLING_KEYS = (
    "query",
    "indexer",
    "results_count",
    "info_hash",
    "torrent_name",
    "item_id",
    "path",
    "target",
    "library",
    "candidate_rank",
    "error",
    "reason",
)
"""Keys worth a place in the one-line summary of a type without a sentence of its own, in order."""
SHORT_CHARS = 60


def short(value: Any, limit: int = SHORT_CHARS) -> str:
    """A value as text, cut to `limit` characters with an ellipsis."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def telling_keys(data: Mapping[str, Any]) -> str:
    """ "query X, indexer Y, …": the telling keys present, else the first four keys."""
    parts = [
        f"{key} {short(data[key])}" for key in TELLING_KEYS if data.get(key) not in (None, "", [])
    ]
    if not parts:
        parts = [f"{key} {short(value)}" for key, value in list(data.items())[:4]]
    return ", ".join(parts)


def state_changed(data: Mapping[str, Any], size: SizeFormat) -> str:
    """ "acquiring → needs_approval (3 candidates)"."""
    reason = f" ({data.get('reason')})" if data.get("reason") else ""
    return f"{data.get('from_state')} → {data.get('to_state')}{reason}"


def ticket_created(data: Mapping[str, Any], size: SizeFormat) -> str:
    """ "kind album, library Music"."""
    ticket = data.get("ticket")
    if not isinstance(ticket, Mapping):
        return ""
    return f"kind {ticket.get('kind')}, library {ticket.get('library')}"


def download(data: Mapping[str, Any], size: SizeFormat) -> str:
    """ "Name (2 files, 247 KB) in 1.1 s" or the error."""
    files = f"{data['files']} files, " if isinstance(data.get("files"), int) else ""
    took = (
        f" in {data['duration_secs']:.1f} s"
        if isinstance(data.get("duration_secs"), (int, float))
        else ""
    )
    failed = f": {data['error']}" if data.get("error") else ""
    name = data.get("torrent_name") or data.get("info_hash")
    return f"{name} ({files}{size(data.get('size_bytes'))}){took}{failed}"


def conversion(data: Mapping[str, Any], size: SizeFormat) -> str:
    """ "t03 03 - Track.flac → opus", "t03 → 03 - Track.opus in 0.2 s" or "t03: <error>"."""
    item = data.get("item_id") or "?"
    if data.get("error"):
        return f"{item}: {short(data['error'], 120)}"
    if data.get("output_path"):
        took = (
            f" in {data['duration_ms'] / 1000:.1f} s"
            if isinstance(data.get("duration_ms"), (int, float))
            else ""
        )
        return f"{item} → {PurePath(str(data['output_path'])).name}{took}"
    source = PurePath(str(data.get("input_path") or "")).name
    return f"{item} {source} → {data.get('target') or '?'}"


def placement(data: Mapping[str, Any], size: SizeFormat) -> str:
    """ "6 files → <folder> (hardlink)", with the rollback status and error when it failed."""
    files = [entry for entry in data.get("files") or () if isinstance(entry, Mapping)]
    paths = [PurePath(str(entry.get("path"))) for entry in files if entry.get("path")]
    folders = {path.parent for path in paths}
    where = (
        f" → {next(iter(folders))}"
        if len(folders) == 1
        else f" → {len(folders)} folders"
        if folders
        else ""
    )
    methods = sorted({str(entry["method"]) for entry in files if entry.get("method")})
    how = f" ({', '.join(methods)})" if methods else ""
    failed = f", {data.get('rollback_status')}: {data['error']}" if data.get("error") else ""
    return f"{len(files)} file(s){where}{how}{failed}"


def matching(data: Mapping[str, Any], size: SizeFormat) -> str:
    """ "needs_approval of 2 candidate(s): too close to a different release"."""
    candidates = data.get("candidates")
    count = f" of {len(candidates)} candidate(s)" if isinstance(candidates, list) else ""
    return f"{data.get('outcome') or 'matched'}{count}: {data.get('reason') or ''}".rstrip(": ")

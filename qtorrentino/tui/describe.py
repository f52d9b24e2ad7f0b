"""One-line and multi-line descriptions of engine values (audit events, candidates) as plain Text."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePath
from typing import Any

from rich.text import Text

from qtorrentino.engine.api import AuditEvent, CandidateView
from qtorrentino.tui.text import plain, visible
from qtorrentino.tui.units import human_size

SUMMARY_KEYS = ("query", "indexer", "results_count", "info_hash", "torrent_name", "item_id", "path", "target",
                "library", "candidate_rank", "error", "reason")
"""Data keys worth a place in a one-line summary, in the order they are shown."""
MAX_FILES_SHOWN = 40


def event_summary(event: AuditEvent) -> str:
    """What happened in one line: "acquiring → needs_approval (3 candidates)", or the telling data keys."""
    data = event.data
    summary = SUMMARIES.get(event.type)
    if summary is not None and (line := summary(data)):
        return visible(line)
    parts = [f"{key} {_short(data[key])}" for key in SUMMARY_KEYS if data.get(key) not in (None, "", [])]
    if not parts:
        parts = [f"{key} {_short(value)}" for key, value in list(data.items())[:4]]
    return visible(", ".join(parts))


def _state_changed(data: Mapping[str, Any]) -> str:
    reason = f" ({data.get('reason')})" if data.get("reason") else ""
    return f"{data.get('from_state')} → {data.get('to_state')}{reason}"


def _ticket_created(data: Mapping[str, Any]) -> str:
    ticket = data.get("ticket")
    if not isinstance(ticket, Mapping):
        return ""
    return f"kind {ticket.get('kind')}, library {ticket.get('library')}"


def _download(data: Mapping[str, Any]) -> str:
    """"Name (2 files, 247 KB) in 1.1 s" or the error."""
    files = f"{data['files']} files, " if isinstance(data.get("files"), int) else ""
    took = f" in {data['duration_secs']:.1f} s" if isinstance(data.get("duration_secs"), (int, float)) else ""
    failed = f": {data['error']}" if data.get("error") else ""
    name = data.get("torrent_name") or data.get("info_hash")
    return f"{name} ({files}{human_size(data.get('size_bytes'))}){took}{failed}"


def _conversion(data: Mapping[str, Any]) -> str:
    """"t03 03 - Track.flac → opus", "t03 → 03 - Track.opus in 0.2 s" or "t03: <error>"."""
    item = data.get("item_id") or "?"
    if data.get("error"):
        return f"{item}: {_short(data['error'], 120)}"
    if data.get("output_path"):
        took = f" in {data['duration_ms'] / 1000:.1f} s" if isinstance(data.get("duration_ms"), (int, float)) else ""
        return f"{item} → {PurePath(str(data['output_path'])).name}{took}"
    source = PurePath(str(data.get("input_path") or "")).name
    return f"{item} {source} → {data.get('target') or '?'}"


def _placement(data: Mapping[str, Any]) -> str:
    """"6 files → <folder> (hardlink)", with the rollback status and error when it failed."""
    files = [entry for entry in data.get("files") or () if isinstance(entry, Mapping)]
    paths = [PurePath(str(entry.get("path"))) for entry in files if entry.get("path")]
    folders = {path.parent for path in paths}
    where = f" → {next(iter(folders))}" if len(folders) == 1 else f" → {len(folders)} folders" if folders else ""
    methods = sorted({str(entry["method"]) for entry in files if entry.get("method")})
    how = f" ({', '.join(methods)})" if methods else ""
    failed = f", {data.get('rollback_status')}: {data['error']}" if data.get("error") else ""
    return f"{len(files)} file(s){where}{how}{failed}"


def _matching(data: Mapping[str, Any]) -> str:
    candidates = data.get("candidates")
    count = f" of {len(candidates)} candidate(s)" if isinstance(candidates, list) else ""
    return f"{data.get('outcome') or 'matched'}{count}: {data.get('reason') or ''}".rstrip(": ")


SUMMARIES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "TicketStateChanged": _state_changed, "TicketCreated": _ticket_created,
    "DownloadStarted": _download, "DownloadCompleted": _download,
    "ConversionStarted": _conversion, "ConversionCompleted": _conversion, "ConversionFailed": _conversion,
    "PlacementStarted": _placement, "PlacementCompleted": _placement, "PlacementFailed": _placement,
    "MatchingCompleted": _matching,
}
"""One-line summaries of the events a person reads most; other types show their telling data keys."""


def _short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def event_detail(event: AuditEvent) -> Text:
    """The whole event: header fields, then its data as indented JSON, every string shown literally."""
    body = Text(end="")
    for label, value in (("seq", event.seq), ("at", event.at), ("type", event.type),
                         ("ticket", event.ticket_id or "—"), ("actor", event.actor)):
        body.append(f"{label:<7}", style="bold")
        body.append_text(plain(value))
        body.append("\n")
    body.append("data\n", style="bold")
    pretty = json.dumps(event.data, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    for line in pretty.splitlines():
        body.append_text(plain(line, limit=2_000))
        body.append("\n")
    return body


def candidate_detail(candidate: CandidateView, recommended: bool, items: Mapping[str, str] | None = None) -> Text:
    """What a candidate is: the reasons no factor states, its file mapping, then every factor's score.

    items: the ticket's item labels by id, to name what each file becomes.
    """
    body = Text(end="")
    mark = " (recommended)" if recommended else ""
    body.append(f"#{candidate.rank}{mark}  score {candidate.score:.2f}  ", style="bold")
    body.append_text(plain(candidate.title))
    body.append("\n")
    body.append_text(plain(f"{candidate.indexer} · {human_size(candidate.size)} · {candidate.seeders_label} seeders / "
                           f"{candidate.peers} peers · {candidate.info_hash or 'no info-hash'}"))
    body.append("\n")
    if candidate.rejected:
        body.append("Rejected (a hard constraint): never approved automatically\n", style="bold")
    explained = {factor.get("reason") for factor in candidate.factors}
    for reason in candidate.reasons:
        if reason in explained:
            continue
        body.append(" • ")
        body.append_text(plain(reason))
        body.append("\n")
    body.append_text(mapping_lines(candidate.mapping, candidate.files, items or {}))
    for factor in candidate.factors:
        body.append(" ◦ ")
        body.append_text(plain(_factor_line(factor)))
        body.append("\n")
    return body


def _factor_line(factor: Mapping[str, Any]) -> str:
    name = factor.get("name") or factor.get("factor") or "factor"
    score = factor.get("score", factor.get("value"))
    score_text = f" {score:.2f}" if isinstance(score, (int, float)) else ""
    weight = factor.get("weight")
    weight_text = f" ×{weight:g}" if isinstance(weight, (int, float)) else ""
    reason = factor.get("reason") or factor.get("why") or ""
    return f"{name}{score_text}{weight_text}" + (f" — {reason}" if reason else "")


def mapping_lines(mapping: Mapping[str, Any] | None, files: Sequence[Mapping[str, Any]],
                  items: Mapping[str, str]) -> Text:
    """The file mapping: each torrent file → the ticket item it becomes, items no file serves, files left out."""
    body = Text(end="")
    assignments = [entry for entry in (mapping or {}).get("assignments") or () if isinstance(entry, Mapping)]
    if not files and not assignments:
        body.append("Files not known yet: they are fetched (no content) for the top candidates.\n", style="dim")
        return body
    used = {entry.get("file_index") for entry in assignments}
    root = _shared_folder([str(entry.get("path", "")) for entry in (*files, *assignments)])
    if root:
        body.append_text(plain(f"In {root}/", style="dim"))
        body.append("\n")
    if assignments:
        body.append(f"Files → items ({len(assignments)})\n", style="bold")
        for entry in assignments[:MAX_FILES_SHOWN]:
            item = str(entry.get("item_id", "?"))
            label = items.get(item) or " ".join(str(part) for part in (item, entry.get("title")) if part)
            body.append_text(plain(f"  {_inside(entry, root)} ({human_size(entry.get('size'))}) → {label}"))
            body.append("\n")
    unmapped = [str(item) for item in (mapping or {}).get("unmapped") or ()]
    if unmapped:
        body.append(f"Items no file serves ({len(unmapped)})\n", style="bold")
        for item in unmapped[:MAX_FILES_SHOWN]:
            body.append_text(plain(f"  {items.get(item, item)}"))
            body.append("\n")
    left = [entry for entry in files if entry.get("index") not in used]
    if left:
        heading = "Files not used" if assignments else "Files"
        body.append(f"{heading} ({len(left)})\n", style="bold")
        for entry in left[:MAX_FILES_SHOWN]:
            body.append_text(plain(f"  {_inside(entry, root)} ({human_size(entry.get('size'))})"))
            body.append("\n")
    return body


def _shared_folder(paths: Sequence[str]) -> str:
    """The top folder every path lies in ("" when they do not share one): said once, not on every line."""
    tops = {path.split("/", 1)[0] for path in paths if "/" in path}
    return tops.pop() if len(tops) == 1 and all("/" in path for path in paths) else ""


def _inside(entry: Mapping[str, Any], root: str) -> str:
    path = str(entry.get("path", "?"))
    return path.removeprefix(f"{root}/") if root else path

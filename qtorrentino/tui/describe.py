"""One-line and multi-line descriptions of engine values (audit events, candidates) as plain Text."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text

from qtorrentino.engine.api import AuditEvent, CandidateView, summarize
from qtorrentino.tui.text import plain, visible
from qtorrentino.tui.units import human_size

MAX_FILES_SHOWN = 40


def event_summary(event: AuditEvent) -> str:
    """What happened in one line, as the audit vocabulary words it for this type, shown literally."""
    return visible(summarize(event.type, event.data, human_size))


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

"""One-line and multi-line descriptions of engine values (audit events, candidates) as plain Text."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
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


def candidate_detail(candidate: CandidateView, recommended: bool) -> Text:
    """Why a candidate scored as it did (its factors, and the reasons no factor states) and its file mapping."""
    body = Text(end="")
    mark = " (recommended)" if recommended else ""
    body.append(f"#{candidate.rank}{mark}  score {candidate.score:.2f}  ", style="bold")
    body.append_text(plain(candidate.title))
    body.append("\n")
    body.append_text(plain(f"{candidate.indexer} · {human_size(candidate.size)} · {candidate.seeders} seeders / "
                           f"{candidate.peers} peers · {candidate.info_hash or 'no info-hash'}"))
    body.append("\n")
    explained = {factor.get("reason") for factor in candidate.factors}
    for reason in candidate.reasons:
        if reason in explained:
            continue
        body.append(" • ")
        body.append_text(plain(reason))
        body.append("\n")
    for factor in candidate.factors:
        body.append(" ◦ ")
        body.append_text(plain(_factor_line(factor)))
        body.append("\n")
    body.append_text(_mapping_lines(candidate.mapping, candidate.files))
    return body


def _factor_line(factor: Mapping[str, Any]) -> str:
    name = factor.get("name") or factor.get("factor") or "factor"
    score = factor.get("score", factor.get("value"))
    score_text = f" {score:.2f}" if isinstance(score, (int, float)) else ""
    weight = factor.get("weight")
    weight_text = f" ×{weight:g}" if isinstance(weight, (int, float)) else ""
    reason = factor.get("reason") or factor.get("why") or ""
    return f"{name}{score_text}{weight_text}" + (f" — {reason}" if reason else "")


def _file_label(files: tuple[dict[str, Any], ...], value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        for entry in files:
            if entry.get("index") == value:
                return f"{entry.get('path', value)} ({human_size(entry.get('size'))})"
        return f"file #{value}"
    if isinstance(value, Mapping):
        return str(value.get("path") or value.get("file") or json.dumps(value, ensure_ascii=False, default=str))
    return "—" if value is None else str(value)


def _mapping_lines(mapping: Mapping[str, Any] | None, files: tuple[dict[str, Any], ...]) -> Text:
    body = Text(end="")
    pairs = _mapping_pairs(mapping)
    if pairs:
        body.append("Files → items\n", style="bold")
        for item, value in pairs[:MAX_FILES_SHOWN]:
            body.append_text(plain(f"  {item} ← {_file_label(files, value)}"))
            body.append("\n")
    elif files:
        body.append(f"Files ({len(files)})\n", style="bold")
        for entry in files[:MAX_FILES_SHOWN]:
            body.append_text(plain(f"  {entry.get('path', '?')} ({human_size(entry.get('size'))})"))
            body.append("\n")
    return body


def _mapping_pairs(mapping: Mapping[str, Any] | None) -> list[tuple[str, Any]]:
    if not mapping:
        return []
    inner = mapping.get("items", mapping)
    if isinstance(inner, Mapping):
        return [(str(key), value) for key, value in inner.items()]
    if isinstance(inner, Iterable) and not isinstance(inner, (str, bytes)):
        pairs = []
        for entry in inner:
            if isinstance(entry, Mapping):
                pairs.append((str(entry.get("item_id", entry.get("item", "?"))),
                              entry.get("file_index", entry.get("path", entry.get("file")))))
        return pairs
    return []

"""What the New ticket wizard takes from MusicBrainz and TMDB: candidate lines to pick from, tracks as items."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text

from qtorrentino.tui.text import plain

MUSIC_KINDS = frozenset({"album", "track"})


def provider_for(kind: str, *, musicbrainz: bool, tmdb: bool) -> str | None:
    """The provider a kind of ticket is looked up in, when that provider is configured."""
    if kind in MUSIC_KINDS and musicbrainz:
        return "MusicBrainz"
    if kind == "movie" and tmdb:
        return "TMDB"
    return None


def candidate_line(kind: str, candidate: Mapping[str, Any]) -> Text:
    """One pickable line: "Radiohead – OK Computer (1997) · GB · 12 tracks" or "Sintel (2010) · Sintel"."""
    year = f" ({candidate['year']})" if candidate.get("year") else ""
    if kind in MUSIC_KINDS:
        details = [str(candidate[key]) for key in ("country", "primary_type") if candidate.get(key)]
        if candidate.get("track_count"):
            details.append(f"{candidate['track_count']} tracks")
        return plain(" · ".join([f"{candidate.get('artist', '?')} – {candidate.get('title', '?')}{year}", *details]))
    original = candidate.get("original_title")
    extra = f" · {original}" if original and original != candidate.get("title") else ""
    return plain(f"{candidate.get('title', '?')}{year}{extra}")


def track_items(tracks: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A release's tracks as ticket items (every one requested)."""
    return [{"id": f"d{track['disc']}t{track['number']:02d}", "type": "track", "disc": track["disc"],
             "number": track["number"], "title": track.get("title") or "", "duration_secs": track.get("duration_secs"),
             "requested": True}
            for track in tracks]

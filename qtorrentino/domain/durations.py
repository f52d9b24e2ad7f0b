"""How far two durations may differ and still count as the same: verifying a file, matching one to a track."""

from __future__ import annotations

VERIFY_DURATION_TOLERANCE_SECS = 2.0
"""A converted or placed file may differ this much from what it should last (its source; the ticket's length
for the item) before it is refused: encoder padding and container rounding stay well inside it."""
TRACK_MATCH_TOLERANCE_SECS = 5.0
"""Looser than verifying because it refuses nothing: matching a torrent's file to a listed track only scores
the pairing ("duration fits" inside it, a weaker pairing outside)."""

"""One scoring factor: the unit every scoring rule gives and every reason list shows."""

from __future__ import annotations

from typing import NamedTuple

FACTOR_CACHE_SIZE = 4096
"""Factors depend on a few parsed fields that repeat across candidates; they are built once each."""


class Factor(NamedTuple):
    """One reason a candidate scored as it did: a 0..1 value and a short human sentence."""

    name: str
    value: float
    reason: str
    weight: float = 1.0
    identity: bool = False
    """Part of "is this the wanted content" (combined geometrically) rather than of its quality."""

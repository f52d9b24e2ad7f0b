"""Hard constraints: what a ticket refuses outright, whatever a candidate scores (docs/decisions.md).

Soft constraints (format, bitrate, codecs, groups, year, seeders) only move the score. Hard ones reject:
a rejected candidate is still listed with why, ranks after every acceptable one and is never
auto-approved. The red flags that mark other content (karaoke, tribute, cam copies, programs in the
file list) are hard as well; score.py adds those.
"""

from __future__ import annotations

from dataclasses import dataclass

from qtorrentino.domain.similarity import normalise
from qtorrentino.domain.ticket import Constraints


@dataclass(frozen=True, slots=True)
class HardConstraints:
    """The hard constraints a ticket states, prepared once per ticket."""

    must_not: tuple[tuple[str, str], ...]
    """(the word as the ticket gives it, its normalised form space-padded)."""
    resolution: str | None
    """The resolution a video ticket names explicitly."""
    min_size_mb: int | None
    max_size_mb: int | None

    @classmethod
    def of(cls, constraints: Constraints, *, video: bool) -> HardConstraints:
        words = tuple((word, f" {normalise(word, drop_article=False)} ") for word in constraints.must_not
                      if normalise(word, drop_article=False))
        return cls(words, constraints.resolution if video else None, constraints.min_size_mb or None,
                   constraints.max_size_mb or None)

    def title_violations(self, padded_title: str, resolution: str | None) -> tuple[str, ...]:
        """What a release name breaks: a must_not word, another resolution than the one asked for."""
        found = [f'the name contains "{word}" (must_not)' for word, padded in self.must_not
                 if padded in padded_title]
        if self.resolution and resolution and resolution != self.resolution:
            found.append(f"{resolution}, the ticket asks for {self.resolution}")
        return tuple(found)

    def size_violation(self, size_bytes: int, label: str) -> str | None:
        """The release's listed size outside the ticket's bounds (unknown sizes cannot break them)."""
        if size_bytes <= 0:
            return None
        size_mb = size_bytes / 1_000_000
        if self.max_size_mb and size_mb > self.max_size_mb:
            return f"{label} is over the ticket's max_size_mb {self.max_size_mb}"
        if self.min_size_mb and size_mb < self.min_size_mb:
            return f"{label} is under the ticket's min_size_mb {self.min_size_mb}"
        return None

"""The pre-check that sets a candidate aside unparsed: its name does not name what the ticket names.

Parsing is most of scoring's cost, and most of 10,000 search results for a ticket are other content.
A name that shares no word with the ticket's artist, album, title or series, nor holds one of
them without its spaces ("Spiderman" for "Spider-Man"), half the pieces of a longer word ("Alien"
for "Aliens") or a stretch alike to one ("Pure Laine" for "The Red Line"), is other content; over
the corpus of real names the full path never scored one of them above UNRELATED_CEILING.
score.py sets them aside when a candidate that does name the ticket scores FAST_PATH_FLOOR or more
(then the decision is exactly what the full path gives), when none scores even decide's
USELESS_BELOW (then nothing resembles the ticket: other content is neither approved nor offered),
or, when the engine passes the ticket's threshold, when none reaches it (then nothing can be
auto-approved either way, so no rival matters). Otherwise other content could be the close rival a
name of the ticket must beat, so every name is parsed (docs/decisions.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from qtorrentino.domain.similarity import normalise
from qtorrentino.domain.ticket import MUSIC_KINDS, TicketKind

if TYPE_CHECKING:
    from qtorrentino.domain.ticket import TicketSpec

UNRELATED_CEILING = 0.8
"""Above every full-path score of a name the pre-check sets aside, over 939 corpus tickets times
1,300 corpus names (tests/benchmarks/bench_score_equivalence.py prints the highest)."""
FAST_PATH_FLOOR = 0.9
"""When the best candidate that names the ticket scores this, the others are set aside: the
ceiling plus decide's CLEAR_MARGIN, so no set-aside candidate could have been a close rival."""
GRAM = 4
"""Letters per piece when a longer word is looked for in a name (a typo or a plural still shows)."""
ALIKE_PERCENT = 70
"""A name whose best-matching stretch is this alike (rapidfuzz partial_ratio) to one of the
ticket's names may name it ("Red Line", "Pure Laine"): short titles look alike letter by letter."""
SMALL_WORDS = frozenset({"the", "a", "an", "of", "and", "in", "on", "to", "is", "at", "de", "la"})
"""Words too common to tell content apart; they count only when the ticket names nothing else."""


@dataclass(frozen=True, slots=True)
class TicketWords:
    """The words a ticket's names are made of, prepared once per ticket for the pre-check."""

    words: frozenset[str]
    """The normalised words of the artist, album, title or series (small words dropped)."""
    names: tuple[str, ...]
    """Each name normalised."""
    joined: tuple[str, ...]
    """Each name with its spaces removed: "spider man" is found in "spiderman2002"."""
    pieces: tuple[frozenset[str], ...]
    """For each word of GRAM letters or more, its GRAM-letter pieces."""
    label: str
    """The names as a reason quotes them."""

    @classmethod
    def of(cls, spec: TicketSpec) -> TicketWords | None:
        """The ticket's words, or None when its kind has no names to check (a generic ticket)."""
        query = spec.query
        if spec.kind in MUSIC_KINDS:
            names = [query.artist, query.album or query.title]
        elif spec.kind is TicketKind.MOVIE:
            names = [query.title]
        elif spec.kind in (TicketKind.EPISODE, TicketKind.SEASON):
            names = [query.series]
        else:
            return None
        named = [name for name in names if name and normalise(name)]
        if not named:
            return None
        normalised = [normalise(name) for name in named]
        every = {word for name in normalised for word in name.split()}
        words = frozenset(every - SMALL_WORDS or every)
        pieces = tuple(frozenset(word[start:start + GRAM] for start in range(len(word) - GRAM + 1))
                       for word in sorted(words) if len(word) >= GRAM)
        return cls(words, tuple(normalised), tuple(name.replace(" ", "") for name in normalised),
                   pieces, " – ".join(named))

    def named_by(self, title: str) -> bool:
        """True when the name may name the ticket: a shared word, a whole name, half a long word,
        a stretch alike to a name."""
        normalised = normalise(title, drop_article=False)
        if not self.words.isdisjoint(normalised.split()):
            return True
        solid = normalised.replace(" ", "")
        if any(name in solid for name in self.joined):
            return True
        if any(2 * sum(map(solid.__contains__, word)) >= len(word) for word in self.pieces):
            return True
        return any(fuzz.partial_ratio(name, normalised, score_cutoff=ALIKE_PERCENT)
                   for name in self.names)

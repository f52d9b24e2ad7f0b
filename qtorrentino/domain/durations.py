"""How far two durations may differ and still count as the same: a conversion against its source, a file
against the length the ticket lists for its item."""

from __future__ import annotations

CONVERSION_DURATION_TOLERANCE_SECS = 2.0
"""A converted file may last this much more or less than its source before it is refused: encoder padding
and container rounding stay well inside it."""
LISTED_LENGTH_TOLERANCE_SECS = 5.0
"""A file may last this much more or less than the length the ticket lists for its item (masters and
lead-in silence differ by a few seconds): matching calls a pairing inside it "duration fits", and
placement refuses a file outside it, so a file matched as fitting is never refused for its length later."""

"""Time as the contracts spell it: iso() one at a time and iso_many() for bulk audit writes agree exactly."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from qtorrentino.clock import iso, iso_many


def test_iso_many_spells_every_moment_as_iso_does() -> None:
    rng = random.Random(7)
    moments = [datetime.fromtimestamp(rng.uniform(-2e9, 4e9), UTC) for _ in range(5_000)]
    moments += [moment.astimezone(timezone(timedelta(hours=rng.randint(-12, 14)))) for moment in moments[:500]]
    london = ZoneInfo("Europe/London")
    moments += [datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
                datetime(2026, 1, 5, 12, tzinfo=london), datetime(2026, 7, 5, 12, tzinfo=london)]
    naive = [datetime(999, 12, 31, 23, 59, 59), datetime(2026, 3, 1, 9, 30, 59, 999_999)]  # noqa: DTZ001 - naive on purpose
    moments += [*naive, datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC)]
    assert iso_many(moments) == [iso(moment) for moment in moments]
    assert iso_many(moments[-2:]) == ["2026-03-01T09:30:59Z", "1969-12-31T23:59:59Z"]

"""The labelled catalog/dedup/shared-torrent cases: auto-approve precision 100 % on every path (issue 18)."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.decision_cases import PATHS, evaluate, load_cases


def test_the_set_covers_every_path_and_the_traps_it_is_about() -> None:
    cases = load_cases()
    assert len(cases) >= 30
    assert Counter(case["path"] for case in cases).keys() == set(PATHS)
    words = " ".join(case["description"] for case in cases)
    for trap in ("edition", "720p", "tracks", "dry run", "failed", "cancelled", "season pack", "max size"):
        assert trap in words, trap


@pytest.mark.parametrize("threshold", [0.75, 0.85, 0.95])
def test_auto_approvals_are_right_on_every_path_and_links_are_right(threshold: float) -> None:
    outcomes = evaluate(load_cases(), threshold)
    assert outcomes.wrong == []
    assert outcomes.right == outcomes.approved
    assert all(outcomes.approved[path] > 0 for path in PATHS), outcomes.approved
    assert outcomes.links_right == outcomes.links_total >= 20

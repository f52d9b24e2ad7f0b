"""dumb_first on the labelled matching and decision sets against a scripted loopback model."""

from __future__ import annotations

from qtorrentino.config.model import LlmConfig
from qtorrentino.textbrain.llm.advisor import LlmAdvisor
from qtorrentino.textbrain.matching import MatcherMode, TextBrain
from tests.benchmarks.labelled_llm import SCRIPTS, decide_all, labelled_cases
from tests.servers.llm import LlmServer


def test_dumb_first_asks_only_when_unsure_and_its_approvals_stay_right() -> None:
    cases = labelled_cases()
    with LlmServer() as server:
        advisor = LlmAdvisor(LlmConfig(base_url=server.base_url, timeout_seconds=10))
        tally = decide_all(TextBrain(MatcherMode.DUMB_FIRST, advisor), server, cases,
                           SCRIPTS["oracle"])
        asked = server.chat_count
    assert tally.consulted == tally.low_confidence == asked > 0
    assert tally.consulted_confident == 0
    assert tally.approved > tally.heuristic_approved
    assert tally.approved_right == tally.approved, tally.wrong

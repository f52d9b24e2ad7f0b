"""LlmAdvisor: what the decision path asks; every answer validated, every failure a Problem."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qtorrentino.textbrain.llm.client import LlmClient
from qtorrentino.textbrain.llm.exchange import Advice
from qtorrentino.textbrain.llm.file_mapping import (
    completed_mapping,
    mapping_gap,
    mapping_request,
    mapping_validator,
)
from qtorrentino.textbrain.llm.judgements import (
    CandidateJudgement,
    judge_request,
    judgement_validator,
)
from qtorrentino.textbrain.llm.query_variants import variants_request, variants_validator

if TYPE_CHECKING:
    from collections.abc import Sequence

    from qtorrentino.config.model import LlmConfig
    from qtorrentino.domain.files import FileEntry
    from qtorrentino.domain.ticket import TicketSpec
    from qtorrentino.search.result import SearchResult
    from qtorrentino.textbrain.filemap import FileMapping
    from qtorrentino.textbrain.llm.client import ResponseCache


class LlmAdvisor:
    """Query variants, candidate judgements and file placements from the configured model."""

    def __init__(self, config: LlmConfig, *, cache: ResponseCache | None = None) -> None:
        self.config = config
        self.client = LlmClient(config, cache=cache)

    @property
    def max_candidates(self) -> int:
        """How many of the best candidates the model is shown (at least one)."""
        return max(1, self.config.max_candidates)

    def judge(
        self, spec: TicketSpec, candidates: Sequence[SearchResult]
    ) -> Advice[tuple[CandidateJudgement, ...]]:
        """Scores in 0..1 with reasons for the first max_candidates of candidates (best first)."""
        shown = list(candidates[: self.max_candidates])
        return self.client.consult(judge_request(spec, shown), judgement_validator(len(shown)))

    def query_variants(self, spec: TicketSpec, tried: Sequence[str]) -> Advice[tuple[str, ...]]:
        """New queries to try after every query in tried found nothing."""
        return self.client.consult(variants_request(spec, tried), variants_validator(tried))

    def complete_mapping(
        self, spec: TicketSpec, files: Sequence[FileEntry], mapping: FileMapping
    ) -> Advice[FileMapping] | None:
        """The mapping with the model's placements on the items it left open.

        None when there is nothing to ask: no item without a file, or no file left to give.
        """
        gap = mapping_gap(spec, files, mapping)
        if not gap.items or not gap.files:
            return None
        advice = self.client.consult(mapping_request(spec, gap), mapping_validator(gap))
        if advice.value is None:
            return Advice(None, advice.use, advice.problem)
        return Advice(completed_mapping(spec, gap, mapping, advice.value), advice.use)

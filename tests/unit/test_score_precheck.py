"""The scoring pre-check (issue 14): names that do not name the ticket are set aside unparsed when a
name of it clearly is its content, none resembles it or none reaches the ticket's threshold; other
content is then never approved nor offered, and what names the ticket is scored as in full."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qtorrentino.domain.ticket_json import spec_from_json
from qtorrentino.search.result import SearchResult
from qtorrentino.textbrain.decide import Outcome, decide
from qtorrentino.textbrain.matching import MatcherMode, TextBrain
from qtorrentino.textbrain.score import (
    ScoredCandidate,
    forget_past_scoring,
    in_full,
    score_candidates,
    score_in_full,
)

if TYPE_CHECKING:
    from qtorrentino.domain.ticket import TicketSpec

OTHER_CONTENT = (
    "Game.of.Thrones.S03.1080p.BluRay.DTS-HD.MA.5.1.AVC.REMUX-FraMeSToR",
    "Peaky.Blinders.S01.720p.BluRay.FLAC2.0.x264-DON",
    "White.House.Down.2013.1080p.BluRay.DTSHD.MA.5.1.x264-PublicHD.mkv",
    "Boi.2016.1080p.BluRay.x264-BARGAiN[EtHD]",
    "Radiohead - In Rainbows (2007) [FLAC 24bit]",
    "Pink Floyd - Discography 1967-2014 [FLAC]",
    "The Fresh Prince of Bel-Air (1990) S01 REPACK (1080p NF Webrip x265 10bit AC3 2.0 - DNU)",
    "Das.Appartement.GERMAN.AC3D.DL.720p.BluRay.x264-TVP",
)
"""Real release names (from the parser corpus) of content none of these tickets asks for."""
THE_BRIDGE = "The Bridge (Bron Broen) S01 Season 1 BRRip x264 AAC E-Subs [GWC]"
"""A corpus name of other content that scores 0.74 in full for a Borgen season 1 ticket: the highest
any name the pre-check sets aside scores over the corpus (bench_score_equivalence)."""


def ticket(kind: str, **query: Any) -> TicketSpec:
    return spec_from_json({"kind": kind, "query": query, "library": "Any"})


def results(*titles: str) -> list[SearchResult]:
    return [SearchResult(title=title, indexer="test", size=(1400 + 37 * index) * 1_000_000,
                         seeders=10 + index, info_hash=f"{index:040x}")
            for index, title in enumerate(titles)]


def both_paths(spec: TicketSpec, found: list[SearchResult]) -> tuple[list[ScoredCandidate],
                                                                      list[ScoredCandidate]]:
    forget_past_scoring()
    fast = score_candidates(spec, found)
    forget_past_scoring()
    return fast, score_in_full(spec, found)


def set_aside(ranked: list[ScoredCandidate]) -> list[str]:
    return [c.result.title for c in ranked if c.reasons[0].startswith("does not name")]


def test_other_content_is_set_aside_and_what_names_the_ticket_is_scored_as_in_full() -> None:
    spec = ticket("movie", title="Sintel", year=2010)
    found = results(*OTHER_CONTENT, "Sintel.2010.1080p.BluRay.x264-GRP",
                    "Sintel (2010) 720p WEB-DL AAC")
    fast, full = both_paths(spec, found)
    assert sorted(set_aside(fast)) == sorted(OTHER_CONTENT)
    aside = next(c for c in fast if c.result.title == OTHER_CONTENT[0])
    assert aside.score == 0.0
    assert aside.reasons == ("does not name Sintel",)
    assert fast[:2] == full[:2]
    assert [c.result.title for c in fast[:2]] == ["Sintel.2010.1080p.BluRay.x264-GRP",
                                                  "Sintel (2010) 720p WEB-DL AAC"]
    for threshold in (0.75, 0.85, 0.95):
        assert decide(fast, threshold) == decide(full, threshold)


def test_an_album_ticket_sets_aside_other_artists_but_scores_the_artists_other_albums() -> None:
    spec = ticket("album", artist="Radiohead", album="OK Computer", year=1997)
    found = results(*OTHER_CONTENT, "Radiohead - OK Computer (1997) [FLAC]")
    fast, full = both_paths(spec, found)
    assert "Radiohead - In Rainbows (2007) [FLAC 24bit]" not in set_aside(fast)
    assert "Pink Floyd - Discography 1967-2014 [FLAC]" in set_aside(fast)
    aside = set_aside(fast)
    assert [c for c in fast if c.result.title not in aside] == [c for c in full if c.result.title not in aside]
    assert decide(fast) == decide(full)


def test_below_the_tickets_threshold_other_content_is_set_aside_and_nothing_is_approved() -> None:
    spec = ticket("album", artist="Radiohead", album="OK Computer", year=1997)
    albums = ("Radiohead - In Rainbows (2007) [FLAC 24bit]", "Radiohead-A_Moon_Shaped_Pool-WEB-2016-ENRAGED")
    found = results(*OTHER_CONTENT, albums[1])
    forget_past_scoring()
    fast = TextBrain(MatcherMode.DUMB_ONLY).rank(spec, found, 0.85)
    forget_past_scoring()
    full = score_in_full(spec, found)
    assert sorted(set_aside(fast)) == sorted(set(OTHER_CONTENT) - {albums[0]})
    assert {c.score for c in fast if c.result.title in set_aside(fast)} == {0.0}
    aside = set_aside(fast)
    assert [c for c in fast if c.result.title not in aside] == [c for c in full if c.result.title not in aside]
    assert max(c.score for c in fast if c.result.title in albums) < 0.85
    decision = decide(fast, 0.85)
    assert decision.outcome is not Outcome.AUTO_APPROVE
    assert decision.recommended_rank is not None and fast[decision.recommended_rank].result.title in albums
    assert in_full(spec, fast) == full


def test_when_the_tickets_content_is_absent_every_name_is_set_aside_and_nothing_resembles_it() -> None:
    spec = ticket("movie", title="The Matrix", year=1999)
    fast, full = both_paths(spec, results(*OTHER_CONTENT))
    assert sorted(set_aside(fast)) == sorted(OTHER_CONTENT)
    assert {c.reasons for c in fast} == {("does not name The Matrix",)}
    decision = decide(fast)
    assert decision.outcome is Outcome.ACQUISITION_FAILED
    assert decision.reason == "the best candidate scored 0.00: nothing found resembles the ticket"
    assert in_full(spec, fast) == full


def test_other_content_is_not_approved_at_a_low_threshold_nor_offered_to_a_person() -> None:
    spec = ticket("season", series="Borgen", season=1)
    fast, full = both_paths(spec, results(*OTHER_CONTENT, THE_BRIDGE))
    assert full[0].result.title == THE_BRIDGE and decide(full, 0.6).outcome is Outcome.AUTO_APPROVE
    assert decide(full, 0.85).outcome is Outcome.NEEDS_APPROVAL
    assert THE_BRIDGE in set_aside(fast)
    for threshold in (0.6, 0.85):
        assert decide(fast, threshold).outcome is Outcome.ACQUISITION_FAILED


def test_other_content_close_behind_a_name_of_the_ticket_still_keeps_it_from_going_alone() -> None:
    spec = ticket("season", series="Borgen", season=1)
    borgen = SearchResult(title="Borgen S01 480p DVDRip", indexer="test", size=300_000_000, seeders=1,
                          info_hash="f" * 40)
    fast, full = both_paths(spec, [*results(*OTHER_CONTENT, THE_BRIDGE), borgen])
    assert fast == full
    decision = decide(fast, 0.75)
    assert decision.outcome is Outcome.NEEDS_APPROVAL
    assert decision.reason.startswith(f"too close to a different release: {THE_BRIDGE}")


def test_look_alike_names_are_never_set_aside() -> None:
    cases = {
        ("movie", "Aliens"): "Alien.Director.Cut.Ita.Eng.VP9.Opus.AlphaBot.webm",
        ("movie", "Spider-Man"): "Spiderman.2002.1080p.BluRay.x264",
        ("movie", "The Matrix"): "The.Matrx.1999.720p.BluRay.x264",
        ("episode", "The Red Line"): "Series/Pure Laine/Pure.Laine.1x01.FR.DVB-Kceb.avi",
    }
    for (kind, name), look_alike in cases.items():
        query: dict[str, Any] = ({"title": name} if kind == "movie"
                                 else {"series": name, "season": 1, "episodes": [1]})
        spec = ticket(kind, **query)
        wanted = f"{name.replace(' ', '.')}.S01E01.1080p.WEB-DL" if kind == "episode" \
            else f"{name.replace(' ', '.')}.1999.1080p.BluRay.x264-GRP"
        fast, _ = both_paths(spec, results(*OTHER_CONTENT, wanted, look_alike))
        assert look_alike not in set_aside(fast), (name, look_alike)


def test_a_must_not_word_and_a_size_bound_still_reject_a_set_aside_name() -> None:
    spec = spec_from_json({"kind": "movie", "query": {"title": "Sintel", "year": 2010},
                           "constraints": {"must_not": ["german"], "max_size_mb": 1500},
                           "library": "Any"})
    found = results("Sintel.2010.1080p.BluRay.x264-GRP", *OTHER_CONTENT)
    fast, full = both_paths(spec, found)
    german = next(c for c in fast if c.result.title.startswith("Das.Appartement"))
    assert german.reasons[0] == "does not name Sintel"
    assert any("must_not" in why for why in german.rejected)
    assert any("max_size_mb" in why for why in german.rejected)
    assert decide(fast) == decide(full)


def test_what_an_llm_is_shown_is_the_full_ranking() -> None:
    spec = ticket("movie", title="Sintel", year=2010)
    found = results(*OTHER_CONTENT, "Sintel.2010.1080p.BluRay.x264-GRP")
    fast, full = both_paths(spec, found)
    assert set_aside(fast)
    assert in_full(spec, fast) == full
    assert in_full(spec, full) == full

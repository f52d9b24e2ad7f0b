"""Candidate scoring: per-factor values with one human reason each, combined into a 0..1 score."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from qtorrentino.domain.release import ReleaseInfo, parse_release
from qtorrentino.domain.similarity import normalise, title_similarity
from qtorrentino.domain.ticket import MUSIC_KINDS, VIDEO_KINDS, TicketKind, TicketSpec
from qtorrentino.textbrain.constraints import HardConstraints
from qtorrentino.textbrain.factor import FACTOR_CACHE_SIZE, Factor
from qtorrentino.textbrain.filemap import FileMapping, map_files
from qtorrentino.textbrain.release_factors import (
    asked_editions,
    edition_factor,
    episode_coverage,
    revision_factor,
    revision_rank,
    without_revision,
)
from qtorrentino.tickets.views import REJECTED_PREFIX

if TYPE_CHECKING:
    from collections.abc import Sequence

    from qtorrentino.search.result import SearchResult

QUALITY_SHARE = 0.3
"""score = identity * (1 - QUALITY_SHARE + QUALITY_SHARE * quality) * RED_FLAG_PENALTY ** flags."""
RED_FLAG_PENALTY = 0.5
"""Each red flag or broken hard constraint halves the score; any of them blocks auto-approval (see decide)."""
CATALOG_INDEXER = "catalog"
"""The indexer name of candidates the torrent catalog offers (torrents already held)."""
LOSSLESS_FORMATS = frozenset({"flac", "alac", "ape", "wav", "wavpack", "dsd", "aiff", "pcm"})
VBR_KBPS = {"V0": 245, "V1": 225, "V2": 190}
LOSSY_TARGET_CODECS = {"opus": "opus", "ogg_vorbis": "vorbis", "mp3": "mp3", "aac": "aac"}
"""The source codec each lossy conversion target keeps without a second lossy encode."""
TRANSCODE_CAP = 0.7
"""A lossy source re-encoded to another lossy codec is worth at most this: every generation adds artefacts."""
RESOLUTIONS = ("480p", "576p", "720p", "1080p", "2160p")
SOURCE_QUALITY = {"bluray": 1.0, "web-dl": 1.0, "webrip": 0.9, "hdtv": 0.75, "dvd": 0.6,
                  "hdrip": 0.6}
BOOTLEG_SOURCES = frozenset({"cam", "telesync", "telecine", "screener", "workprint"})
MUSIC_RED_WORDS = (
    "karaoke", "tribute", "covers", "cover version", "covered by", "8 bit", "chiptune", "lullaby",
    "lullabies", "instrumental", "instrumentals", "remix", "remixes", "remixed", "live", "bootleg",
    "concert", "acapella", "a cappella", "ringtone", "ringtones", "midi", "medley", "performs",
    "performed by", "in the style of", "made famous by", "parody", "nightcore", "sped up", "slowed",
    "8d audio", "demos", "string quartet",
)
VIDEO_RED_WORDS = ("trailer", "teaser", "sample", "featurette", "3d")
SMALL_ALBUM_MB = 60
"""A lossless single album below this size is probably incomplete."""
SMALL_LOSSY_MB = 20
SMALL_MOVIE_MB = 300
CONTENT_CACHE_SIZE = 4096
"""Content verdicts kept per ticket; past this the ticket starts afresh."""
SIZE_CACHE_SIZE = 1 << 14
"""Size labels kept: results come back with the same sizes when a ticket is scored again."""
TITLE_CACHE_SIZE = 1 << 14
"""Title verdicts kept per ticket; past this the ticket starts afresh."""
WANTED_CACHE_SIZE = 8
"""Tickets whose prepared form and cached verdicts are kept."""
FAMILIES = {
    TicketKind.ALBUM: "music", TicketKind.TRACK: "music", TicketKind.MOVIE: "movie",
    TicketKind.EPISODE: "tv", TicketKind.SEASON: "tv", TicketKind.GENERIC: "generic",
}
"""Which scoring rules a ticket kind uses."""
VIDEO_FAMILIES = ("movie", "tv")


@dataclass(frozen=True, slots=True)
class ScoredCandidate:
    """A search result, its score, the factors behind it, and its file mapping when known."""

    result: SearchResult
    score: float
    """0..1."""
    factors: tuple[Factor, ...]
    mapping: FileMapping | None
    red_flags: tuple[str, ...] = ()
    release: ReleaseInfo = field(default_factory=ReleaseInfo)
    """What the result's title says, as parsed."""
    rejected: tuple[str, ...] = ()
    """The hard constraints it breaks (docs/decisions.md); any of them: never auto-approved."""

    @property
    def reasons(self) -> tuple[str, ...]:
        """One line per factor, per red flag, per broken hard constraint: what approvals and the audit show."""
        return (tuple(factor.reason for factor in self.factors)
                + tuple(f"red flag: {flag}" for flag in self.red_flags)
                + tuple(f"{REJECTED_PREFIX}{why}" for why in self.rejected))

    @property
    def factor_records(self) -> tuple[dict[str, Any], ...]:
        """The factors as a candidate row and the approval screen keep them."""
        return tuple({"name": f.name, "value": round(f.value, 3), "reason": f.reason} for f in self.factors)


@dataclass(frozen=True, slots=True)
class _Wanted:
    """What the ticket asks for, prepared once per ticket (10,000 candidates share it)."""

    spec: TicketSpec
    family: str
    """music | movie | tv | generic: which scoring rules apply."""
    red_words: frozenset[str]
    """Single red-flag words the ticket does not contain ("live" is fine for "Live at Leeds")."""
    red_phrases: tuple[str, ...]
    """Multi-word red-flag phrases, space-padded, that the ticket does not contain."""
    red_anywhere: re.Pattern[str] | None
    """Finds any of the red words and phrases in a padded title; None when there are none."""
    episodes: frozenset[int]
    padded_artist: str
    """The wanted artist normalised and space-padded, to find it anywhere in a title."""
    album: str | None
    """The album a music ticket names (a track ticket's title when it names no album)."""
    album_in_title: bool
    """A track ticket without an album: its title may be anywhere in a candidate's name."""
    target_format: str | None
    target_kbps: int | None
    min_size_mb: int | None
    max_size_mb: int | None
    hard: HardConstraints
    """The ticket's own hard constraints: must_not words, an explicit resolution, size bounds."""
    whole_album: bool
    """An album ticket: a single album's size can look too small."""
    small_size: tuple[int, str]
    """For video and generic tickets, the size in MB below which a candidate is small, and why."""
    editions: frozenset[str] = frozenset()
    """The editions the ticket's own words name (a deluxe album, a director's cut)."""
    absolute_episodes: frozenset[int] = frozenset()
    """The wanted episodes' numbers counted from the series' start, when the ticket gives them."""
    contents: dict[tuple[object, ...], _Content] = field(default_factory=dict, repr=False)
    """Content verdicts by the parsed fields they read: many candidates share a few of them."""
    verdicts: dict[str, _Verdict] = field(default_factory=dict, repr=False)
    """Verdicts by title: a ticket scored again over the same results reuses them."""

    @classmethod
    def of(cls, spec: TicketSpec) -> _Wanted:
        query = spec.query
        names = [query.artist, query.album, query.title, query.series, query.text]
        names += [item.title for item in spec.items]
        asked = " " + " ".join(normalise(name, drop_article=False) for name in names if name) + " "
        every_red_word = MUSIC_RED_WORDS if spec.kind in MUSIC_KINDS else VIDEO_RED_WORDS
        red = tuple(word for word in every_red_word if f" {word} " not in asked)
        words = [word for word in red if " " not in word]
        red_anywhere = re.compile(f" (?:{'|'.join(map(re.escape, red))}) ") if red else None
        album = query.album or (query.title if spec.kind is TicketKind.TRACK else None)
        numbers = query.episodes or tuple(
            item.number for item in spec.requested_items if item.number is not None
        )
        return cls(
            spec, FAMILIES[spec.kind], frozenset(words),
            tuple(f" {word} " for word in red if " " in word), red_anywhere,
            frozenset(numbers),
            f" {normalise(query.artist)} " if query.artist else "\0", album,
            bool(album and not query.album), spec.constraints.format,
            spec.constraints.bitrate_kbps, spec.constraints.min_size_mb,
            spec.constraints.max_size_mb,
            HardConstraints.of(spec.constraints, video=spec.kind in VIDEO_KINDS),
            spec.kind is TicketKind.ALBUM,
            (SMALL_MOVIE_MB, "is small for a movie") if spec.kind is TicketKind.MOVIE else (0, ""),
            asked_editions(query, music=spec.kind in MUSIC_KINDS),
            frozenset(query.absolute_episodes),
        )


class _Content(NamedTuple):
    """The factors and red flags some parsed fields of a name give, pre-summed for _combined."""

    factors: tuple[Factor, ...]
    flags: tuple[str, ...]
    log_sum: float
    """Sum of weight * log(value) over the identity factors, in factor order."""
    identity_weight: float
    quality_sum: float
    """Sum of weight * value over the quality factors, in factor order."""
    quality_weight: float


class _Verdict(NamedTuple):
    """All a candidate's title tells about it for one ticket: its content plus its red words."""

    release: ReleaseInfo
    factors: tuple[Factor, ...]
    flags: tuple[str, ...]
    """Red flags from the content checks; they come before the file flags."""
    word_flags: tuple[str, ...]
    """Red flags from the words of the title; they come after the file flags."""
    log_sum: float
    identity_weight: float
    quality_sum: float
    quality_weight: float
    small_mb: int
    """Sizes below this many MB are small for what the ticket wants (0: no such check)."""
    small_reason: str
    hard: tuple[str, ...]
    """Hard constraints the title breaks: the ticket's (must_not, resolution), then its red words."""


def score_candidates(spec: TicketSpec, results: Sequence[SearchResult]) -> list[ScoredCandidate]:
    """Score every result against the ticket; acceptable ones first, best first (ties: a held torrent,
    more seeders, larger), rejected ones (a broken hard constraint) last."""
    wanted = _wanted_for(spec)
    scored = [_score(wanted, result) for result in results]
    scored.sort(key=_rank_key)
    return _revisions_first(_held_first(scored))


def _held_first(scored: list[ScoredCandidate]) -> list[ScoredCandidate]:
    """A held torrent goes before the other copies of the same release (same name): a tie that only
    seeders or a known file list decided, and nothing new to download."""
    held = [candidate for candidate in scored if candidate.result.indexer == CATALOG_INDEXER
            and not candidate.rejected and not candidate.red_flags]
    for candidate in held:
        name = normalise(candidate.result.title)
        ahead = next((index for index, other in enumerate(scored) if other.result.indexer != CATALOG_INDEXER
                      and normalise(other.result.title) == name), None)
        if ahead is not None and ahead < scored.index(candidate):
            scored.remove(candidate)
            scored.insert(ahead, candidate)
    return scored


def _revisions_first(scored: list[ScoredCandidate]) -> list[ScoredCandidate]:
    """A PROPER, REPACK or vN goes before the copies of the same release (the same name but for its
    revision words) that revise less, whatever their seeders: it fixes what they got wrong."""
    revised = [candidate for candidate in scored if revision_rank(candidate.release) > (False, 1)
               and not candidate.rejected and not candidate.red_flags]
    if not revised:
        return scored
    alike = {_copy_key(candidate) for candidate in revised}
    copies: dict[str, list[ScoredCandidate]] = {}
    for candidate in scored:
        if _copy_key(candidate) in alike:
            copies.setdefault(without_revision(candidate.result.title), []).append(candidate)
    for candidate in sorted(revised, key=lambda each: revision_rank(each.release)):
        rank = revision_rank(candidate.release)
        place = {id(each): index for index, each in enumerate(scored)}
        ahead = min((place[id(other)] for other in copies[without_revision(candidate.result.title)]
                     if revision_rank(other.release) < rank), default=None)
        if ahead is not None and ahead < place[id(candidate)]:
            scored.remove(candidate)
            scored.insert(ahead, candidate)
    return scored


def _copy_key(candidate: ScoredCandidate) -> tuple[object, ...]:
    """What copies of one release share, read before their names are compared (cheaper)."""
    release = candidate.release
    return (release.release_group, release.series or release.title, release.episodes)


def _rank_key(scored: ScoredCandidate) -> tuple[bool, float, bool, int, int]:
    """Acceptable before rejected, then by score; on a tie a held torrent, more seeders, larger."""
    result = scored.result
    return (bool(scored.rejected), -scored.score, result.indexer != CATALOG_INDEXER,
            -result.seeders_order, -result.size)


def forget_past_scoring() -> None:
    """Drop what earlier runs kept per ticket and per title; the next run computes it afresh."""
    _wanted_for.cache_clear()
    _size_label.cache_clear()


@lru_cache(maxsize=WANTED_CACHE_SIZE)
def _wanted_for(spec: TicketSpec) -> _Wanted:
    return _Wanted.of(spec)


def _score(wanted: _Wanted, result: SearchResult) -> ScoredCandidate:
    verdict = wanted.verdicts.get(result.title) or _new_verdict(wanted, result.title)
    seeders_factor = _HELD if result.indexer == CATALOG_INDEXER else _seeders(result.seeders)
    quality_sum = verdict.quality_sum + seeders_factor.weight * seeders_factor.value
    quality_weight = verdict.quality_weight + seeders_factor.weight
    if result.size > 0:
        size_factor = _size(result.size, wanted.min_size_mb, wanted.max_size_mb,
                            verdict.small_mb, verdict.small_reason)
        quality_sum += size_factor.weight * size_factor.value
        quality_weight += size_factor.weight
        factors = (*verdict.factors, seeders_factor, size_factor)
    else:
        factors = (*verdict.factors, seeders_factor)
    log_sum, identity_weight = verdict.log_sum, verdict.identity_weight
    flags = verdict.flags + verdict.word_flags
    rejected = verdict.hard
    mapping = map_files(wanted.spec, result.files) if result.files else None
    if mapping is not None:
        coverage = _coverage(mapping)
        log_sum += coverage.weight * math.log(max(coverage.value, 0.01))
        identity_weight += coverage.weight
        factors = (*factors, coverage)
        file_flags = _file_flags(wanted.spec, result)
        flags = (*verdict.flags, *file_flags, *verdict.word_flags)
        rejected = (*rejected, *file_flags)
    if result.seeders == 0 and result.indexer != CATALOG_INDEXER:
        flags = (*flags, "no seeders")
    if wanted.min_size_mb or wanted.max_size_mb:
        size_violation = wanted.hard.size_violation(result.size, _size_label(result.size))
        rejected = (*rejected, size_violation) if size_violation else rejected
    score = _combined(log_sum, identity_weight, quality_sum, quality_weight)
    problems = len(flags) + sum(1 for why in rejected if why not in flags)
    if problems:
        score *= RED_FLAG_PENALTY ** problems
    return ScoredCandidate(result, round(score, 4), factors, mapping, flags, verdict.release,
                           tuple(rejected))


def _new_verdict(wanted: _Wanted, title: str) -> _Verdict:
    """Work out and keep what the title tells; factors of names that parse alike are shared."""
    release = parse_release(title)
    padded_title = f" {normalise(title, drop_article=False)} "
    key = _content_key(wanted, title, release, padded_title)
    content = wanted.contents.get(key)
    if content is None:
        content = _content_of(wanted, title, release, padded_title)
        if len(wanted.contents) >= CONTENT_CACHE_SIZE:
            wanted.contents.clear()
        wanted.contents[key] = content
    word_flags = _word_flags(wanted, padded_title, release)
    hard = (*wanted.hard.title_violations(padded_title, release.resolution), *word_flags)
    if wanted.family == "music":
        verdict = _music_verdict(wanted, release, content, word_flags, hard)
    else:
        small_mb, small_reason = wanted.small_size
        verdict = _Verdict(
            release, content.factors, content.flags, word_flags, content.log_sum,
            content.identity_weight, content.quality_sum, content.quality_weight, small_mb,
            small_reason, hard,
        )
    if len(wanted.verdicts) >= TITLE_CACHE_SIZE:
        wanted.verdicts.clear()
    wanted.verdicts[title] = verdict
    return verdict


def _content_key(
    wanted: _Wanted, title: str, release: ReleaseInfo, padded_title: str
) -> tuple[object, ...]:
    """Every parsed field the rules read (for music, the names only), and nothing else."""
    family = wanted.family
    revision = (release.version, release.real, release.proper, release.repack)
    if family == "music":
        return (
            release.kind, bool(release.resolution or release.video_codec or release.episodes),
            release.artist or release.series, wanted.padded_artist in padded_title,
            release.collection, release.album or release.title,
            padded_title if wanted.album_in_title else None, release.editions, revision,
        )
    if family == "generic":
        return (title,)
    constraints = wanted.spec.constraints
    quality = (
        release.resolution, release.source,
        release.video_codec if constraints.video_codecs else None,
        release.release_group if constraints.release_groups else None,
    )
    if family == "movie":
        return (release.title, release.series, release.artist, release.album, release.year,
                release.year_range, release.kind, quality, release.editions, revision)
    return (release.series, release.title, release.seasons, release.season, release.kind,
            release.episodes, release.collection, release.year, quality,
            release.absolute_episodes, release.air_date, revision)


def _content_of(
    wanted: _Wanted, title: str, release: ReleaseInfo, padded_title: str
) -> _Content:
    spec = wanted.spec
    flags: list[str] = []
    if wanted.family == "music":
        factors = _music_names(wanted, padded_title, release, flags)
    elif wanted.family == "movie":
        factors = _movie(wanted, release, flags)
    elif wanted.family == "tv":
        factors = _tv(wanted, release, flags)
    else:
        name = spec.query.text or spec.query.title
        similarity = max(title_similarity(name, release.title), title_similarity(name, title))
        factors = [_similar("name", similarity, title, 1.0)]
    revision = revision_factor(release.version, release.real, release.proper, release.repack)
    if revision is not None:
        factors.append(revision)
    log_sum = identity_weight = quality_sum = quality_weight = 0.0
    for factor in factors:
        if factor.identity:
            log_sum += factor.weight * math.log(max(factor.value, 0.01))
            identity_weight += factor.weight
        else:
            quality_sum += factor.weight * factor.value
            quality_weight += factor.weight
    return _Content(tuple(factors), tuple(flags), log_sum, identity_weight, quality_sum,
                    quality_weight)


def _music_verdict(
    wanted: _Wanted, release: ReleaseInfo, names: _Content, word_flags: tuple[str, ...],
    hard: tuple[str, ...],
) -> _Verdict:
    """The names' factors followed by the year and audio ones, which vary more than names do."""
    year = _year(wanted.spec.query.year, release.year, release.year_range, True)
    audio = _audio_quality(wanted.target_format, wanted.target_kbps, release.audio_format,
                           release.audio_bitrate, release.bit_depth)
    small_mb, small_reason = 0, ""
    if wanted.whole_album and not release.collection:
        small_mb = SMALL_ALBUM_MB if release.audio_format in LOSSLESS_FORMATS else SMALL_LOSSY_MB
        small_reason = "is small for a whole album"
    return _Verdict(
        release, (*names.factors, year, audio), names.flags, word_flags,
        names.log_sum + year.weight * math.log(max(year.value, 0.01)),
        names.identity_weight + year.weight, names.quality_sum + audio.weight * audio.value,
        names.quality_weight + audio.weight, small_mb, small_reason, hard,
    )


def _combined(
    log_sum: float, identity_weight: float, quality_sum: float, quality_weight: float
) -> float:
    """Weighted geometric mean of the identity factors times a weighted mean of the quality ones."""
    if not identity_weight:
        return 0.0
    quality = quality_sum / quality_weight if quality_weight else 0.5
    return math.exp(log_sum / identity_weight) * (1 - QUALITY_SHARE + QUALITY_SHARE * quality)


@lru_cache(maxsize=FACTOR_CACHE_SIZE)
def _similar(name: str, value: float, found: str | None, weight: float) -> Factor:
    verdict = "matches" if value >= 0.9 else "is close" if value >= 0.75 else "differs"
    return Factor(name, value, f"{name} {verdict}: {found or '(none)'} ({value:.2f})", weight, True)


def _music_names(
    wanted: _Wanted, padded_title: str, release: ReleaseInfo, flags: list[str]
) -> list[Factor]:
    """Artist and album (or track title) factors; the year and audio ones follow separately."""
    spec = wanted.spec
    query = spec.query
    factors = []
    if release.kind != "music" and (release.resolution or release.video_codec or release.episodes):
        flags.append("a video release")
    if query.artist:
        found_artist = release.artist or release.series
        similarity = title_similarity(query.artist, found_artist) if found_artist else 0.0
        if similarity < 0.75 and wanted.padded_artist in padded_title:
            similarity, found_artist = 0.9, query.artist
        if found_artist is None:
            factors.append(Factor("artist", 0.5, "artist not in the name", 0.35, True))
        else:
            factors.append(_similar("artist", similarity, found_artist, 0.35))
            if similarity < 0.5:
                flags.append(f"wrong artist ({found_artist})")
    wanted_album = wanted.album
    if release.collection:
        reason = "a discography or collection: the album is not named"
        factors.append(Factor("album", 0.7, reason, 0.5, True))
    elif wanted_album:
        found_album = release.album or release.title
        similarity = title_similarity(wanted_album, found_album)
        if not query.album:
            similarity = max(similarity, title_similarity(wanted_album, padded_title))
        factors.append(_similar("album" if query.album else "title", similarity, found_album, 0.5))
    factors.append(edition_factor(wanted.editions, release.editions, True))
    return factors


def _movie(wanted: _Wanted, release: ReleaseInfo, flags: list[str]) -> list[Factor]:
    spec = wanted.spec
    found = release.title or release.series
    found = found or " ".join(filter(None, (release.artist, release.album)))
    year = _year(spec.query.year, release.year, release.year_range, False)
    if release.kind in ("episode", "season"):
        flags.append("a TV release, not a movie")
    if year.value < 0.5:
        flags.append(f"different year ({release.year})")
    title = _similar("title", title_similarity(spec.query.title, found), found, 0.75)
    edition = edition_factor(wanted.editions, release.editions, False)
    return [title, year, edition, *_video_quality_of(spec, release)]


def _tv(wanted: _Wanted, release: ReleaseInfo, flags: list[str]) -> list[Factor]:
    query = wanted.spec.query
    found = release.series or release.title
    seasons = release.seasons or ((release.season,) if release.season is not None else ())
    coverage, flag = episode_coverage(
        wanted.spec.kind, query.season, wanted.episodes, wanted.absolute_episodes, query.air_date,
        release.kind, seasons, release.episodes, release.absolute_episodes, release.air_date,
        release.collection)
    if flag:
        flags.append(flag)
    factors = [_similar("series", title_similarity(query.series, found), found, 0.55), coverage]
    dated = release.air_date is not None and release.air_date[:4] == str(release.year)
    if query.year and release.year and query.year != release.year and not dated:
        reason = f"series year {release.year}, wanted {query.year}"
        factors.append(Factor("year", 0.5, reason, 0.1, True))
    return factors + list(_video_quality_of(wanted.spec, release))


def _year_factor(value: float, reason: str, soft: bool) -> Factor:
    """A music year weighs little (reissues); a film's year a quarter of its identity."""
    return Factor("year", value, reason, 0.15 if soft else 0.25, True)


@lru_cache(maxsize=FACTOR_CACHE_SIZE)
def _year(
    wanted: int | None, found: int | None, found_range: tuple[int, int] | None, soft: bool
) -> Factor:
    """Year agreement; a music reissue year is soft, a film's year tells remakes apart."""
    if wanted is None:
        return _year_factor(0.8, "no year asked for", soft)
    if found_range and found_range[0] <= wanted <= found_range[1]:
        return _year_factor(1.0, f"{wanted} is within {found_range[0]}-{found_range[1]}", soft)
    if found is None:
        return _year_factor(0.7, "no year in the name", soft)
    if found == wanted:
        return _year_factor(1.0, f"year {wanted} matches", soft)
    if abs(found - wanted) <= 1:
        return _year_factor(0.75, f"year {found} is one off {wanted}", soft)
    if soft:
        return _year_factor(0.4, f"year {found}, wanted {wanted} (a reissue?)", soft)
    return _year_factor(0.1, f"year {found}, wanted {wanted}", soft)


def _format_factor(value: float, reason: str) -> Factor:
    return Factor("format", value, reason, 0.45)


@lru_cache(maxsize=FACTOR_CACHE_SIZE)
def _audio_quality(
    target: str | None, target_kbps: int | None, audio_format: str | None, bitrate: str | None,
    bit_depth: int | None,
) -> Factor:
    """Source audio quality, against the target format and bitrate when the ticket sets them."""
    kbps = VBR_KBPS.get(bitrate or "") or (int(bitrate) if bitrate and bitrate.isdigit() else None)

    if audio_format in LOSSLESS_FORMATS or (audio_format is None and bit_depth in (16, 24)):
        return _format_factor(1.0, f"{(audio_format or 'lossless').upper()}: lossless")
    label = " ".join(filter(None, ((audio_format or "").upper(), bitrate))) or "format not stated"
    if target == "flac":
        return _format_factor(0.25, f"{label}: lossy, the ticket wants FLAC")
    if kbps is None:
        return _format_factor(0.6 if audio_format else 0.5, f"{label}: bitrate unknown")
    if target_kbps and kbps < target_kbps:
        return _format_factor(0.3, f"{label}: below the wanted {target_kbps} kbps")
    value = min(0.85, 0.25 + kbps / 400)
    if target in LOSSY_TARGET_CODECS and LOSSY_TARGET_CODECS[target] != audio_format:
        return _format_factor(min(value, TRANSCODE_CAP), f"{label}: lossy, re-encoded to {target} loses more")
    return _format_factor(value, f"{label}: lossy")


def _video_quality_of(spec: TicketSpec, release: ReleaseInfo) -> tuple[Factor, ...]:
    constraints = spec.constraints
    codec = release.video_codec if constraints.video_codecs else None
    group = release.release_group if constraints.release_groups else None
    return _video_quality(constraints.resolution or "1080p", constraints.video_codecs,
                          constraints.release_groups, release.resolution, release.source, codec,
                          group)


@lru_cache(maxsize=FACTOR_CACHE_SIZE)
def _video_quality(
    wanted_resolution: str, codecs: tuple[str, ...], groups: tuple[str, ...],
    resolution: str | None, source: str | None, codec: str | None, group: str | None,
) -> tuple[Factor, ...]:
    """Resolution, source, and (when the ticket names them) codec and release group."""
    if resolution in RESOLUTIONS and wanted_resolution in RESOLUTIONS:
        steps = abs(RESOLUTIONS.index(resolution) - RESOLUTIONS.index(wanted_resolution))
        value = 1.0 if steps == 0 else 0.6 if steps == 1 else 0.3
        factors = [Factor("resolution", value, f"{resolution} (wanted {wanted_resolution})", 0.35)]
    else:
        factors = [Factor("resolution", 0.5, "resolution not stated", 0.35)]
    named_source = source or "not stated"
    source_value = SOURCE_QUALITY.get(named_source, 0.55)
    factors.append(Factor("source", source_value, f"source {named_source}", 0.25))
    if codecs:
        fits = codec in codecs
        reason = f"codec {codec or 'not stated'}" + ("" if fits else " (not a wanted codec)")
        factors.append(Factor("codec", 1.0 if fits else 0.4, reason, 0.15))
    if groups:
        fits = (group or "").casefold() in {wanted.casefold() for wanted in groups}
        factors.append(Factor("group", 1.0 if fits else 0.5, f"group {group or '?'}", 0.15))
    return tuple(factors)


@lru_cache(maxsize=FACTOR_CACHE_SIZE)
def _seeders(seeders: int | None) -> Factor:
    """More seeders, likelier to finish; an unknown count is neither a bonus nor a red flag."""
    if seeders is None:
        return Factor("seeders", 0.5, "seeders unknown", 0.2)
    value = min(1.0, math.log10(1 + max(0, seeders)) / 2)
    return Factor("seeders", value, f"{seeders} seeders", 0.2)


_HELD = Factor("seeders", 1.0, "already held: nothing new to download", 0.2)
"""A catalog torrent's files come from the torrent we hold, not from a swarm."""


def _size(
    size_bytes: int, low: int | None, high: int | None, small_mb: int, small_reason: str
) -> Factor:
    """Size against the ticket's bounds (low, high MB), else against small_mb for such content."""
    size_mb = size_bytes / 1_000_000
    label = _size_label(size_bytes)
    if (low and size_mb < low) or (high and size_mb > high):
        return _size_factor(0.2, f"{label} is outside the wanted {low or 0}-{high or 'any'} MB")
    if size_mb < small_mb:
        return _size_factor(0.3, f"{label} {small_reason}")
    return _size_factor(1.0, label)


@lru_cache(maxsize=SIZE_CACHE_SIZE)
def _size_label(size_bytes: int) -> str:
    """A size as a reason spells it: whole MB and one-decimal GB, KB below one MB (never "0 MB")."""
    size_mb = size_bytes / 1_000_000
    if size_mb >= 1000:
        return f"{size_mb / 1000:.1f} GB"
    return f"{size_mb:.0f} MB" if size_mb >= 1 else f"{size_bytes / 1000:.0f} KB"


@lru_cache(maxsize=FACTOR_CACHE_SIZE)
def _size_factor(value: float, reason: str) -> Factor:
    return Factor("size", value, reason, 0.15)


def _coverage(mapping: FileMapping) -> Factor:
    mapped, wanted = len(mapping.assignments), mapping.requested_count
    if not mapped:
        return Factor("files", 0.05, "none of the wanted files are in the torrent", 0.4, True)
    reason = f"{mapped} of {wanted} wanted files found"
    return Factor("files", max(0.05, mapping.confidence), reason, 0.4, True)


def _file_flags(spec: TicketSpec, result: SearchResult) -> list[str]:
    flags = []
    executables = sorted({entry.suffix for entry in result.files if entry.is_executable})
    if executables:
        flags.append(f"contains executables ({', '.join(executables)})")
    if any(".." in entry.path.split("/") or entry.path.startswith("/") for entry in result.files):
        flags.append("unsafe file paths")
    if spec.kind in MUSIC_KINDS and not any(entry.is_audio for entry in result.files):
        flags.append("no audio files")
    if spec.kind in VIDEO_KINDS and not any(entry.is_video for entry in result.files):
        flags.append("no video files")
    return flags


def _word_flags(wanted: _Wanted, padded: str, release: ReleaseInfo) -> tuple[str, ...]:
    """Words that mark other content (karaoke, tribute, cam) unless the ticket asks for them."""
    flags: list[str] = []
    red_anywhere = wanted.red_anywhere
    if (red_anywhere is not None and red_anywhere.search(padded) is not None) or not (
        wanted.red_words.isdisjoint(release.editions)
    ):
        flags += sorted(wanted.red_words.intersection([*padded.split(), *release.editions]))
        flags += [phrase.strip() for phrase in wanted.red_phrases if phrase in padded]
    if wanted.family in VIDEO_FAMILIES and release.source in BOOTLEG_SOURCES:
        flags.append(f"{release.source} copy")
    return tuple(flags)

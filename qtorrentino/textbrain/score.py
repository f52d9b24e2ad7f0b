"""Candidate scoring: per-factor values with one human reason each, combined into a 0..1 score."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from qtorrentino.domain.release import ReleaseInfo, parse_release
from qtorrentino.domain.similarity import normalise, title_similarity
from qtorrentino.domain.ticket import MUSIC_KINDS, VIDEO_KINDS, TicketKind, TicketSpec
from qtorrentino.textbrain.filemap import FileMapping, map_files

if TYPE_CHECKING:
    from collections.abc import Sequence

    from qtorrentino.search.result import SearchResult

QUALITY_SHARE = 0.3
"""score = identity * (1 - QUALITY_SHARE + QUALITY_SHARE * quality) * RED_FLAG_PENALTY ** flags."""
RED_FLAG_PENALTY = 0.5
"""Each red flag halves the score; any red flag also blocks auto-approval (see decide)."""
CATALOG_INDEXER = "catalog"
LOSSLESS_FORMATS = frozenset({"flac", "alac", "ape", "wav", "wavpack", "dsd", "aiff", "pcm"})
VBR_KBPS = {"V0": 245, "V1": 225, "V2": 190}
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

    @property
    def reasons(self) -> tuple[str, ...]:
        """One short line per factor, then one per red flag: what approvals and the audit show."""
        return tuple(factor.reason for factor in self.factors) + tuple(
            f"red flag: {flag}" for flag in self.red_flags
        )


@dataclass(frozen=True, slots=True)
class _Wanted:
    """What the ticket asks for, prepared once per scoring run (10,000 candidates share it)."""

    spec: TicketSpec
    red_words: frozenset[str]
    """Single red-flag words the ticket does not contain ("live" is fine for "Live at Leeds")."""
    red_phrases: tuple[str, ...]
    """Multi-word red-flag phrases, space-padded, that the ticket does not contain."""
    episodes: frozenset[int]
    padded_artist: str
    """The wanted artist normalised and space-padded, to find it anywhere in a title."""

    @classmethod
    def of(cls, spec: TicketSpec) -> _Wanted:
        query = spec.query
        names = [query.artist, query.album, query.title, query.series, query.text]
        names += [item.title for item in spec.items]
        asked = " " + " ".join(normalise(name, drop_article=False) for name in names if name) + " "
        every_red_word = MUSIC_RED_WORDS if spec.kind in MUSIC_KINDS else VIDEO_RED_WORDS
        red = tuple(word for word in every_red_word if f" {word} " not in asked)
        numbers = query.episodes or tuple(
            item.number for item in spec.requested_items if item.number is not None
        )
        return cls(
            spec, frozenset(word for word in red if " " not in word),
            tuple(f" {word} " for word in red if " " in word), frozenset(numbers),
            f" {normalise(query.artist)} " if query.artist else "\0",
        )


def score_candidates(spec: TicketSpec, results: Sequence[SearchResult]) -> list[ScoredCandidate]:
    """Score every result against the ticket; best first (ties: more seeders, then larger)."""
    wanted = _Wanted.of(spec)
    scored = [_score(wanted, result) for result in results]
    scored.sort(key=lambda scored: (-scored.score, -scored.result.seeders, -scored.result.size))
    return scored


def _score(wanted: _Wanted, result: SearchResult) -> ScoredCandidate:
    spec = wanted.spec
    release = parse_release(result.title)
    padded_title = f" {normalise(result.title, drop_article=False)} "
    flags: list[str] = []
    if spec.kind in MUSIC_KINDS:
        factors = _music(wanted, padded_title, release, flags)
    elif spec.kind is TicketKind.MOVIE:
        factors = _movie(spec, release, flags)
    elif spec.kind in VIDEO_KINDS:
        factors = _tv(wanted, release, flags)
    else:
        name = spec.query.text or spec.query.title
        similarity = max(title_similarity(name, release.title),
                         title_similarity(name, result.title))
        factors = [_similar("name", similarity, result.title, 1.0)]
    factors.append(_seeders(result.seeders))
    if result.size > 0:
        factors.append(_size(spec, result.size, release))
    mapping = map_files(spec, result.files) if result.files else None
    if mapping is not None:
        factors.append(_coverage(mapping))
        flags += _file_flags(spec, result)
    flags += _word_flags(wanted, padded_title, release)
    if result.seeders <= 0 and result.indexer != CATALOG_INDEXER:
        flags.append("no seeders")
    score = _combine(factors) * RED_FLAG_PENALTY ** len(flags)
    return ScoredCandidate(result, round(score, 4), tuple(factors), mapping, tuple(flags), release)


def _combine(factors: Sequence[Factor]) -> float:
    """Weighted geometric mean of the identity factors times a weighted mean of the quality ones."""
    log_sum = identity_weight = quality_sum = quality_weight = 0.0
    for factor in factors:
        if factor.identity:
            log_sum += factor.weight * math.log(max(factor.value, 0.01))
            identity_weight += factor.weight
        else:
            quality_sum += factor.weight * factor.value
            quality_weight += factor.weight
    if not identity_weight:
        return 0.0
    quality = quality_sum / quality_weight if quality_weight else 0.5
    return math.exp(log_sum / identity_weight) * (1 - QUALITY_SHARE + QUALITY_SHARE * quality)


@lru_cache(maxsize=FACTOR_CACHE_SIZE)
def _similar(name: str, value: float, found: str | None, weight: float) -> Factor:
    verdict = "matches" if value >= 0.9 else "is close" if value >= 0.75 else "differs"
    return Factor(name, value, f"{name} {verdict}: {found or '(none)'} ({value:.2f})", weight, True)


def _music(
    wanted: _Wanted, padded_title: str, release: ReleaseInfo, flags: list[str]
) -> list[Factor]:
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
    wanted_album = query.album or (query.title if spec.kind is TicketKind.TRACK else None)
    if release.collection:
        reason = "a discography or collection: the album is not named"
        factors.append(Factor("album", 0.7, reason, 0.5, True))
    elif wanted_album:
        found_album = release.album or release.title
        similarity = title_similarity(wanted_album, found_album)
        if not query.album:
            similarity = max(similarity, title_similarity(wanted_album, padded_title))
        factors.append(_similar("album" if query.album else "title", similarity, found_album, 0.5))
    factors.append(_year(query.year, release.year, release.year_range, soft=True))
    constraints = spec.constraints
    factors.append(_audio_quality(constraints.format, constraints.bitrate_kbps,
                                  release.audio_format, release.audio_bitrate, release.bit_depth))
    return factors


def _movie(spec: TicketSpec, release: ReleaseInfo, flags: list[str]) -> list[Factor]:
    found = release.title or release.series
    found = found or " ".join(filter(None, (release.artist, release.album)))
    year = _year(spec.query.year, release.year, release.year_range, soft=False)
    if release.kind in ("episode", "season"):
        flags.append("a TV release, not a movie")
    if year.value < 0.5:
        flags.append(f"different year ({release.year})")
    title = _similar("title", title_similarity(spec.query.title, found), found, 0.75)
    return [title, year, *_video_quality_of(spec, release)]


def _tv(wanted: _Wanted, release: ReleaseInfo, flags: list[str]) -> list[Factor]:
    query = wanted.spec.query
    found = release.series or release.title
    seasons = release.seasons or ((release.season,) if release.season is not None else ())
    coverage, flag = _episode_coverage(wanted.spec.kind, query.season, wanted.episodes,
                                       release.kind, seasons, release.episodes, release.collection)
    if flag:
        flags.append(flag)
    factors = [_similar("series", title_similarity(query.series, found), found, 0.55), coverage]
    if query.year and release.year and query.year != release.year:
        reason = f"series year {release.year}, wanted {query.year}"
        factors.append(Factor("year", 0.5, reason, 0.1, True))
    return factors + list(_video_quality_of(wanted.spec, release))


def _episodes(value: float, reason: str, flag: str = "") -> tuple[Factor, str]:
    return Factor("episodes", value, reason, 0.45, True), flag


@lru_cache(maxsize=FACTOR_CACHE_SIZE)
def _episode_coverage(
    kind: TicketKind, season: int | None, wanted: frozenset[int], found_kind: str,
    seasons: tuple[int, ...], found: tuple[int, ...], collection: bool,
) -> tuple[Factor, str]:
    """Whether the release holds the wanted episodes (exactly, in a pack, not), and any red flag."""
    if season is not None and seasons and season not in seasons:
        return _episodes(0.05, f"season {seasons[0]}, not the wanted S{season:02d}",
                         f"wrong season (S{seasons[0]:02d})")
    if found_kind == "episode" and found:
        have = wanted.intersection(found)
        if kind is TicketKind.SEASON:
            return _episodes(0.3, "a single episode, not the whole season")
        if wanted and not have:
            return _episodes(0.05, "not the wanted episode", f"wrong episode (E{found[0]:02d})")
        share = len(have) / len(wanted) if wanted else 0.8
        return _episodes(max(0.3, share), f"has {len(have)} of {len(wanted)} wanted episodes")
    if found_kind == "season" and seasons:
        if len(seasons) > 1:
            return _episodes(0.75, f"multi-season pack S{seasons[0]:02d}-S{seasons[-1]:02d}")
        if kind is TicketKind.SEASON:
            return _episodes(1.0, "the season pack")
        return _episodes(0.85, "season pack (only the wanted files are downloaded)")
    if collection:
        return _episodes(0.65, "complete-series pack")
    return _episodes(0.4, "season and episode not stated")


def _year_factor(value: float, reason: str, soft: bool) -> Factor:
    """A music year weighs little (reissues); a film's year a quarter of its identity."""
    return Factor("year", value, reason, 0.15 if soft else 0.25, True)


@lru_cache(maxsize=FACTOR_CACHE_SIZE)
def _year(
    wanted: int | None, found: int | None, found_range: tuple[int, int] | None, *, soft: bool
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
    return _format_factor(min(0.85, 0.25 + kbps / 400), f"{label}: lossy")


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
def _seeders(seeders: int) -> Factor:
    value = min(1.0, math.log10(1 + max(0, seeders)) / 2)
    return Factor("seeders", value, f"{seeders} seeders", 0.2)


def _size(spec: TicketSpec, size_bytes: int, release: ReleaseInfo) -> Factor:
    """Size against the ticket's bounds, or against what such a release usually weighs."""
    size_mb = size_bytes / 1_000_000
    label = f"{size_mb / 1000:.1f} GB" if size_mb >= 1000 else f"{size_mb:.0f} MB"
    low, high = spec.constraints.min_size_mb, spec.constraints.max_size_mb
    if (low and size_mb < low) or (high and size_mb > high):
        bounds = f"{low or 0}-{high or 'any'} MB"
        return Factor("size", 0.2, f"{label} is outside the wanted {bounds}", 0.15)
    smallest_album_mb = 60 if release.audio_format in LOSSLESS_FORMATS else 20
    if spec.kind is TicketKind.ALBUM and not release.collection and size_mb < smallest_album_mb:
        return Factor("size", 0.3, f"{label} is small for a whole album", 0.15)
    if spec.kind is TicketKind.MOVIE and size_mb < 300:
        return Factor("size", 0.3, f"{label} is small for a movie", 0.15)
    return Factor("size", 1.0, label, 0.15)


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


def _word_flags(wanted: _Wanted, padded: str, release: ReleaseInfo) -> list[str]:
    """Words that mark other content (karaoke, tribute, cam) unless the ticket asks for them."""
    flags = sorted(wanted.red_words.intersection([*padded.split(), *release.editions]))
    flags += [phrase.strip() for phrase in wanted.red_phrases if phrase in padded]
    if wanted.spec.kind in VIDEO_KINDS and release.source in BOOTLEG_SOURCES:
        flags.append(f"{release.source} copy")
    return flags


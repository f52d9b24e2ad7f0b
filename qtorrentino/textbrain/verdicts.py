"""What a candidate's name tells for one ticket, worked out once per name and kept: the parse, the
content factors (shared by names that parse alike), red words and hard constraints."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from qtorrentino.domain.release import ReleaseInfo, parse_release
from qtorrentino.domain.similarity import normalise, title_similarity
from qtorrentino.textbrain.kind_rules import (
    movie_names,
    music_names,
    similar,
    tv_names,
    year_factor,
)
from qtorrentino.textbrain.quality_factors import (
    LOSSLESS_FORMATS,
    SMALL_ALBUM_MB,
    SMALL_LOSSY_MB,
    audio_quality,
)
from qtorrentino.textbrain.release_factors import revision_factor
from qtorrentino.textbrain.scored import identity_log
from qtorrentino.textbrain.wanted import BOOTLEG_SOURCES, VIDEO_FAMILIES, Wanted

if TYPE_CHECKING:
    from qtorrentino.textbrain.factor import Factor

CONTENT_CACHE_SIZE = 4096
"""Content verdicts kept per ticket; past this the ticket starts afresh."""
TITLE_CACHE_SIZE = 1 << 14
"""Title verdicts kept per ticket; past this the ticket starts afresh."""


class Content(NamedTuple):
    """The factors and red flags some parsed fields of a name give, pre-summed for _combined."""

    factors: tuple[Factor, ...]
    flags: tuple[str, ...]
    log_sum: float
    """Sum of weight * log(value) over the identity factors, in factor order."""
    identity_weight: float
    quality_sum: float
    """Sum of weight * value over the quality factors, in factor order."""
    quality_weight: float


class Verdict(NamedTuple):
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
    """Hard constraints the title breaks: the ticket's (must_not, resolution), then red words."""



def new_verdict(wanted: Wanted, title: str) -> Verdict:
    """Work out and keep what the title tells; factors of names that parse alike are shared."""
    release = parse_release(title)
    padded_title = f" {normalise(title, drop_article=False)} "
    key = content_key(wanted, title, release, padded_title)
    content = wanted.contents.get(key)
    if content is None:
        content = content_of(wanted, title, release, padded_title)
        if len(wanted.contents) >= CONTENT_CACHE_SIZE:
            wanted.contents.clear()
        wanted.contents[key] = content
    words = word_flags(wanted, padded_title, release)
    hard = (*wanted.hard.title_violations(padded_title, release.resolution), *words)
    if wanted.family == "music":
        verdict = music_verdict(wanted, release, content, words, hard)
    else:
        small_mb, small_reason = wanted.small_size
        verdict = Verdict(
            release, content.factors, content.flags, words, content.log_sum,
            content.identity_weight, content.quality_sum, content.quality_weight, small_mb,
            small_reason, hard,
        )
    if len(wanted.verdicts) >= TITLE_CACHE_SIZE:
        wanted.verdicts.clear()
    wanted.verdicts[title] = verdict
    return verdict


def content_key(
    wanted: Wanted, title: str, release: ReleaseInfo, padded_title: str
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


def content_of(
    wanted: Wanted, title: str, release: ReleaseInfo, padded_title: str
) -> Content:
    spec = wanted.spec
    flags: list[str] = []
    if wanted.family == "music":
        factors = music_names(wanted, padded_title, release, flags)
    elif wanted.family == "movie":
        factors = movie_names(wanted, release, flags)
    elif wanted.family == "tv":
        factors = tv_names(wanted, release, flags)
    else:
        name = spec.query.text or spec.query.title
        similarity = max(title_similarity(name, release.title), title_similarity(name, title))
        factors = [similar("name", similarity, title, 1.0)]
    revision = revision_factor(release.version, release.real, release.proper, release.repack)
    if revision is not None:
        factors.append(revision)
    log_sum = identity_weight = quality_sum = quality_weight = 0.0
    for factor in factors:
        if factor.identity:
            log_sum += identity_log(factor)
            identity_weight += factor.weight
        else:
            quality_sum += factor.weight * factor.value
            quality_weight += factor.weight
    return Content(tuple(factors), tuple(flags), log_sum, identity_weight, quality_sum,
                    quality_weight)


def music_verdict(
    wanted: Wanted, release: ReleaseInfo, names: Content, words: tuple[str, ...],
    hard: tuple[str, ...],
) -> Verdict:
    """The names' factors followed by the year and audio ones, which vary more than names do."""
    year = year_factor(wanted.spec.query.year, release.year, release.year_range, True)
    audio = audio_quality(wanted.target_format, wanted.target_kbps, release.audio_format,
                           release.audio_bitrate, release.bit_depth)
    small_mb, small_reason = 0, ""
    if wanted.whole_album and not release.collection:
        small_mb = SMALL_ALBUM_MB if release.audio_format in LOSSLESS_FORMATS else SMALL_LOSSY_MB
        small_reason = "is small for a whole album"
    return Verdict(
        release, (*names.factors, year, audio), names.flags, words,
        names.log_sum + identity_log(year),
        names.identity_weight + year.weight, names.quality_sum + audio.weight * audio.value,
        names.quality_weight + audio.weight, small_mb, small_reason, hard,
    )


def word_flags(wanted: Wanted, padded: str, release: ReleaseInfo) -> tuple[str, ...]:
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

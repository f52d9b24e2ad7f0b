"""Per-kind identity rules: does a parsed name say the ticket's artist and album, film, or series
and episodes (with the year and edition each kind reads)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from qtorrentino.domain.similarity import title_similarity
from qtorrentino.textbrain.factor import FACTOR_CACHE_SIZE, Factor
from qtorrentino.textbrain.quality_factors import video_quality_of
from qtorrentino.textbrain.release_factors import edition_factor, episode_coverage

if TYPE_CHECKING:
    from qtorrentino.domain.release import ReleaseInfo
    from qtorrentino.textbrain.wanted import Wanted


@lru_cache(maxsize=FACTOR_CACHE_SIZE)
def similar(name: str, value: float, found: str | None, weight: float) -> Factor:
    """A name factor: how alike the found name is to the wanted one, said in words."""
    verdict = "matches" if value >= 0.9 else "is close" if value >= 0.75 else "differs"
    return Factor(name, value, f"{name} {verdict}: {found or '(none)'} ({value:.2f})", weight, True)


def music_names(
    wanted: Wanted, padded_title: str, release: ReleaseInfo, flags: list[str]
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
            factors.append(similar("artist", similarity, found_artist, 0.35))
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
        factors.append(similar("album" if query.album else "title", similarity, found_album, 0.5))
    factors.append(edition_factor(wanted.editions, release.editions, True))
    return factors


def movie_names(wanted: Wanted, release: ReleaseInfo, flags: list[str]) -> list[Factor]:
    """Title, year and edition of a film, then its video quality."""
    spec = wanted.spec
    found = release.title or release.series
    found = found or " ".join(filter(None, (release.artist, release.album)))
    year = year_factor(spec.query.year, release.year, release.year_range, False)
    if release.kind in ("episode", "season"):
        flags.append("a TV release, not a movie")
    if year.value < 0.5:
        flags.append(f"different year ({release.year})")
    title = similar("title", title_similarity(spec.query.title, found), found, 0.75)
    edition = edition_factor(wanted.editions, release.editions, False)
    return [title, year, edition, *video_quality_of(spec, release)]


def tv_names(wanted: Wanted, release: ReleaseInfo, flags: list[str]) -> list[Factor]:
    """Series and episode coverage (and a differing series year), then the video quality."""
    query = wanted.spec.query
    found = release.series or release.title
    seasons = release.seasons or ((release.season,) if release.season is not None else ())
    coverage, flag = episode_coverage(
        wanted.spec.kind, query.season, wanted.episodes, wanted.absolute_episodes, query.air_date,
        release.kind, seasons, release.episodes, release.absolute_episodes, release.air_date,
        release.collection)
    if flag:
        flags.append(flag)
    factors = [similar("series", title_similarity(query.series, found), found, 0.55), coverage]
    dated = release.air_date is not None and release.air_date[:4] == str(release.year)
    if query.year and release.year and query.year != release.year and not dated:
        reason = f"series year {release.year}, wanted {query.year}"
        factors.append(Factor("year", 0.5, reason, 0.1, True))
    return factors + list(video_quality_of(wanted.spec, release))


def _year_of(value: float, reason: str, soft: bool) -> Factor:
    """A music year weighs little (reissues); a film's year a quarter of its identity."""
    return Factor("year", value, reason, 0.15 if soft else 0.25, True)


@lru_cache(maxsize=FACTOR_CACHE_SIZE)
def year_factor(
    wanted: int | None, found: int | None, found_range: tuple[int, int] | None, soft: bool
) -> Factor:
    """Year agreement; a music reissue year is soft, a film's year tells remakes apart."""
    if wanted is None:
        return _year_of(0.8, "no year asked for", soft)
    if found_range and found_range[0] <= wanted <= found_range[1]:
        return _year_of(1.0, f"{wanted} is within {found_range[0]}-{found_range[1]}", soft)
    if found is None:
        return _year_of(0.7, "no year in the name", soft)
    if found == wanted:
        return _year_of(1.0, f"year {wanted} matches", soft)
    if abs(found - wanted) <= 1:
        return _year_of(0.75, f"year {found} is one off {wanted}", soft)
    if soft:
        return _year_of(0.4, f"year {found}, wanted {wanted} (a reissue?)", soft)
    return _year_of(0.1, f"year {found}, wanted {wanted}", soft)


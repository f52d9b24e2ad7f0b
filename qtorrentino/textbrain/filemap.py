"""Which file of a torrent becomes which requested item: tracks, episodes, the movie, images."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from qtorrentino.domain.durations import LISTED_LENGTH_TOLERANCE_SECS
from qtorrentino.domain.files import COVER_STEMS
from qtorrentino.domain.paths import hostile_path_problem
from qtorrentino.domain.release import ReleaseInfo, parse_release
from qtorrentino.domain.similarity import best_similarity, title_similarity
from qtorrentino.domain.ticket import (
    MUSIC_KINDS,
    ItemType,
    TicketItem,
    TicketKind,
    TicketSpec,
    default_items,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from qtorrentino.domain.files import FileEntry

MIN_CONFIDENCE = 0.5
"""A pairing below this is not made: the item stays unmapped rather than getting a doubtful file."""
ALBUM_FOLDER_MATCH = 0.6
"""How alike a folder name and the wanted album must be for the folder to count as that album."""
TITLE_AGREES = 0.6
"""A track number counts only when the file's title is at least this close (or it has none)."""
_PLACEHOLDER_TITLE = re.compile(r"(?i)^(?:track|audio ?track|piste|titel|pista)?[ _-]*\d*$")
_DISC_FOLDER = re.compile(r"(?i)^(?:cd|disc|disk)\s*[-_.]?\s*\d{1,2}\b")
_EXTRA_FOLDER = re.compile(
    r"(?i)^(?:samples?|extras?|featurettes?|trailers?|bonus|behind the scenes|deleted scenes)$"
)
_SAMPLE_WORD = re.compile(r"(?i)(?<![a-z])sample(?![a-z])")
_COVER_NAME = re.compile(rf"(?i)^(?:{'|'.join(COVER_STEMS)})\b")
"""A cover stem starting the name ("Cover (front).jpg" too): the mapping prefers it for an image item."""


@dataclass(frozen=True, slots=True)
class FileAssignment:
    """One file chosen for one item, how sure the choice is and why."""

    item_id: str
    file: FileEntry
    confidence: float
    """0..1."""
    reason: str
    """Short and human: "disc 1 track 05, title matches", "S01E05", "largest video file"."""
    release: ReleaseInfo
    """What the file's path says (disc, track, title; or season and episodes)."""


@dataclass(frozen=True, slots=True)
class FileMapping:
    """A candidate's files mapped onto a ticket's requested items."""

    assignments: tuple[FileAssignment, ...]
    unmapped: tuple[str, ...]
    """Ids of requested items no file was found for."""
    requested_count: int
    """Items asked for; for a whole album without items, the number of files taken."""

    @property
    def coverage(self) -> float:
        """Share of the requested items that got a file (0 when nothing was mapped)."""
        if not self.assignments:
            return 0.0
        return min(1.0, len(self.assignments) / max(1, self.requested_count))

    @property
    def confidence(self) -> float:
        """Mean confidence of the assignments, weighted down by what stayed unmapped."""
        if not self.assignments:
            return 0.0
        mean = sum(entry.confidence for entry in self.assignments) / len(self.assignments)
        return round(mean * self.coverage, 4)

    @property
    def file_indexes(self) -> tuple[int, ...]:
        """The torrent file indexes to download (for file priorities), in order."""
        return tuple(sorted({entry.file.index for entry in self.assignments}))

    def file_for(self, item_id: str) -> FileEntry | None:
        """The file chosen for an item, or None."""
        return next((entry.file for entry in self.assignments if entry.item_id == item_id), None)


class _Pair(NamedTuple):
    """A possible item ← file pairing with its score."""

    score: float
    item_id: str
    file: FileEntry
    release: ReleaseInfo
    reason: str


def usable_files(files: Iterable[FileEntry]) -> list[FileEntry]:
    """Files that can be content: no pad, ".parts" or executable file, no hostile path."""
    usable = []
    for entry in files:
        parts = PurePosixPath(entry.path).parts
        padding = ".pad" in parts or entry.name.startswith("_____padding_file")
        hostile = hostile_path_problem(entry.path) is not None
        if padding or hostile or entry.suffix == ".parts" or entry.is_executable or entry.size < 0:
            continue
        usable.append(entry)
    return usable


def map_files(
    spec: TicketSpec, files: Sequence[FileEntry], durations: Mapping[int, float] | None = None
) -> FileMapping:
    """Map a torrent's files onto the ticket's requested items.

    durations maps a file index to its length in seconds, when the files have been probed.
    """
    candidates = usable_files(files)
    items = spec.requested_items or default_items(spec.kind, spec.query)
    if spec.kind in MUSIC_KINDS:
        return _map_music(spec, items, candidates, durations or {})
    if spec.kind is TicketKind.MOVIE:
        return _map_movie(spec, items, candidates)
    if spec.kind in (TicketKind.EPISODE, TicketKind.SEASON):
        return _map_episodes(spec, items, candidates)
    return _map_generic(items, candidates)


def _album_folder(path: str) -> str:
    """The folder holding an album's files: a "CD1" or "Disc 2" folder belongs to its parent."""
    folders = list(PurePosixPath(path).parts[:-1])
    if folders and _DISC_FOLDER.match(folders[-1]):
        folders.pop()
    return "/".join(folders)


def _folder_album_score(spec: TicketSpec, folder: str, releases: Sequence[ReleaseInfo]) -> float:
    """How well a folder (by its name, or the album its files name) matches the wanted album."""
    wanted = spec.query.album
    if not wanted:
        return 1.0
    folder_name = folder.rsplit("/", 1)[-1]
    names = [folder_name, parse_release(folder_name).album]
    return best_similarity(wanted, names + [release.album for release in releases[:3]])


def _map_music(
    spec: TicketSpec, items: Sequence[TicketItem], files: list[FileEntry],
    durations: Mapping[int, float],
) -> FileMapping:
    folders: dict[str, list[tuple[FileEntry, ReleaseInfo]]] = {}
    for entry in files:
        if entry.is_audio:
            member = (entry, parse_release(entry.path))
            folders.setdefault(_album_folder(entry.path), []).append(member)
    scored = sorted(
        ((_folder_album_score(spec, folder, [release for _, release in members]), folder)
         for folder, members in folders.items()),
        reverse=True,
    )
    best = scored[0][0] if scored else 0.0
    matching = [folder for score, folder in scored if score >= max(ALBUM_FOLDER_MATCH, best - 0.1)]
    track_items = [item for item in items if item.type is ItemType.TRACK]
    if not track_items:
        album = scored[0][1] if scored and (matching or len(folders) == 1) else None
        return _whole_album(folders[album] if album is not None else [], best)
    discs = {folder: {release.disc for _, release in members} - {None}
             for folder, members in folders.items()}
    pairs = []
    for item in track_items:
        for folder in matching or list(folders):
            for entry, release in folders[folder]:
                file_disc = release.disc or (1 if len(discs[folder]) <= 1 else None)
                pair = _track_pair(item, entry, release, file_disc, durations.get(entry.index))
                if pair.score >= MIN_CONFIDENCE:
                    pairs.append(pair)
    image_items = [item for item in items if item.type is ItemType.IMAGE]
    return _assign([*pairs, *_cover_pairs(image_items, files)], [*track_items, *image_items])


def _track_pair(
    item: TicketItem, entry: FileEntry, release: ReleaseInfo, file_disc: int | None,
    duration: float | None,
) -> _Pair:
    """Score one track item against one audio file by disc/track number, title and duration."""
    number_matches = (
        item.number is not None
        and release.track == item.number
        and (file_disc is None or file_disc == (item.disc or 1))
    )
    named = release.title is not None and not _PLACEHOLDER_TITLE.match(release.title)
    stem = PurePosixPath(entry.path).stem
    similarity = None
    if named and item.title:
        similarity = best_similarity(item.title, [release.title, stem])
    label = f"disc {item.disc or 1} track {item.number:02d}" if item.number is not None else "track"
    if similarity is None:
        score, reason = (0.85, f"{label} by number") if number_matches else (0.0, "")
    elif number_matches and similarity >= TITLE_AGREES:
        verdict = "matches" if similarity >= 0.85 else f"is close ({similarity:.2f})"
        score, reason = 0.6 + 0.4 * similarity, f"{label}, title {verdict}"
    elif number_matches:
        score, reason = 0.3, f"{label}, but the title differs ({similarity:.2f})"
    elif similarity >= 0.8:
        score, reason = 0.9 * similarity, f"title matches ({similarity:.2f}), number differs"
    else:
        score, reason = 0.0, ""
    if duration is not None and item.duration_secs and score:
        off_secs = abs(duration - item.duration_secs)
        if off_secs <= LISTED_LENGTH_TOLERANCE_SECS:
            score, reason = min(1.0, score + 0.1), f"{reason}, duration fits"
        else:
            score, reason = score * 0.6, f"{reason}, duration off by {off_secs:.0f}s"
    return _Pair(round(score, 4), item.id, entry, release, reason)


def _whole_album(members: list[tuple[FileEntry, ReleaseInfo]], folder_score: float) -> FileMapping:
    """No items listed: every audio file of the album's folder becomes an item of its own.

    Items are named "d1t05" from the file's disc and track, or "file12" from its index when the
    numbers are missing or repeat.
    """
    confidence = 0.9 if folder_score >= 0.85 else round(0.5 + 0.4 * folder_score, 4)
    ordered = sorted(members, key=lambda member: member[0].path)
    keys = [(release.disc or 1, release.track or 0) for _, release in ordered]
    by_number = all(release.track for _, release in ordered) and len(set(keys)) == len(keys)
    assignments = tuple(
        FileAssignment(
            item_id=f"d{disc}t{track:02d}" if by_number else f"file{entry.index}",
            file=entry, confidence=confidence, reason="in the album's folder", release=release,
        )
        for (entry, release), (disc, track) in zip(ordered, keys, strict=True)
    )
    return FileMapping(assignments, (), len(assignments))


def _cover_pairs(image_items: Sequence[TicketItem], files: list[FileEntry]) -> list[_Pair]:
    images = sorted((entry for entry in files if entry.is_image), key=lambda entry: -entry.size)
    pairs = []
    for item in image_items:
        for rank, entry in enumerate(images):
            named = bool(_COVER_NAME.match(entry.name))
            score = 0.85 if named else max(MIN_CONFIDENCE, 0.7 - 0.05 * rank)
            reason = "cover image" if named else "largest image"
            pairs.append(_Pair(score, item.id, entry, ReleaseInfo(), reason))
    return pairs


def _assign(pairs: Iterable[_Pair], items: Sequence[TicketItem]) -> FileMapping:
    """Greedy one-to-one assignment, best pairs first (ties go to the larger file)."""
    taken_files: set[int] = set()
    chosen: dict[str, FileAssignment] = {}
    for pair in sorted(pairs, key=lambda pair: (-pair.score, -pair.file.size, pair.file.index)):
        if pair.item_id in chosen or pair.file.index in taken_files:
            continue
        taken_files.add(pair.file.index)
        chosen[pair.item_id] = FileAssignment(pair.item_id, pair.file, pair.score, pair.reason,
                                              pair.release)
    assignments = tuple(chosen[item.id] for item in items if item.id in chosen)
    unmapped = tuple(item.id for item in items if item.id not in chosen)
    return FileMapping(assignments, unmapped, len(items))


def _is_extra(entry: FileEntry, largest: int) -> bool:
    """Samples, trailers and extras: by folder, or a small file with "sample" in its name."""
    if any(_EXTRA_FOLDER.match(folder) for folder in PurePosixPath(entry.path).parts[:-1]):
        return True
    return bool(_SAMPLE_WORD.search(entry.name)) and entry.size < largest * 0.3


def _main_videos(files: list[FileEntry]) -> list[FileEntry]:
    videos = [entry for entry in files if entry.is_video]
    largest = max((entry.size for entry in videos), default=0)
    main = [entry for entry in videos if not _is_extra(entry, largest)]
    return sorted(main, key=lambda entry: -entry.size)


def _map_movie(
    spec: TicketSpec, items: Sequence[TicketItem], files: list[FileEntry]
) -> FileMapping:
    videos = _main_videos(files)
    movie_items = [item for item in items if item.type is ItemType.MOVIE] or list(items[:1])
    if not videos or not movie_items:
        return FileMapping((), tuple(item.id for item in items), len(items))
    chosen, confidence, reason = videos[0], 0.95, "largest video file"
    rivals = [entry for entry in videos[1:] if entry.size >= videos[0].size * 0.5]
    if rivals:
        def by_name(entry: FileEntry) -> tuple[float, int]:
            return -title_similarity(spec.query.title, parse_release(entry.path).title), -entry.size

        chosen = min([videos[0], *rivals], key=by_name)
        confidence, reason = 0.7, f"best-named of {len(rivals) + 1} large video files"
    pair = _Pair(confidence, movie_items[0].id, chosen, parse_release(chosen.path), reason)
    return _assign([pair], items)


def _map_episodes(
    spec: TicketSpec, items: Sequence[TicketItem], files: list[FileEntry]
) -> FileMapping:
    videos = [(entry, parse_release(entry.path)) for entry in _main_videos(files)]
    season = spec.query.season
    if not items:
        found = {
            f"s{release.season or season or 0:02d}e{number:02d}": TicketItem(
                id=f"s{release.season or season or 0:02d}e{number:02d}", type=ItemType.EPISODE,
                season=release.season or season, number=number)
            for _, release in videos
            if season is None or release.season in (season, None)
            for number in release.episodes[:1] if len(release.episodes) == 1
        }
        items = tuple(sorted(found.values(), key=lambda item: (item.season or 0, item.number or 0)))
    absolute = _absolute_numbers(spec)
    pairs = []
    for item in items:
        wanted_season = item.season if item.season is not None else season
        counted = absolute.get(item.number) if wanted_season == season else None
        aired = spec.query.air_date if (
            wanted_season == season and spec.query.episodes == (item.number,)) else None
        label = f"S{wanted_season or 0:02d}E{item.number or 0:02d}"
        for entry, release in videos:
            if counted is not None and release.season is None and release.absolute_episodes:
                if counted in release.absolute_episodes:
                    reason = f"{label} (episode {counted} counted from the series' start)"
                    pairs.append(_Pair(0.9, item.id, entry, release, reason))
                continue
            if aired is not None and release.air_date == aired and not release.episodes:
                pairs.append(_Pair(0.9, item.id, entry, release, f"{label} (aired {aired})"))
                continue
            if item.number not in release.episodes:
                continue
            if release.season is not None and release.season != wanted_season:
                continue
            if release.season is None:
                pairs.append(_Pair(0.75, item.id, entry, release, f"{label} (episode number only)"))
            else:
                pairs.append(_Pair(0.95, item.id, entry, release, label))
    return _assign(pairs, items)


def _absolute_numbers(spec: TicketSpec) -> dict[int | None, int]:
    """The ticket's episodes by their numbers counted from the series' start, when it gives one
    such number per episode (query.absolute_episodes, in the order of query.episodes)."""
    query = spec.query
    if len(query.absolute_episodes) != len(query.episodes):
        return {}
    return dict(zip(query.episodes, query.absolute_episodes, strict=True))


def _map_generic(items: Sequence[TicketItem], files: list[FileEntry]) -> FileMapping:
    if not items:
        assignments = tuple(
            FileAssignment(f"file{entry.index}", entry, 0.6, "part of the release",
                           parse_release(entry.path))
            for entry in files
        )
        return FileMapping(assignments, (), len(assignments))
    pairs = []
    for item in items:
        for entry in files:
            similarity = title_similarity(item.title, PurePosixPath(entry.path).stem)
            if similarity >= MIN_CONFIDENCE:
                reason = f"name matches ({similarity:.2f})"
                pairs.append(_Pair(similarity, item.id, entry, parse_release(entry.path), reason))
    return _assign(pairs, items)

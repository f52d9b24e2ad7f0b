"""What the demo world holds: generated releases (seeded), decoys (listed, never seeded) and starting tickets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

GB = 1024**3


@dataclass(frozen=True, slots=True)
class DemoAlbum:
    """A generated album: tagged FLAC tones, a cover, seeded under `title` as its folder name."""

    title: str
    artist: str
    album: str
    year: int
    tracks: tuple[str, ...]
    seconds: float = 8.0


@dataclass(frozen=True, slots=True)
class DemoVideo:
    """A generated video release: one or more short test-pattern files in a folder."""

    title: str
    files: tuple[str, ...]
    seconds: float = 6.0
    category: int = 2000


@dataclass(frozen=True, slots=True)
class Decoy:
    """A listing that resembles a wanted release but is wrong (karaoke, wrong year, lossy copy)."""

    title: str
    size: int
    seeders: int
    category: int = 3000


@dataclass(frozen=True, slots=True)
class DemoWorldSpec:
    """Everything the loopback indexer lists."""

    albums: tuple[DemoAlbum, ...]
    videos: tuple[DemoVideo, ...]
    decoys: tuple[Decoy, ...] = field(default=())


SPEC = DemoWorldSpec(
    albums=(
        DemoAlbum("Aurora Ensemble - Northern Lights (2021) [FLAC]", "Aurora Ensemble", "Northern Lights", 2021,
                  ("Polar Dawn", "Ice Fields", "Magnetic North", "Solar Wind", "Midnight Sun", "Afterglow")),
        DemoAlbum("The Sine Waves - Quiet Signals (2019) [FLAC]", "The Sine Waves", "Quiet Signals", 2019,
                  ("Carrier", "Beacon", "Static", "Long Wave", "Harmonic", "Side Band", "Squelch", "Fade",
                   "Night Net", "Sign Off"), seconds=6.0),
        DemoAlbum("Night Patterns - Echoes (2018) [FLAC]", "Night Patterns", "Echoes", 2018,
                  ("Reflections", "Delay Line", "Reverb Room", "Feedback"), seconds=6.0),
        DemoAlbum("Night Patterns - Echoes (2009) [FLAC]", "Night Patterns", "Echoes", 2009,
                  ("First Echo", "Tape Loop", "Slapback", "Return"), seconds=6.0),
    ),
    videos=(
        DemoVideo("Test Pattern (2020) 1080p WEB-DL x264-DEMO", ("Test.Pattern.2020.1080p.WEB-DL.x264-DEMO.mkv",)),
        DemoVideo("Demo Show S01 720p WEB-DL x264-DEMO",
                  ("Demo.Show.S01E01.720p.WEB-DL.x264-DEMO.mkv", "Demo.Show.S01E02.720p.WEB-DL.x264-DEMO.mkv",
                   "Demo.Show.S01E03.720p.WEB-DL.x264-DEMO.mkv"), seconds=4.0, category=5000),
    ),
    decoys=(
        Decoy("Karaoke Stars - Northern Lights (Aurora Ensemble Karaoke Version)", 80_000_000, 3),
        Decoy("Aurora Ensemble - Northern Lights (2011) [MP3 128]", 60_000_000, 4),
        Decoy("Aurora Ensemble - Northern Lights (2021) [MP3 320]", 110_000_000, 40),
        Decoy("Test Pattern (2020) CAM x264-NOPE", 700_000_000, 60, 2000),
    ),
)


def _tracks(album: DemoAlbum, numbers: tuple[int, ...] = ()) -> list[dict[str, Any]]:
    chosen = numbers or tuple(range(1, len(album.tracks) + 1))
    return [{"id": f"t{number:02d}", "disc": 1, "number": number, "title": album.tracks[number - 1],
             "duration_secs": album.seconds} for number in chosen]


def starting_tickets() -> list[dict[str, Any]]:
    """The demo's tickets: auto-approved album, ambiguous album, 3-of-10 subset, a movie, two episodes."""
    aurora, sine, echoes_2018, _ = SPEC.albums
    return [
        {"kind": "album", "query": {"artist": aurora.artist, "album": aurora.album, "year": aurora.year},
         "items": _tracks(aurora), "constraints": {"format": "opus", "bitrate_kbps": 128}, "priority": 200},
        {"kind": "album", "query": {"artist": echoes_2018.artist, "album": echoes_2018.album},
         "constraints": {"format": "opus", "bitrate_kbps": 128}, "priority": 150},
        {"kind": "album", "query": {"artist": sine.artist, "album": sine.album, "year": sine.year},
         "items": _tracks(sine, (2, 5, 9)), "constraints": {"format": "mp3"}, "priority": 120},
        {"kind": "movie", "query": {"title": "Test Pattern", "year": 2020},
         "constraints": {"format": "copy", "resolution": "1080p"}, "priority": 100},
        {"kind": "episode", "query": {"series": "Demo Show", "season": 1, "episodes": [1, 2]}, "priority": 90},
    ]

"""`qtorrentino demo --headless` end to end: the loopback world, every demo ticket to Completed, checked on disk."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mutagen import File as MutagenFile

from qtorrentino.audit.vocabulary import conformance
from qtorrentino.demo.releases import SPEC
from tests.conftest import REPO, run_cli

EXPECTED_FILES = sorted([
    *(f"music/Aurora Ensemble/Northern Lights (2021)/{n:02d} - {title}.opus"
      for n, title in enumerate(SPEC.albums[0].tracks, start=1)),
    "music/Aurora Ensemble/Northern Lights (2021)/cover.jpg",
    "music/The Sine Waves/Quiet Signals (2019)/02 - Beacon.mp3",
    "music/The Sine Waves/Quiet Signals (2019)/05 - Harmonic.mp3",
    "music/The Sine Waves/Quiet Signals (2019)/09 - Night Net.mp3",
    "music/The Sine Waves/Quiet Signals (2019)/cover.jpg",
    "music/Night Patterns/Echoes (2018)/01 - Reflections.opus",
    "music/Night Patterns/Echoes (2018)/02 - Delay Line.opus",
    "music/Night Patterns/Echoes (2018)/03 - Reverb Room.opus",
    "music/Night Patterns/Echoes (2018)/04 - Feedback.opus",
    "music/Night Patterns/Echoes (2018)/cover.jpg",
    "movies/Test Pattern (2020)/Test Pattern (2020).mkv",
    "tv/Demo Show/Season 01/Demo Show - S01E01 - Episode 01.mkv",
    "tv/Demo Show/Season 01/Demo Show - S01E02 - Episode 02.mkv",
    *(f"{library}/.qtorrentino-library" for library in ("music", "movies", "tv")),
])
CHAIN = ["TicketCreated", "SearchExecuted", "MatchingCompleted", "DownloadStarted", "DownloadCompleted",
         "PlacementStarted", "PlacementCompleted"]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_demo_headless_completes_every_ticket(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    started = time.monotonic()
    demo = subprocess.Popen([sys.executable, "-m", "qtorrentino", "demo", "--headless", "--home", str(home)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    output: list[str] = []
    try:
        assert demo.stdout is not None
        for line in demo.stdout:
            output.append(line)
            found = re.search(r"ticket approve (\w+)", line)
            if found:
                ambiguous = found.group(1)
                shown = json.loads(run_cli(home, "ticket", "show", ambiguous, "--json").stdout)
                assert shown["state"] == "needs_approval" and len(shown["candidates"]) >= 2
                rank = next(c["rank"] for c in shown["candidates"] if "(2018)" in c["title"])
                approved = run_cli(home, "ticket", "approve", ambiguous, "--candidate", str(rank))
                assert approved.returncode == 0, approved.stderr
        assert demo.wait(timeout=60) == 0, "".join(output) + demo.stderr.read()  # type: ignore[union-attr]
    finally:
        demo.kill()
    elapsed = time.monotonic() - started
    assert elapsed < 240, f"the demo took {elapsed:.0f} s"

    library = home / "library"
    placed = sorted(str(path.relative_to(library)) for path in library.rglob("*") if path.is_file())
    assert placed == EXPECTED_FILES

    opus = MutagenFile(library / "music/Aurora Ensemble/Northern Lights (2021)/03 - Magnetic North.opus")
    assert opus["title"] == ["Magnetic North"] and opus["album"] == ["Northern Lights"]
    assert opus["artist"] == ["Aurora Ensemble"] and opus["tracknumber"][0].startswith("3")
    assert abs(opus.info.length - SPEC.albums[0].seconds) < 0.5
    mp3 = MutagenFile(library / "music/The Sine Waves/Quiet Signals (2019)/05 - Harmonic.mp3")
    assert str(mp3.tags["TIT2"]) == "Harmonic" and str(mp3.tags["TRCK"]).startswith("5")
    assert "APIC:" in [key[:5] for key in mp3.tags] or any(key.startswith("APIC") for key in mp3.tags)
    assert abs(mp3.info.length - SPEC.albums[1].seconds) < 0.5

    content = home / "world" / "content"
    downloads = home / "downloads"

    def downloaded(relative: str) -> Path:
        """Where a torrent's path landed: each ticket downloads into its own folder under downloads/."""
        found = [folder / relative for folder in downloads.iterdir() if (folder / relative).exists()]
        assert len(found) == 1, f"{relative} in {found}"
        return found[0]

    movie = "Test Pattern (2020) 1080p WEB-DL x264-DEMO/Test.Pattern.2020.1080p.WEB-DL.x264-DEMO.mkv"
    assert digest(downloaded(movie)) == digest(content / movie), "the seeding copy changed"
    assert downloaded(movie).stat().st_ino == (library / "movies/Test Pattern (2020)/Test Pattern (2020).mkv"
                                               ).stat().st_ino
    subset = "The Sine Waves - Quiet Signals (2019) [FLAC]"
    complete = sorted(path.name for path in downloaded(subset).glob("*.flac")
                      if digest(path) == digest(content / subset / path.name))
    assert complete == ["02 - Beacon.flac", "05 - Harmonic.flac", "09 - Night Net.flac"]

    tickets = [json.loads(line) for line in run_cli(home, "ticket", "list", "--json").stdout.splitlines()]
    assert len(tickets) == 5 and {t["state"] for t in tickets} == {"completed"}
    for ticket in tickets:
        events = [json.loads(line)["type"] for line in
                  run_cli(home, "audit", "--ticket", ticket["id"], "--limit", "500", "--json").stdout.splitlines()]
        chain = list(reversed(events))
        positions = [chain.index(kind) for kind in CHAIN]
        assert positions == sorted(positions), (ticket["title"], chain)
    approvals = run_cli(home, "audit", "--type", "ApprovalGranted", "--json").stdout.splitlines()
    assert len(approvals) == 1
    mirrored = [json.loads(line) for line in (home / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [problem for event in mirrored for problem in conformance(event["type"], event["data"])] == []

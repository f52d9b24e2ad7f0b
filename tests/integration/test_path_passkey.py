"""Issue 12: a passkey in an indexer link's path is never shown, logged, exported or stored, and still works."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from tests.conftest import make_home, run_cli
from tests.media_fixtures import make_album
from tests.servers.seeder import Seeder
from tests.servers.static import StaticServer
from tests.servers.torznab import DEFAULT_API_KEY, Release, TorznabServer

if TYPE_CHECKING:
    from pathlib import Path

PASSKEY = "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a90"
ALBUM = "Passkey Artist - Passkey Album (2003) [FLAC]"


def test_a_path_passkey_never_leaves_the_download_and_the_download_works(tmp_path: Path) -> None:
    content = tmp_path / "content"
    make_album(content / ALBUM, tracks=2, seconds=3.0, artist="Passkey Artist", album="Passkey Album", year=2003)
    with Seeder(tmp_path / "seeder") as seeder:
        seeded = seeder.seed(content / ALBUM)
        with StaticServer(body=b"<html><body>wrong passkey</body></html>", status=403,
                          redirects={f"/dl/{PASSKEY}/": seeded.magnet}) as tracker:
            link = f"{tracker.origin}/dl/{PASSKEY}/{ALBUM.replace(' ', '.')}.torrent"
            release = Release(ALBUM, size=2_000_000, seeders=25, info_hash=seeded.info_hash, category=3000,
                              link=link)
            with TorznabServer(releases=[release]) as indexer:
                extra = (f'\n[[indexers]]\nname = "private"\nurl = "{indexer.url}"\napi_key = "{DEFAULT_API_KEY}"\n'
                         'rate_limit_per_minute = 0\n\n[textbrain]\nauto_approve_threshold = 0.6\n')
                home = make_home(tmp_path / "home", extra)
                searched = run_cli(home, "search", "Passkey Artist", "--json")
                added = run_cli(home, "ticket", "add", "--album", "Passkey Artist", "Passkey Album", "--year",
                                "2003", "--json")
                ticket = json.loads(added.stdout)["id"]
                ran = run_cli(home, "headless", "--exit-when-idle", timeout=240)
                shown = run_cli(home, "ticket", "show", ticket, "--json")
                exported = run_cli(home, "audit", "export", "--format", "jsonl")
    assert searched.returncode == 0, searched.stderr
    [result] = [json.loads(line) for line in searched.stdout.splitlines()]
    assert result["link"] == f"{tracker.origin}/dl/***/{ALBUM.replace(' ', '.')}.torrent"
    assert ran.returncode == 0, ran.stderr
    assert json.loads(shown.stdout)["state"] == "completed", shown.stdout
    placed = sorted(path.name for path in (tmp_path / "home" / "music").rglob("*.flac"))
    assert len(placed) == 2, placed
    assert [request["path"] for request in tracker.requests] == [link.removeprefix(tracker.origin)], (
        "the download used the link with its passkey restored, once")
    for output in (searched, added, ran, shown, exported):
        assert PASSKEY not in output.stdout + output.stderr
    assert json.loads(exported.stdout.splitlines()[0])["type"]
    files = [path for path in (tmp_path / "home").rglob("*") if path.is_file()
             and not path.is_relative_to(tmp_path / "home" / "downloads")]
    assert {"qtorrentino.db", "audit.jsonl", "qtorrentino.log"} <= {path.name for path in files}
    leaking = [str(path) for path in files if PASSKEY.encode() in path.read_bytes()]
    assert leaking == []

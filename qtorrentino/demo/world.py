"""The loopback demo world: generate the releases once, seed them on 127.0.0.1, serve a Torznab index of them."""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qtorrentino.demo.content import make_album, make_cover, make_video
from qtorrentino.demo.releases import SPEC, DemoWorldSpec
from qtorrentino.demo.seeder import SeededTorrent, Seeder
from qtorrentino.demo.torznab_server import Release, TorznabServer

log = logging.getLogger(__name__)

DEMO_API_KEY = "qtorrentino-demo-key"
READY_MARKER = ".generated"
COVER_COLOURS = ("teal", "orange", "purple", "navy")


def _fake_hash(title: str) -> str:
    return hashlib.sha1(title.encode()).hexdigest()  # noqa: S324 - an identifier for a decoy, not security


@dataclass
class DemoWorld:
    """Generated content under `folder`, a seeder and a Torznab server; start() and stop() it."""

    folder: Path
    spec: DemoWorldSpec = SPEC
    seeder: Seeder | None = None
    server: TorznabServer | None = None

    @property
    def content(self) -> Path:
        return self.folder / "content"

    def prepare(self, say: Callable[[str], None] = lambda text: None) -> None:
        """Generate every release once (ffmpeg tones, covers and test-pattern video)."""
        if (self.content / READY_MARKER).exists():
            return
        shutil.rmtree(self.content, ignore_errors=True)
        for number, album in enumerate(self.spec.albums):
            say(f"generating {album.title}")
            folder = self.content / album.title
            cover = make_cover(self.folder / "covers" / f"{number}.jpg", size=200,
                               color=COVER_COLOURS[number % len(COVER_COLOURS)])
            paths = make_album(folder, tracks=len(album.tracks), seconds=album.seconds, artist=album.artist,
                               album=album.album, year=album.year, cover=cover)
            for path, title in zip(paths, album.tracks, strict=True):
                path.rename(path.with_name(f"{path.name[:2]} - {title}.flac"))
        for video in self.spec.videos:
            say(f"generating {video.title}")
            for name in video.files:
                make_video(self.content / video.title / name, video.seconds, width=320, height=180)
        (self.content / READY_MARKER).write_text("ok\n")

    def start(self, say: Callable[[str], None] = lambda text: None) -> None:
        """Seed every generated release from 127.0.0.1 and serve the index (with decoys) on 127.0.0.1."""
        self.seeder = Seeder(self.folder / "seeder-state")
        releases: list[Release] = []
        for album in self.spec.albums:
            seeded = self.seeder.seed(self.content / album.title)
            releases.append(_listed(seeded, album.title, self.content / album.title, 3000, seeders=25))
        for video in self.spec.videos:
            seeded = self.seeder.seed(self.content / video.title)
            releases.append(_listed(seeded, video.title, self.content / video.title, video.category, seeders=30))
        for decoy in self.spec.decoys:
            info_hash = _fake_hash(decoy.title)
            releases.append(Release(title=decoy.title, size=decoy.size, seeders=decoy.seeders, category=decoy.category,
                                    info_hash=info_hash, magnet=f"magnet:?xt=urn:btih:{info_hash}"))
        self.server = TorznabServer(releases=releases, api_key=DEMO_API_KEY).start()
        say(f"seeding {len(self.spec.albums) + len(self.spec.videos)} releases on 127.0.0.1:{self.seeder.port}; "
            f"Torznab index at {self.server.url}")

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
        if self.seeder is not None:
            self.seeder.close()
            self.seeder = None

    def config_text(self, home: Path) -> str:
        """The demo home's config.toml: loopback-only torrent settings, the demo indexer, three libraries."""
        if self.server is None:
            raise RuntimeError("start() the world first")
        return f'''# Written by `qtorrentino demo` on every start (the loopback indexer's port changes).
[paths]
download_dir = "{home / "downloads"}"
staging_dir = "{home / "staging"}"

[torrent]
listen_interfaces = "127.0.0.1:0"
enable_dht = false
enable_lsd = false
enable_upnp = false
enable_natpmp = false
enable_utp = false
allow_local_peers = true
metadata_timeout_seconds = 15
stall_minutes = 2

[[indexers]]
name = "demo"
url = "{self.server.url}"
api_key = "{DEMO_API_KEY}"
rate_limit_per_minute = 0
timeout_seconds = 10

[textbrain]
auto_approve_threshold = 0.8

[[libraries]]
name = "Music"
kind = "music"
path = "{home / "library" / "music"}"
format = "opus"

[[libraries]]
name = "Movies"
kind = "movies"
path = "{home / "library" / "movies"}"

[[libraries]]
name = "TV"
kind = "tv"
path = "{home / "library" / "tv"}"

[workers]
poll_interval_seconds = 0.5
'''


def _listed(seeded: SeededTorrent, title: str, folder: Path, category: int, *, seeders: int) -> Release:
    size = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
    return Release(title=title, size=size, seeders=seeders, info_hash=seeded.info_hash, magnet=seeded.magnet,
                   category=category, torrent=seeded.torrent_bytes)

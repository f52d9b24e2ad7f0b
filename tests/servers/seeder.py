"""The loopback seeder the tests use: the demo's seeder (a second TorrentSession on 127.0.0.1)."""

from qtorrentino.demo.seeder import LOOPBACK_HOST, SeededTorrent, Seeder, loopback_config

__all__ = ["LOOPBACK_HOST", "SeededTorrent", "Seeder", "loopback_config"]

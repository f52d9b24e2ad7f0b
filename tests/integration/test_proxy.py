"""[network] proxy: libtorrent reaches peers through it (a loopback SOCKS5 proxy here), and doctor checks it."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from qtorrentino.torrent.session import TorrentSession
from tests.conftest import make_home, run_cli
from tests.integration.test_torrent_session import RecordingListener, written_files
from tests.servers.seeder import Seeder, loopback_config
from tests.servers.socks5 import Socks5Proxy

if TYPE_CHECKING:
    from pathlib import Path


def test_peers_are_reached_through_the_socks5_proxy_with_its_login(tmp_path: Path) -> None:
    folder = tmp_path / "share" / "Proxied Album"
    folder.mkdir(parents=True)
    (folder / "01.flac").write_bytes(content := random.Random(5).randbytes(700_000))
    listener = RecordingListener()
    with Seeder(tmp_path / "seeder") as seeder, Socks5Proxy(username="seedbox", password="s3cret") as proxy, \
            TorrentSession(loopback_config(), tmp_path / "state", listener=listener, proxy=proxy.url) as session:
        seeded, seeder_port = seeder.seed(folder), seeder.port
        info_hash = session.add_magnet(seeded.magnet, tmp_path / "downloads", metadata_only=False)
        listener.wait_for(lambda: info_hash in listener.finished, "the download through the proxy")
        assert session.flush_files(info_hash, 20)

    assert written_files(tmp_path / "downloads") == {"Proxied Album/01.flac": content}
    assert ("127.0.0.1", seeder_port) in proxy.connects
    assert set(proxy.logins) == {"seedbox"}


def test_doctor_checks_the_proxy_answers_socks5(tmp_path: Path) -> None:
    with Socks5Proxy() as proxy:
        gone = proxy.url  # once closed, nothing listens there
        make_home(tmp_path, f'\n[network]\nproxy = "{gone}"\n')
        healthy = run_cli(tmp_path, "doctor")
    assert "ok   proxy: socks5 proxy at 127.0.0.1:" in healthy.stdout

    make_home(tmp_path / "b", f'\n[network]\nproxy = "{gone}"\n')
    broken = run_cli(tmp_path / "b", "doctor")
    assert "FAIL proxy: " in broken.stdout and "fix: " in broken.stdout

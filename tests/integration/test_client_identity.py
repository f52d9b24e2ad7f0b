"""Who qtorrentino says it is to trackers and peers: honest defaults, or what [torrent] configures."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import libtorrent as lt
import pytest

from qtorrentino import __version__
from qtorrentino.config.home import Home
from qtorrentino.config.load import load_config
from qtorrentino.errors import ConfigError
from qtorrentino.torrent.alerts import IgnoringListener
from qtorrentino.torrent.maketorrent import make_torrent
from qtorrentino.torrent.session import TorrentSession
from tests.conftest import make_home
from tests.servers.seeder import loopback_config
from tests.servers.tracker import Tracker

if TYPE_CHECKING:
    from pathlib import Path

TIMEOUT_SECONDS = 20.0


def first_announce(tmp_path: Path, **identity: str) -> tuple[bytes, str]:
    """Seed a torrent announced on a loopback tracker; the peer id and User-Agent the tracker heard."""
    (tmp_path / "a.flac").write_bytes(b"q" * 50_000)
    with Tracker() as tracker:
        made = make_torrent(tmp_path / "a.flac", trackers=[tracker.announce_url])
        config = dataclasses.replace(loopback_config(), **identity)
        with TorrentSession(config, tmp_path / "state", listener=IgnoringListener()) as session:
            session.add_torrent_bytes(made.torrent_bytes, tmp_path, seed_mode=True)
            tracker.wait_for(lambda heard: bool(heard), "an announce", TIMEOUT_SECONDS)
        heard = tracker.announces[0]
    return heard.peer_id, heard.user_agent


def test_the_default_identity_names_the_program_and_its_engine(tmp_path: Path) -> None:
    peer_id, user_agent = first_announce(tmp_path)
    major, minor = (int(part) for part in __version__.split(".")[:2])
    assert peer_id.startswith(f"-Qo{major}{minor}".encode())
    assert user_agent == f"qtorrentino/{__version__} libtorrent/{lt.__version__}"


def test_a_configured_fingerprint_and_user_agent_are_what_the_tracker_sees(tmp_path: Path) -> None:
    peer_id, user_agent = first_announce(tmp_path, peer_fingerprint="-qB4520-", user_agent="qBittorrent/4.5.2")
    assert peer_id.startswith(b"-qB4520-") and len(peer_id) == 20
    assert user_agent == "qBittorrent/4.5.2"


@pytest.mark.parametrize(("line", "words"), [
    ('peer_fingerprint = "-Qo0100-this-is-far-too-long-"', "longer than the 20-byte peer id"),
    ('user_agent = "qtorrentino\\u00e9"', "printable ASCII"),
])
def test_an_identity_that_cannot_go_on_the_wire_is_a_config_error(tmp_path: Path, line: str, words: str) -> None:
    home = make_home(tmp_path)
    text = home.config_file.read_text(encoding="utf-8").replace("[torrent]\n", f"[torrent]\n{line}\n")
    home.config_file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=words):
        load_config(Home.at(tmp_path))

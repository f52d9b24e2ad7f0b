"""`search`, `parse`, `torrent` and `audit replay` from the real command line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import make_home, run_cli
from tests.servers.torznab import DEFAULT_API_KEY, Fault, Release, TorznabServer

RELEASES = [
    Release(title="Radiohead - OK Computer (1997) [FLAC]", size=450_000_000, seeders=80, info_hash="ab" * 20,
            magnet="magnet:?xt=urn:btih:" + "ab" * 20, category=3000),
    Release(title="Radiohead - OK Computer (1997) [MP3 320]", size=120_000_000, seeders=150,
            info_hash="cd" * 20, magnet="magnet:?xt=urn:btih:" + "cd" * 20, category=3000),
]

SEARCH_FIELDS = {"title", "size", "seeders", "peers", "info_hash", "magnet", "link", "indexer", "published"}


def home_with(tmp_path: Path, *servers: tuple[str, TorznabServer]) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    extra = "".join(f'\n[[indexers]]\nname = "{name}"\nurl = "{server.url}"\napi_key = "{DEFAULT_API_KEY}"\n'
                    "timeout_seconds = 3\n" for name, server in servers)
    make_home(tmp_path, extra)
    return tmp_path


def test_search_json_is_the_contract_and_never_shows_the_key(tmp_path: Path) -> None:
    with TorznabServer(releases=RELEASES) as good, TorznabServer(releases=RELEASES, fault=Fault.HTTP_500) as bad:
        home = home_with(tmp_path, ("good", good), ("bad", bad))
        result = run_cli(home, "search", "radiohead ok computer", "--kind", "music", "--json")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 2 and all(set(row) == SEARCH_FIELDS for row in rows)
    assert {row["indexer"] for row in rows} == {"good"}
    assert "bad" in result.stderr and "500" in result.stderr
    assert DEFAULT_API_KEY not in result.stdout + result.stderr


def test_search_with_every_indexer_down_exits_1(tmp_path: Path) -> None:
    with TorznabServer(releases=RELEASES, fault=Fault.GARBAGE) as bad:
        result = run_cli(home_with(tmp_path, ("bad", bad)), "search", "anything")
    assert result.returncode == 1 and "no indexer answered" in result.stderr


def test_parse_prints_one_object_per_name(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "parse", "Show.Name.S01E05.720p.WEB-DL.x264-GRP",
                     "Radiohead - OK Computer (1997) [FLAC 24-96]", "--json")
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["season"] == 1 and first["episodes"] == [5] and first["resolution"] == "720p"
    assert second["artist"] == "Radiohead" and second["audio_format"] == "flac" and second["year"] == 1997


def test_torrent_commands_are_queued_for_the_engine(tmp_path: Path) -> None:
    make_home(tmp_path)
    listed = run_cli(tmp_path, "torrent", "list", "--json")
    assert listed.returncode == 0 and listed.stdout == ""
    missing = run_cli(tmp_path, "torrent", "pause", "abcdef")
    assert missing.returncode == 1 and "no single torrent" in missing.stderr


def test_audit_replay_reports_what_a_new_threshold_would_change(tmp_path: Path) -> None:
    with TorznabServer(releases=RELEASES) as good:
        home = home_with(tmp_path, ("good", good))
        ticket = run_cli(home, "ticket", "add", "-", stdin=json.dumps({
            "kind": "album", "query": {"artist": "Radiohead", "album": "OK Computer", "year": 1997},
            "constraints": {"format": "flac"}, "dry_run": True})).stdout.strip()
        assert run_cli(home, "headless", "--exit-when-idle").returncode == 0
    same = [json.loads(line) for line in run_cli(home, "audit", "replay", "--json").stdout.splitlines()]
    assert len(same) == 1 and same[0]["ticket_id"] == ticket and not same[0]["changed"]
    strict = [json.loads(line) for line in run_cli(home, "audit", "replay", "--threshold", "0.999",
                                                   "--json").stdout.splitlines()]
    assert strict[0]["now"] == "needs_approval" and strict[0]["threshold"] == 0.999


def test_doctor_reports_each_check_and_its_fix(tmp_path: Path) -> None:
    with TorznabServer(releases=RELEASES) as good:
        home = home_with(tmp_path, ("good", good))
        healthy = run_cli(home, "doctor")
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert "ok   ffmpeg" in healthy.stdout and "ok   indexer good: answers caps" in healthy.stdout
    assert "ok   hardlinks → Music" in healthy.stdout
    with TorznabServer(releases=RELEASES, api_key="another-key") as wrong_key:
        broken = run_cli(home_with(tmp_path / "b", ("wrong", wrong_key)), "doctor")
    assert broken.returncode == 1
    assert "FAIL indexer wrong" in broken.stdout and "fix:" in broken.stdout

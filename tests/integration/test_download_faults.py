"""Download faults with real parts: a torrent lost by the session, cut resume data after kill -9, a full disk."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from qtorrentino.config.home import Home
from qtorrentino.domain.states import TicketState
from qtorrentino.engine.engine import Engine
from qtorrentino.workers.stages import DOWNLOADING
from tests.conftest import run_cli
from tests.integration.loopback_world import (
    audit_lines,
    headless,
    offer,
    show,
    wait_for_state,
    wait_until,
    world_home,
)
from tests.servers.seeder import Seeder
from tests.servers.torznab import TorznabServer

MB = 1024 * 1024


def blob(root: Path, name: str, size: int) -> Path:
    folder = root / "content" / name
    folder.mkdir(parents=True)
    (folder / f"{name.lower().replace(' ', '-')}.bin").write_bytes(os.urandom(size))
    return folder


def generic(text: str) -> dict[str, object]:
    return {"kind": "generic", "query": {"text": text}, "auto_approve_threshold": 0.3}


def test_a_torrent_lost_by_the_session_is_added_again_and_the_others_go_on(tmp_path: Path) -> None:
    with Seeder(tmp_path / "seeder", upload_rate_limit_kib=512) as seeder:
        first = seeder.seed(blob(tmp_path, "Lost Blob", 3 * MB))
        second = seeder.seed(blob(tmp_path, "Other Blob", 3 * MB))
        releases = [offer(first, "Lost Blob"), offer(second, "Other Blob")]
        with TorznabServer(releases=releases) as server:
            engine = Engine.open(world_home(tmp_path / "home", server))
            engine.start()
            session = engine.parts.torrent.session  # type: ignore[union-attr]
            try:
                lost = engine.tickets.add_json(generic("Lost Blob"), actor="cli:test")[0].id
                other = engine.tickets.add_json(generic("Other Blob"), actor="cli:test")[0].id
                wait_for_state(engine, lost, TicketState.DOWNLOADING)
                session.remove(first.info_hash, delete_data=False)
                for ticket in (other, lost):
                    wait_for_state(engine, ticket, TicketState.DOWNLOADING, TicketState.COMPLETED, TicketState.FAILED)
                    assert wait_for_state(engine, ticket, TicketState.COMPLETED, TicketState.FAILED,
                                          TicketState.ACQUIRING) is TicketState.COMPLETED, \
                        engine.tickets.show(ticket).summary
                restarted = [event for event in engine.audit.history(lost) if event.type == "DownloadStarted"]
            finally:
                engine.stop()
    assert len(restarted) == 2 and "added again" in restarted[-1].data["resumed"]
    assert (tmp_path / "home" / "other" / "lost-blob.bin").read_bytes() == (
        tmp_path / "content" / "Lost Blob" / "lost-blob.bin").read_bytes()


def test_a_torrent_lost_as_its_download_begins_is_added_again_by_the_downloading_owner(tmp_path: Path) -> None:
    with Seeder(tmp_path / "seeder") as seeder:
        seeded = seeder.seed(blob(tmp_path, "Vanishing Blob", 1 * MB))
        with TorznabServer(releases=[offer(seeded, "Vanishing Blob")]) as server:
            engine = Engine.open(world_home(tmp_path / "home", server))
            session = engine.parts.torrent.session  # type: ignore[union-attr]
            start, lost = session.start, []

            def lost_just_before_start(info_hash: str) -> None:
                """The session loses the torrent after the ticket became downloading, before it starts."""
                if not lost:
                    lost.append(info_hash)
                    session.remove(info_hash, delete_data=False)
                start(info_hash)

            session.start = lost_just_before_start  # type: ignore[method-assign]
            engine.start()
            try:
                ticket = engine.tickets.add_json(generic("Vanishing Blob"), actor="cli:test")[0].id
                wait_for_state(engine, ticket, TicketState.DOWNLOADING, TicketState.COMPLETED, TicketState.FAILED)
                state = wait_for_state(engine, ticket, TicketState.COMPLETED, TicketState.FAILED,
                                       TicketState.ACQUIRING)
                summary = engine.tickets.show(ticket).summary
                restarted = [event for event in engine.audit.history(ticket) if event.type == "DownloadStarted"]
            finally:
                engine.stop()
    assert lost == [seeded.info_hash]
    assert state is TicketState.COMPLETED, summary
    assert len(restarted) == 2 and "added again" in restarted[-1].data["resumed"]
    assert (tmp_path / "home" / "other" / "vanishing-blob.bin").read_bytes() == (
        tmp_path / "content" / "Vanishing Blob" / "vanishing-blob.bin").read_bytes()


def test_a_torrent_lost_while_its_owner_looks_at_it_is_added_again(tmp_path: Path) -> None:
    with Seeder(tmp_path / "seeder", upload_rate_limit_kib=256) as seeder:
        seeded = seeder.seed(blob(tmp_path, "Slipping Blob", 2 * MB))
        with TorznabServer(releases=[offer(seeded, "Slipping Blob")]) as server:
            engine = Engine.open(world_home(tmp_path / "home", server))
            session = engine.parts.torrent.session  # type: ignore[union-attr]
            file_progress, lost = session.file_progress, []

            def lost_between_status_and_files(info_hash: str) -> dict[int, tuple[int, int]]:
                """The session loses the torrent after its owner read its status, before its files, while
                the download is still under way (a whole file on disk would let the owner finish from it)."""
                progress = file_progress(info_hash)
                under_way = any(done < size for done, size in progress.values())
                if not lost and under_way and threading.current_thread().name.startswith(DOWNLOADING):
                    lost.append(info_hash)
                    session.remove(info_hash, delete_data=False)
                    return file_progress(info_hash)
                return progress

            session.file_progress = lost_between_status_and_files  # type: ignore[method-assign]
            engine.start()
            try:
                ticket = engine.tickets.add_json(generic("Slipping Blob"), actor="cli:test")[0].id
                wait_for_state(engine, ticket, TicketState.DOWNLOADING, TicketState.COMPLETED, TicketState.FAILED)
                state = wait_for_state(engine, ticket, TicketState.COMPLETED, TicketState.FAILED,
                                       TicketState.ACQUIRING)  # acquiring again: the owner dropped the release
                summary = engine.tickets.show(ticket).summary
                restarted = [event for event in engine.audit.history(ticket) if event.type == "DownloadStarted"]
            finally:
                engine.stop()
    assert lost == [seeded.info_hash]
    assert state is TicketState.COMPLETED, summary
    assert len(restarted) == 2 and "added again" in restarted[-1].data["resumed"]
    assert (tmp_path / "home" / "other" / "slipping-blob.bin").read_bytes() == (
        tmp_path / "content" / "Slipping Blob" / "slipping-blob.bin").read_bytes()


@pytest.mark.parametrize("damage", ["half", "empty", "missing"])
def test_cut_resume_data_after_kill_9_is_replaced_by_a_full_check_and_the_ticket_completes(
        tmp_path: Path, damage: str) -> None:
    with Seeder(tmp_path / "seeder", upload_rate_limit_kib=256) as seeder:
        seeded = seeder.seed(blob(tmp_path, "Resumed Blob", 4 * MB))
        with TorznabServer(releases=[offer(seeded, "Resumed Blob")]) as server:
            home = world_home(tmp_path / "home", server)
            resume = home.data_dir / "torrents" / f"{seeded.info_hash}.resume"
            engine = headless(home)
            try:
                ticket = _add(home, "Resumed Blob")
                wait_until(lambda: show(home, ticket)["state"] == "downloading", timeout=60, what="downloading")
                wait_until(lambda: resume.exists() and resume.stat().st_size > 0, timeout=30, what="resume data")
                time.sleep(2)
                engine.send_signal(signal.SIGKILL)
                engine.wait(timeout=30)
            finally:
                engine.kill()
            if damage == "half":
                resume.write_bytes(resume.read_bytes()[: resume.stat().st_size // 2])
            elif damage == "empty":
                resume.write_bytes(b"")
            else:
                resume.unlink()
            finished = run_cli(home, "headless", "--exit-when-idle", timeout=240)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert "NotFound" not in finished.stderr and "Traceback" not in finished.stderr
    assert show(home, ticket)["state"] == "completed"
    restarts = [line for line in audit_lines(home) if line["type"] == "DownloadStarted"
                and line["ticket_id"] == ticket and (line["data"] or {}).get("resumed")]  # type: ignore[union-attr]
    assert restarts and "checking the data on disk" in str(restarts[-1]["data"])
    assert (home.data_dir / "other" / "resumed-blob.bin").read_bytes() == (
        tmp_path / "content" / "Resumed Blob" / "resumed-blob.bin").read_bytes()


def _add(home: Home, text: str) -> str:
    added = run_cli(home, "ticket", "add", "-", "--json", stdin=json.dumps(generic(text)))
    assert added.returncode == 0, added.stderr
    return str(json.loads(added.stdout)["id"])


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 6 MB tmpfs mounted where the home's downloads go."""
    downloads = tmp_path / "home" / "downloads"
    downloads.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(downloads)], check=True)
    try:
        yield downloads
    finally:
        subprocess.run(["umount", "-l", str(downloads)], check=False)


def test_a_download_bigger_than_the_free_space_is_not_started(tmp_path: Path, small_disk: Path) -> None:
    with Seeder(tmp_path / "seeder") as seeder:
        seeded = seeder.seed(blob(tmp_path, "Huge Blob", 19 * MB))
        with TorznabServer(releases=[offer(seeded, "Huge Blob", size=19 * MB)]) as server:
            engine = Engine.open(world_home(tmp_path / "home", server))
            engine.start()
            try:
                ticket = engine.tickets.add_json(generic("Huge Blob"), actor="cli:test")[0].id
                wait_for_state(engine, ticket, TicketState.FAILED, TicketState.COMPLETED, timeout=60)
                summary = engine.tickets.show(ticket).summary
                failed = engine.audit.latest(ticket, "DownloadFailed")
            finally:
                engine.stop()
    assert summary.retryable and "free space" in (summary.error or ""), summary
    assert failed is not None and failed.data["fault"] == "disk_full"
    assert sum(path.stat().st_size for path in small_disk.rglob("*") if path.is_file()) < MB


def test_a_disk_that_fills_up_pauses_the_torrent_and_the_ticket_resumes_on_retry(
        tmp_path: Path, small_disk: Path) -> None:
    with Seeder(tmp_path / "seeder", upload_rate_limit_kib=256) as seeder:
        seeded = seeder.seed(blob(tmp_path, "Filling Blob", 4 * MB))
        with TorznabServer(releases=[offer(seeded, "Filling Blob", size=4 * MB)]) as server:
            home = world_home(tmp_path / "home", server, extra="")
            config = home.config_file.read_text().replace("[paths]\n", "[paths]\nmin_free_gb = 0\n", 1)
            home.config_file.write_text(config)
            engine = Engine.open(home)
            engine.start()
            session = engine.parts.torrent.session  # type: ignore[union-attr]
            filler = small_disk / "filler"
            try:
                ticket = engine.tickets.add_json(generic("Filling Blob"), actor="cli:test")[0].id
                wait_for_state(engine, ticket, TicketState.DOWNLOADING)
                _fill(filler)
                assert wait_for_state(engine, ticket, TicketState.FAILED, TicketState.COMPLETED,
                                      timeout=60) is TicketState.FAILED
                summary = engine.tickets.show(ticket).summary
                failed = engine.audit.latest(ticket, "DownloadFailed")
                paused = session.status(seeded.info_hash).paused
                filler.unlink()
                engine.tickets.retry(ticket, actor="cli:test")
                assert wait_for_state(engine, ticket, TicketState.COMPLETED, TicketState.FAILED) \
                    is TicketState.COMPLETED, engine.tickets.show(ticket).summary
            finally:
                engine.stop()
    assert summary.retryable and "No space left on device" in (summary.error or ""), summary
    assert failed is not None and failed.data["fault"] == "disk_full"
    assert paused


def _fill(path: Path) -> None:
    """Write until the filesystem is full."""
    chunk = b"\0" * (64 * 1024)
    with path.open("wb") as stream:
        try:
            while True:
                stream.write(chunk)
                stream.flush()
        except OSError:
            pass

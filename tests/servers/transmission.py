"""A real Transmission peer (transmission-cli 3.00 from apt, which `.ci/run` installs) on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

if TYPE_CHECKING:
    from pathlib import Path
    from types import TracebackType

BINARY = "transmission-cli"
STOP_TIMEOUT_SECONDS = 15.0
ENCRYPTION_FLAGS = {"forced": "-er", "enabled": "-ep", "disabled": "-et"}


def transmission_binary() -> str:
    """The transmission-cli path; a missing one fails the test (CI installs it), it never skips."""
    found = shutil.which(BINARY)
    if found is None:
        raise AssertionError(f"{BINARY} is not installed: `.ci/run` installs it with "
                             "`apt-get install transmission-cli`; run that (as root) and try again")
    return found


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Transmission:
    """transmission-cli sharing one torrent from/into `download_dir`, peers found through a tracker only."""

    torrent_file: Path
    download_dir: Path
    workdir: Path
    encryption: str = "forced"
    _process: subprocess.Popen[bytes] | None = None

    def start(self) -> Self:
        config_dir = self.workdir / "transmission-config"
        config_dir.mkdir(parents=True, exist_ok=True)
        self.download_dir.mkdir(parents=True, exist_ok=True)
        settings = {"dht-enabled": False, "lpd-enabled": False, "pex-enabled": False, "utp-enabled": False,
                    "port-forwarding-enabled": False, "bind-address-ipv4": "127.0.0.1",
                    "bind-address-ipv6": "::1", "ratio-limit-enabled": False, "idle-seeding-limit-enabled": False,
                    "speed-limit-up-enabled": False, "speed-limit-down-enabled": False, "blocklist-enabled": False}
        (config_dir / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
        log = (self.workdir / "transmission.log").open("wb")
        self._process = subprocess.Popen(
            [transmission_binary(), "-g", str(config_dir), "-w", str(self.download_dir), "-p", str(free_port()),
             ENCRYPTION_FLAGS[self.encryption], "-U", "-D", "-M", str(self.torrent_file)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        return self

    def log_tail(self) -> str:
        """The end of what transmission-cli printed (for failure messages)."""
        path = self.workdir / "transmission.log"
        return path.read_text(encoding="utf-8", errors="replace")[-1500:] if path.exists() else ""

    def wait_for_file(self, relative: str, content: bytes, timeout: float) -> None:
        """Wait until Transmission has written a byte-identical copy of one file."""
        path = self.download_dir / relative
        deadline = time.monotonic() + timeout
        while not (path.is_file() and path.stat().st_size == len(content) and path.read_bytes() == content):
            if self._process is not None and self._process.poll() is not None:
                raise AssertionError(f"transmission-cli exited early:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"transmission never wrote a complete {relative} within {timeout:g} s:\n"
                                     f"{self.log_tail()}")
            time.sleep(0.1)

    def stop(self) -> None:
        """Interrupt it (it says `stopped` to the tracker) and wait for it to exit."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.send_signal(signal.SIGINT)
        try:
            self._process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

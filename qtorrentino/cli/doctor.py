"""`qtorrentino doctor`: checks what bites seedbox users later, each failure with its fix."""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qtorrentino.cli.home_args import home_from
from qtorrentino.config.load import load_config
from qtorrentino.config.proxy import ProxyUrl, parse_proxy
from qtorrentino.errors import MissingPart, QtorrentinoError

if TYPE_CHECKING:
    from qtorrentino.config.model import Config, IndexerConfig
    from qtorrentino.config.proxy import ProxyUrl

LOW_SPACE_BYTES = 5 * 1024**3
PROXY_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the doctor's report."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    missing_part: bool = False


def register(add: Callable[..., argparse.ArgumentParser], global_options: Callable[..., None]) -> None:
    add("doctor", "check config, ffmpeg, libtorrent, indexers, disk space and permissions", run)


def run(args: argparse.Namespace) -> int:
    home = home_from(args)
    checks: list[Check] = [Check("home", True, str(home.data_dir))]
    try:
        config = load_config(home)
        checks.append(Check("config", True, str(home.config_file) + ("" if home.config_file.exists() else
                                                                       " (absent: all defaults)")))
    except QtorrentinoError as error:
        checks.append(Check("config", False, error.message, error.hint))
        return _report(checks)
    checks.extend(run_checks(config))
    return _report(checks)


def run_checks(config: Config) -> list[Check]:
    """Every check after the config loaded."""
    checks = [_ffmpeg(), _libtorrent()]
    for label, folder in (("download_dir", config.paths.download_dir), ("staging_dir", config.paths.staging_dir)):
        checks.append(_folder(label, folder))
    if not config.libraries:
        checks.append(Check("libraries", False, "no [[libraries]] configured",
                            'add [[libraries]] name = "Music" kind = "music" path = "~/media/music"'))
    for library in config.libraries:
        checks.append(_folder(f"library {library.name}", library.path))
        checks.append(_hardlinks(config.paths.download_dir, library.path, library.name, library.link))
        checks.append(_link_policies(config.paths.download_dir, library.path, library.name, library.link))
    proxy = parse_proxy(config.network.proxy)
    if proxy is not None:
        checks.append(_proxy(proxy))
    if not config.indexers:
        checks.append(Check("indexers", False, "no [[indexers]] configured",
                            "add an [[indexers]] entry with your Jackett/Prowlarr Torznab URL and API key"))
    proxy = parse_proxy(config.network.proxy)
    checks.extend(_indexer(indexer, proxy) for indexer in config.indexers)
    if config.notify.urls:
        checks.append(_notifications(config))
    checks.extend(_llm(config))
    return checks


def _notifications(config: Config) -> Check:
    """The [notify] URLs apprise will use, secrets masked (apprise's own privacy form)."""
    from qtorrentino.notify.notifier import Service

    try:
        shown = [Service(url).shown for url in config.notify.urls]
    except QtorrentinoError as error:
        return Check("notifications", False, error.message, error.hint)
    return Check("notifications", True, f"{', '.join(shown)} (events: {', '.join(config.notify.events)})")


def _ffmpeg() -> Check:
    from qtorrentino.media.ffmpeg import find_ffmpeg

    try:
        found = find_ffmpeg()
    except MissingPart as error:
        return Check("ffmpeg", False, error.message, error.hint, missing_part=True)
    probing = f"ffprobe {found.ffprobe}" if found.ffprobe else "no ffprobe: probing uses mutagen and ffmpeg -i"
    return Check("ffmpeg", True, f"{found.version} at {found.path} ({found.source}; {probing})")


def _indexer(indexer: IndexerConfig, proxy: ProxyUrl | None) -> Check:
    """An indexer answers caps with its search functions (through the proxy, as searches go)."""
    from qtorrentino.search.torznab import TorznabClient

    try:
        client = TorznabClient(indexer, proxy=proxy)
        caps = client.caps(deadline=time.monotonic() + indexer.timeout_seconds)
    except QtorrentinoError as error:
        return Check(f"indexer {indexer.name}", False, error.message,
                     error.hint or "check url and api_key in its [[indexers]] entry")
    modes = ", ".join(name for name, mode in caps.modes.items() if mode.available) or "none"
    return Check(f"indexer {indexer.name}", True, f"answers caps (search functions: {modes})")


def _llm(config: Config) -> list[Check]:
    """The configured LLM answers, has the model and returns JSON; skipped when it is not used."""
    from qtorrentino.config.model import LlmConfig
    from qtorrentino.textbrain.llm.probe import probe

    llm = config.textbrain.llm
    if config.textbrain.mode == "dumb_only" and llm == LlmConfig():
        return []
    return [Check(step.name, step.ok, step.detail, step.fix) for step in probe(llm)]


def _libtorrent() -> Check:
    try:
        import libtorrent

        return Check("libtorrent", True, f"libtorrent {libtorrent.__version__}")
    except ImportError as error:
        return Check("libtorrent", False, f"cannot import: {error}", "pip install 'libtorrent>=2.0.9' "
                     "(wheels exist for Python 3.10–3.13)", missing_part=True)


def _existing_parent(folder: Path) -> Path:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _folder(label: str, folder: Path) -> Check:
    probe = _existing_parent(folder)
    if not os.access(probe, os.W_OK):
        return Check(label, False, f"{folder}: not writable", f"chown or chmod {probe}")
    free = shutil.disk_usage(probe).free
    detail = f"{folder} ({free / 1024**3:.1f} GiB free)"
    if free < LOW_SPACE_BYTES:
        return Check(label, False, detail + ": low on space", "free some space or move this folder")
    return Check(label, True, detail)


def _hardlinks(download_dir: Path, library: Path, name: str, policy: str) -> Check:
    same = _existing_parent(download_dir).stat().st_dev == _existing_parent(library).stat().st_dev
    if same:
        return Check(f"hardlinks → {name}", True, "download and library folders share a filesystem")
    ok = policy == "copy"
    fix = "" if ok else "put download_dir on the library's filesystem, or set link = \"copy\""
    return Check(f"hardlinks → {name}", ok, "different filesystems: files will be copied"
                 + (" (hardlink_or_fail will refuse)" if policy == "hardlink_or_fail" else ""), fix)


def _link_policies(download_dir: Path, library: Path, name: str, policy: str) -> Check:
    """Which link policies the download and library filesystems allow, and what the configured one will do."""
    from qtorrentino.library.reflink import can_clone

    source, target = _existing_parent(download_dir), _existing_parent(library)
    allowed = ["copy"]
    if source.stat().st_dev == target.stat().st_dev:
        allowed.insert(0, "hardlink")
    if can_clone(source, target):
        allowed.insert(0, "reflink")
    detail = f"{', '.join(allowed)} possible; link = {policy}"
    if policy == "reflink" and "reflink" not in allowed:
        return Check(f"links → {name}", True, detail + ": no copy-on-write clones here, files will be copied",
                     "")
    if policy == "hardlink_or_fail" and "hardlink" not in allowed:
        return Check(f"links → {name}", False, detail + ": placement will refuse",
                     'put download_dir on the library\'s filesystem, or set link = "copy"')
    return Check(f"links → {name}", True, detail)


def _proxy(parsed: ProxyUrl) -> Check:
    """The [network] proxy accepts a connection (and, for SOCKS5, a greeting with our login method)."""
    fix = "start the proxy (or the VPN/SSH tunnel behind it), or fix [network] proxy"
    try:
        with socket.create_connection((parsed.host, parsed.port), timeout=PROXY_TIMEOUT_SECONDS) as connection:
            if parsed.scheme == "socks5":
                method = 2 if parsed.username else 0
                connection.sendall(bytes([5, 1, method]))
                answer = connection.recv(2)
                if answer != bytes([5, method]):
                    return Check("proxy", False, f"{parsed.address} does not accept SOCKS5 "
                                 f"{'with a login' if method else 'without a login'} (answered {answer!r})", fix)
    except OSError as error:
        return Check("proxy", False, f"{parsed.scheme} proxy at {parsed.address}: {error}", fix)
    return Check("proxy", True, f"{parsed.scheme} proxy at {parsed.address} answers; indexers, "
                 "metadata providers, peers and trackers use it")


def _report(checks: list[Check]) -> int:
    for check in checks:
        mark = "ok  " if check.ok else "FAIL"
        sys.stdout.write(f"{mark} {check.name}: {check.detail}\n")
        if not check.ok and check.fix:
            sys.stdout.write(f"     fix: {check.fix}\n")
    failed = [check for check in checks if not check.ok]
    if any(check.missing_part for check in failed):
        raise MissingPart(", ".join(check.name for check in failed if check.missing_part) + " missing",
                          hint="see the fixes above")
    if failed:
        sys.stderr.write(f"qtorrentino: doctor found {len(failed)} problem(s); see the fixes above\n")
        return 1
    return 0

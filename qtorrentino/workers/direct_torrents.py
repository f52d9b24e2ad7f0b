"""Torrents a person gives (`ticket add --torrent`, watch_dir) become tickets: their one candidate.

A .torrent is read and its file list checked before any ticket is filed (hostile metadata,
programs, no media for the kind: refused with DirectTorrentRefused); a magnet's files are checked
at the download stage like any candidate's. The .torrent is kept under the home's torrents/given/
for the download stage.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from qtorrentino.domain.direct import DirectTorrent, direct_spec
from qtorrentino.domain.magnet import parse_magnet
from qtorrentino.domain.redact import redact_text
from qtorrentino.errors import HostileMetadata, QtorrentinoError, TorrentError, UsageError
from qtorrentino.textbrain.filecheck import check_file_list
from qtorrentino.textbrain.picks import MANUAL_INDEXER, person_pick_judge
from qtorrentino.torrent.metainfo import MAX_TORRENT_BYTES, read_torrent_file

if TYPE_CHECKING:
    from qtorrentino.config.home import Home
    from qtorrentino.config.model import Config
    from qtorrentino.domain.ticket import TicketKind
    from qtorrentino.tickets.creation import Created, TicketCreator
    from qtorrentino.tickets.service import TicketCommands

GIVEN_FOLDER = "given"
"""Under the home's torrents/: the .torrent files people gave, by info-hash."""
VIA_CLI = "cli"
VIA_WATCH_DIR = "watch_dir"
UNUSABLE_HINT = "this torrent cannot become a ticket: give another .torrent file or magnet link"
"""A release's refusal hint speaks of the next candidate; a direct torrent has none."""


def read_direct(source: str) -> DirectTorrent:
    """A magnet link, or a .torrent file read and checked (its metadata, not yet against a ticket).

    Raises:
        UsageError: not a magnet link and no readable file there.
        HostileMetadata: the file is not a torrent, or its metadata is hostile or absurd.
    """
    text = source.strip()
    if text.lower().startswith("magnet:"):
        magnet = parse_magnet(text)
        return DirectTorrent(magnet.info_hash, magnet.name, magnet=text)
    path = Path(text).expanduser()
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_TORRENT_BYTES + 1)
    except OSError as error:
        raise UsageError(
            f"cannot read {text}: {error.strerror or error}",
            hint="give a .torrent file, or a magnet:?xt=urn:btih:… link",
        ) from None
    if len(data) > MAX_TORRENT_BYTES:
        raise HostileMetadata(
            f"{path.name} is over {MAX_TORRENT_BYTES:,} bytes: not a .torrent file"
        )
    metadata = read_torrent_file(data)
    return DirectTorrent(
        metadata.info_hash, metadata.name, tuple(metadata.files), torrent_file=data
    )


def given_torrent(home: Home, info_hash: str | None) -> bytes | None:
    """The .torrent a person gave for this info-hash, if one was kept (and is that torrent)."""
    if not info_hash:
        return None
    try:
        data = (home.torrents_dir / GIVEN_FOLDER / f"{info_hash}.torrent").read_bytes()
        return data if read_torrent_file(data).info_hash == info_hash else None
    except (OSError, QtorrentinoError):
        return None


class DirectTorrents:
    """Files tickets for torrents given directly, each a person's pick, audited when refused."""

    def __init__(
        self, config: Config, home: Home, creator: TicketCreator, commands: TicketCommands
    ) -> None:
        self._config = config
        self._home = home
        self._creator = creator
        self._commands = commands

    def add(
        self,
        source: str,
        *,
        via: str,
        actor: str,
        kind: TicketKind | None = None,
        library: str | None = None,
        priority: int | None = None,
        target_format: str | None = None,
    ) -> Created:
        """File the ticket for a .torrent file or a magnet; a refusal is audited and raised."""
        shown = redact_text(source.strip(), self._config.secrets)
        torrent: DirectTorrent | None = None
        try:
            torrent = read_direct(source)
            spec = direct_spec(
                torrent, kind, library=library, priority=priority, target_format=target_format
            )
            if torrent.files:
                check_file_list(spec, torrent.files)
            if torrent.torrent_file is not None:
                self._keep(torrent)
            return self._creator.add_direct(
                spec,
                torrent,
                indexer=MANUAL_INDEXER,
                commands=self._commands,
                judge=person_pick_judge(self._config),
                actor=actor,
                origin={"via": via, "source": shown},
            )
        except QtorrentinoError as error:
            if isinstance(error, TorrentError):
                error.hint = UNUSABLE_HINT
            with self._creator.uow() as outbox:
                self._creator.uow.audit.record(
                    outbox,
                    "DirectTorrentRefused",
                    ticket_id=None,
                    actor=actor,
                    data={
                        "source": shown,
                        "via": via,
                        "reason": error.message,
                        "info_hash": torrent.info_hash if torrent else None,
                    },
                )
            raise

    def _keep(self, torrent: DirectTorrent) -> None:
        """Keep the .torrent where the download stage finds it (written whole, then renamed)."""
        folder = self._home.torrents_dir / GIVEN_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{torrent.info_hash}.torrent.tmp"
        partial.write_bytes(torrent.torrent_file or b"")
        partial.replace(folder / f"{torrent.info_hash}.torrent")

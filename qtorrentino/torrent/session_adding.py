"""Adding torrents to the session: magnets, .torrent bytes, the catalog's stored ones, restored."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

import libtorrent as lt

from qtorrentino.domain.redact import redact_text
from qtorrentino.errors import TorrentError, UsageError
from qtorrentino.torrent.metainfo import (
    LOAD_LIMITS,
    checked_wanted,
    file_priorities,
    hash_text,
    inspect_files,
    load_torrent,
)
from qtorrentino.torrent.record import TorrentRecord, start_totals
from qtorrentino.torrent.resume import AddIntent
from qtorrentino.torrent.session_base import SessionBase
from qtorrentino.torrent.status import RestoreReport

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence

    from qtorrentino.domain.files import FileEntry
    from qtorrentino.torrent.ledger import Totals

log = logging.getLogger("qtorrentino.torrent.session")
_FLAGS = lt.torrent_flags


class Adding(SessionBase):
    """TorrentSession's adding part."""

    def add_magnet(self, uri: str, save_path: Path, *, metadata_only: bool, totals: Totals | None = None) -> str:
        """Add a magnet; no content is wanted until its metadata passes the check.

        With metadata_only it then waits, paused, for `start()`; otherwise every file starts. totals are
        what the torrent moved before (kept by the catalog when its resume data is lost).
        """
        self._require_open()
        try:
            params = lt.parse_magnet_uri(uri)
        except RuntimeError as error:
            raise UsageError(
                f"not a usable magnet link ({error}): {redact_text(uri)[:160]}"
            ) from error
        params.save_path = str(save_path.absolute())
        params.file_priorities = []  # a BEP 53 `so=` would want files before the check
        params.flags |= _FLAGS.default_dont_download
        params.flags &= ~(_FLAGS.paused | _FLAGS.auto_managed)
        start_totals(params, totals)
        return self._add(
            hash_text(params.info_hashes), params, AddIntent(metadata_only, tuple(params.peers))
        )

    def add_torrent_bytes(
        self,
        data: bytes,
        save_path: Path,
        *,
        wanted_indexes: Collection[int] | None = None,
        peers: Sequence[tuple[str, int]] = (),
        seed_mode: bool = False,
        totals: Totals | None = None,
    ) -> str:
        """Add a .torrent after the hostile-metadata check; wanted_indexes None means every file.

        An empty wanted_indexes adds it paused, like a metadata-only magnet: choose files with
        `set_file_priorities()`, then `start()`. peers are (host, port) to try at once, like a
        magnet's `x.pe`. seed_mode trusts the data already in save_path (pieces are hash-checked
        as they are sent). totals are what the torrent moved before, as for `add_magnet()`. To look
        at the files without adding anything, use `read_torrent_file()`.
        """
        self._require_open()
        params, info = load_torrent(data)
        inspected = inspect_files(info)
        wanted = checked_wanted(inspected[0], wanted_indexes)
        waits_for_start = wanted is not None and not wanted
        params.save_path = str(save_path.absolute())
        params.peers = list(peers)
        if wanted is not None:
            params.file_priorities = file_priorities(*inspected, wanted)
        if waits_for_start:
            params.flags = (params.flags | _FLAGS.paused) & ~_FLAGS.auto_managed
        else:
            params.flags = (params.flags | _FLAGS.auto_managed) & ~_FLAGS.paused
        if seed_mode:
            params.flags |= _FLAGS.seed_mode
        start_totals(params, totals)
        intent = AddIntent(waits_for_start, tuple(params.peers))
        return self._add(hash_text(info.info_hashes()), params, intent, inspected, wanted)

    def restore(
        self, save_paths: Mapping[str, Path], *, verified: Collection[str] = ()
    ) -> RestoreReport:
        """Re-add each stored torrent the caller knows, saving where the caller says (not the blob).

        After an unclean shutdown each restored torrent not in `verified` is checked again.
        """
        self._require_open()
        restored: list[str] = []
        rechecking: list[str] = []
        orphaned: list[str] = []
        failed: dict[str, str] = {}
        known = {info_hash.lower(): path.absolute() for info_hash, path in save_paths.items()}
        verified_hashes = {info_hash.lower() for info_hash in verified}
        stored = self._store.info_hashes()
        for info_hash in stored:
            if info_hash in self._records:
                continue
            if info_hash not in known:
                orphaned.append(info_hash)
                continue
            try:
                distrust = self.unclean_start and info_hash not in verified_hashes
                handle = self._restore_one(info_hash, known[info_hash], distrust_pieces=distrust)
            except (RuntimeError, TorrentError) as error:
                failed[info_hash] = str(error)
                log.warning("could not restore torrent %s: %s", info_hash, error)
                continue
            restored.append(info_hash)
            if self.unclean_start and info_hash not in verified_hashes:
                handle.force_recheck()
                rechecking.append(info_hash)
        missing = tuple(sorted(set(known) - set(stored)))
        return RestoreReport(tuple(restored), tuple(rechecking), tuple(orphaned), missing, failed)

    def add_stored(
        self,
        save_path: Path,
        *,
        torrent_file: bytes | None,
        magnet: str | None,
        wanted_indexes: Collection[int] | None = None,
        totals: Totals | None = None,
    ) -> str:
        """Add a torrent again from what the catalog kept (its .torrent, else its magnet).

        With no resume data libtorrent checks whatever is already in save_path, so the data on disk is
        verified in full and only what is missing is fetched. A magnet's `x.pe` peers are dialled either
        way. A magnet-only torrent waits for `start()` once its metadata is checked. totals (the
        catalog's) carry its upload and download counts on from before.
        """
        peers: list[tuple[str, int]] = []
        if magnet:
            try:
                peers = list(lt.parse_magnet_uri(magnet).peers)
            except RuntimeError:
                peers = []
        if torrent_file:
            return self.add_torrent_bytes(torrent_file, save_path, wanted_indexes=wanted_indexes, peers=peers,
                                          totals=totals)
        if magnet:
            return self.add_magnet(magnet, save_path, metadata_only=True, totals=totals)
        raise TorrentError("nothing stored to add the torrent from (no .torrent and no magnet)")

    def _add(
        self,
        info_hash: str,
        params: lt.add_torrent_params,
        intent: AddIntent,
        inspected: tuple[tuple[FileEntry, ...], int] | None = None,
        wanted: frozenset[int] | None = None,
    ) -> str:
        save_path = Path(params.save_path)
        with self._lock:
            if (existing := self._records.get(info_hash)) is not None:
                if existing.save_path != save_path:
                    raise TorrentError(
                        f"torrent {info_hash} is already saving to {existing.save_path}"
                    )
                return info_hash
            self._store.write_intent(info_hash, intent)
            params.added_time = int(time.time())
            try:
                handle = self._session.add_torrent(params)
            except RuntimeError as error:
                raise TorrentError(f"libtorrent refused torrent {info_hash}: {error}") from error
            record = self._records[info_hash] = TorrentRecord(handle, save_path, intent, params)
            record.wanted = wanted
            if inspected is not None:
                record.set_files(inspected)
                record.awaiting_start = intent.metadata_only
            self._request_save(info_hash, handle)
        return info_hash

    def _restore_one(self, info_hash: str, save_path: Path, *, distrust_pieces: bool = False) -> lt.torrent_handle:
        params = lt.read_resume_data(self._store.read(info_hash) or b"", LOAD_LIMITS)
        if distrust_pieces:
            params.have_pieces = []
            params.verified_pieces = []
        if hash_text(params.info_hashes) != info_hash:
            raise TorrentError(f"resume data for {info_hash} belongs to another torrent")
        inspected = inspect_files(params.ti) if params.ti is not None else None
        intent = self._store.read_intent(info_hash)
        params.save_path = str(save_path)  # never the stored one: resume data is trusted input
        params.renamed_files = {}
        params.peers = list(intent.peers)
        if inspected is None:
            params.file_priorities = []
            params.flags |= _FLAGS.default_dont_download
        elif intent.metadata_only:
            params.flags = (params.flags | _FLAGS.paused) & ~_FLAGS.auto_managed
        with self._lock:
            handle = self._session.add_torrent(params)
            record = self._records[info_hash] = TorrentRecord(handle, save_path, intent, params)
            if inspected is not None:
                record.set_files(inspected)
                record.awaiting_start = intent.metadata_only
        return handle

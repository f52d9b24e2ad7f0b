"""The library scanner: walk a root, diff by size and mtime, keep file state, identify new files, queue the rest."""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import threading
import warnings
from collections import defaultdict, deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from qtorrentino.clock import iso
from qtorrentino.db.database import close_database, write_transaction
from qtorrentino.db.models import LibraryRow
from qtorrentino.errors import LibraryOffline, NotFound, QtorrentinoError
from qtorrentino.library.items import ItemStore, db_path
from qtorrentino.library.marker import require_online
from qtorrentino.library.matcher import (
    LEAF_KIND,
    LIBRARY_EXTENSIONS,
    FactsRow,
    FileFacts,
    FileMatch,
    FileMatcher,
    facts_from_row,
    gather_facts,
    gather_rows,
)
from qtorrentino.library.scan_diff import Diff, compare, load_known
from qtorrentino.library.scan_record import record_known, record_new
from qtorrentino.library.scan_state import ScanState, keep, record_signature, stored
from qtorrentino.library.unmatched import Suggester, leaf_choices
from qtorrentino.library.walk import Walk, walk

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from pathlib import Path

    from qtorrentino.clock import Clock
    from qtorrentino.tickets.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

T = TypeVar("T")
U = TypeVar("U")

POOL_THRESHOLD_FILES = 20_000
"""New files from this many up are parsed in a spawn-context process pool, off this process's GIL, while
this process records earlier batches; below it, starting the pool (seconds) costs more than it saves."""
POOL_CHUNK_FILES = 1_000
WRITE_BATCH_FILES = 5_000
"""New files recorded per write transaction, so other writers are never held up for long."""
PROVIDER_LOOKUPS_PER_SCAN = 10
"""Unmatched files a scan asks MusicBrainz/TMDB about (1 req/s); the rest get theirs on refresh."""


@dataclass(frozen=True, slots=True)
class ScanReport:
    """What one library scan found and did (the ScanCompleted audit event's data)."""

    library: str
    seen: int = 0
    new: int = 0
    changed: int = 0
    missing: int = 0
    matched: int = 0
    unmatched: int = 0
    renamed: int = 0
    contents_read: int = 0
    """Files whose content was opened (tags, fingerprints); 0 on a rescan of an unchanged library."""
    warnings: int = 0
    unreadable: int = 0
    """Files on record under folders the scan could not read (permission, I/O): not missing."""


class LibraryScanner:
    """Scans libraries; one ScanCompleted audit event per library scanned."""

    def __init__(self, uow: UnitOfWork, clock: Clock, suggester: Suggester, *, excluded: Iterable[Path] = (),
                 pool_threshold: int = POOL_THRESHOLD_FILES) -> None:
        self._uow = uow
        self._clock = clock
        self._suggester = suggester
        self._excluded = frozenset(os.path.realpath(folder) for folder in excluded)
        self._pool_threshold = pool_threshold
        self._locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
        self._locks_guard = threading.Lock()

    def _lock_for(self, library: str) -> threading.Lock:
        """One scan of a library at a time in this process; a second waits, then finds little to do."""
        with self._locks_guard:
            return self._locks[library]

    def scan(self, library_name: str, *, actor: str) -> ScanReport:
        """Bring the database in line with one library's folder.

        Raises:
            NotFound: no library has that name.
            LibraryOffline: the root is missing or lacks its marker (unmounted?); audited as
                ScanFailed.
            QtorrentinoError: the root is empty while files are on record (unmounted?).
        """
        library = LibraryRow.get_or_none(LibraryRow.name == library_name)
        if library is None:
            raise NotFound(f"no library called {library_name!r}", hint="see the [[libraries]] in config.toml")
        try:
            root = require_online(library)
        except LibraryOffline as error:
            with self._uow() as outbox:
                self._uow.audit.record(outbox, "ScanFailed", ticket_id=None, actor=actor,
                                       data={"error": error.message, **error.audit_data()})
            raise
        with self._lock_for(library.name):
            return self._scan(library, root, actor)

    def _scan(self, library: LibraryRow, root: str, actor: str) -> ScanReport:
        extensions = LIBRARY_EXTENSIONS.get(library.kind, frozenset())
        with _paused_collector():
            signature, walked = _beside(lambda: record_signature(library.id),
                                        lambda: walk(root, extensions, self._excluded))
        if walked.root_empty and signature[0]:
            raise QtorrentinoError(
                f"library {library.name}: root {root} is empty but {signature[0]} files are on "
                "record",
                hint="is the disk mounted? nothing was marked missing; delete the files' "
                     "folders to mean it")
        fingerprint = walked.fingerprint()
        last = stored(library)
        if last is not None and not walked.unreadable and (last.fingerprint, last.signature) == (
                fingerprint, signature):
            return self._unchanged(library, walked, ScanState(fingerprint, signature,
                                                              str(iso(self._clock.now()))), actor)
        with _paused_collector():
            diff = compare(library.id, root, walked, load_known(library.id))
        now = self._clock.now()
        store = ItemStore(library.id, now)
        if diff.new:
            self._record_new_files(library, root, diff, store)
        report = ScanReport(
            library=library.name, seen=len(walked.keys), new=len(diff.new),
            changed=len(diff.changed) + len(diff.reappeared) + len(diff.renamed),
            missing=len(diff.vanished), matched=diff.matched, unmatched=diff.unmatched,
            renamed=len(diff.renamed), contents_read=diff.contents_read, warnings=walked.warnings,
            unreadable=len(diff.unreadable))
        with self._uow() as outbox:
            record_known(library.id, db_path(root + os.sep), walked, diff, store)
            store.refresh_statuses()
            keep(library.id, ScanState(fingerprint, record_signature(library.id), str(iso(now))))
            self._uow.audit.record(outbox, "ScanCompleted", ticket_id=None, actor=actor,
                                   data=asdict(report))
        log.info("scanned %s: %s", library.name, report)
        return report

    def _unchanged(self, library: LibraryRow, walked: Walk, state: ScanState,
                   actor: str) -> ScanReport:
        """The folder is as the last scan left it, and nobody changed the record: say so, no more."""
        report = ScanReport(library=library.name, seen=len(walked.keys), warnings=walked.warnings)
        with self._uow() as outbox:
            keep(library.id, state)
            self._uow.audit.record(outbox, "ScanCompleted", ticket_id=None, actor=actor,
                                   data=asdict(report))
        log.info("scanned %s: unchanged, %d files", library.name, report.seen)
        return report

    def _record_new_files(self, library: LibraryRow, root: str, diff: Diff,
                          store: ItemStore) -> None:
        """Identify and record new files in batches: items for the known, the queue for the rest."""
        matcher = FileMatcher(library.kind, known=lambda fields: store.find(fields) is not None)
        choices: dict[int, tuple[str, Any]] = {}
        entries = [(relative, diff.stats[relative][0]) for relative in diff.new]
        for facts in self._facts(root, entries):
            matches = [matcher.match(fact) for fact in facts]
            if not choices and not all(match.identified for match in matches):
                choices = leaf_choices(library.id, LEAF_KIND.get(library.kind, "file"))
            suggestions = {index: self._suggest(match, choices, diff) for index, match in enumerate(matches)
                           if not match.identified}
            with write_transaction():
                record_new(library.id, db_path(root + os.sep), diff.stats, facts, matches,
                           suggestions, store)
            diff.matched += sum(match.identified for match in matches)
            diff.unmatched += sum(not match.identified for match in matches)
            diff.contents_read += sum(fact.size > 0 for fact in facts)

    def _facts(self, root: str, entries: list[tuple[str, int]]) -> Iterator[list[FileFacts]]:
        """Facts of new files in write-sized batches; big scans parse in a spawn-context process pool
        while this process records the batches already parsed (a few chunks ahead, to bound memory)."""
        done = 0
        if len(entries) >= self._pool_threshold:
            workers = max(1, min(os.cpu_count() or 1, 4))
            chunks = deque(entries[start:start + POOL_CHUNK_FILES]
                           for start in range(0, len(entries), POOL_CHUNK_FILES))
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_quiet_worker)
            try:
                running: deque[Future[list[FactsRow]]] = deque()
                batch: list[FileFacts] = []
                while chunks or running:
                    while chunks and len(running) < 2 * workers:
                        running.append(pool.submit(gather_rows, root, chunks.popleft()))
                    batch.extend(facts_from_row(row) for row in running.popleft().result())
                    if len(batch) >= WRITE_BATCH_FILES or not (chunks or running):
                        done += len(batch)
                        yield batch
                        batch = []
            except (BrokenProcessPool, OSError) as error:
                log.warning("parsing pool failed (%s); parsing the other %d names here", error, len(entries) - done)
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
        for start in range(done, len(entries), WRITE_BATCH_FILES):
            yield gather_facts(root, entries[start:start + WRITE_BATCH_FILES])

    def _suggest(self, match: FileMatch, choices: dict[int, tuple[str, Any]],
                 diff: Diff) -> tuple[list[dict[str, Any]], str]:
        """Suggestions for one unmatched file; only the scan's first few ask the providers (1 req/s)."""
        diff.provider_lookups += 1
        found, note = self._suggester.suggest(match.fields, choices,
                                              providers=diff.provider_lookups <= PROVIDER_LOOKUPS_PER_SCAN)
        return [suggestion.to_json() for suggestion in found], note


@contextlib.contextmanager
def _paused_collector() -> Iterator[None]:
    """Hold the cyclic garbage collector while a scan builds its 100,000s of tuples: they hold no
    cycles, and collecting again and again as they grow costs about a tenth of a rescan."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _beside(task: Callable[[], T], work: Callable[[], U]) -> tuple[T, U]:
    """Run a database task on a thread of its own while work runs here; both results, or the first
    error. SQLite and the stat calls release the GIL, so with a second core the task is free."""
    results: list[T] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            results.append(task())
        except BaseException as error:  # noqa: BLE001 - handed to the calling thread, raised there
            failed.append(error)
        finally:
            close_database()

    helper = threading.Thread(target=run, name="scan-record", daemon=True)
    helper.start()
    try:
        done = work()
    finally:
        helper.join()
    if failed:
        raise failed[0]
    return results[0], done


def _quiet_worker() -> None:
    """A parsing process never writes to the terminal (the TUI owns it): no last-resort log output, no warnings."""
    logging.getLogger().addHandler(logging.NullHandler())
    warnings.simplefilter("ignore")

"""The library scanner: walk a root, diff by size and mtime, keep file state, identify new files, queue the rest."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import threading
import warnings
from collections import defaultdict, deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from qtorrentino.db.database import write_transaction
from qtorrentino.db.models import LibraryRow
from qtorrentino.errors import LibraryOffline, NotFound, QtorrentinoError
from qtorrentino.library.items import (
    ItemStore,
    db_path,
    quick_hash,
    sql,
    sql_many,
)
from qtorrentino.library.marker import MARKER_NAME, require_online
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
from qtorrentino.library.unmatched import Suggester, leaf_choices

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

    from qtorrentino.clock import Clock
    from qtorrentino.tickets.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

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


class _Known(NamedTuple):
    """A media file on record that changed, reappeared or vanished."""

    id: int
    path: str
    size: int
    mtime: float
    exists: int
    item_id: int | None
    content_hash: str | None


@dataclass(slots=True)
class _Diff:
    """How the folder differs from the record, and the counts the new files add as they are recorded."""

    new: list[str] = field(default_factory=list)
    changed: list[tuple[_Known, str, str | None]] = field(default_factory=list)
    reappeared: list[tuple[_Known, str]] = field(default_factory=list)
    renamed: list[tuple[_Known, str]] = field(default_factory=list)
    vanished: list[_Known] = field(default_factory=list)
    contents_read: int = 0
    matched: int = 0
    unmatched: int = 0
    provider_lookups: int = 0


def walk(root: str, extensions: frozenset[str],
         excluded: frozenset[str] = frozenset()) -> tuple[dict[str, tuple[int, float]], int, bool]:
    """Regular media files under root as relative path → (size, mtime); warnings; whether root was empty.

    Symlinks are never followed, hidden files (our `.qtorrentino-*.part` temporaries among them),
    partial downloads and the excluded folders (downloads, staging, trash) are skipped, FIFOs and
    devices are never opened, and an unreadable or vanishing entry is a warning, not a failure.
    """
    found: dict[str, tuple[int, float]] = {}
    warnings = 0
    with os.scandir(root) as probe:
        root_empty = all(entry.name == MARKER_NAME for entry in probe)
    pending = [""]
    while pending:
        relative_dir = pending.pop()
        prefix = relative_dir + "/" if relative_dir else ""
        try:
            entries = os.scandir(os.path.join(root, relative_dir) if relative_dir else root)
        except OSError as error:
            warnings += 1
            log.warning("cannot list %r: %s", relative_dir or root, error.strerror)
            continue
        with entries:
            for entry in entries:
                name = entry.name
                if name[0] == ".":
                    continue
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if not excluded or entry.path not in excluded:
                            pending.append(prefix + name)
                        continue
                    dot = name.rfind(".")
                    if dot < 1 or name[dot:].lower() not in extensions:
                        continue
                    if not entry.is_file(follow_symlinks=False):
                        warnings += entry.is_symlink()
                        continue
                    stat = entry.stat(follow_symlinks=False)
                except OSError as error:
                    warnings += 1
                    log.warning("skipping %r: %s", prefix + name, error.strerror)
                    continue
                found[prefix + name] = (stat.st_size, stat.st_mtime)
    return found, warnings, root_empty


@dataclass(slots=True)
class _Record:
    """What is on record for a library: three path-keyed dicts built by SQLite's cursor, not row by row."""

    size: dict[str, int]
    mtime: dict[str, float]
    exists: dict[str, int]

    @classmethod
    def load(cls, library: int) -> _Record:
        return cls(dict(sql("SELECT path, size FROM media_file WHERE library_id = ?", (library,))),
                   dict(sql("SELECT path, mtime FROM media_file WHERE library_id = ?", (library,))),
                   dict(sql('SELECT m.path, COALESCE(s."exists", 0) FROM media_file m LEFT JOIN media_file_state s'
                            " ON s.media_file_id = m.id WHERE m.library_id = ?", (library,))))

    @staticmethod
    def details(paths: list[str]) -> dict[str, _Known]:
        """Full records of the few paths that need them (changed, reappeared, vanished)."""
        found: dict[str, _Known] = {}
        for start in range(0, len(paths), 500):
            chunk = paths[start:start + 500]
            for row in sql('SELECT m.id, m.path, m.size, m.mtime, COALESCE(s."exists", 0), m.library_item_id, '
                           "m.content_hash FROM media_file m LEFT JOIN media_file_state s ON s.media_file_id = m.id "
                           f"WHERE m.path IN ({','.join('?' * len(chunk))})", chunk):
                found[row[1]] = _Known._make(row)
        return found


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
        found, warnings, root_empty = walk(root, LIBRARY_EXTENSIONS.get(library.kind, frozenset()), self._excluded)
        known = _Record.load(library.id)
        if root_empty and any(known.exists.values()):
            raise QtorrentinoError(
                f"library {library.name}: root {root} is empty but {sum(known.exists.values())} files are on record",
                hint="is the disk mounted? nothing was marked missing; delete the files' folders to mean it")
        diff = self._diff(root, found, known)
        store = ItemStore(library.id, self._clock.now())
        matcher = FileMatcher(library.kind, known=lambda fields: store.find(fields) is not None)
        choices: dict[int, tuple[str, Any]] = {}
        for facts in self._facts(root, [(relative, found[relative][0]) for relative in diff.new]):
            matches = [matcher.match(fact) for fact in facts]
            if not choices and not all(match.identified for match in matches):
                choices = leaf_choices(library.id, LEAF_KIND.get(library.kind, "file"))
            suggestions = {index: self._suggest(match, choices, diff) for index, match in enumerate(matches)
                           if not match.identified}
            with write_transaction():
                _record_new(library.id, db_path(root + os.sep), found, facts, matches, suggestions, store)
            diff.matched += sum(match.identified for match in matches)
            diff.unmatched += sum(not match.identified for match in matches)
            diff.contents_read += sum(fact.size > 0 for fact in facts)
        report = ScanReport(
            library=library.name, seen=len(found), new=len(diff.new),
            changed=len(diff.changed) + len(diff.reappeared) + len(diff.renamed), missing=len(diff.vanished),
            matched=diff.matched, unmatched=diff.unmatched, renamed=len(diff.renamed),
            contents_read=diff.contents_read, warnings=warnings)
        with self._uow() as outbox:
            _record_known(library.id, db_path(root + os.sep), found, diff, store)
            store.refresh_statuses()
            self._uow.audit.record(outbox, "ScanCompleted", ticket_id=None, actor=actor, data=asdict(report))
        log.info("scanned %s: %s", library.name, report)
        return report

    def _diff(self, root: str, found: dict[str, tuple[int, float]], known: _Record) -> _Diff:
        diff = _Diff()
        prefix = db_path(root + os.sep)
        found_keys = {prefix + (relative if relative.isascii() else db_path(relative)): relative for relative in found}
        changed: list[tuple[str, str]] = []
        reappeared: list[tuple[str, str]] = []
        sizes, mtimes = known.size, known.mtime
        for key, relative in found_keys.items():
            exists = known.exists.get(key)
            if exists is None:
                diff.new.append(relative)
            elif not exists:
                reappeared.append((key, relative))
            elif (sizes[key], mtimes[key]) != found[relative]:
                changed.append((key, relative))
        gone = [key for key, exists in known.exists.items() if exists and key not in found_keys]
        details = _Record.details([key for key, _ in changed + reappeared] + gone)
        for key, relative in changed:
            size = found[relative][0]
            diff.contents_read += size > 0
            diff.changed.append((details[key], relative, quick_hash(os.path.join(root, relative)) if size else None))
        diff.reappeared = [(details[key], relative) for key, relative in reappeared]
        vanished = [details[key] for key in gone]
        if vanished and diff.new:
            self._find_renames(root, found, diff, vanished)
        renamed = {entry.id for entry, _ in diff.renamed}
        diff.vanished = [entry for entry in vanished if entry.id not in renamed]
        return diff

    @staticmethod
    def _find_renames(root: str, found: dict[str, tuple[int, float]], diff: _Diff, vanished: list[_Known]) -> None:
        """A new path is a known file renamed when size and mtime agree, or (else) the name and content do."""
        by_stat: dict[tuple[int, float], list[_Known]] = defaultdict(list)
        by_name: dict[str, list[_Known]] = defaultdict(list)
        for entry in vanished:
            by_stat[(entry.size, entry.mtime)].append(entry)
            by_name[os.path.basename(entry.path)].append(entry)
        for relative in diff.new:
            name = db_path(os.path.basename(relative))
            same_stat = by_stat.get(found[relative], [])
            same_name = [entry for entry in same_stat if os.path.basename(entry.path) == name]
            chosen = same_name[0] if same_name else same_stat[0] if len(same_stat) == 1 else None
            if chosen is None and by_name.get(name):
                diff.contents_read += 1
                content = quick_hash(os.path.join(root, relative))
                chosen = next((entry for entry in by_name[name] if entry.content_hash
                               and entry.content_hash == content), None)
            if chosen is not None:
                diff.renamed.append((chosen, relative))
                by_stat[(chosen.size, chosen.mtime)].remove(chosen)
                by_name[os.path.basename(chosen.path)].remove(chosen)
        moved = {relative for _, relative in diff.renamed}
        diff.new = [relative for relative in diff.new if relative not in moved]

    def _facts(self, root: str, entries: list[tuple[str, int]]) -> Iterator[list[FileFacts]]:
        """Facts of new files in write-sized batches; big scans parse in a spawn-context process pool
        while this process records the batches already parsed (a few chunks ahead, to bound memory)."""
        done = 0
        if len(entries) >= self._pool_threshold:
            workers = max(1, min(os.cpu_count() or 1, 4))
            chunks = deque(entries[start:start + POOL_CHUNK_FILES] for start in range(0, len(entries), POOL_CHUNK_FILES))
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
                 diff: _Diff) -> tuple[list[dict[str, Any]], str]:
        """Suggestions for one unmatched file; only the scan's first few ask the providers (1 req/s)."""
        diff.provider_lookups += 1
        found, note = self._suggester.suggest(match.fields, choices,
                                              providers=diff.provider_lookups <= PROVIDER_LOOKUPS_PER_SCAN)
        return [suggestion.to_json() for suggestion in found], note


def _quiet_worker() -> None:
    """A parsing process never writes to the terminal (the TUI owns it): no last-resort log output, no warnings."""
    logging.getLogger().addHandler(logging.NullHandler())
    warnings.simplefilter("ignore")


def _record_new(library: int, prefix: str, found: dict[str, tuple[int, float]], facts: list[FileFacts],
                matches: list[FileMatch], suggestions: dict[int, tuple[list[dict[str, Any]], str]],
                store: ItemStore) -> None:
    """Record a batch of new files: items for the identified, the unmatched queue for the rest; imports for all."""
    files: list[tuple[Any, ...]] = []
    imports: list[tuple[Any, ...]] = []
    queued: list[tuple[Any, ...]] = []
    now = store.now_text
    for index, (fact, match) in enumerate(zip(facts, matches, strict=True)):
        path_text = prefix + db_path(fact.path)
        item_id = store.ensure(match.fields, status="available") if match.identified and match.fields else None
        files.append((library, path_text, item_id, fact.size, found[fact.path][1], fact.content_hash, now))
        imports.append((path_text, int(item_id is not None),
                        None if item_id is not None else f"not identified: {match.reason}", now, path_text))
        if item_id is None:
            listed, note = suggestions[index]
            parsed = {"fields": match.fields.to_json() if match.fields else None, "confidence": match.confidence,
                      "method": match.method, "reason": match.reason, "note": note}
            queued.append((library, path_text, fact.size, _json(parsed), _json(listed), now))
    sql_many("INSERT INTO media_file (library_id, path, library_item_id, size, mtime, content_hash, created_at)"
             " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET library_item_id = excluded.library_item_id,"
             " size = excluded.size, mtime = excluded.mtime, content_hash = excluded.content_hash", files)
    sql_many('INSERT INTO media_file_state (media_file_id, "exists", size, mtime, last_verified_at)'
             " SELECT id, 1, size, mtime, ? FROM media_file WHERE path = ? ON CONFLICT(media_file_id) DO UPDATE"
             ' SET "exists" = 1, size = excluded.size, mtime = excluded.mtime,'
             " last_verified_at = excluded.last_verified_at", [(now, row[1]) for row in files])
    sql_many("INSERT INTO import_record (media_file_id, path, method, source_type, success, error, at)"
             " SELECT id, ?, 'scan', 'scan', ?, ?, ? FROM media_file WHERE path = ?", imports)
    sql_many("INSERT INTO unmatched_file (library_id, path, size, source_type, parsed, suggestions, status, "
             "created_at) VALUES (?, ?, ?, 'scan', ?, ?, 'open', ?) ON CONFLICT(path) DO NOTHING", queued)


def _record_known(library: int, prefix: str, found: dict[str, tuple[int, float]], diff: _Diff,
                  store: ItemStore) -> None:
    """Record changed, reappeared, renamed and vanished files, and that every other file was seen now."""
    for entry, relative, content in diff.changed:
        _update_file(entry.id, entry.path, *found[relative], content, store.now_text)
    for entry, relative in diff.reappeared + diff.renamed:
        path_text = prefix + db_path(relative)
        _update_file(entry.id, path_text, *found[relative], entry.content_hash, store.now_text)
        sql("UPDATE unmatched_file SET path = ?, status = CASE status WHEN 'gone' THEN 'open' ELSE status END"
            " WHERE path = ?", (path_text, entry.path))
    store.set_status({entry.item_id for entry, _ in diff.reappeared + diff.renamed if entry.item_id}, "available")
    if diff.vanished:
        sql_many('UPDATE media_file_state SET "exists" = 0, last_verified_at = ? WHERE media_file_id = ?',
                 [(store.now_text, entry.id) for entry in diff.vanished])
        sql_many("UPDATE unmatched_file SET status = 'gone' WHERE path = ? AND status = 'open'",
                 [(entry.path,) for entry in diff.vanished])
        orphaned = {entry.item_id for entry in diff.vanished if entry.item_id is not None}
        items = sorted(orphaned)
        for start in range(0, len(items), 500):
            chunk = items[start:start + 500]
            orphaned.difference_update(item_id for (item_id,) in sql(
                'SELECT DISTINCT m.library_item_id FROM media_file m JOIN media_file_state s ON s.media_file_id = m.id'
                f' WHERE s."exists" = 1 AND m.library_item_id IN ({",".join("?" * len(chunk))})', chunk))
        store.set_status(orphaned, "missing")
    sql('UPDATE media_file_state SET last_verified_at = ? WHERE "exists" = 1 AND media_file_id IN '
        "(SELECT id FROM media_file WHERE library_id = ?)", (store.now_text, library))


def _update_file(media_id: int, path_text: str, size: int, mtime: float, content_hash: str | None,
                 now_text: str) -> None:
    sql("UPDATE media_file SET path = ?, size = ?, mtime = ?, content_hash = ? WHERE id = ?",
        (path_text, size, mtime, content_hash, media_id))
    sql('INSERT INTO media_file_state (media_file_id, "exists", size, mtime, last_verified_at) VALUES (?, 1, ?, ?, ?)'
        ' ON CONFLICT(media_file_id) DO UPDATE SET "exists" = 1, size = excluded.size, mtime = excluded.mtime,'
        " last_verified_at = excluded.last_verified_at", (media_id, size, mtime, now_text))


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

"""Job (c): the model places files on the items the heuristic mapping left without one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qtorrentino.domain.release import parse_release
from qtorrentino.domain.ticket import default_items
from qtorrentino.textbrain.filemap import FileAssignment, FileMapping, usable_files
from qtorrentino.textbrain.llm import shape
from qtorrentino.textbrain.llm.exchange import Discard, LlmRequest, discarded
from qtorrentino.textbrain.llm.prompt_data import (
    STRANGERS_NOTE,
    file_data,
    item_data,
    listing,
    ticket_data,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from qtorrentino.domain.files import FileEntry
    from qtorrentino.domain.ticket import TicketItem, TicketSpec

JOB = "map_files"
LLM_CONFIDENCE = 0.7
"""What an LLM placement counts as: usable, never as sure as a number-and-title match."""
METHOD_PREFIX = "llm: "
"""Starts the reason of every assignment the model made (the audit tells methods apart by it)."""
MAX_REASON_CHARS = 200
MAX_FILES_OFFERED = 400
SYSTEM = (
    "You map the files of one torrent onto the items of a media request that are still without a "
    "file. Map only the items listed, only to the files listed (by index), each file to at most "
    "one item and each item at most once. Leave out any item you cannot place with confidence. "
    "Give one short reason per placement. " + STRANGERS_NOTE
)
SCHEMA = shape.object_schema({"assignments": {"type": "array", "items": shape.object_schema({
    "item_id": {"type": "string"}, "file_index": {"type": "integer"},
    "reason": {"type": "string"}})}})


@dataclass(frozen=True, slots=True)
class Placement:
    """One file the model placed on one item."""

    item_id: str
    file_index: int
    reason: str


@dataclass(frozen=True, slots=True)
class MappingGap:
    """What the heuristic mapping left open: the items without a file, the files not used."""

    items: tuple[TicketItem, ...]
    files: tuple[FileEntry, ...]


def mapping_gap(spec: TicketSpec, files: Sequence[FileEntry], mapping: FileMapping) -> MappingGap:
    """Unmapped requested items and the usable files no assignment took."""
    items = spec.requested_items or default_items(spec.kind, spec.query)
    open_items = tuple(item for item in items if item.id in set(mapping.unmapped))
    taken = {assignment.file.index for assignment in mapping.assignments}
    free = tuple(entry for entry in usable_files(files) if entry.index not in taken)
    return MappingGap(open_items, free[:MAX_FILES_OFFERED])


def mapping_request(spec: TicketSpec, gap: MappingGap) -> LlmRequest:
    """The question: place these files on these items."""
    prompt = listing([("Wanted", ticket_data(spec)),
                      ("Items without a file", [item_data(item) for item in gap.items]),
                      ("Files not yet used", [file_data(entry) for entry in gap.files])])
    return LlmRequest(job=JOB, system=SYSTEM, prompt=prompt, schema=SCHEMA,
                      max_tokens=150 + 80 * len(gap.items))


def mapping_validator(gap: MappingGap) -> Callable[[Any], tuple[Placement, ...]]:
    """A validator: only offered items and files, each used once."""
    item_ids = {item.id for item in gap.items}
    file_indexes = {entry.index for entry in gap.files}

    def validate(answer: Any) -> tuple[Placement, ...]:
        entries = shape.array(shape.obj(answer, ("assignments",), "the answer")["assignments"],
                              "assignments", max(1, len(item_ids)) * 2)
        placements: list[Placement] = []
        for position, raw in enumerate(entries):
            where = f"assignment {position}"
            entry = shape.obj(raw, ("item_id", "file_index", "reason"), where)
            item_id = entry["item_id"]
            if not isinstance(item_id, str) or item_id not in item_ids:
                raise discarded(Discard.UNKNOWN_ITEM, f"{where} names item {item_id!r}, which "
                                "was not offered")
            index = shape.integer(entry["file_index"], f"{where}.file_index")
            if index not in file_indexes:
                raise discarded(Discard.UNKNOWN_FILE, f"{where} names file {index}, which is not "
                                "among the torrent's offered files")
            if any(p.item_id == item_id or p.file_index == index for p in placements):
                raise discarded(Discard.DUPLICATE,
                                f"{where} reuses item {item_id!r} or file {index}")
            reason = shape.text(entry["reason"], f"{where}.reason", MAX_REASON_CHARS)
            placements.append(Placement(item_id, index, reason))
        return tuple(placements)

    return validate


def completed_mapping(
    spec: TicketSpec, gap: MappingGap, mapping: FileMapping, placements: Sequence[Placement]
) -> FileMapping:
    """The heuristic mapping with the model's placements filling its gaps, in the items' order."""
    files = {entry.index: entry for entry in gap.files}
    added = {
        placement.item_id: FileAssignment(
            item_id=placement.item_id, file=files[placement.file_index], confidence=LLM_CONFIDENCE,
            reason=METHOD_PREFIX + placement.reason,
            release=parse_release(files[placement.file_index].path))
        for placement in placements
    }
    items = spec.requested_items or default_items(spec.kind, spec.query)
    order = {item.id: position for position, item in enumerate(items)}
    assignments = sorted((*mapping.assignments, *added.values()),
                         key=lambda entry: order.get(entry.item_id, len(order)))
    unmapped = tuple(item_id for item_id in mapping.unmapped if item_id not in added)
    return FileMapping(tuple(assignments), unmapped, mapping.requested_count)


def placed_by_llm(assignment: FileAssignment) -> bool:
    """Whether the model made this placement (rather than the heuristic mapping)."""
    return assignment.reason.startswith(METHOD_PREFIX)

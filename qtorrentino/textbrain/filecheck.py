"""Look before downloading: a candidate's file list checked against the ticket before any content arrives."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from qtorrentino.domain.files import FileEntry
from qtorrentino.domain.ticket import MUSIC_KINDS, VIDEO_KINDS, TicketSpec
from qtorrentino.errors import MetadataRefused
from qtorrentino.textbrain.filemap import FileMapping, map_files

MIN_MAPPING_CONFIDENCE = 0.3
MappingCompleter = Callable[[TicketSpec, Sequence[FileEntry], FileMapping], FileMapping]
"""Fills items the heuristic mapping left without a file (the LLM's file-mapping job); gives the
mapping back as it was when it cannot."""


def check_file_list(spec: TicketSpec, files: Sequence[FileEntry],
                    complete: MappingCompleter | None = None) -> FileMapping:
    """The mapping of files onto the ticket's items, or MetadataRefused saying why this release will not do.

    complete, when given, is asked to fill the items the heuristic mapping left open before the
    mapping is judged (workers.llm_mapping.mapping_completer in the LLM modes).
    """
    executables = [entry.path for entry in files if entry.is_executable]
    if executables:
        raise MetadataRefused(f"the release holds executable files ({', '.join(executables[:3])})",
                              hint="media releases never need programs; the next candidate is tried")
    if spec.kind in MUSIC_KINDS and not any(entry.is_audio for entry in files):
        raise MetadataRefused("the release holds no audio file", hint="the next candidate is tried")
    if spec.kind in VIDEO_KINDS and not any(entry.is_video for entry in files):
        raise MetadataRefused("the release holds no video file", hint="the next candidate is tried")
    mapping = map_files(spec, files)
    if complete is not None and mapping.unmapped:
        mapping = complete(spec, files, mapping)
    if not mapping.assignments:
        raise MetadataRefused("no file of the release matches what the ticket asks for",
                              hint="the next candidate is tried")
    if mapping.unmapped:
        raise MetadataRefused(f"the release lacks {len(mapping.unmapped)} requested item(s): "
                              f"{', '.join(mapping.unmapped[:5])}", hint="the next candidate is tried")
    if mapping.confidence < MIN_MAPPING_CONFIDENCE:
        raise MetadataRefused(f"the files match the ticket too weakly (confidence {mapping.confidence:.2f})",
                              hint="the next candidate is tried")
    return mapping

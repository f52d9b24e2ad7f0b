"""The one hostile-path rule: the metadata check, candidate scoring and file mapping agree on every path."""

from __future__ import annotations

import pytest

from qtorrentino.domain.files import FileEntry
from qtorrentino.domain.paths import hostile_path_problem
from qtorrentino.domain.ticket_json import spec_from_json
from qtorrentino.errors import HostileMetadata
from qtorrentino.search.result import SearchResult
from qtorrentino.textbrain.filemap import map_files, usable_files
from qtorrentino.textbrain.quality_factors import file_flags
from qtorrentino.torrent.metainfo_check import MetainfoFile, check_metainfo

SPEC = spec_from_json({"library": "Any", "kind": "album", "query": {"artist": "Radiohead", "album": "OK Computer"}})
SAFE_FILE = FileEntry(0, "Radiohead - OK Computer/01 - Airbag.flac", 30_000_000)

HOSTILE_PARTS = [
    pytest.param(("..", "..", ".bashrc"), "'..' path element", id="dotdot"),
    pytest.param(("music", "..", "..", "etc", "cron.d", "x"), "'..' path element", id="dotdot-inside"),
    pytest.param((".", "x.flac"), "'.' path element", id="dot"),
    pytest.param(("", "etc", "passwd"), "empty path element", id="empty-element"),
    pytest.param(("/etc", "passwd"), "absolute path", id="leading-slash"),
    pytest.param(("\\Windows", "x.flac"), "absolute path", id="leading-backslash"),
    pytest.param(("C:", "Windows", "x.flac"), "absolute path", id="drive-letter"),
    pytest.param(("c:evil.flac",), "absolute path", id="drive-relative"),
    pytest.param(("music", "D:", "x.flac"), "drive letter", id="drive-letter-inside"),
    pytest.param(("..\\..\\windows", "x.flac"), "separator inside a name", id="backslash-inside"),
    pytest.param(("....//", "x.flac"), "separator inside a name", id="slash-inside"),
    pytest.param(("01 - Track\x00.flac",), "control", id="nul"),
    pytest.param(("\x1b[31mred.flac",), "control", id="escape"),
    pytest.param(("a\x7fb.flac",), "control", id="delete"),
    pytest.param(("a\x85b.flac",), "control", id="c1-control"),
    pytest.param(("first\u2028second.flac",), "control", id="line-separator"),
    pytest.param(("01 - Track\u202ecalf.exe",), "text-direction", id="right-to-left-override"),
    pytest.param(("\u2066isolate\u2069.flac",), "text-direction", id="bidi-isolate"),
    pytest.param(("CON",), "device", id="device"),
    pytest.param(("nul.txt",), "device", id="device-with-extension"),
    pytest.param(("Com1.flac",), "device", id="device-any-case"),
    pytest.param(("lpt9",), "device", id="printer"),
    pytest.param(("COM\u00b9.flac",), "device", id="device-superscript-digit"),
    pytest.param(("aux .flac",), "device", id="device-trailing-space"),
    pytest.param(("x" * 252 + ".flac",), "name over 255 bytes", id="long-name"),
    pytest.param(("é" * 126 + ".flac",), "name over 255 bytes", id="long-name-in-bytes"),
    pytest.param(("d",) * 64 + ("x.flac",), "nested 65 folders deep", id="deep"),
    pytest.param(("a" * 200,) * 21 + ("x.flac",), "path over 4096 bytes", id="long-path"),
]
"""Every path any of the old copies caught (metadata check, scoring, mapping), with the reason's words,
and the size limits no filesystem could store (which only the metadata check refused before)."""

SAFE_PATHS = [
    "Radiohead - OK Computer/01 - Airbag.flac",
    "CD1/02 - Song: Part II (feat. Someone) [Live].flac",
    "Ünïcødé \u2013 日本語.flac",
    "...And Justice for All/01 - Blackened.flac",
    ".hidden/notes.txt",
    "CONTROL.flac",
    "Console - Live.flac",
    "COM10.flac",
    "AC-DC/Back in Black.flac",
    "Album/Scans (2 of 3)/back.jpg",
]


def search_result(*files: FileEntry) -> SearchResult:
    return SearchResult(title="Radiohead - OK Computer (1997) [FLAC]", indexer="test", size=400_000_000,
                        seeders=20, files=files)


def torrent(*parts: str) -> None:
    """Check a torrent named "Album" holding a safe track and a file at parts."""
    files = [MetainfoFile(parts=("01.flac",), size=1000), MetainfoFile(parts=parts, size=1000)]
    check_metainfo(files, 1, 16384, 2000, name="Album")


@pytest.mark.parametrize(("parts", "reason"), HOSTILE_PARTS)
def test_the_one_rule_names_why_a_path_is_hostile(parts: tuple[str, ...], reason: str) -> None:
    problem = hostile_path_problem(parts)
    assert problem is not None and reason in problem


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/etc/passwd", "absolute path"),
        ("\\\\server\\share\\x.flac", "absolute path"),
        ("C:\\Windows\\x.flac", "absolute path"),
        ("Album/C:/x.flac", "drive letter"),
        ("../../home/user/.bashrc", "'..' path element"),
        ("Album/./x.flac", "'.' path element"),
        ("Album//x.flac", "empty path element"),
        ("Album/", "empty path element"),
        ("", "empty path"),
        ("Album/..\\..\\x.flac", "separator inside a name"),
        ("Album/x\x00.flac", "control"),
    ],
)
def test_a_path_as_text_is_split_on_slashes(path: str, reason: str) -> None:
    problem = hostile_path_problem(path)
    assert problem is not None and reason in problem


def test_a_slash_inside_one_name_is_a_smuggled_separator_not_a_folder() -> None:
    assert hostile_path_problem("AC/DC/x.flac") is None
    assert hostile_path_problem(("AC/DC", "x.flac")) == "has a separator inside a name"


@pytest.mark.parametrize("path", SAFE_PATHS)
def test_ordinary_paths_are_safe_everywhere(path: str) -> None:
    entry = FileEntry(1, path, 1000)
    assert hostile_path_problem(path) is None
    assert hostile_path_problem(tuple(path.split("/"))) is None
    assert "unsafe file paths" not in file_flags(SPEC, search_result(SAFE_FILE, entry))
    assert usable_files([entry]) == [entry]
    torrent(*path.split("/"))


@pytest.mark.parametrize(("parts", "reason"), HOSTILE_PARTS)
def test_a_path_the_metadata_check_refuses_is_flagged_by_scoring_and_never_mapped(
    parts: tuple[str, ...], reason: str
) -> None:
    with pytest.raises(HostileMetadata, match=reason) as refused:
        torrent(*parts)
    assert refused.value.message.startswith("refused torrent 'Album': file ")
    single, inside = "/".join(parts), "Album/" + "/".join(parts)
    for path in (single, inside):
        hostile = FileEntry(1, path, 30_000_000)
        assert "unsafe file paths" in file_flags(SPEC, search_result(SAFE_FILE, hostile)), path
        assert usable_files([SAFE_FILE, hostile]) == [SAFE_FILE], path


@pytest.mark.parametrize(("parts", "reason"), [case for case in HOSTILE_PARTS if len(case.values[0]) == 1])
def test_a_torrent_named_like_a_hostile_name_is_refused(parts: tuple[str, ...], reason: str) -> None:
    with pytest.raises(HostileMetadata, match=reason):
        check_metainfo([MetainfoFile(parts=("01.flac",), size=1000)], 1, 16384, 1000, name=parts[0])


def test_a_hostile_track_is_never_mapped_even_when_its_name_fits_best() -> None:
    spec = spec_from_json({"library": "Any", "kind": "album", "query": {"artist": "Radiohead", "album": "OK Computer"},
                           "items": [{"id": "t1", "disc": 1, "number": 1, "title": "Airbag"}]})
    files = [FileEntry(0, "OK Computer/01 - Airbag\u202ecalf.flac", 30_000_000),
             FileEntry(1, "OK Computer/CON/01 - Airbag.flac", 30_000_000)]
    assert map_files(spec, files).assignments == ()

"""The hostile-metadata check on plain values: what a stranger's torrent may and may not hold."""

from __future__ import annotations

import pytest

from qtorrentino.domain.paths import HOSTILE_PATH_DEPTH
from qtorrentino.errors import HostileMetadata
from qtorrentino.torrent.metainfo_check import (
    MAX_FILES,
    MAX_PIECES,
    MetainfoFile,
    check_metainfo,
    files_from_info,
)

PIECE_LENGTH = 16384


def check(files: list[MetainfoFile], *, name: str = "Album", piece_count: int = 4) -> None:
    """Run the check with sane piece figures for the given files."""
    total_size = max(1, sum(entry.size for entry in files))
    check_metainfo(files, piece_count, PIECE_LENGTH, total_size, name=name)


def track(*parts: str, size: int = 1000) -> MetainfoFile:
    return MetainfoFile(parts=parts, size=size)


def test_an_ordinary_album_with_pad_files_passes() -> None:
    check(
        [
            track("CD1", "01 - Intro.flac"),
            MetainfoFile(parts=(".pad", "15384"), size=15384, pad=True),
            track("CD1", "02 - Song: Part II (feat. Someone) [Live].flac"),
            MetainfoFile(parts=(".pad", "15384"), size=15384, pad=True),
            MetainfoFile(parts=(), size=100, pad=True),
            track("cover.jpg"),
            track("Ünïcødé \u2013 日本語.flac"),
        ]
    )


@pytest.mark.parametrize(
    ("parts", "reason"),
    [
        (("..", "..", ".bashrc"), r"'\.\.' path element"),
        (("music", "..", "..", "etc", "cron.d", "x"), r"'\.\.' path element"),
        ((".", "x.flac"), r"'\.' path element"),
        (("", "etc", "passwd"), "empty path element"),
        (("/etc", "passwd"), "absolute path"),
        (("..\\..\\windows", "x.flac"), "separator"),
        (("....//", "x.flac"), "separator"),
        (("C:", "Windows", "x.flac"), "absolute path"),
        (("CON",), "device"),
        (("nul.txt",), "device"),
        (("Com1.flac",), "device"),
        (("lpt9",), "device"),
        (("01 - Track\x00.flac",), "control"),
        (("\x1b[31mred.flac",), "control"),
        (("01 - Track\u202ecalf.exe",), "text-direction"),
        (("x" * 256,), "over 255 bytes"),
        (("é" * 128,), "over 255 bytes"),
        (tuple(["d"] * (HOSTILE_PATH_DEPTH + 1)), "folders deep"),
    ],
)
def test_hostile_paths_are_refused_with_the_reason(parts: tuple[str, ...], reason: str) -> None:
    with pytest.raises(HostileMetadata, match=reason) as refused:
        check([track("01.flac"), track(*parts)])
    assert "Album" in refused.value.message
    assert refused.value.hint


@pytest.mark.parametrize("name", ["..", "../../evil", "/etc", "AUX", "bad\x07name"])
def test_a_hostile_torrent_name_is_refused(name: str) -> None:
    with pytest.raises(HostileMetadata):
        check([track("01.flac")], name=name)


@pytest.mark.parametrize(
    "target",
    [("..", "..", "etc", "passwd"), ("/etc", "passwd"), (), ("music", "", "x")],
)
def test_a_symlink_pointing_outside_the_torrent_is_refused(target: tuple[str, ...]) -> None:
    link = MetainfoFile(parts=("link",), size=0, symlink=target)
    with pytest.raises(HostileMetadata, match=r"symlink|path element|absolute path"):
        check([track("01.flac"), link])


def test_a_symlink_inside_the_torrent_passes() -> None:
    check(
        [
            track("CD1", "01.flac"),
            MetainfoFile(parts=("latest",), size=0, symlink=("CD1", "01.flac")),
        ]
    )


@pytest.mark.parametrize(
    ("files", "piece_count", "piece_length", "total_size", "reason"),
    [
        ([], 1, PIECE_LENGTH, 1, "no files"),
        ([track("a", size=-5)], 1, PIECE_LENGTH, 1, "negative size"),
        ([track("a", size=1 << 50)], 1, PIECE_LENGTH, 1, "claims"),
        ([track("a")], MAX_PIECES + 1, PIECE_LENGTH, 1000, "pieces"),
        ([track("a")], 0, PIECE_LENGTH, 1000, "pieces"),
        ([track("a")], 1, 100, 1000, "piece length"),
        ([track("a")], 1, 1 << 30, 1000, "piece length"),
        ([track("a")], 1, PIECE_LENGTH, 0, "total size"),
        ([track("a")], 1, PIECE_LENGTH, 1 << 50, "total size"),
    ],
)
def test_absurd_sizes_and_piece_counts_are_refused(
    files: list[MetainfoFile], piece_count: int, piece_length: int, total_size: int, reason: str
) -> None:
    with pytest.raises(HostileMetadata, match=reason):
        check_metainfo(files, piece_count, piece_length, total_size, name="Album")


def test_too_many_files_are_refused() -> None:
    with pytest.raises(HostileMetadata, match="files"):
        check([track(f"{number}.flac", size=1) for number in range(MAX_FILES + 1)])


def test_two_files_with_one_path_are_refused_whatever_the_case() -> None:
    with pytest.raises(HostileMetadata, match="share the path"):
        check([track("CD1", "01.flac"), track("cd1", "01.FLAC")])


def test_a_hybrid_torrent_lists_each_file_in_both_trees() -> None:
    info: dict[bytes, object] = {
        b"name": b"Album",
        b"files": [
            {b"length": 20000, b"path": [b"01.flac"]},
            {b"length": 12768, b"path": [b".pad", b"12768"], b"attr": b"p"},
            {b"length": 5, b"path": [b"02.flac"]},
        ],
        b"file tree": {
            b"01.flac": {b"": {b"length": 20000, b"pieces root": b"x" * 32}},
            b"02.flac": {b"": {b"length": 5, b"pieces root": b"y" * 32}},
        },
    }
    name, files = files_from_info(info)

    assert name == "Album"
    assert [(entry.parts, entry.pad, entry.in_file_tree) for entry in files] == [
        (("01.flac",), False, False),
        ((".pad", "12768"), True, False),
        (("02.flac",), False, False),
        (("01.flac",), False, True),
        (("02.flac",), False, True),
    ]
    check_metainfo(files, 3, PIECE_LENGTH, 32773, name=name)


def test_a_hostile_name_hidden_in_the_v2_file_tree_is_refused() -> None:
    info: dict[bytes, object] = {
        b"name": b"Album",
        b"file tree": {b"..": {b"evil.sh": {b"": {b"length": 5}}}},
    }
    name, files = files_from_info(info)
    with pytest.raises(HostileMetadata, match=r"'\.\.' path element"):
        check_metainfo(files, 1, PIECE_LENGTH, 5, name=name)


def test_a_single_file_torrent_is_its_name() -> None:
    name, files = files_from_info({b"name": b"Movie (2024).mkv", b"length": 7})
    assert (name, files) == (
        "Movie (2024).mkv",
        [MetainfoFile(parts=("Movie (2024).mkv",), size=7)],
    )


def test_the_utf8_spelling_of_a_path_wins() -> None:
    info: dict[bytes, object] = {
        b"name": b"Album",
        b"files": [
            {b"length": 1, b"path": [b"\xe9t\xe9.flac"], b"path.utf-8": ["été.flac".encode()]}
        ],
    }
    assert files_from_info(info)[1][0].parts == ("été.flac",)


@pytest.mark.parametrize(
    ("info", "reason"),
    [
        ({b"name": b"\xff\xfe.flac", b"length": 1}, "UTF-8"),
        ({b"length": 1}, "name"),
        ({b"name": b"Album", b"files": b"not a list"}, "malformed"),
        ({b"name": b"Album", b"files": [{b"length": 1}]}, "no path"),
        ({b"name": b"Album", b"files": [{b"length": b"1", b"path": [b"a"]}]}, "length"),
        ({b"name": b"Album", b"files": [{b"length": 1, b"path": [7]}]}, "not text"),
        (
            {b"name": b"Album", b"files": [{b"length": 1, b"path": [b"a"], b"attr": b"l"}]},
            "symlink",
        ),
    ],
)
def test_malformed_metadata_is_refused_not_crashed_on(
    info: dict[bytes, object], reason: str
) -> None:
    with pytest.raises(HostileMetadata, match=reason):
        files_from_info(info)

"""Path safety and naming templates: hostile names stay one component inside the root."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path, PurePosixPath

import pytest

from qtorrentino.config.model import DEFAULT_NAMING
from qtorrentino.domain.naming import NamingValues, naming_values, render_name, validate_template
from qtorrentino.domain.paths import (
    COMPONENT_MAX_BYTES,
    PATH_MAX_BYTES,
    ensure_inside,
    safe_component,
    safe_relative_path,
)
from qtorrentino.domain.ticket import ItemType, TicketItem, TicketQuery
from qtorrentino.errors import ConfigError, UnsafePath

MUSIC = DEFAULT_NAMING["music"]
MOVIES = DEFAULT_NAMING["movies"]
TV = DEFAULT_NAMING["tv"]

HOSTILE_VALUES = [
    "../../etc",
    "/etc/passwd",
    "..",
    "a\nb\r\tc",
    "evil\u202egnp.exe",
    "\u2066x\u2069",
    "é" * 300,
    "CON",
    "nul.txt",
    "-rf --no-preserve-root",
    ".hidden",
    "trailing. . ",
    "AC/DC",
    "back\\slash",
    "nul\x00byte",
    "\udcff lone surrogate",
]


def assert_component_is_sane(component: str) -> None:
    """The rules every produced path component must meet."""
    assert component not in ("", ".", "..")
    assert "/" not in component
    assert "\\" not in component
    assert not component.startswith((".", "-", " "))
    assert not component.endswith((".", " "))
    assert len(component.encode("utf-8")) <= COMPONENT_MAX_BYTES
    assert all(
        ord(character) >= 32 and character not in "\u202e\u2066\u2069" for character in component
    )
    assert component.split(".")[0].upper() not in {"CON", "NUL", "PRN", "AUX", "COM1", "LPT1"}


def test_music_album_single_disc() -> None:
    values = NamingValues(
        ext="flac",
        artist="Radiohead",
        album="OK Computer",
        year=1997,
        disc=1,
        disc_count=1,
        number=2,
        title="Paranoid Android",
    )
    assert render_name(MUSIC, values) == PurePosixPath(
        "Radiohead/OK Computer (1997)/02 - Paranoid Android.flac"
    )


def test_music_album_multi_disc_gets_a_disc_folder() -> None:
    values = NamingValues(
        ext=".opus",
        artist="Pink Floyd",
        album="The Wall",
        year=1979,
        disc=2,
        disc_count=2,
        number=1,
        title="Hey You",
    )
    assert render_name(MUSIC, values) == PurePosixPath(
        "Pink Floyd/The Wall (1979)/Disc 2/01 - Hey You.opus"
    )


def test_disc_one_of_a_multi_disc_album_also_gets_its_folder() -> None:
    values = NamingValues(
        ext="flac", artist="A", album="B", year=2000, disc=1, disc_count=3, number=9, title="T"
    )
    assert render_name(MUSIC, values) == PurePosixPath("A/B (2000)/Disc 1/09 - T.flac")


def test_movie() -> None:
    values = NamingValues(ext="mkv", title="Big Buck Bunny", year=2008)
    assert render_name(MOVIES, values) == PurePosixPath(
        "Big Buck Bunny (2008)/Big Buck Bunny (2008).mkv"
    )


def test_movie_without_year_drops_the_empty_brackets() -> None:
    assert render_name(MOVIES, NamingValues(ext="mkv", title="Sintel")) == PurePosixPath(
        "Sintel/Sintel.mkv"
    )


def test_album_without_year_drops_the_empty_brackets() -> None:
    values = NamingValues(ext="flac", artist="A", album="B", number=1, title="T")
    assert render_name(MUSIC, values) == PurePosixPath("A/B/01 - T.flac")


def test_tv_episode() -> None:
    values = NamingValues(
        ext="mkv", series="Example Show", season=1, number=2, title="Pilot, Part 2"
    )
    assert render_name(TV, values) == PurePosixPath(
        "Example Show/Season 01/Example Show - S01E02 - Pilot, Part 2.mkv"
    )


def test_missing_titles_fall_back_to_the_item_number() -> None:
    episode = NamingValues(ext="mkv", series="Show", season=3, number=7)
    track = NamingValues(ext="flac", artist="A", album="B", number=4)
    assert render_name(TV, episode).name == "Show - S03E07 - Episode 07.mkv"
    assert render_name(MUSIC, track).name == "04 - Track 04.flac"
    assert render_name(MOVIES, NamingValues(ext="mkv")) == PurePosixPath("Untitled/Untitled.mkv")


def test_colon_becomes_a_dash_and_question_mark_goes() -> None:
    values = NamingValues(ext="mkv", title="Star Wars: Episode IV \u2013 A New Hope?", year=1977)
    assert render_name(MOVIES, values).name == "Star Wars - Episode IV \u2013 A New Hope (1977).mkv"


@pytest.mark.parametrize("hostile", HOSTILE_VALUES)
@pytest.mark.parametrize("field", ["artist", "album", "title"])
def test_hostile_tag_never_adds_a_folder(field: str, hostile: str) -> None:
    base = NamingValues(ext="flac", artist="A", album="B", year=2000, number=1, title="T")
    variants = {
        "artist": replace(base, artist=hostile),
        "album": replace(base, album=hostile),
        "title": replace(base, title=hostile),
    }
    rendered = render_name(MUSIC, variants[field])
    assert len(rendered.parts) == 3
    for component in rendered.parts:
        assert_component_is_sane(component)


@pytest.mark.parametrize("hostile", HOSTILE_VALUES)
def test_hostile_series_name_lands_inside_the_root(hostile: str, tmp_path: Path) -> None:
    values = NamingValues(ext="mkv", series=hostile, season=1, number=1, title=hostile)
    relative = render_name(TV, values)
    assert len(relative.parts) == 3
    destination = ensure_inside(tmp_path, relative)
    assert destination.is_relative_to(tmp_path.resolve())


def test_three_hundred_byte_title_is_cut_keeping_the_extension() -> None:
    values = NamingValues(ext="mkv", series="Show", season=1, number=1, title="ü" * 150)
    name = render_name(TV, values).name
    assert name.endswith(".mkv")
    assert name.startswith("Show - S01E01 - üü")
    assert len(name.encode("utf-8")) <= COMPONENT_MAX_BYTES
    name.encode("utf-8").decode("utf-8")


def test_extension_with_slash_cannot_add_a_folder() -> None:
    rendered = render_name(MOVIES, NamingValues(ext="../../mkv", title="X", year=1))
    assert rendered == PurePosixPath("X (1)/X (1)._.._mkv")


@pytest.mark.parametrize(
    ("template", "field"),
    [
        ("{title}/{rating}.{ext}", "rating"),
        ("{title.__class__}", "title.__class__"),
        ("{0}", "0"),
        ("{}", "{}"),
    ],
)
def test_unknown_template_field_is_a_config_error_naming_it(template: str, field: str) -> None:
    with pytest.raises(ConfigError, match=field.replace("{", r"\{").replace("}", r"\}")):
        validate_template(template)


@pytest.mark.parametrize(
    "template", ["{title", "{title!r}.{ext}", "{number:{title}}", "{title:05d}"]
)
def test_malformed_template_is_a_config_error(template: str) -> None:
    with pytest.raises(ConfigError):
        validate_template(template)


@pytest.mark.parametrize("template", sorted(DEFAULT_NAMING.values()))
def test_default_templates_are_valid(template: str) -> None:
    validate_template(template)


def test_naming_values_from_a_ticket_item() -> None:
    query = TicketQuery(artist="Radiohead", album="OK Computer", year=1997)
    item = TicketItem(id="t1", type=ItemType.TRACK, title="Airbag", disc=1, number=1)
    values = naming_values(query, item, ext="opus", disc_count=1)
    assert render_name(MUSIC, values) == PurePosixPath(
        "Radiohead/OK Computer (1997)/01 - Airbag.opus"
    )
    episode = TicketItem(id="e", type=ItemType.EPISODE, title="Pilot", number=1)
    tv_values = naming_values(TicketQuery(series="Show", season=2), episode, ext="mkv")
    assert render_name(TV, tv_values).name == "Show - S02E01 - Pilot.mkv"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "etc/passwd"),
        ("/abs/olute", "abs/olute"),
        ("a/./b//c", "a/b/c"),
        ("CON/aux.flac", "CON_/aux_.flac"),
        ("-x/-y", "_x/_y"),
        ("dir. /file .", "dir/file"),
        ("a\\..\\b", "a_.._b"),
    ],
)
def test_safe_relative_path_from_text(raw: str, expected: str) -> None:
    assert safe_relative_path(raw) == PurePosixPath(expected)


def test_safe_relative_path_from_parts_keeps_slashes_inside_one_component() -> None:
    assert safe_relative_path(["AC/DC", "../up", "x"]) == PurePosixPath("AC_DC/_up/x")


@pytest.mark.parametrize("raw", ["", "/", "../..", "./.", "...", "???", "\u202e"])
def test_nothing_sane_left_raises_unsafe_path(raw: str) -> None:
    with pytest.raises(UnsafePath, match="no usable file name"):
        safe_relative_path(raw)


def test_too_deep_a_path_raises_unsafe_path() -> None:
    with pytest.raises(UnsafePath, match="folders deep"):
        safe_relative_path("/".join(["d"] * 100))


def test_whole_path_is_bounded() -> None:
    long_path = safe_relative_path(["x" * 230] * 8 + ["y" * 230 + ".flac"])
    assert len(str(long_path).encode("utf-8")) <= PATH_MAX_BYTES
    assert long_path.name.endswith(".flac")
    assert len(long_path.parts) == 9


def test_random_hostile_names_always_give_sane_components_inside_the_root(tmp_path: Path) -> None:
    pieces = [
        *'ab./\\-: ?*<>|"\x00\n\t\u202e\u2066é日',
        "..",
        "CON",
        "nul",
        "COM1",
        "x" * 90,
        "\ud800",
    ]
    generator = random.Random(20261121)  # reproducible test data
    for _ in range(600):
        name = "".join(generator.choice(pieces) for _ in range(generator.randint(1, 40)))
        try:
            relative = safe_relative_path(name)
        except UnsafePath:
            continue
        for component in relative.parts:
            assert_component_is_sane(component)
        assert safe_relative_path(relative) == relative
        assert ensure_inside(tmp_path, relative).is_relative_to(tmp_path.resolve())
        episode = NamingValues(ext=name, series=name, season=1, number=1, title=name)
        assert len(render_name(TV, episode).parts) == 3


def test_safe_component_is_idempotent() -> None:
    for hostile in HOSTILE_VALUES:
        once = safe_component(hostile)
        assert safe_component(once) == once


def test_ensure_inside_refuses_a_symlinked_folder_leading_out(tmp_path: Path) -> None:
    root, outside = tmp_path / "library", tmp_path / "elsewhere"
    root.mkdir()
    outside.mkdir()
    (root / "Artist").symlink_to(outside)
    with pytest.raises(UnsafePath, match="outside the library root"):
        ensure_inside(root, PurePosixPath("Artist/album.flac"))


def test_ensure_inside_refuses_a_planted_symlink_pointing_out(tmp_path: Path) -> None:
    root = tmp_path / "library"
    root.mkdir()
    (root / "track.flac").symlink_to(tmp_path / "secret")
    with pytest.raises(UnsafePath):
        ensure_inside(root, PurePosixPath("track.flac"))


def test_ensure_inside_keeps_the_final_name_unresolved(tmp_path: Path) -> None:
    root = tmp_path / "library"
    root.mkdir()
    (root / "real.flac").write_bytes(b"x")
    (root / "alias.flac").symlink_to(root / "real.flac")
    assert ensure_inside(root, PurePosixPath("alias.flac")) == root.resolve() / "alias.flac"


def test_ensure_inside_accepts_a_library_root_that_is_itself_a_symlink(tmp_path: Path) -> None:
    (tmp_path / "disk").mkdir()
    (tmp_path / "library").symlink_to(tmp_path / "disk")
    placed = ensure_inside(tmp_path / "library", PurePosixPath("a/b.flac"))
    assert placed == (tmp_path / "disk" / "a" / "b.flac").resolve()


def test_ensure_inside_refuses_absolute_and_dotdot_paths(tmp_path: Path) -> None:
    with pytest.raises(UnsafePath):
        ensure_inside(tmp_path, Path("/etc/passwd"))
    with pytest.raises(UnsafePath):
        ensure_inside(tmp_path / "lib", Path("../x"))

"""Render a library's naming template for one item into a safe relative path."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from qtorrentino.domain.paths import safe_component, safe_relative_path
from qtorrentino.domain.ticket import ItemType, TicketItem, TicketQuery
from qtorrentino.errors import ConfigError

if TYPE_CHECKING:
    from pathlib import PurePosixPath


@dataclass(frozen=True, slots=True)
class NamingValues:
    """What a naming template can say about one item; None means unknown."""

    ext: str = ""
    """File extension, with or without its leading dot."""
    title: str | None = None
    """Track, episode or movie title."""
    artist: str | None = None
    album: str | None = None
    year: int | None = None
    disc: int | None = None
    disc_count: int | None = None
    """Discs in the album; more than one (or a disc above 1) gives `disc_prefix` = "Disc N/"."""
    number: int | None = None
    """Track or episode number."""
    series: str | None = None
    season: int | None = None

    @property
    def is_multi_disc(self) -> bool:
        return (self.disc_count or 0) > 1 or (self.disc or 1) > 1


TEMPLATE_FIELDS = frozenset({field.name for field in fields(NamingValues)} | {"disc_prefix"})
"""Every field a naming template may use."""

_FORMATTER = string.Formatter()
_EMPTY_BRACKETS = re.compile(r"\s*(\(\s*\)|\[\s*\]|\{\s*\})")
_SEPARATOR_BEFORE_EXTENSION = re.compile(r"[\s\-]+(\.[^.\s]{1,12})$")
_LEADING_SEPARATOR = re.compile(r"^[\s\-]+")
_WHITESPACE_RUN = re.compile(r"\s{2,}")


def validate_template(template: str) -> None:
    """Check a naming template before any item uses it.

    Raises:
        ConfigError: unbalanced braces, a positional or unknown field, attribute or index access,
            or a conversion such as `!r`; the message names the offending field.
    """
    _parse(template)
    render_name(
        template,
        NamingValues(
            ext="ext",
            title="t",
            artist="a",
            album="b",
            year=2000,
            disc=1,
            disc_count=1,
            number=1,
            series="s",
            season=1,
        ),
    )


def render_name(template: str, values: NamingValues) -> PurePosixPath:
    """Render template for values into a relative path that can never leave the library root.

    Each value is sanitised as one path component before substitution, so a `/` or `../` in a tag
    never adds a folder. A missing year drops its " ()" cleanly; a missing title falls back to
    "Track NN", "Episode NN" or "Untitled".

    Raises:
        ConfigError: the template is malformed or names an unknown field.
        UnsafePath: nothing usable is left of the rendered name.
    """
    substitutions = _substitutions(values)
    rendered: list[str] = []
    for literal, field_name, format_spec in _parse(template):
        rendered.append(literal)
        if field_name is None:
            continue
        value = substitutions[field_name]
        if value is None or value == "":
            continue
        try:
            rendered.append(format(value, format_spec))
        except (ValueError, TypeError) as error:
            raise ConfigError(
                f"naming template field {{{field_name}:{format_spec}}} cannot format {value!r}: "
                f"{error}",
                hint="use a format that fits the field: {number:02d} for numbers, {title} for text",
            ) from error
    segments = [_tidy_segment(segment) for segment in "".join(rendered).split("/")]
    return safe_relative_path(segment for segment in segments if segment)


def naming_values(
    query: TicketQuery, item: TicketItem, *, ext: str, disc_count: int | None = None
) -> NamingValues:
    """Collect the naming values of one ticket item from its ticket's query."""
    if item.type is ItemType.EPISODE:
        return NamingValues(
            ext=ext,
            title=item.title or None,
            series=query.series,
            year=query.year,
            season=item.season if item.season is not None else query.season,
            number=item.number,
        )
    if item.type is ItemType.TRACK:
        return NamingValues(
            ext=ext,
            title=item.title or None,
            artist=query.artist,
            album=query.album,
            year=query.year,
            disc=item.disc,
            disc_count=disc_count,
            number=item.number,
        )
    return NamingValues(
        ext=ext,
        title=item.title or query.title or query.text,
        year=query.year,
        artist=query.artist,
        album=query.album,
        series=query.series,
    )


def _parse(template: str) -> list[tuple[str, str | None, str]]:
    """Split template into (literal, field, format spec) triples; refuse what it may not do."""
    try:
        parsed = list(_FORMATTER.parse(template))
    except ValueError as error:
        raise ConfigError(
            f"naming template {template!r} is malformed: {error}",
            hint="balance the braces; write {{ and }} for literal braces",
        ) from error
    triples: list[tuple[str, str | None, str]] = []
    for literal, field_name, format_spec, conversion in parsed:
        if field_name is None:
            triples.append((literal, None, ""))
            continue
        if field_name not in TEMPLATE_FIELDS:
            known = ", ".join(sorted(TEMPLATE_FIELDS))
            raise ConfigError(
                f"naming template {template!r} uses unknown field {{{field_name}}}",
                hint=f"fields a template may use: {known}",
            )
        if conversion is not None or "{" in (format_spec or ""):
            raise ConfigError(
                f"naming template field {{{field_name}}} has a conversion or nested field",
                hint="write the field plainly, with at most a format such as {number:02d}",
            )
        triples.append((literal, field_name, format_spec or ""))
    return triples


def _substitutions(values: NamingValues) -> dict[str, str | int | None]:
    """Every template field's value: text sanitised as one component, numbers as they are."""
    extension = values.ext.lstrip(".")
    return {
        "ext": safe_component(extension) if extension else None,
        "title": _component(values.title) or _fallback_title(values),
        "artist": _component(values.artist) or "Unknown Artist",
        "album": _component(values.album) or "Unknown Album",
        "series": _component(values.series) or "Unknown Series",
        "year": values.year,
        "disc": values.disc,
        "disc_count": values.disc_count,
        "number": values.number,
        "season": values.season,
        "disc_prefix": f"Disc {values.disc or 1}/" if values.is_multi_disc else "",
    }


def _component(text: str | None) -> str:
    """Sanitise a text value as one path component ("" when it is missing or nothing is left)."""
    return safe_component(text) if text else ""


def _fallback_title(values: NamingValues) -> str:
    """A sane title for an item that has none."""
    if values.number is not None and values.series:
        return f"Episode {values.number:02d}"
    if values.number is not None:
        return f"Track {values.number:02d}"
    return "Untitled"


def _tidy_segment(segment: str) -> str:
    """Remove what missing values leave: empty brackets, dangling separators, double spaces."""
    tidied = _EMPTY_BRACKETS.sub("", segment)
    tidied = _SEPARATOR_BEFORE_EXTENSION.sub(r"\1", tidied)
    tidied = _LEADING_SEPARATOR.sub("", tidied)
    return _WHITESPACE_RUN.sub(" ", tidied).strip()

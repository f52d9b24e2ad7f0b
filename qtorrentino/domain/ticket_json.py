"""Ticket JSON ⇄ TicketSpec; every validation error names the field path and what was expected."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from qtorrentino.domain.quality import family_of, parse_quality
from qtorrentino.domain.ticket import (
    FORMATS,
    Constraints,
    ItemType,
    TicketItem,
    TicketKind,
    TicketQuery,
    TicketSpec,
    default_items,
)
from qtorrentino.errors import TicketValidationError

TOP_FIELDS = frozenset({"kind", "query", "items", "constraints", "library", "priority", "dry_run",
                        "requested_by", "auto_approve_threshold"} | {"watch", "upgrade_until"})
QUERY_FIELDS = frozenset({"artist", "album", "year", "label", "musicbrainz_release_id", "genres", "title",
                          "tmdb_id", "imdb_id", "series", "season", "episodes", "tvdb_id", "text", "tags"}
                         | {"air_date", "absolute_episodes"})
ITEM_FIELDS = frozenset({"id", "type", "disc", "number", "title", "duration_secs", "requested", "season"})
CONSTRAINT_FIELDS = frozenset({"format", "bitrate_kbps", "sample_rate_hz", "embed_tags", "embed_cover",
                               "resolution", "video_codecs", "release_groups", "min_size_mb", "max_size_mb",
                               "replace_existing", "must_not"})
RESOLUTIONS = ("480p", "576p", "720p", "1080p", "2160p")
REQUIRED_QUERY: dict[TicketKind, tuple[str, ...]] = {
    TicketKind.ALBUM: ("artist", "album"),
    TicketKind.TRACK: ("artist",),
    TicketKind.MOVIE: ("title",),
    TicketKind.EPISODE: ("series", "season", "episodes"),
    TicketKind.SEASON: ("series", "season"),
    TicketKind.GENERIC: ("text",),
}


def _fail(path: str, message: str) -> TicketValidationError:
    return TicketValidationError(f"ticket field '{path}': {message}",
                                 hint="docs/ticket-json.md describes the ticket JSON")


def _check_keys(value: Mapping[str, Any], allowed: frozenset[str], path: str) -> None:
    for key in value:
        if key not in allowed:
            where = f"{path}.{key}" if path else key
            raise _fail(where, f"unknown field (known: {', '.join(sorted(allowed))})")


def _object(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(path, f"expected an object, got {type(value).__name__}")
    return value


def _str(value: Any, path: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _fail(path, f"expected a string, got {type(value).__name__}")
    return value.strip() or None


def _int(value: Any, path: str, *, low: int | None = None, high: int | None = None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(path, f"expected an integer, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise _fail(path, f"{value} is out of range {low}..{high}")
    return value


def _float(value: Any, path: str, *, low: float, high: float) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(path, f"expected a number, got {value!r}")
    if not low <= value <= high:
        raise _fail(path, f"{value} is out of range {low}..{high}")
    return float(value)


def _bool(value: Any, path: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise _fail(path, f"expected true or false, got {value!r}")
    return value


def _list(value: Any, path: str, convert: Callable[[Any, str], Any]) -> tuple[Any, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail(path, f"expected a list, got {type(value).__name__}")
    return tuple(convert(entry, f"{path}[{index}]") for index, entry in enumerate(value))


def _date(value: Any, path: str) -> str | None:
    """An ISO calendar date ("2019-03-14"), as release names give air dates."""
    text = _str(value, path)
    if text is None:
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise _fail(path, f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _required_str(value: Any, path: str) -> str:
    text = _str(value, path)
    if text is None:
        raise _fail(path, "must not be empty")
    return text


def _query(raw: Mapping[str, Any]) -> TicketQuery:
    _check_keys(raw, QUERY_FIELDS, "query")
    return TicketQuery(
        artist=_str(raw.get("artist"), "query.artist"),
        album=_str(raw.get("album"), "query.album"),
        year=_int(raw.get("year"), "query.year", low=1800, high=2200),
        label=_str(raw.get("label"), "query.label"),
        musicbrainz_release_id=_str(raw.get("musicbrainz_release_id"), "query.musicbrainz_release_id"),
        genres=_list(raw.get("genres"), "query.genres", _required_str),
        title=_str(raw.get("title"), "query.title"),
        tmdb_id=_int(raw.get("tmdb_id"), "query.tmdb_id", low=1),
        imdb_id=_str(raw.get("imdb_id"), "query.imdb_id"),
        series=_str(raw.get("series"), "query.series"),
        season=_int(raw.get("season"), "query.season", low=0, high=999),
        episodes=_list(raw.get("episodes"), "query.episodes",
                       lambda value, path: _int(value, path, low=0, high=9999)),
        tvdb_id=_int(raw.get("tvdb_id"), "query.tvdb_id", low=1),
        text=_str(raw.get("text"), "query.text"),
        tags=_list(raw.get("tags"), "query.tags", _required_str),
        air_date=_date(raw.get("air_date"), "query.air_date"),
        absolute_episodes=_list(raw.get("absolute_episodes"), "query.absolute_episodes",
                                lambda value, path: _int(value, path, low=1, high=99999)),
    )


def _item(raw_value: Any, path: str, kind: TicketKind) -> TicketItem:
    raw = _object(raw_value, path)
    _check_keys(raw, ITEM_FIELDS, path)
    default_type = {TicketKind.MOVIE: ItemType.MOVIE, TicketKind.EPISODE: ItemType.EPISODE,
                    TicketKind.SEASON: ItemType.EPISODE, TicketKind.GENERIC: ItemType.FILE}.get(kind, ItemType.TRACK)
    type_text = _str(raw.get("type"), f"{path}.type")
    try:
        item_type = ItemType(type_text) if type_text else default_type
    except ValueError:
        raise _fail(f"{path}.type", f"expected one of {', '.join(t.value for t in ItemType)}") from None
    return TicketItem(
        id=_required_str(raw.get("id"), f"{path}.id"),
        type=item_type,
        title=_str(raw.get("title"), f"{path}.title") or "",
        disc=_int(raw.get("disc"), f"{path}.disc", low=1, high=999),
        number=_int(raw.get("number"), f"{path}.number", low=0, high=9999),
        season=_int(raw.get("season"), f"{path}.season", low=0, high=999),
        duration_secs=_float(raw.get("duration_secs"), f"{path}.duration_secs", low=0, high=86400 * 2),
        requested=_bool(raw.get("requested"), f"{path}.requested", True),
    )


def _constraints(raw: Mapping[str, Any]) -> Constraints:
    _check_keys(raw, CONSTRAINT_FIELDS, "constraints")
    target = _str(raw.get("format"), "constraints.format")
    if target is not None and target not in FORMATS:
        raise _fail("constraints.format", f"{target!r} is not one of {', '.join(FORMATS)}")
    resolution = _str(raw.get("resolution"), "constraints.resolution")
    if resolution is not None and resolution.lower() not in RESOLUTIONS:
        raise _fail("constraints.resolution", f"{resolution!r} is not one of {', '.join(RESOLUTIONS)}")
    low = _int(raw.get("min_size_mb"), "constraints.min_size_mb", low=0)
    high = _int(raw.get("max_size_mb"), "constraints.max_size_mb", low=0)
    if low and high and low > high:
        raise _fail("constraints.min_size_mb", f"{low} is above max_size_mb {high}: no release can fit")
    return Constraints(
        format=target,
        bitrate_kbps=_int(raw.get("bitrate_kbps"), "constraints.bitrate_kbps", low=8, high=3000),
        sample_rate_hz=_int(raw.get("sample_rate_hz"), "constraints.sample_rate_hz", low=8000, high=384000),
        embed_tags=_bool(raw.get("embed_tags"), "constraints.embed_tags", True),
        embed_cover=_bool(raw.get("embed_cover"), "constraints.embed_cover", True),
        resolution=resolution.lower() if resolution else None,
        video_codecs=_list(raw.get("video_codecs"), "constraints.video_codecs", _required_str),
        release_groups=_list(raw.get("release_groups"), "constraints.release_groups", _required_str),
        min_size_mb=low,
        max_size_mb=high,
        replace_existing=_bool(raw.get("replace_existing"), "constraints.replace_existing", False),
        must_not=_list(raw.get("must_not"), "constraints.must_not", _required_str),
    )


def upgrade_cutoff(value: Any, kind: TicketKind, path: str = "upgrade_until") -> str | None:
    """A quality name checked against the order of the ticket's kind (music or video)."""
    text = _str(value, path)
    if text is None:
        return None
    try:
        return parse_quality(text, family_of(kind.value)).name
    except ValueError as error:
        raise _fail(path, str(error)) from None


def _watching(raw: Mapping[str, Any], kind: TicketKind) -> tuple[bool, str | None]:
    """`watch` and `upgrade_until`; an upgrade cutoff implies watching, so `"watch": false` with one is an error."""
    upgrade_until = upgrade_cutoff(raw.get("upgrade_until"), kind)
    watch = _bool(raw.get("watch"), "watch", upgrade_until is not None)
    if upgrade_until is not None and not watch:
        raise _fail("watch", "upgrade_until implies watching: drop `\"watch\": false` or upgrade_until")
    return watch, upgrade_until


def spec_from_json(value: Any) -> TicketSpec:
    """Validate one ticket object of the contract and turn it into a TicketSpec."""
    raw = _object(value, "(ticket)")
    _check_keys(raw, TOP_FIELDS, "")
    kind_text = _required_str(raw.get("kind"), "kind")
    try:
        kind = TicketKind(kind_text)
    except ValueError:
        raise _fail("kind", f"{kind_text!r} is not one of {', '.join(k.value for k in TicketKind)}") from None
    query = _query(_object(raw.get("query", {}), "query"))
    for name in REQUIRED_QUERY[kind]:
        if getattr(query, name) in (None, ()):
            raise _fail(f"query.{name}", f"required for a {kind.value} ticket")
    items = _list(raw.get("items"), "items", lambda entry, path: _item(entry, path, kind))
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.id in seen:
            raise _fail(f"items[{index}].id", f"duplicate id {item.id!r}")
        seen.add(item.id)
    if kind is TicketKind.TRACK and not items:
        raise _fail("items", "a track ticket lists the tracks it wants")
    threshold = _float(raw.get("auto_approve_threshold"), "auto_approve_threshold", low=0.0, high=1.0)
    watch, upgrade_until = _watching(raw, kind)
    return TicketSpec(
        kind=kind,
        query=query,
        items=items or default_items(kind, query),
        constraints=_constraints(_object(raw.get("constraints", {}), "constraints")),
        library=_str(raw.get("library"), "library"),
        priority=_int(raw.get("priority"), "priority", low=0, high=65535) if "priority" in raw else 100,  # type: ignore[arg-type]
        dry_run=_bool(raw.get("dry_run"), "dry_run", False),
        requested_by=_str(raw.get("requested_by"), "requested_by"),
        auto_approve_threshold=threshold,
        watch=watch,
        upgrade_until=upgrade_until,
    )


def specs_from_json(value: Any) -> list[TicketSpec]:
    """A ticket object or a list of them; errors in a list name the entry's index."""
    if isinstance(value, list):
        specs = []
        for index, entry in enumerate(value):
            try:
                specs.append(spec_from_json(entry))
            except TicketValidationError as error:
                raise TicketValidationError(f"ticket #{index}: {error.message}", hint=error.hint) from None
        return specs
    return [spec_from_json(value)]


def _drop_empty(values: dict[str, Any]) -> dict[str, Any]:
    return {key: list(value) if isinstance(value, tuple) else value
            for key, value in values.items() if value not in (None, (), "")}


def item_to_json(item: TicketItem) -> dict[str, Any]:
    """One item in the input shape."""
    return _drop_empty({"id": item.id, "type": item.type.value, "disc": item.disc, "number": item.number,
                        "season": item.season, "title": item.title, "duration_secs": item.duration_secs,
                        "requested": item.requested})


def spec_to_json(spec: TicketSpec) -> dict[str, Any]:
    """A TicketSpec back in the input shape (what TicketCreated records and `ticket add` reads)."""
    query = _drop_empty({name: getattr(spec.query, name) for name in sorted(QUERY_FIELDS)})
    defaults = Constraints()
    constraints = {name: (list(value) if isinstance(value, tuple) else value)
                   for name in sorted(CONSTRAINT_FIELDS)
                   if (value := getattr(spec.constraints, name)) != getattr(defaults, name)}
    result: dict[str, Any] = {"kind": spec.kind.value, "query": query,
                              "items": [item_to_json(item) for item in spec.items],
                              "constraints": constraints, "library": spec.library, "priority": spec.priority,
                              "dry_run": spec.dry_run}
    if spec.requested_by:
        result["requested_by"] = spec.requested_by
    if spec.auto_approve_threshold is not None:
        result["auto_approve_threshold"] = spec.auto_approve_threshold
    if spec.watch:
        result["watch"] = True
    if spec.upgrade_until is not None:
        result["upgrade_until"] = spec.upgrade_until
    return result

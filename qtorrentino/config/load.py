"""Read config.toml into Config; a wrong type, unknown key or bad path names the key and the fix."""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

from qtorrentino.config.home import Home
from qtorrentino.config.model import (
    ENCRYPTION_POLICIES,
    LIBRARY_KINDS,
    LINK_POLICIES,
    LLM_PROVIDERS,
    NO_LIMIT,
    NOTIFY_EVENTS,
    SEED_GOAL_ACTIONS,
    TEXTBRAIN_MODES,
    Config,
    IndexerConfig,
    LibraryConfig,
    LlmConfig,
    MusicBrainzConfig,
    NetworkConfig,
    NotifyConfig,
    PathsConfig,
    Secret,
    TextbrainConfig,
    TmdbConfig,
    TorrentConfig,
    UiConfig,
    WatchConfig,
    WorkersConfig,
)
from qtorrentino.config.proxy import parse_proxy
from qtorrentino.domain.naming import validate_template
from qtorrentino.domain.ticket import FORMATS
from qtorrentino.errors import ConfigError

TOP_KEYS = ("paths", "torrent", "indexers", "textbrain", "libraries", "workers", "musicbrainz", "tmdb", "ui",
            "notify", "network", "watch")
CHOICES: dict[str, tuple[str, ...]] = {
    "torrent.encryption": ENCRYPTION_POLICIES,
    "textbrain.mode": TEXTBRAIN_MODES,
    "textbrain.llm.provider": LLM_PROVIDERS,
    "libraries.kind": LIBRARY_KINDS,
    "libraries.link": LINK_POLICIES,
    "libraries.format": FORMATS,
    "notify.events": NOTIFY_EVENTS,
    "torrent.on_seed_goal": SEED_GOAL_ACTIONS,
}
NO_LIMIT_KEYS = ("torrent.seed_ratio", "torrent.seed_time_hours", "indexers.seed_ratio", "indexers.seed_time_hours")
"""Keys where -1 means no limit."""
MAX_PEER_ID_PREFIX = 20


class _Reader:
    """Walks one TOML table against a dataclass, collecting typed values or raising ConfigError."""

    def __init__(self, source: Path) -> None:
        self.source = source

    def error(self, where: str, message: str, fix: str) -> ConfigError:
        return ConfigError(f"{self.source.name}: {where}: {message}", hint=fix)

    def unknown(self, table: dict[str, Any], known: list[str], where: str) -> None:
        for key in table:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1)
                fix = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(known)}"
                raise self.error(where, f"unknown key '{key}'", fix)

    def section(self, cls: type, table: Any, where: str, skip: tuple[str, ...] = (),
                **extra: Any) -> Any:
        if not isinstance(table, dict):
            raise self.error(where, f"expected a table, got {type(table).__name__}", f"write it as [{where}]")
        known = [field.name for field in fields(cls)]
        self.unknown(table, known, where)
        values: dict[str, Any] = dict(extra)
        for field in fields(cls):
            if field.name in skip or field.name in extra:
                continue
            key = f"{where}.{field.name}"
            if field.name not in table:
                if field.default is MISSING and field.default_factory is MISSING:
                    raise self.error(where, f"missing key '{field.name}'", f"add {field.name} = ... to {where}")
                continue
            values[field.name] = self.value(table[field.name], field.type, key, where)
        return values

    def value(self, raw: Any, type_name: Any, key: str, where: str) -> Any:
        name = key.rsplit(".", 1)[-1]
        example = f"e.g. {name} = "
        type_text = str(type_name)
        if type_text == "bool":
            if not isinstance(raw, bool):
                raise self.error(where, f"{name} = {raw!r}: expected true or false", example + "true")
            return raw
        if type_text == "int":
            if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
                raise self.error(where, f"{name} = {raw!r}: expected a whole number ≥ 0", example + "3")
            return raw
        if type_text in ("float", "float | None"):
            no_limit = _choice_key(key) in NO_LIMIT_KEYS
            if isinstance(raw, bool) or not isinstance(raw, (int, float)) or (raw < 0 and not
                                                                              (no_limit and raw == NO_LIMIT)):
                expected = "a number ≥ 0, or -1 for no limit" if no_limit else "a number ≥ 0"
                raise self.error(where, f"{name} = {raw!r}: expected {expected}", example + "1.0")
            return float(raw)
        if type_text in ("str", "Secret", "Path"):
            if not isinstance(raw, str):
                raise self.error(where, f"{name} = {raw!r}: expected a string", example + '"..."')
            choices = CHOICES.get(_choice_key(key))
            if choices and raw not in choices:
                raise self.error(where, f"{name} = {raw!r}: expected one of {', '.join(choices)}",
                                 example + f'"{choices[0]}"')
            if type_text == "Secret":
                return Secret(raw)
            return Path(raw).expanduser() if type_text == "Path" else raw
        if type_text == "tuple[int, ...]":
            if not isinstance(raw, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in raw):
                raise self.error(where, f"{name} = {raw!r}: expected a list of whole numbers", example + "[3000, 2000]")
            return tuple(raw)
        if type_text == "tuple[str, ...]":
            if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
                raise self.error(where, f"{name} = {raw!r}: expected a list of strings", example + '["..."]')
            choices = CHOICES.get(_choice_key(key))
            wrong = [v for v in raw if choices and v not in choices]
            if wrong:
                raise self.error(where, f"{name}: {wrong[0]!r} is not one of {', '.join(choices or ())}",
                                 example + f'["{(choices or ("",))[0]}"]')
            return tuple(raw)
        if type_text == "dict[str, str]":
            if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
                raise self.error(where, f"{name}: expected a table of strings", '"approvals.approve" = "y"')
            return dict(raw)
        raise self.error(where, f"{name}: unsupported value", "remove it")


def _choice_key(key: str) -> str:
    """'[[libraries]] #2.kind' → 'libraries.kind'; '[textbrain.llm].provider' → 'textbrain.llm.provider'."""
    table, _, name = key.rpartition(".")
    table = table.split(" #")[0].strip("[]")
    return f"{table}.{name}"


def load_config(home: Home) -> Config:
    """Load and validate the home's config.toml (all defaults when the file does not exist)."""
    source = home.config_file
    raw: dict[str, Any] = {}
    if source.exists():
        try:
            raw = tomllib.loads(source.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{source}: not valid TOML: {error}", hint="fix the syntax at that line") from None
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{source}: cannot read: {error}", hint="check the file's permissions") from None
    return parse_config(raw, home, source)


def parse_config(raw: dict[str, Any], home: Home, source: Path) -> Config:
    """Validate a parsed TOML document into a Config."""
    reader = _Reader(source)
    reader.unknown(raw, list(TOP_KEYS), "config")
    paths_table = raw.get("paths", {})
    paths_values = reader.section(PathsConfig, paths_table, "[paths]",
                                  download_dir=home.default_download_dir, staging_dir=home.default_staging_dir)
    if isinstance(paths_table, dict):
        for name in ("download_dir", "staging_dir"):
            if name in paths_table:
                paths_values[name] = _absolute(reader.value(paths_table[name], "Path", f"paths.{name}", "[paths]"),
                                               home)
    if paths_values.get("watch_dir"):
        paths_values["watch_dir"] = str(_absolute(Path(paths_values["watch_dir"]).expanduser(), home))
    paths = PathsConfig(**paths_values)
    torrent = TorrentConfig(**reader.section(TorrentConfig, raw.get("torrent", {}), "[torrent]"))
    indexers = tuple(_indexers(reader, raw.get("indexers", [])))
    textbrain_table = raw.get("textbrain", {})
    llm = LlmConfig(**reader.section(LlmConfig, textbrain_table.get("llm", {}) if isinstance(textbrain_table, dict)
                                     else {}, "[textbrain.llm]"))
    textbrain = TextbrainConfig(**reader.section(TextbrainConfig, textbrain_table, "[textbrain]", llm=llm))
    if textbrain.auto_approve_threshold > 1:
        raise reader.error("[textbrain]", f"auto_approve_threshold = {textbrain.auto_approve_threshold}: "
                           "expected a number between 0 and 1", "e.g. auto_approve_threshold = 0.85")
    libraries = tuple(_libraries(reader, raw.get("libraries", []), home))
    workers = WorkersConfig(**reader.section(WorkersConfig, raw.get("workers", {}), "[workers]"))
    musicbrainz = (MusicBrainzConfig(**reader.section(MusicBrainzConfig, raw["musicbrainz"], "[musicbrainz]"))
                   if "musicbrainz" in raw else None)
    tmdb = TmdbConfig(**reader.section(TmdbConfig, raw["tmdb"], "[tmdb]")) if "tmdb" in raw else None
    ui = UiConfig(**reader.section(UiConfig, raw.get("ui", {}), "[ui]"))
    notify = NotifyConfig(**reader.section(NotifyConfig, raw.get("notify", {}), "[notify]"))
    _check_identity(reader, torrent)
    network = NetworkConfig(**reader.section(NetworkConfig, raw.get("network", {}), "[network]"))
    try:
        parse_proxy(network.proxy)
    except ConfigError as error:
        raise reader.error("[network]", error.message.removeprefix("[network] "), error.hint or "") from None
    watch = WatchConfig(**reader.section(WatchConfig, raw.get("watch", {}), "[watch]"))
    return Config(paths=paths, torrent=torrent, indexers=indexers, textbrain=textbrain, libraries=libraries,
                  workers=workers, musicbrainz=musicbrainz, tmdb=tmdb, ui=ui, notify=notify, network=network,
                  watch=watch)


def _check_identity(reader: _Reader, torrent: TorrentConfig) -> None:
    """A peer-id prefix must fit the 20-byte peer id; both values go on the wire as printable ASCII."""
    for name in ("peer_fingerprint", "user_agent"):
        value = getattr(torrent, name)
        if not (value.isascii() and value.isprintable()):
            raise reader.error("[torrent]", f"{name} = {value!r}: expected printable ASCII", f'e.g. {name} = ""')
    if len(torrent.peer_fingerprint) > MAX_PEER_ID_PREFIX:
        raise reader.error("[torrent]", f"peer_fingerprint = {torrent.peer_fingerprint!r}: longer than the "
                           f"{MAX_PEER_ID_PREFIX}-byte peer id", 'e.g. peer_fingerprint = "-Qo0100-"')


def _absolute(path: Path, home: Home) -> Path:
    return path if path.is_absolute() else home.config_file.parent / path


def _array(reader: _Reader, raw: Any, where: str) -> list[Any]:
    if not isinstance(raw, list):
        raise reader.error(where, "expected an array of tables", f"write each entry as {where}")
    return raw


def _indexers(reader: _Reader, raw: Any) -> list[IndexerConfig]:
    result: list[IndexerConfig] = []
    for number, table in enumerate(_array(reader, raw, "[[indexers]]"), start=1):
        values = reader.section(IndexerConfig, table, f"[[indexers]] #{number}")
        if not str(values["url"]).startswith(("http://", "https://")):
            raise reader.error(f"[[indexers]] #{number}", f"url = {values['url']!r}: expected an http(s) URL",
                               'e.g. url = "http://127.0.0.1:9117/api/v2.0/indexers/all/results/torznab/api"')
        if any(indexer.name == values["name"] for indexer in result):
            raise reader.error(f"[[indexers]] #{number}", f"name {values['name']!r} is used twice",
                               "give each indexer its own name")
        result.append(IndexerConfig(**values))
    return result


def _libraries(reader: _Reader, raw: Any, home: Home) -> list[LibraryConfig]:
    result: list[LibraryConfig] = []
    for number, table in enumerate(_array(reader, raw, "[[libraries]]"), start=1):
        where = f"[[libraries]] #{number}"
        values = reader.section(LibraryConfig, table, where)
        values["path"] = _absolute(values["path"], home)
        library = LibraryConfig(**values)
        try:
            validate_template(library.template)
        except ConfigError as error:
            raise reader.error(where, f"naming = {library.template!r}: {error.message}",
                               error.hint or "docs/configuration.md lists the fields a template may use") from None
        if library.path.exists() and not library.path.is_dir():
            raise reader.error(where, f"path = \"{library.path}\" is not a folder",
                               "point path at your library's root folder")
        if any(other.name.casefold() == library.name.casefold() for other in result):
            raise reader.error(where, f"name {library.name!r} is used twice", "give each library its own name")
        result.append(library)
    return result

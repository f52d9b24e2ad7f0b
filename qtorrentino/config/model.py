"""The config as frozen dataclasses, one per TOML section, every key defaulted (DESIGN's Contracts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from qtorrentino.domain.ticket import FORMATS

LIBRARY_KINDS = ("music", "movies", "tv", "audiobooks", "other")
LINK_POLICIES = ("hardlink", "copy", "hardlink_or_fail")
TEXTBRAIN_MODES = ("dumb_only", "dumb_first", "llm_first", "llm_only")
ENCRYPTION_POLICIES = ("enabled", "forced", "disabled")
LLM_PROVIDERS = ("openai", "ollama", "anthropic")

DEFAULT_NAMING = {
    "music": "{artist}/{album} ({year})/{disc_prefix}{number:02d} - {title}.{ext}",
    "movies": "{title} ({year})/{title} ({year}).{ext}",
    "tv": "{series}/Season {season:02d}/{series} - S{season:02d}E{number:02d} - {title}.{ext}",
    "audiobooks": "{artist}/{album} ({year})/{number:02d} - {title}.{ext}",
    "other": "{title}.{ext}",
}


class Secret(str):
    """A string that never shows itself in a repr or a log line."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Secret('***')" if self else "Secret('')"


@dataclass(frozen=True, slots=True)
class PathsConfig:
    """[paths]: where torrents download and where conversions are staged."""

    download_dir: Path
    """Torrents download and seed here."""
    staging_dir: Path
    """Conversion output waits here before placement."""
    min_free_gb: float = 1
    """A torrent is not started (or resumed) when its wanted bytes would leave less free space than this
    on the download filesystem, in GiB."""


@dataclass(frozen=True, slots=True)
class TorrentConfig:
    """[torrent]: the embedded libtorrent session and the seeding policy."""

    listen_interfaces: str = "0.0.0.0:6881"
    enable_dht: bool = True
    enable_lsd: bool = True
    enable_upnp: bool = False
    enable_natpmp: bool = False
    enable_utp: bool = True
    """uTP is ~70x slower than TCP over loopback: tests and the demo turn it off."""
    allow_local_peers: bool = False
    """Allow several peers per IP (needed when peers share 127.0.0.1)."""
    encryption: str = "enabled"
    seed_ratio: float = 1.0
    seed_time_hours: float = 0
    """0 = no time limit."""
    max_active_downloads: int = 3
    max_active_seeds: int = 20
    connections_limit: int = 200
    download_rate_limit_kib: int = 0
    """KiB/s, 0 = unlimited."""
    upload_rate_limit_kib: int = 0
    metadata_timeout_seconds: float = 120
    stall_minutes: float = 30
    """No progress this long → blocklist the release and acquire again."""
    storage_budget_gb: float = 0
    """0 = no budget; over it, seeded torrents past policy are cleanup candidates."""


@dataclass(frozen=True, slots=True)
class IndexerConfig:
    """One [[indexers]] entry: a Torznab endpoint (Jackett, Prowlarr)."""

    name: str
    url: str
    api_key: Secret = Secret("")
    categories: tuple[int, ...] = ()
    rate_limit_per_minute: int = 30
    timeout_seconds: float = 20


@dataclass(frozen=True, slots=True)
class LlmConfig:
    """[textbrain.llm]: the optional LLM matcher."""

    provider: str = "openai"
    base_url: str = "http://127.0.0.1:11434"
    model: str = "llama3.1"
    api_key: Secret = Secret("")
    timeout_seconds: float = 60


@dataclass(frozen=True, slots=True)
class TextbrainConfig:
    """[textbrain]: how candidates are scored and when they are approved without a person."""

    mode: str = "dumb_only"
    auto_approve_threshold: float = 0.85
    llm: LlmConfig = field(default_factory=LlmConfig)


@dataclass(frozen=True, slots=True)
class LibraryConfig:
    """One [[libraries]] entry: a root folder with a naming template."""

    name: str
    kind: str
    path: Path
    naming: str = ""
    """Empty means the default template for the library's kind."""
    format: str = "copy"
    """Default conversion target for tickets into this library."""
    link: str = "hardlink"
    cover_file: str = "cover.jpg"
    trash_days: int = 30

    @property
    def template(self) -> str:
        """The naming template in force: the configured one, else the kind's default."""
        return self.naming or DEFAULT_NAMING[self.kind]


@dataclass(frozen=True, slots=True)
class WorkersConfig:
    """[workers]: concurrency per stage and how often idle workers look for work."""

    acquisition: int = 2
    conversion: int = 0
    """0 = number of cores."""
    poll_interval_seconds: float = 2


@dataclass(frozen=True, slots=True)
class MusicBrainzConfig:
    """[musicbrainz]: used only when the section is present."""

    base_url: str = "https://musicbrainz.org"
    cache_days: int = 30
    user_agent: str = "qtorrentino/0.1 ( you@example.org )"


@dataclass(frozen=True, slots=True)
class TmdbConfig:
    """[tmdb]: used only when the section is present."""

    api_key: Secret = Secret("")
    base_url: str = "https://api.themoviedb.org/3"
    cache_days: int = 30


@dataclass(frozen=True, slots=True)
class UiConfig:
    """[ui]: the theme and key remaps ("<screen>.<action>" = key)."""

    theme: str = "qtorrentino-dark"
    keys: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Config:
    """The whole config, validated."""

    paths: PathsConfig
    torrent: TorrentConfig = field(default_factory=TorrentConfig)
    indexers: tuple[IndexerConfig, ...] = ()
    textbrain: TextbrainConfig = field(default_factory=TextbrainConfig)
    libraries: tuple[LibraryConfig, ...] = ()
    workers: WorkersConfig = field(default_factory=WorkersConfig)
    musicbrainz: MusicBrainzConfig | None = None
    tmdb: TmdbConfig | None = None
    ui: UiConfig = field(default_factory=UiConfig)

    def library(self, name: str) -> LibraryConfig | None:
        """The library called name (case-insensitive), if configured."""
        for library in self.libraries:
            if library.name.casefold() == name.casefold():
                return library
        return None

    def first_library_of_kind(self, kind: str) -> LibraryConfig | None:
        """The first configured library of a kind: where a ticket without `library` goes."""
        return next((library for library in self.libraries if library.kind == kind), None)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every configured secret, for scrubbing logs, audit events and output."""
        values = [indexer.api_key for indexer in self.indexers]
        values.append(self.textbrain.llm.api_key)
        if self.tmdb is not None:
            values.append(self.tmdb.api_key)
        return tuple(value for value in values if value)

"""The config as frozen dataclasses, one per TOML section, every key defaulted (DESIGN's Contracts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from qtorrentino.config.secret_keys import secrets_in

LIBRARY_KINDS = ("music", "movies", "tv", "audiobooks", "other")
LINK_POLICIES = ("hardlink", "copy", "hardlink_or_fail", "reflink")
TEXTBRAIN_MODES = ("dumb_only", "dumb_first", "llm_first", "llm_only")
ENCRYPTION_POLICIES = ("enabled", "forced", "disabled")
LLM_PROVIDERS = ("openai", "ollama", "anthropic")
NOTIFY_EVENTS = ("needs_approval", "failed", "completed", "disk_full", "library_offline", "upgraded")
SEED_GOAL_ACTIONS = ("pause", "remove", "remove_data")
NO_LIMIT = -1
"""A seed goal of -1 is never met: the torrent seeds for as long as the program runs."""

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
    watch_dir: str = ""
    """.torrent files dropped here become tickets, as `ticket add --torrent` files them ("" = off); each
    file is taken once: renamed to NAME.torrent.added, or NAME.torrent.refused when it cannot be a ticket."""


@dataclass(frozen=True, slots=True)
class TorrentConfig:
    """[torrent]: the embedded libtorrent session and the seeding policy."""

    listen_interfaces: str = "0.0.0.0:6881"
    """Where libtorrent listens for peers; "127.0.0.1:0" = loopback only, any free port."""
    enable_dht: bool = True
    """Find peers through the DHT (trackerless torrents and magnets need it)."""
    enable_lsd: bool = True
    """Local service discovery: find peers on the local network."""
    enable_upnp: bool = False
    """Ask the router to forward the listen port (UPnP)."""
    enable_natpmp: bool = False
    """Ask the router to forward the listen port (NAT-PMP)."""
    enable_utp: bool = True
    """uTP is ~70x slower than TCP over loopback: tests and the demo turn it off."""
    allow_local_peers: bool = False
    """Allow several peers per IP (needed when peers share 127.0.0.1)."""
    encryption: str = "enabled"
    """Peer encryption: enabled (encrypted or plain peers) | forced (encrypted only) | disabled."""
    seed_ratio: float = 1.0
    """Upload/download ratio to reach before the seed goal is met; 0 = no ratio goal; -1 = no limit (seed forever)."""
    seed_time_hours: float = 0
    """Hours seeded before the seed goal is met; 0 = no time goal; -1 = no limit (seed forever)."""
    max_active_downloads: int = 3
    """Torrents downloading at once; more wait in the queue."""
    max_active_seeds: int = 20
    """Torrents seeding at once; more wait in the queue."""
    connections_limit: int = 200
    """Peer connections across all torrents."""
    download_rate_limit_kib: int = 0
    """KiB/s, 0 = unlimited."""
    upload_rate_limit_kib: int = 0
    """KiB/s, 0 = unlimited."""
    metadata_timeout_seconds: float = 120
    """Seconds a magnet's file list may take to arrive; then the release is blocklisted and the next
    candidate tried."""
    stall_minutes: float = 30
    """No progress this long → blocklist the release and acquire again."""
    storage_budget_gb: float = 0
    """0 = no budget; over it, seeded torrents past policy are cleanup candidates."""
    on_seed_goal: str = "pause"
    """What happens once the ratio and time goals are met: pause | remove | remove_data (files too)."""
    peer_fingerprint: str = ""
    """The peer-id prefix peers and trackers see; "" = the program's honest default (e.g. -Qo0100-).

    Private trackers may whitelist clients: one that refuses an unknown client names the ones it allows.
    """
    user_agent: str = ""
    """The User-Agent trackers see; "" = the program's honest default naming qtorrentino and libtorrent."""


@dataclass(frozen=True, slots=True)
class IndexerConfig:
    """One [[indexers]] entry: a Torznab endpoint (Jackett, Prowlarr)."""

    name: str
    """How the audit log and the screens name this indexer; each indexer's own."""
    url: str
    """The Torznab API URL (http or https), as Jackett or Prowlarr shows it."""
    api_key: Secret = Secret("")
    """The indexer's API key; never shown or logged."""
    categories: tuple[int, ...] = ()
    """Torznab categories to search (3000 music, 2000 movies, 5000 TV); empty = all."""
    rate_limit_per_minute: int = 30
    """At most this many requests a minute to this indexer; 0 = no limit."""
    timeout_seconds: float = 20
    """One total deadline per request: connect, headers, body, redirects."""
    seed_ratio: float | None = None
    """This indexer's (tracker's) ratio goal instead of [torrent] seed_ratio; -1 = no limit."""
    seed_time_hours: float | None = None
    """This indexer's time goal instead of [torrent] seed_time_hours; -1 = no limit."""
    min_seed_time_hours: float = 0
    """Never stop or remove a torrent from this indexer before it seeded this long (hit-and-run rules)."""


@dataclass(frozen=True, slots=True)
class LlmConfig:
    """[textbrain.llm]: the optional LLM matcher."""

    provider: str = "openai"
    """openai (any OpenAI-compatible chat-completions server) | ollama (/api/chat) | anthropic."""
    base_url: str = "http://127.0.0.1:11434"
    """The server's root; openai and anthropic add "/v1" unless the URL already ends in it."""
    model: str = "llama3.1"
    """The model's name as the server knows it ("llama3.1", "gpt-4o-mini", "claude-haiku-4-5")."""
    api_key: Secret = Secret("")
    """Sent as a bearer token (openai) or x-api-key (anthropic); "" sends none; never shown."""
    timeout_seconds: float = 60
    """One total deadline per request: connect, the whole answer, everything."""
    max_candidates: int = 5
    """How many top candidates the LLM sees (at least 1)."""
    temperature: float = 0
    """Sampling temperature; 0 keeps answers repeatable (and the response cache meaningful)."""


@dataclass(frozen=True, slots=True)
class TextbrainConfig:
    """[textbrain]: how candidates are scored and when they are approved without a person."""

    mode: str = "dumb_only"
    """When the LLM matcher is asked: dumb_only (never), dumb_first (when the heuristics cannot
    approve alone), llm_first (every decision, heuristics as fallback), llm_only (every decision,
    never an approval without it); see docs/llm.md."""
    auto_approve_threshold: float = 0.85
    """A recommended candidate scoring at least this (0–1) is approved without a person; a ticket
    may carry its own (`auto_approve_threshold` in the ticket JSON)."""
    llm: LlmConfig = field(default_factory=LlmConfig)
    """[textbrain.llm], the LLM matcher's settings."""


@dataclass(frozen=True, slots=True)
class LibraryConfig:
    """One [[libraries]] entry: a root folder with a naming template."""

    name: str
    """How tickets name this library (`library` in the ticket JSON); each library's own."""
    kind: str
    """music | movies | tv | audiobooks | other: which tickets fit, and the default template."""
    path: Path
    """The library's root folder; it must exist."""
    naming: str = ""
    """Empty means the default template for the library's kind."""
    format: str = "copy"
    """Default conversion target for tickets into this library."""
    link: str = "hardlink"
    """hardlink (else copy, recorded) | copy | hardlink_or_fail | reflink (a copy-on-write clone on
    btrfs/XFS, else a copy): how files get from the download into the library."""
    cover_file: str = "cover.jpg"
    """Written in album folders; "" = none."""
    trash_days: int = 30
    """Trashed items stay restorable this many days, then are purged."""

    @property
    def template(self) -> str:
        """The naming template in force: the configured one, else the kind's default."""
        return self.naming or DEFAULT_NAMING[self.kind]


@dataclass(frozen=True, slots=True)
class WorkersConfig:
    """[workers]: concurrency per stage and how often idle workers look for work."""

    acquisition: int = 2
    """Tickets searched and scored at once."""
    conversion: int = 0
    """0 = number of cores."""
    poll_interval_seconds: float = 2
    """How often an idle worker looks for work it was not woken for."""


@dataclass(frozen=True, slots=True)
class MusicBrainzConfig:
    """[musicbrainz]: used only when the section is present."""

    base_url: str = "https://musicbrainz.org"
    """The MusicBrainz server (or a mirror)."""
    cache_days: int = 30
    """Answers are cached this many days."""
    user_agent: str = "qtorrentino/0.1 ( you@example.org )"
    """MusicBrainz asks every client to name itself and a contact."""


@dataclass(frozen=True, slots=True)
class TmdbConfig:
    """[tmdb]: used only when the section is present."""

    api_key: Secret = Secret("")
    """Your TMDB API key; never shown or logged."""
    base_url: str = "https://api.themoviedb.org/3"
    """The TMDB API root."""
    cache_days: int = 30
    """Answers are cached this many days."""


@dataclass(frozen=True, slots=True)
class UiConfig:
    """[ui]: the theme and key remaps ("<screen>.<action>" = key)."""

    theme: str = "qtorrentino-dark"
    """A theme from the themes folder."""
    keys: dict[str, str] = field(default_factory=dict)
    """[ui.keys]: "<screen>.<action>" = key, to remap any binding."""


@dataclass(frozen=True, slots=True)
class NotifyConfig:
    """[notify]: whom to tell (apprise URLs) and about what, so nobody has to log in to find out."""

    urls: tuple[str, ...] = ()
    """apprise URLs: ntfy://, discord://, tgram://, mailto://, json://, …; empty = no notifications."""
    events: tuple[str, ...] = ("needs_approval", "failed", "disk_full", "library_offline")
    """What is told: any of needs_approval, failed, completed, disk_full, library_offline, upgraded."""


@dataclass(frozen=True, slots=True)
class NetworkConfig:
    """[network]: how qtorrentino reaches the outside."""

    proxy: Secret = Secret("")
    """socks5://[user:pass@]host:port or http://…; libtorrent sends peers and trackers through it ("" = none),
    and indexers and metadata providers are reached through it (those on 127.0.0.1 or localhost directly)."""


@dataclass(frozen=True, slots=True)
class WatchConfig:
    """[watch]: how watched tickets look for releases (RSS sync, periodic searches, upgrades)."""

    rss_interval_seconds: int = 900
    """Each indexer's recent feed (Torznab t=search with no query) is read this often; 0 = off."""
    research_interval_hours: float = 12
    """A full search again for waiting (and upgrading) tickets this long after the last one found
    nothing, doubling after each fruitless search up to 8 times this; 0 = no periodic search."""
    upgrade_days: float = 30
    """Stop watching for upgrades this long after the first placement (WatchEnded, reason upgrade_days)."""


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
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    watch: WatchConfig = field(default_factory=WatchConfig)

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
        return secrets_in(self)

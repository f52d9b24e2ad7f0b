"""The loopback Torznab server the tests use: the demo's server, with its switchable faults."""

from qtorrentino.demo.torznab_server import (
    BILLION_LAUGHS,
    DEFAULT_API_KEY,
    PUBLISHED,
    Fault,
    Release,
    TorznabServer,
    external_entity_xml,
)

__all__ = ["BILLION_LAUGHS", "DEFAULT_API_KEY", "PUBLISHED", "Fault", "Release", "TorznabServer",
           "external_entity_xml"]

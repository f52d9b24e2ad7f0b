"""qtorrentino: a terminal media acquisition and library pipeline for a seedbox."""

__version__ = "0.1.0"

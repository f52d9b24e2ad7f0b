"""The engine: wires config, database, bus, torrent session and workers; the API the faces call."""

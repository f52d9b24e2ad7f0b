"""The embedded libtorrent session, its alerts, resume data, seeding policy and the torrent catalog."""

"""The generated parts of the reference pages under docs/: `python -m qtorrentino.docs --write`."""

"""The reference pages under docs/ that are generated from the code: `python -m qtorrentino.docs --write`."""

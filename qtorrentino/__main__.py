"""`python -m qtorrentino` runs the command line."""

from qtorrentino.cli.main import run

run()

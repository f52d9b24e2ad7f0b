"""`python -m qtorrentino.docs [--write]`: check (or rewrite) the generated parts of docs/."""

from __future__ import annotations

import argparse
import sys

from qtorrentino.docs.pages import DOCS_DIR, stale, write


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m qtorrentino.docs", description=__doc__)
    parser.add_argument(
        "--write", action="store_true", help="rewrite the stale parts instead of listing them"
    )
    args = parser.parse_args()
    if not DOCS_DIR.is_dir():
        sys.stderr.write(f"no docs folder at {DOCS_DIR}: run this from a source checkout\n")
        return 2
    if args.write:
        for path in write():
            sys.stdout.write(f"rewrote {path.relative_to(DOCS_DIR.parent)}\n")
        return 0
    pages = stale()
    for path in pages:
        sys.stdout.write(f"stale: {path.relative_to(DOCS_DIR.parent)}\n")
    if pages:
        sys.stderr.write("run `python -m qtorrentino.docs --write` to bring them up to date\n")
    return 1 if pages else 0


if __name__ == "__main__":
    raise SystemExit(main())

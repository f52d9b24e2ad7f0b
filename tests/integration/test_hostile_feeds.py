"""Issue 12: an indexer answering an HTML page or an XML flood gets a clear, bounded error, through `search`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.conftest import make_home, run_cli
from tests.servers.static import StaticServer

if TYPE_CHECKING:
    from pathlib import Path

API_KEY = "static-indexer-key-0123"
CLOUDFLARE_PAGE = (
    b"<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment...</title>"
    b"<meta http-equiv=\"refresh\" content=\"360\"></head><body><div class=\"main-wrapper\">"
    b"<noscript>Enable JavaScript and cookies to continue</noscript></div></body></html>"
)


def _search(tmp_path: Path, server: StaticServer) -> tuple[int, str]:
    extra = (f'\n[[indexers]]\nname = "guarded"\nurl = "{server.origin}/api"\napi_key = "{API_KEY}"\n'
             "rate_limit_per_minute = 0\ntimeout_seconds = 10\n")
    result = run_cli(make_home(tmp_path, extra), "search", "Sintel", "--json")
    assert result.stdout == "" and "Traceback" not in result.stderr and API_KEY not in result.stderr
    return result.returncode, result.stderr


@pytest.mark.parametrize("status", [200, 403])
def test_a_cloudflare_challenge_is_reported_as_an_html_page(tmp_path: Path, status: int) -> None:
    with StaticServer(body=CLOUDFLARE_PAGE, content_type="text/html; charset=UTF-8", status=status,
                      pages={}) as server:
        code, stderr = _search(tmp_path, server)
    assert code == 1
    assert "guarded: " in stderr and ("HTTP 403 from" in stderr) == (status == 403)
    assert "an HTML page, not a Torznab feed (is the URL or API key right? a Cloudflare challenge?)" in stderr
    assert "unsafe" not in stderr and "DTD" not in stderr


def test_an_element_flood_is_refused_by_its_limit_not_parsed(tmp_path: Path) -> None:
    flood = b'<?xml version="1.0"?><rss><channel>' + b"<a/>" * (4_000_000 - 20) + b"</channel></rss>"
    with StaticServer(body=flood) as server:
        code, stderr = _search(tmp_path, server)
    assert code == 1
    assert "guarded: XML with more than 100000 elements, refused" in stderr

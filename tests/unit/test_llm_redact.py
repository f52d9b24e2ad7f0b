"""LLM credentials are hidden wherever they turn up: bearer tokens, sk- keys, header-named keys."""

from __future__ import annotations

import pytest

from qtorrentino.domain.redact import redact_text, redact_value

ANTHROPIC_SHAPED = "sk-ant-api03-Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8L9z0X1c2V3b4"
OPENAI_SHAPED = "sk-proj-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa_-9876543210"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Authorization: Bearer abcdefgh12345 was refused", "Authorization: Bearer *** was refused"),
     (f"invalid x-api-key {ANTHROPIC_SHAPED}", "invalid x-api-key ***"),
     (f"Incorrect API key provided: {OPENAI_SHAPED}.", "Incorrect API key provided: ***."),
     ("Incorrect API key provided: sk-proj-********abcd.",
      "Incorrect API key provided: sk-proj-********abcd."),
     ("Ska - sk-8-bit-music-collection-2000s-remastered-flac",
      "Ska - sk-8-bit-music-collection-2000s-remastered-flac")],
)
def test_provider_keys_and_bearer_tokens_are_hidden_in_text(text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_header_named_fields_are_hidden_in_values() -> None:
    value = {"x-api-key": "anything", "Authorization": "Bearer token-1234", "model": "llama3.1"}
    assert redact_value(value) == {"x-api-key": "***", "Authorization": "***", "model": "llama3.1"}


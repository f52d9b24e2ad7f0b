"""Secrets are scrubbed everywhere; the bus keeps ordered events and merges progress."""

from __future__ import annotations

from qtorrentino.domain.redact import redact_text, redact_value
from qtorrentino.events import AuditRecorded, Bus, TorrentProgress


def test_query_and_path_secrets_are_redacted() -> None:
    text = ("http://127.0.0.1:9117/api?t=search&apikey=abc123def&q=x "
            "http://tracker.example.org/0123456789abcdef0123456789abcdef/announce "
            "magnet:?xt=urn:btih:aa&tr=http%3A%2F%2Ft%2Fannounce%3Fpasskey%3Ds3cr3tpk")
    clean = redact_text(text)
    for secret in ("abc123def", "0123456789abcdef0123456789abcdef", "s3cr3tpk"):
        assert secret not in clean
    assert "t=search" in clean


def test_known_secrets_and_secret_keys_are_redacted_in_values() -> None:
    value = {"api_key": "k1", "nested": ["token is my-key-999"], "ok": 3}
    assert redact_value(value, ["my-key-999"]) == {"api_key": "***", "nested": ["token is ***"], "ok": 3}


def _progress(info_hash: str, progress: float) -> TorrentProgress:
    return TorrentProgress(info_hash=info_hash, name="n", ticket_id=None, progress=progress, download_bps=0,
                           upload_bps=0, peers=0, seeds=0, eta_seconds=None, ratio=0.0, state="downloading")


def test_mailbox_keeps_order_and_only_newest_progress() -> None:
    bus = Bus()
    mailbox = bus.open_mailbox()
    for seq in range(3):
        bus.publish(AuditRecorded(seq=seq, type="T", ticket_id=None, actor="engine", at=""))
    for step in range(10):
        bus.publish(_progress("aa", step / 10))
    bus.publish(_progress("bb", 0.5))
    batch = mailbox.drain()
    assert [event.seq for event in batch.ordered if isinstance(event, AuditRecorded)] == [0, 1, 2]
    latest = {event.info_hash: event.progress for event in batch.latest if isinstance(event, TorrentProgress)}
    assert latest == {"aa": 0.9, "bb": 0.5}
    assert not mailbox.drain()


def test_a_full_mailbox_overflows_instead_of_growing() -> None:
    bus = Bus()
    mailbox = bus.open_mailbox(limit=2)
    for seq in range(5):
        bus.publish(AuditRecorded(seq=seq, type="T", ticket_id=None, actor="engine", at=""))
    batch = mailbox.drain()
    assert len(batch.ordered) == 2 and batch.overflowed

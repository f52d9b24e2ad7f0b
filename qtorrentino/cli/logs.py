"""Logging for every face: a rotating file under the home's logs/, secrets scrubbed; stderr only when headless."""

from __future__ import annotations

import logging
import logging.handlers
from collections.abc import Sequence

from qtorrentino.config.home import Home
from qtorrentino.domain.redact import redact_text

LOG_FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"


class RedactingFilter(logging.Filter):
    """Scrubs API keys and passkeys from every record before any handler writes it."""

    def __init__(self, secrets: Sequence[str]) -> None:
        super().__init__()
        self.secrets = tuple(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_text(record.getMessage(), self.secrets)
        record.args = None
        return True


def setup_logging(home: Home, secrets: Sequence[str], *, to_stderr: bool, level: int = logging.INFO) -> None:
    """Log to home/logs/qtorrentino.log (rotating), and to stderr for headless faces."""
    home.log_dir.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    redactor = RedactingFilter(secrets)
    file_handler = logging.handlers.RotatingFileHandler(home.log_dir / "qtorrentino.log", maxBytes=5_000_000,
                                                        backupCount=3, encoding="utf-8")
    handlers: list[logging.Handler] = [file_handler]
    if to_stderr:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.addFilter(redactor)
        root.addHandler(handler)
    root.setLevel(level)

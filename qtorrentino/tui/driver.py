"""The terminal driver: Textual's Linux driver made safe for a terminal that goes away (a dropped SSH session)."""

from __future__ import annotations

import logging
from typing import IO, Any

from textual.drivers.linux_driver import LinuxDriver

log = logging.getLogger(__name__)


class TerminalOutput:
    """The screen's output file; once the terminal is gone (EIO) output is dropped instead of raised.

    Textual writes from a thread that dies on the first error; the UI thread then blocks forever on its full
    queue, and a hung-up app never returns to hand the engine over. Dropping output keeps the queue moving.
    """

    def __init__(self, file: IO[str]) -> None:
        self._file = file
        self.gone = False
        """True once a write failed: nothing reaches the screen any more."""

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self._file.write(text)
            except OSError as error:
                self._lost(error)
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self._file.flush()
            except OSError as error:
                self._lost(error)

    def _lost(self, error: OSError) -> None:
        self.gone = True
        log.info("the terminal went away (%s); screen output dropped from now on", error)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


class TerminalDriver(LinuxDriver):
    """LinuxDriver whose output survives a vanished terminal and whose input treats EIO as a hang-up."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self._file is not None:
            self._file = TerminalOutput(self._file)  # type: ignore[assignment]

    def run_input_thread(self) -> None:
        try:
            super().run_input_thread()
        except OSError as error:
            log.info("terminal input ended (%s): treated as a hang-up", error)
            self._app.call_later(getattr(self._app, "hang_up", self._app.exit))

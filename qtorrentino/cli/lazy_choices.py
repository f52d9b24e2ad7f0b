"""Choices loaded on first use: building the parser does not import the module owning them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import overload


class LazyChoices(Sequence[str]):
    """A sequence argparse checks values against and lists in help, loaded when first asked.

    Give the argument a metavar: without one, add_argument lists the choices at once.
    """

    def __init__(self, load: Callable[[], Sequence[str]]) -> None:
        self._load = load
        self._values: tuple[str, ...] | None = None

    def _loaded(self) -> tuple[str, ...]:
        if self._values is None:
            self._values = tuple(self._load())
        return self._values

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._loaded()[index]

    def __len__(self) -> int:
        return len(self._loaded())

    def __contains__(self, value: object) -> bool:
        return value in self._loaded()

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

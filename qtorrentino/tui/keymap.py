"""[ui.keys] remaps: binding ids ("<screen>.<action>") checked against the bindings the app really has."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.binding import Binding, BindingType
from textual.dom import DOMNode


@dataclass(frozen=True, slots=True)
class Keymap:
    """The remaps to apply, and one warning line per remap that names no binding."""

    keys: dict[str, str]
    warnings: tuple[str, ...]


def binding_ids(owners: Iterable[type[DOMNode]]) -> set[str]:
    """Every binding id declared by these classes (and their bases)."""
    found: set[str] = set()
    for owner in owners:
        for klass in owner.__mro__:
            for binding in _bindings_of(klass.__dict__.get("BINDINGS", ())):
                if binding.id:
                    found.add(binding.id)
    return found


def _bindings_of(declared: Iterable[BindingType]) -> Iterable[Binding]:
    for entry in declared:
        if isinstance(entry, Binding):
            yield entry


def build_keymap(remaps: Mapping[str, str], known_ids: set[str]) -> Keymap:
    """Keep the remaps that name a binding; the others become warnings that suggest the nearest id."""
    keys: dict[str, str] = {}
    warnings: list[str] = []
    for binding_id, key in remaps.items():
        if binding_id in known_ids and isinstance(key, str) and key.strip():
            keys[binding_id] = key.strip()
            continue
        if binding_id not in known_ids:
            close = difflib.get_close_matches(binding_id, sorted(known_ids), n=1)
            suggestion = f" (did you mean '{close[0]}'?)" if close else ""
            warnings.append(f"[ui.keys] '{binding_id}' names no binding{suggestion}")
        else:
            warnings.append(f"[ui.keys] '{binding_id}' needs a key, e.g. \"ctrl+y\"")
    return Keymap(keys, tuple(warnings))

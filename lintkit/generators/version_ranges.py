"""A summary of the version ranges a library's schema states (its `history` tables), per kind of name:
for docs/libraries.md (generated) and for reports on which libraries follow the project's version."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ..schemas.name_history import NameRange, _release

#: Kind of name -> how docs call it, in the order they are listed.
KINDS = {
    "names": ("class, function or module", "classes, functions and modules"),
    "kwargs": ("keyword", "keywords"),
    "method_kwargs": ("method keyword", "method keywords"),
    "attributes": ("attribute", "attributes"),
    "option_keys": ("option key", "option keys"),
    "settings_keys": ("URL query key", "URL query keys"),
    "keys": ("setting", "settings"),
}


@dataclass(frozen=True)
class KindRanges:
    kind: str
    count: int
    #: The oldest and newest version any range of this kind names.
    low: str
    high: str


def ranges_of(lib) -> list[KindRanges]:
    """The library's ranges grouped by kind (policies left out)."""
    entries: list[NameRange] = [*getattr(lib, "names_history", ())]
    for item in (*lib.classes, *lib.factories):
        entries += item.history
    for settings in getattr(lib, "settings", ()):
        entries += settings.history
    found = []
    for kind in KINDS:
        mine = [e for e in entries if e.kind.split(".")[0] == kind]
        bounds = sorted({b for e in mine for b in (e.since, e.deprecated_in, e.removed_in) if b}, key=_release)
        if mine:
            found.append(KindRanges(kind, len({(e.kind, e.name) for e in mine}), bounds[0], bounds[-1]))
    return found


def describe(ranges: Iterable[KindRanges]) -> str:
    """"8 keywords (0.11.0 to 1.0.0), 10 classes, functions and modules (0.11.0 to 0.13.0)"."""
    return ", ".join(f"{r.count} {KINDS[r.kind][r.count != 1]} ({r.low}" + (f" to {r.high})" if r.high != r.low else ")")
                     for r in ranges)

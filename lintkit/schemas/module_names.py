"""Names a library has in some versions only: whole classes, functions and modules
(schema `[library.history.names]`).

A schema's classes describe one version of a library; the `names` history says
which public names of its modules other versions add or drop:

    [library.history.names]
    "pika.TornadoConnection" = { removed_in = "0.13.0", renamed_to = "pika.adapters.tornado_connection.TornadoConnection" }
    "elasticsearch.RequestsHttpConnection" = { removed_in = "8.0.0", note = "..." }

Each key is a dotted name as code spells it (`from pika import TornadoConnection`,
`pika.TornadoConnection`, `import pika.adapters.libev_connection`).  The entries are
`name_history.NameRange`s of kind "names", judged by `version_verdicts.judge` like
the other ranges; LK105 reports them.  Checked against the releases' source by
tests/test_version_drift.py.
"""

from __future__ import annotations

from typing import Any, Iterable

from .name_history import NameRange, _release

KIND = "names"
_ENTRY_KEYS = {"since", "deprecated_in", "removed_in", "renamed_to", "note"}


def parse_names_history(lib: Any, library: str, current: Iterable[str]) -> tuple[NameRange, ...]:
    """`[library.history.names]`, read by the schema loader's `lib` reader (`schema._Reader`).
    `current`: the classes' and factories' names and aliases, which the schema's version has."""
    history = lib.table_of("history")
    where = lib.key("history")
    unknown = sorted(set(history) - {KIND})
    if unknown:
        lib.fail(f"{where}.{unknown[0]}", f"must be {KIND}")
    names = history.get(KIND, {})
    if not isinstance(names, dict):
        lib.fail(f"{where}.{KIND}", "must be a table of dotted names")
        return ()
    current = frozenset(current)
    found = []
    for name, raw in names.items():
        place = f"{where}.{KIND}.{name!r}"
        if not name.startswith(f"{library}.") or not all(part.isidentifier() for part in name.split(".")):
            lib.fail(place, f"must be a dotted name in {library} ({library}.Name)")
            continue
        entry = _entry(lib, place, name, raw, current)
        if entry is not None:
            found.append(entry)
    return tuple(found)


def _entry(lib: Any, place: str, name: str, raw: Any, current: frozenset[str]) -> NameRange | None:
    if not isinstance(raw, dict) or not raw or set(raw) - _ENTRY_KEYS:
        lib.fail(place, f"must be a table of {', '.join(sorted(_ENTRY_KEYS))}")
        return None
    if not all(isinstance(v, str) for v in raw.values()):
        lib.fail(place, "values must be strings")
        return None
    if "since" not in raw and "removed_in" not in raw:
        lib.fail(place, "needs since or removed_in")
        return None
    versions = [_release(raw[key]) for key in ("since", "deprecated_in", "removed_in") if key in raw]
    if None in versions:
        lib.fail(place, "versions must be release numbers such as 1.0.0")
        return None
    if versions != sorted(versions) or len(set(versions)) != len(versions):
        lib.fail(place, "needs since < deprecated_in < removed_in")
    if "removed_in" in raw and name in current:
        lib.fail(place, f"removed in {raw['removed_in']}: must not be a class or factory of the schema's version")
    renamed = raw.get("renamed_to")
    if renamed is not None and not all(part.isidentifier() for part in renamed.split(".")):
        lib.fail(f"{place}.renamed_to", "must be a dotted name")
    return NameRange(name, KIND, raw.get("since"), raw.get("deprecated_in"), raw.get("removed_in"), renamed,
                     raw.get("note", ""))

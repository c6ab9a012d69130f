"""When each name of a library appeared, was renamed and was removed (schema `history`).

A schema describes one version of a library (`[library] version`); its
`history` tables say how the other versions differ, name by name:

    [class.history.kwargs]
    heartbeat_interval = { deprecated_in = "0.11.0", renamed_to = "heartbeat", removed_in = "1.0.0" }
    heartbeat = { since = "0.11.0" }

so that a name is judged against the version the checked project uses
(`version_verdicts.py`), not against the one the schema was read from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The lists a history table describes: `kwargs`, `attributes`, or the keys of one
#: `option_keys` collection (`option_keys.tcp_options`).
HISTORY_KINDS = ("kwargs", "attributes", "option_keys")
_ENTRY_KEYS = {"since", "deprecated_in", "removed_in", "renamed_to", "note"}


@dataclass(frozen=True)
class NameRange:
    """The versions of the library that have one name."""

    name: str
    #: "kwargs", "attributes", or "option_keys.<collection>".
    kind: str
    #: The first version with the name (None: every version the schema covers).
    since: str | None = None
    #: From this version the name still works, with a warning (renamed: the new name exists too).
    deprecated_in: str | None = None
    #: The first version without it (None: the schema's version still has it).
    removed_in: str | None = None
    #: The name that replaced it, with the same meaning: a fix renames to it.
    renamed_to: str | None = None
    #: What to do instead, when no plain rename does it.
    note: str = ""

    @property
    def specifier(self) -> str:
        """The versions that have the name, as a PEP 440 specifier (">=0.11.0,<1.0.0")."""
        return ",".join(part for part in (f">={self.since}" if self.since else "",
                                          f"<{self.removed_in}" if self.removed_in else "") if part)


def parse_history(reader: Any, current: dict[str, frozenset[str] | None]) -> tuple[NameRange, ...]:
    """The `history` table of a class or factory, read by the schema loader's `reader`
    (`schema._Reader`); `current` holds the item's lists ("kwargs", "attributes",
    "option_keys.<collection>"): a name gone from the library must not be in them,
    a name it still has must be."""
    from packaging.version import InvalidVersion, Version

    table = reader.table_of("history")
    ranges = []
    for kind, names in table.items():
        where = f"{reader.key('history')}.{kind}"
        if kind not in HISTORY_KINDS:
            reader.fail(where, f"must be one of {', '.join(HISTORY_KINDS)}")
            continue
        if not isinstance(names, dict):
            reader.fail(where, "must be a table")
            continue
        groups = names.items() if kind == "option_keys" else [(None, names)]
        for collection, entries in groups:
            full_kind = f"{kind}.{collection}" if collection else kind
            place = f"{reader.key('history')}.{full_kind}"
            if not isinstance(entries, dict):
                reader.fail(place, "must be a table of names")
                continue
            listed = current.get(full_kind)
            if listed is None:
                reader.fail(place, f"needs the item's {full_kind}")
                continue
            for name, raw in entries.items():
                ranges.extend(_entry(reader, f"{place}.{name}", name, full_kind, raw, listed, Version,
                                     InvalidVersion))
    return tuple(ranges)


def _entry(reader, where, name, kind, raw, listed, Version, InvalidVersion):
    if not isinstance(raw, dict) or not raw:
        reader.fail(where, "must be a table: { since = ..., removed_in = ..., renamed_to = ... }")
        return
    unknown = sorted(set(raw) - _ENTRY_KEYS)
    if unknown:
        reader.fail(where, f"unknown key {unknown[0]!r}; one of {', '.join(sorted(_ENTRY_KEYS))}")
        return
    if not all(isinstance(v, str) for v in raw.values()):
        reader.fail(where, "values must be strings")
        return
    if "since" not in raw and "removed_in" not in raw:
        reader.fail(where, "needs since or removed_in")
        return
    versions = []
    for key in ("since", "deprecated_in", "removed_in"):
        if key in raw:
            try:
                versions.append(Version(raw[key]))
            except InvalidVersion:
                reader.fail(f"{where}.{key}", f"must be a version, not {raw[key]!r}")
                return
    if versions != sorted(versions) or len(set(versions)) != len(versions):
        reader.fail(where, "needs since < deprecated_in < removed_in")
    if "removed_in" in raw and name in listed:
        reader.fail(where, f"removed in {raw['removed_in']}: must not be in the {kind} of the schema's version")
    if "removed_in" not in raw and name not in listed:
        reader.fail(where, f"must be in the {kind} (the schema's version has it)")
    if "renamed_to" in raw and raw["renamed_to"] not in listed:
        reader.fail(f"{where}.renamed_to", f"must be in the {kind}")
    yield NameRange(name, kind, raw.get("since"), raw.get("deprecated_in"), raw.get("removed_in"),
                    raw.get("renamed_to"), raw.get("note", ""))

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

import re
from dataclasses import dataclass
from typing import Any

#: The lists a history table describes: `kwargs`, `attributes`, the keys of one
#: `option_keys` collection (`option_keys.tcp_options`), `method_kwargs.<method>`, the URL query
#: keys (`settings_keys`), a `[[settings]]` table's `keys`; and the policies for unknown names
#: (`unknown_kwargs`, `unknown_attributes`, `unknown_settings_keys`) where some versions differ.
HISTORY_KINDS = ("kwargs", "attributes", "option_keys", "method_kwargs", "unknown_kwargs", "unknown_attributes",
                 "settings_keys", "unknown_settings_keys", "keys")
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


def parse_history(reader: Any, current: dict[str, frozenset[str] | None],
                  policies: dict[str, Any] | None = None) -> tuple[NameRange, ...]:
    """The `history` table of a class or factory, read by the schema loader's `reader`
    (`schema._Reader`); `current` holds the item's lists ("kwargs", "attributes",
    "option_keys.<collection>"): a name gone from the library must not be in them,
    a name it still has must be.  `policies` holds the policies a version may have
    instead of the class's ("unknown_kwargs": KWARG_POLICIES, ...)."""
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
        if kind.startswith("unknown_"):
            if kind not in (policies or {}):
                reader.fail(where, "is only for classes")
                continue
            ranges.extend(_policies(reader, where, kind, names, policies[kind]))
            continue
        groups = names.items() if kind in ("option_keys", "method_kwargs") else [(None, names)]
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
                ranges.extend(_entry(reader, f"{place}.{name}", name, full_kind, raw, listed))
    return tuple(ranges)


def _policies(reader, where, kind, entries, allowed):
    """`silent = { removed_in = "0.11.0" }`: before 0.11.0, unknown attributes were silently accepted."""
    for policy, raw in entries.items():
        if policy not in allowed:
            reader.fail(f"{where}.{policy}", f"must be one of {', '.join(sorted(allowed))}")
            continue
        if isinstance(raw, dict) and set(raw) - {"since", "removed_in"}:
            reader.fail(f"{where}.{policy}", "takes only since and removed_in")
            continue
        yield from _entry(reader, f"{where}.{policy}", policy, kind, raw, None)


def _release(text: str) -> tuple[int, ...] | None:
    """A plain release number ("0.11.0") as a comparable tuple; None for anything else.
    (`packaging` is not imported to load schemas: it costs start-up on every run.)"""
    if not re.fullmatch(r"\d+(\.\d+)*", text):
        return None
    release = [int(part) for part in text.split(".")]
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    return tuple(release)


def _entry(reader, where, name, kind, raw, listed):
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
            release = _release(raw[key])
            if release is None:
                reader.fail(f"{where}.{key}", f"must be a release number such as 1.0.0, not {raw[key]!r}")
                return
            versions.append(release)
    if versions != sorted(versions) or len(set(versions)) != len(versions):
        reader.fail(where, "needs since < deprecated_in < removed_in")
    if listed is None:  # a policy's versions
        yield NameRange(name, kind, raw.get("since"), None, raw.get("removed_in"))
        return
    if "removed_in" in raw and name in listed:
        reader.fail(where, f"removed in {raw['removed_in']}: must not be in the {kind} of the schema's version")
    if "removed_in" not in raw and name not in listed:
        reader.fail(where, f"must be in the {kind} (the schema's version has it)")
    if "renamed_to" in raw and raw["renamed_to"] not in listed:
        reader.fail(f"{where}.renamed_to", f"must be in the {kind}")
    yield NameRange(name, kind, raw.get("since"), raw.get("deprecated_in"), raw.get("removed_in"),
                    raw.get("renamed_to"), raw.get("note", ""))

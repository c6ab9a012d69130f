"""Configuration keys: the string keys a library reads by name from a settings dict or a
call's argument (Django's `DATABASES` entries and their `OPTIONS`, SQLAlchemy's
`connect_args` and URL query per driver).  A schema's `[[key_set]]` tables (docs/schemas.md)
say where such a collection is, which keys the library knows, and what it does with the
others; this module parses them.  LK103 reads them (lintkit/library_settings/config_keys.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from .registry import SchemaSet

#: What a library does with a key it does not know, as messages say it.
UNKNOWN_KEY_POLICIES = {
    "ignored": "ignores it",
    "warns": "warns and ignores it",
    "fails_at_connect": "fails only at the first connection",
    "raises": "fails at start-up",
}
#: Which unknown keys are reported: every one, or only a misspelling of a known key (other
#: code, such as a third-party backend or a database router, may read the rest).
REPORTED = ("all", "misspelt")

_KEY_SET_KEYS = {"name", "keys", "keys_of", "unknown_keys", "report", "notes", "setting", "path", "when",
                 "unchecked_unless", "call", "argument", "url_argument", "url_position", "drivers",
                 "drivers_by_version", "ignored_as_settings", "query_keys"}


@dataclass(frozen=True)
class KeySet:
    """One collection of configuration keys and where lintkit finds it."""

    #: Shown in messages: "'sslmod' is not a key of {name}".
    name: str
    keys: frozenset[str] = frozenset()
    #: Schema classes or factories whose keywords are keys too (a driver's connect()).
    keys_of: tuple[str, ...] = ()
    unknown_keys: str = "ignored"
    report: str = "all"
    notes: Mapping[str, str] = field(default_factory=dict)
    # --- a settings module's dict (Django): `setting`, then `path` ("*": every value)
    setting: str | None = None
    path: tuple[str, ...] = ()
    #: Keys of the dict holding the collection, and the literal values that select this set.
    when: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: Keys of the collection itself: a value outside the list (or not a literal) means other
    #: code reads the collection (a custom client class): it is not checked.
    unchecked_unless: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: Keys that mean nothing as module-level settings (Django reads them per entry only).
    ignored_as_settings: frozenset[str] = frozenset()
    # --- a call's argument (SQLAlchemy): `call`, `argument`, selected by the URL's driver
    call: tuple[str, ...] = ()
    argument: str | None = None
    url_argument: str | None = None
    url_position: int | None = None
    drivers: frozenset[str] = frozenset()
    #: Keys valid in the URL's query only (the dialect consumes them before the driver's connect()).
    query_keys: frozenset[str] = frozenset()
    #: A driver name that selects this set only with these versions of the library
    #: (`postgresql` is psycopg2 before SQLAlchemy 2.1, psycopg from 2.1).
    drivers_by_version: Mapping[str, str] = field(default_factory=dict)
    library: str = ""
    distribution: str = ""
    origin: str = ""

    def all_drivers(self) -> frozenset[str]:
        return self.drivers | frozenset(self.drivers_by_version)


def parse_key_sets(top, lib_name: str, distribution: str) -> tuple[KeySet, ...]:
    """The file's `[[key_set]]` tables; problems go to `top` (a schema._Reader)."""
    raw_sets = top.table.get("key_set", [])
    if not isinstance(raw_sets, list):
        top.fail("key_set", "must be an array of tables ([[key_set]])")
        return ()
    found = []
    for index, raw in enumerate(raw_sets):
        name = raw.get("name") if isinstance(raw, Mapping) else None
        r = top.reader(f"key_set '{name}'" if isinstance(name, str) else f"key_set[{index}]", raw, _KEY_SET_KEYS)
        found.append(_parse_one(r, lib_name, distribution))
    return tuple(found)


def _parse_one(r, lib_name: str, distribution: str) -> KeySet:
    name = r.str("name", required=True) or ""
    keys = frozenset(r.names("keys") or ())
    keys_of = r.names("keys_of") or ()
    if not keys and not keys_of:
        r.fail(r.key("keys"), "needs keys or keys_of")
    setting, call = r.str("setting"), r.names("call") or ()
    if bool(setting) == bool(call):
        r.fail(r.key("setting"), "needs exactly one of setting and call")
    path = r.names("path") or ()
    if setting is None and (path or r.table.get("when") or r.table.get("unchecked_unless")
                            or r.table.get("ignored_as_settings")):
        r.fail(r.key("path"), "path, when, unchecked_unless and ignored_as_settings need a setting")
    argument, url_argument = r.str("argument"), r.str("url_argument")
    url_position = r.number("url_position", None, low=0, integer=True)
    drivers = frozenset(r.names("drivers") or ())
    by_version = r.text_map("drivers_by_version")
    if call and not (argument or url_argument):
        r.fail(r.key("argument"), "a call's key set needs an argument or a url_argument")
    if (drivers or by_version) and not url_argument:
        r.fail(r.key("drivers"), "drivers need a url_argument (the URL names the driver)")
    if r.table.get("query_keys") and not url_argument:
        r.fail(r.key("query_keys"), "query_keys need a url_argument")
    if url_argument and not (drivers or by_version):
        r.fail(r.key("drivers"), "a url_argument needs the drivers that select this key set")
    ignored = frozenset(r.names("ignored_as_settings") or ())
    if ignored - keys:
        r.fail(r.key("ignored_as_settings"), f"not among the keys: {', '.join(sorted(ignored - keys))}")
    return KeySet(
        name=name, keys=keys, keys_of=keys_of,
        unknown_keys=r.choice("unknown_keys", UNKNOWN_KEY_POLICIES, "ignored"),
        report=r.choice("report", dict.fromkeys(REPORTED, ""), "all"),
        notes=r.note_map("notes"),
        setting=setting, path=path,
        when=_choices(r, "when"), unchecked_unless=_choices(r, "unchecked_unless"),
        ignored_as_settings=ignored,
        call=call, argument=argument, url_argument=url_argument,
        url_position=None if url_position is None else int(url_position),
        drivers=drivers, drivers_by_version=by_version, query_keys=frozenset(r.names("query_keys") or ()),
        library=lib_name, distribution=distribution, origin=r.origin,
    )


def _choices(r, name: str) -> dict[str, frozenset[str]]:
    table: dict[str, Any] = r.table_of(name)
    for key, values in table.items():
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            r.fail(f"{r.key(name)}.{key}", "must be a non-empty list of strings")
            table[key] = []
    return {key: frozenset(values) for key, values in table.items()}


def reference_problems(schemas: SchemaSet) -> list[tuple[str, str]]:
    """`keys_of` and `call` must name schema classes or factories."""
    problems = []
    for key_set in schemas.key_sets:
        for name in (*key_set.keys_of, *key_set.call):
            if schemas.lookup(name) is None:
                problems.append((key_set.origin, f"key_set '{key_set.name}': no schema class or factory '{name}'"))
    return problems


def known_keys(schemas: SchemaSet, key_set: KeySet) -> frozenset[str]:
    """The keys the library knows: `keys`, and the keywords of `keys_of`."""
    keys = set(key_set.keys)
    for name in key_set.keys_of:
        item = schemas.lookup(name)
        kwargs = schemas.call_target(item).kwargs if item is not None else None
        keys |= kwargs or set()
    return frozenset(keys)

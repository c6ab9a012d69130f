"""`[[settings]]` in a schema file: a library's configuration keys, read by name.

Some libraries take their configuration as a bag of named keys rather than as
keyword arguments: celery's `app.conf.update(broker_heartbeat=10)`, a config
class or module given to `config_from_object`, Django settings with a
namespace prefix (`CELERY_BROKER_HEARTBEAT`).  A misspelt key is stored and
never read.  This module parses the facts (docs/schemas.md, "`[[settings]]`");
`lintkit.library_settings.settings_sources` finds the keys a file sets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .name_history import parse_history
from .schema import Knob

if TYPE_CHECKING:
    from .registry import SchemaSet
    from .schema import _Reader

#: What a library does with a key it does not know.
UNKNOWN_KEY_POLICIES = {
    "stored": "stores it and never reads it, with no warning",
    "ignored": "silently ignores it",
}

_SETTINGS_KEYS = {
    "name", "holders", "instances", "keys", "undeclared_keys", "legacy_keys", "unknown_keys",
    "constructor_params", "constructor_keys", "changes_keyword", "conf_attribute", "config_method",
    "config_keyword", "namespace_keyword", "module", "option_keys", "transport_of", "knob", "history",
}
_MODULE_KEYS = {"prefix", "file_names", "markers"}
_TRANSPORT_OF_KEYS = {"url", "transport", "connection"}
_KNOB_KEYS = {"concept", "setting", "unit", "default", "off", "gap", "transports", "note"}


@dataclass(frozen=True)
class SettingsModule:
    """A module whose module-level names are settings (a Django settings module, `celeryconfig`)."""

    #: The prefix every setting's name carries there (`CELERY_`); names without it are not settings.
    prefix: str
    #: Module file names (without `.py`) or package directory names that make a file such a module.
    file_names: frozenset[str] = frozenset()
    #: Module-level names whose assignment marks such a module (`INSTALLED_APPS`).
    markers: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TransportOf:
    """Which settings select the connection's transport, as the `connection` class reads them."""

    url: str
    transport: str | None
    #: The schema class whose `transport_aliases` map a URL scheme to a transport (kombu's Connection).
    connection: str


@dataclass(frozen=True)
class SettingsSchema:
    name: str
    library: str
    origin: str
    #: Every key the library reads, in its own spelling.
    keys: frozenset[str]
    #: Legacy names still read -> the key each stands for.
    legacy_keys: Mapping[str, str] = field(default_factory=dict)
    unknown_keys: str = "stored"
    #: Classes whose instances hold the settings (constructor keywords, the `conf_attribute`).
    holders: tuple[str, ...] = ()
    #: Qualified names that are holder instances already (`celery.current_app`).
    instances: tuple[str, ...] = ()
    #: The holder constructor's own parameters: its other keywords are settings.
    constructor_params: frozenset[str] = frozenset()
    #: Constructor parameters that set a key (`broker` -> `broker_url`).
    constructor_keys: Mapping[str, str] = field(default_factory=dict)
    changes_keyword: str | None = None
    conf_attribute: str | None = None
    config_method: str | None = None
    config_keyword: str | None = None
    namespace_keyword: str | None = None
    modules: tuple[SettingsModule, ...] = ()
    #: A setting holding a dict read per transport -> transport -> the keys that transport reads.
    option_keys: Mapping[str, Mapping[str, frozenset[str]]] = field(default_factory=dict)
    transport_of: TransportOf | None = None
    #: Liveness knobs; `attribute` is the setting's key.
    knobs: tuple[Knob, ...] = ()
    #: `[settings.history.keys]`: the versions that have each key, where they differ (lintkit/library_settings/settings_versions.py).
    history: tuple = ()

    @property
    def effect(self) -> str:
        return f"{self.library} {UNKNOWN_KEY_POLICIES[self.unknown_keys]}"

    def known(self, name: str) -> bool:
        return name in self.keys or name in self.legacy_keys

    def key_of(self, name: str) -> str | None:
        """The key a known name sets (a legacy name's new key)."""
        return name if name in self.keys else self.legacy_keys.get(name)


def parse_settings(top: "_Reader", raw_list: Any, library: str) -> tuple[SettingsSchema, ...]:
    if raw_list is None:
        return ()
    if not isinstance(raw_list, list):
        top.fail("settings", "must be an array of tables ([[settings]])")
        return ()
    return tuple(_parse_one(top, index, raw, library) for index, raw in enumerate(raw_list))


def _parse_one(top: "_Reader", index: int, raw: Any, library: str) -> SettingsSchema:
    from .schema import _where

    r = top.reader(_where("settings", index, raw), raw, _SETTINGS_KEYS)
    name = r.str("name", required=True) or ""
    keys = frozenset(r.names("keys") or ()) | frozenset(r.names("undeclared_keys") or ())
    if not keys:
        r.fail(r.key("keys"), "is required: every key the library reads")
    legacy = r.text_map("legacy_keys")
    _must_be_keys(r, "legacy_keys", legacy.values(), keys)
    constructor_keys = r.text_map("constructor_keys")
    _must_be_keys(r, "constructor_keys", constructor_keys.values(), keys)
    option_keys = _option_keys(r, keys)
    transport_of = _transport_of(r, keys)
    knobs = tuple(_knobs(r, raw.get("knob", []) if isinstance(raw, Mapping) else [], keys))
    return SettingsSchema(
        name=name, library=library, origin=r.origin, keys=keys, legacy_keys=legacy,
        unknown_keys=r.choice("unknown_keys", UNKNOWN_KEY_POLICIES, "stored"),
        holders=r.names("holders") or (), instances=r.names("instances") or (),
        constructor_params=frozenset(r.names("constructor_params") or ()),
        constructor_keys=constructor_keys,
        changes_keyword=r.str("changes_keyword"), conf_attribute=r.str("conf_attribute"),
        config_method=r.str("config_method"), config_keyword=r.str("config_keyword"),
        namespace_keyword=r.str("namespace_keyword"),
        modules=tuple(_modules(r)), option_keys=option_keys, transport_of=transport_of, knobs=knobs,
        history=parse_history(r, {"keys": keys}))


def _must_be_keys(r: "_Reader", name: str, values: Iterable[str], keys: frozenset[str]) -> None:
    unknown = sorted(set(values) - keys)
    if unknown:
        r.fail(r.key(name), f"not among the keys: {', '.join(map(repr, unknown))}")


def _modules(r: "_Reader") -> Iterable[SettingsModule]:
    raw_modules = r.table.get("module", [])
    if not isinstance(raw_modules, list):
        r.fail(r.key("module"), "must be an array of tables ([[settings.module]])")
        return
    for index, raw in enumerate(raw_modules):
        m = r.reader(f"{r.where}.module[{index}]", raw, _MODULE_KEYS)
        file_names, markers = m.names("file_names") or (), m.names("markers") or ()
        if not file_names and not markers:
            m.fail(m.where, "needs file_names or markers (what makes a file such a module)")
        yield SettingsModule(prefix=m.str("prefix", "") or "", file_names=frozenset(file_names),
                             markers=frozenset(markers))


def _option_keys(r: "_Reader", keys: frozenset[str]) -> dict[str, dict[str, frozenset[str]]]:
    found: dict[str, dict[str, frozenset[str]]] = {}
    for setting, per_transport in r.table_of("option_keys").items():
        where = f"{r.key('option_keys')}.{setting}"
        if setting not in keys:
            r.fail(where, "must be one of the keys")
        if not isinstance(per_transport, Mapping) or not per_transport:
            r.fail(where, "must be a table: transport -> the keys it reads")
            continue
        found[setting] = {}
        for transport, names in per_transport.items():
            if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
                r.fail(f"{where}.{transport}", "must be a non-empty list of strings")
                continue
            found[setting][transport] = frozenset(names)
    return found


def _transport_of(r: "_Reader", keys: frozenset[str]) -> TransportOf | None:
    if "transport_of" not in r.table:
        return None
    t = r.reader(r.key("transport_of"), r.table_of("transport_of"), _TRANSPORT_OF_KEYS)
    url, transport = t.str("url", required=True), t.str("transport")
    connection = t.str("connection", required=True)
    _must_be_keys(t, "url/transport", [k for k in (url, transport) if k], keys)
    return TransportOf(url or "", transport, connection or "")


def _knobs(r: "_Reader", raw_knobs: Any, keys: frozenset[str]) -> Iterable[Knob]:
    from .schema import KNOB_CONCEPTS, KNOB_UNITS, _knob_value

    if not isinstance(raw_knobs, list):
        r.fail(r.key("knob"), "must be an array of tables ([[settings.knob]])")
        return
    for index, raw in enumerate(raw_knobs):
        k = r.reader(f"{r.where}.knob[{index}]", raw, _KNOB_KEYS)
        setting = k.str("setting", required=True)
        if setting is not None and setting not in keys:
            k.fail(k.key("setting"), f"{setting!r} is not among the keys")
        off = k.table.get("off", [])
        if not isinstance(off, list):
            k.fail(k.key("off"), "must be a list")
            off = []
        yield Knob(concept=k.choice("concept", KNOB_CONCEPTS, ""), unit=k.choice("unit", KNOB_UNITS, ""),
                   attribute=setting, default=_knob_value(k, k.key("default"), k.table.get("default", "none")),
                   off=tuple(_knob_value(k, k.key("off"), v) for v in off),
                   gap=k.number("gap", 1.0, low=0.01, high=1.0), transports=k.names("transports") or (),
                   note=k.str("note", "") or "")


# --------------------------------------------------------------------------- the loaded set


def all_settings(schemas: "SchemaSet") -> tuple[SettingsSchema, ...]:
    return tuple(s for lib in schemas.libraries for s in getattr(lib, "settings", ()))


def settings_problems(schemas: "SchemaSet") -> list[tuple[str, str]]:
    """Cross-file checks: holders and the transport connection are schema classes or known names,
    and every transport named is one of the connection's."""
    problems = []
    for settings in all_settings(schemas):
        where = f"settings '{settings.name}'"
        if settings.transport_of is None:
            if settings.option_keys or any(k.transports for k in settings.knobs):
                problems.append((settings.origin, f"{where}: per-transport facts need transport_of"))
            continue
        cls = schemas.classes.get(settings.transport_of.connection)
        if cls is None:
            problems.append((settings.origin, f"{where}.transport_of.connection: no schema class "
                                              f"'{settings.transport_of.connection}'"))
            continue
        transports = set(cls.transports.aliases.values())
        named = {t for per in settings.option_keys.values() for t in per} | \
                {t for knob in settings.knobs for t in knob.transports}
        for transport in sorted(named - transports):
            problems.append((settings.origin, f"{where}: '{transport}' is no transport of "
                                              f"{settings.transport_of.connection}"))
    return problems

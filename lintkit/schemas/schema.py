"""Library schemas: the declarative facts lintkit knows about client libraries.

A schema file is TOML (format documented in docs/schemas.md).  Loading never
imports the library it describes.  Every malformed file raises SchemaError
naming the file and the key, so a user schema with a typo fails loudly: the
tool must not have the bug class it exists to catch.  A file's problems are all
collected before it fails, so one run shows every one of them.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..liveness import copied_options
from .name_history import NameRange, parse_history
from .schema_cache import cached_schema
from .toml_cache import load_toml

SCHEMA_FORMAT = 1

#: What a library does with a keyword argument it does not know.
KWARG_POLICIES = {
    "raises": "fails at call time",
    "swallows": "the library silently ignores it",
    "deferred": "the library stores it and fails only when the first connection is made",
}

#: What a library does with an attribute assignment it does not know.
ATTRIBUTE_POLICIES = {
    "silent": "Python accepts it silently and the library never reads it",
    "raises": "it raises AttributeError at run time",
}

#: What a library does with a URL query key it does not read (`settings_keys`).
SETTINGS_KEY_POLICIES = {
    "ignored": "the library never reads it",
    "raises": "the call raises ValueError",
}


class Note(str):
    """A schema note on one name: the text is what to change (the message's advice);
    `why` is the reason, for the explanation (empty: the text says it all)."""

    why: str

    def __new__(cls, fix: str, why: str = "") -> "Note":
        note = super().__new__(cls, fix)
        note.why = why
        return note


#: Liveness concepts a knob can control (used by the LK2xx rules).
KNOB_CONCEPTS = {
    "heartbeat": "application-level heartbeat or ping interval",
    "keepalive": "TCP keepalive on/off (SO_KEEPALIVE)",
    "keepalive_idle": "idle time before the first TCP keepalive probe",
    "keepalive_interval": "time between TCP keepalive probes",
    "keepalive_count": "unanswered probes before the connection is dropped",
    "keepalive_options": "a collection of TCP keepalive socket options",
    "user_timeout": "TCP_USER_TIMEOUT: give up on unacknowledged data",
    "health_check": "check the connection before use after this idle time",
    "idle_close": "the client closes a connection it has not used for this long (and reconnects when needed)",
}
KNOB_UNITS = {"s": "seconds", "ms": "milliseconds", "bool": "on/off", "options": "socket options"}


class SchemaError(ValueError):
    """Schema files are malformed; each problem names its file (and the key).

    `problems` holds (file, problem) pairs; the message is one line per problem.
    """

    def __init__(self, message: str, problems: Iterable[tuple[str, str]] = ()):
        self.problems = tuple(problems)
        super().__init__("\n".join(f"{origin}: {problem}" for origin, problem in self.problems) or message)

    @classmethod
    def of(cls, problems: Iterable[tuple[str, str]]) -> "SchemaError":
        return cls("", problems)

    def lines(self) -> list[str]:
        return str(self).splitlines()


@dataclass(frozen=True)
class Knob:
    """One way a library lets code control liveness (heartbeat, keepalive...)."""

    concept: str
    unit: str
    kwarg: str | None = None
    attribute: str | None = None
    method: str | None = None
    default: Any = None
    off: tuple[Any, ...] = ()
    versions: str | None = None
    note: str = ""
    #: The entry of an options collection that holds the value (grpc's
    #: "grpc.keepalive_time_ms" in `options=[...]`, pika's "TCP_KEEPIDLE" in
    #: `tcp_options={...}`, redis's socket.TCP_KEEPIDLE in `socket_keepalive_options`).
    key: str | None = None
    #: For a `method` knob: the keyword that sets it, and its positional index. For a `kwarg`
    #: knob, `position` is that parameter's positional index (confluent-kafka's config dict: 0).
    argument: str | None = None
    position: int | None = None
    #: The longest silence on an idle connection, as a fraction of the value (AMQP
    #: clients send a heartbeat frame every heartbeat/2: 0.5).
    gap: float = 1.0
    #: The TCP keepalive idle (seconds) the library applies when this knob is not given
    #: (py-amqp's socket_settings: 60); unset: the OS default.
    default_idle: float | None = None
    #: For a `key` knob: other entries the same collection must hold for the knob to act
    #: on an idle connection (grpc pings an idle channel only with
    #: ("grpc.keepalive_permit_without_calls", 1)).
    requires: tuple[tuple[str, Any], ...] = ()
    #: A condition outside the client for a new value to work, added to the advice of
    #: LK204 and LK205 (grpc: the server must accept pings that often).
    caveat: str = ""
    #: For a fixed knob: what a user can do about the behaviour, away from the call (a
    #: subclass, a system setting). LK202 reports a fixed knob only under `strict`, with it.
    #: For a `keepalive` switch of a library with no idle setting (botocore's tcp_keepalive):
    #: what to do instead, given when the call turns the switch on.
    remedy: str = ""
    #: The transports (values of the class's `transport_aliases`) this knob exists on; empty: all.
    transports: tuple[str, ...] = ()
    #: Names the application must call (or library classes that call them) for the knob to
    #: act: kombu sends heartbeats only while `heartbeat_check()` is called.  Empty: the
    #: library acts on its own.
    serviced_by: tuple[str, ...] = ()
    #: The library reads the value with `int()` of its text and turns anything else (`30.0`,
    #: `"30s"`) into the first `off` value (aiormq's parse_int()).
    integer_only: bool = False
    #: The lowest and highest values the library keeps; it turns any other into the first `off` value.
    accepted: tuple[float, float] | None = None
    #: Methods with which the application does the knob's job itself (websockets `ping()`):
    #: when the file calls one, the knob turned off or left unset is not reported.
    replaced_by: tuple[str, ...] = ()
    #: The value is a tuple of this many numbers in `unit`, each judged against `default` and
    #: `off` (stomp.py's heartbeats=(send_ms, receive_ms)); off when every item is off.
    items: int | None = None
    #: The value is True or a tuple whose first item is one of these names; the library logs any
    #: other value and leaves the knob off (stomp.py's keepalive=("linux", idle, intvl, cnt)).
    spec_names: tuple[str, ...] = ()
    #: Why turning the knob off is usually a deliberate choice that real code makes for its own
    #: reasons (measured on the ecosystem check): LK203 then reports an `off` value only with strict.
    deliberate_off: str = ""

    @property
    def fixed(self) -> bool:
        """No setter: library behaviour the code cannot change (PyMySQL's SO_KEEPALIVE)."""
        return not (self.kwarg or self.attribute or self.method)

    def position_of(self) -> int | None:
        """The positional index of a method knob's value (first argument by default)."""
        if self.position is not None:
            return self.position
        return None if self.argument else 0


@dataclass(frozen=True)
class Address:
    """Where a call connects to: which argument holds the host, and what makes it local."""

    #: The parameter holding the host, a `host:port` or a URL (keyword, or at `host_position`).
    host_argument: str | None = None
    host_position: int | None = None
    #: The host the library connects to when none is given ("/..." is a UNIX socket directory).
    default_host: str | None = None
    #: URL schemes that make a local connection (redis-py's `unix://`).
    local_schemes: frozenset[str] = frozenset()
    #: Keyword -> qualified names of values that make the connection local (redis-py's
    #: `connection_class=UnixDomainSocketConnection`).
    local_values: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: Keywords that may take the host from elsewhere (PyMySQL's `read_default_file`).
    host_hidden_by: frozenset[str] = frozenset()
    #: With `host_argument`: the entry of that collection holding the host (confluent-kafka's
    #: "bootstrap.servers" in the config dict).
    host_key: str | None = None

    def __bool__(self) -> bool:
        return bool(self.host_argument or self.default_host or self.local_schemes or self.local_values
                    or self.host_hidden_by)


@dataclass(frozen=True)
class Transports:
    """How a call selects one of a library's transports (kombu: `amqp://`, `redis://`, `memory://`)."""

    #: Scheme or alias -> transport (kombu's TRANSPORT_ALIASES).
    aliases: Mapping[str, str] = field(default_factory=dict)
    #: The keyword naming a transport by alias or class (kombu's `transport=`).
    keyword: str | None = None
    #: The alias used when nothing selects one.
    default: str | None = None


@dataclass(frozen=True)
class Override:
    """An argument that takes over from other keywords, which the library then ignores
    (redis `connection_pool=`: the client takes every connection setting from the pool)."""

    argument: str
    #: The argument's 0-based index when passed positionally (`Redis.from_pool(pool)`: 0).
    position: int | None = None
    #: The keywords ignored when `argument` is given: listed, or every keyword but these.
    ignores: frozenset[str] | None = None
    ignores_all_but: frozenset[str] | None = None
    #: The schema class of the object given as `argument`, which takes the settings instead.
    target: str | None = None
    #: What happens, in a few words ("the client takes every connection setting from the pool").
    note: str = ""
    #: Where an ignored keyword goes instead, when `target` has no keyword of that name.
    instead: tuple[tuple[str, str], ...] = ()
    #: Keywords that, given too, make the library read the ignored ones after all (httpx
    #: `proxy=`: verify, cert, limits... then build the proxy's transport).
    unless: frozenset[str] = frozenset()

    def ignored(self, kwargs: frozenset[str] | None) -> frozenset[str]:
        """The keywords the library ignores when `argument` is given."""
        if self.ignores is not None:
            return self.ignores
        return frozenset(kwargs or ()) - self.ignores_all_but - {self.argument}

    def advice(self, keyword: str) -> str | None:
        return dict(self.instead).get(keyword)


class _PublicName:
    """`display_name` of a schema class or factory (both have `name` and `aliases`)."""

    @property
    def display_name(self) -> str:
        """The name users write: the first alias if any (a public re-export)."""
        return self.aliases[0] if self.aliases else self.name


@dataclass(frozen=True)
class ClassSchema(_PublicName):
    name: str
    aliases: tuple[str, ...] = ()
    bases: tuple[str, ...] = ()
    attributes: frozenset[str] | None = None
    methods: frozenset[str] = frozenset()
    unknown_attributes: str = "silent"
    kwargs: frozenset[str] | None = None
    unknown_kwargs: str = "raises"
    notes: Mapping[str, str] = field(default_factory=dict)
    vocabulary: Mapping[str, str] = field(default_factory=dict)
    knobs: tuple[Knob, ...] = ()
    #: Keywords that make the connection a local (UNIX-domain) one: no TCP liveness rules.
    local_kwargs: frozenset[str] = frozenset()
    #: A parameter (keyword, or the first positional argument) whose string may carry
    #: settings as `key=value` pairs or a URL query (libpq conninfo, AMQP URLs).
    settings_argument: str | None = None
    #: Collections (a keyword or attribute) whose string keys the library reads by name,
    #: and the keys it knows (pika's tcp_options): LK103 checks the others.
    option_keys: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: Every key the library reads from the `settings_argument`'s URL query: LK103 reports others.
    settings_keys: frozenset[str] | None = None
    #: What the library does with another URL query key: "ignored" or "raises" (ValueError).
    unknown_settings_keys: str = "ignored"
    #: The library looks keyword and URL query option names up lowercased (pymongo): LK102 and
    #: LK103 compare names without case.
    names_case_insensitive: bool = False
    #: Keyword -> the literal value that makes the constructor open no connection
    #: (PyMySQL's defer_connect=True): the LK2xx rules leave such a call alone.
    connect_deferred_by: Mapping[str, Any] = field(default_factory=dict)
    #: The keyword naming the class that receives the keywords the constructor does not
    #: know (redis pools make `connection_class(**connection_kwargs)`).
    kwargs_receiver: str | None = None
    #: Where a constructor call connects to (host argument, default host, local schemes).
    address: Address = field(default_factory=Address)
    #: How a constructor call selects a transport; knobs with `transports` apply only there.
    transports: Transports = field(default_factory=Transports)
    #: Arguments that take over from other keywords (redis `connection_pool=`).
    overrides: tuple[Override, ...] = ()
    #: How the library recovers by itself from an idle connection a middlebox dropped
    #: (urllib3: checks a pooled connection before reuse, retries on a reset): LK204
    #: reports such a client only with `strict`.
    recovers_dropped_idle: str | None = None
    #: The versions that have each name of its lists, where they differ from `[library] version`.
    history: tuple[NameRange, ...] = ()
    #: Method -> every keyword it accepts (a method without **kwargs: others raise TypeError).
    method_kwargs: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: How the protocols commonly carried over such a connection keep it alive themselves,
    #: out of lintkit's sight (Engine.IO ping packets over a websocket): LK204 reports the
    #: class without its knob only with `strict`.
    protocol_heartbeats: str | None = None
    #: Options copied when a method makes something (pyzmq's connect()/bind()): LK207.
    options_copied_by: Any = None
    #: Methods that make an object carry a session (log in, open a channel): one on which the
    #: code calls none of them, and that it hands to no other code, only probes (holder_uses.py).
    session_methods: frozenset[str] = frozenset()
    #: Functions of other libraries that use a client only for the call, keeping nothing
    #: (oslo.concurrency's `ssh_execute(ssh, cmd)`): handing one the client keeps it no longer.
    borrowed_by: frozenset[str] = frozenset()
    #: Attribute -> the schema class of the object it holds, part of this object's connection
    #: (pysftp's `Connection._transport`, a paramiko Transport): its knobs are this object's.
    parts: Mapping[str, str] = field(default_factory=dict)
    library: str = ""
    origin: str = ""


@dataclass(frozen=True)
class FactorySchema(_PublicName):
    name: str
    returns: str
    aliases: tuple[str, ...] = ()
    kwargs: frozenset[str] | None = None
    kwargs_of: str | None = None
    unknown_kwargs: str = "raises"
    notes: Mapping[str, str] = field(default_factory=dict)
    #: Keywords that make the call return another class (psycopg2's connection_factory).
    returns_overridden_by: frozenset[str] = frozenset()
    #: The returned class depends on the arguments (urllib3's connection_from_url: http or
    #: https pool): keywords are checked, the result is not tracked.
    returns_varies: bool = False
    local_kwargs: frozenset[str] = frozenset()
    settings_argument: str | None = None
    #: Its own (not inherited from the class it returns: `clone()` connects where its source does).
    address: Address = field(default_factory=Address)
    overrides: tuple[Override, ...] = ()
    #: Methods of the receiver one of which must have run before the result is usable
    #: (paramiko's get_transport() returns None until connect()).
    ready_after: tuple[str, ...] = ()
    #: The result is a new connection with the receiver's settings (kombu's clone()).
    copies_settings: bool = False
    #: The versions that have each of its own keywords (`kwargs`), where they differ.
    history: tuple[NameRange, ...] = ()
    library: str = ""
    origin: str = ""


@dataclass(frozen=True)
class LibrarySchema:
    name: str
    distribution: str
    version: str
    source: str
    importable: bool
    classes: tuple[ClassSchema, ...]
    factories: tuple[FactorySchema, ...]
    origin: str
    vocabulary: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: `[[settings]]`: configuration keys read by name (lintkit.schemas.settings_schema).
    settings: tuple = ()
    #: Configuration keys the library reads by name (lintkit/schemas/key_sets.py).
    key_sets: tuple = ()
    #: `[library.history.names]`: classes, functions and modules some versions lack (lintkit/schemas/module_names.py).
    names_history: tuple[NameRange, ...] = ()


# --------------------------------------------------------------------------- parsing

_LIBRARY_KEYS = {"name", "distribution", "version", "source", "importable", "history"}
_ADDRESS_KEYS = {"host_argument", "host_position", "default_host", "local_schemes", "local_values", "host_hidden_by",
                 "host_key"}
_TRANSPORT_KEYS = {"transport_aliases", "transport_keyword", "default_transport"}
_CLASS_KEYS = {
    "name", "aliases", "bases", "attributes", "methods", "unknown_attributes",
    "kwargs", "unknown_kwargs", "notes", "vocabulary", "knob", "local_kwargs", "settings_argument",
    "option_keys", "connect_deferred_by", "override", "kwargs_receiver", "recovers_dropped_idle",
    "settings_keys",
    "history", "method_kwargs",
    "unknown_settings_keys",
    "protocol_heartbeats",
    "names_case_insensitive",
    "options_copied_by",
    "session_methods",
    "borrowed_by",
    "parts",
} | _ADDRESS_KEYS | _TRANSPORT_KEYS
_KNOB_KEYS = {"concept", "unit", "kwarg", "attribute", "method", "default", "off", "versions", "note",
              "key", "argument", "position", "gap", "default_idle", "requires", "caveat", "remedy", "transports",
              "serviced_by", "integer_only", "accepted", "replaced_by", "items", "spec_names",
              "deliberate_off"}
_FACTORY_KEYS = {"name", "returns", "aliases", "kwargs", "kwargs_of", "unknown_kwargs", "notes",
                 "returns_overridden_by", "returns_varies", "local_kwargs", "settings_argument",
                 "override", "ready_after", "copies_settings", "history"} | _ADDRESS_KEYS
_OVERRIDE_KEYS = {"argument", "position", "ignores", "ignores_all_but", "target", "note", "instead", "unless"}
_TOP_KEYS = {"format", "library", "class", "factory", "vocabulary", "settings", "key_set"}


class _Reader:
    """Typed access to one TOML table, with errors that name file and key.

    A problem is recorded in `problems` (shared by the readers of one file) and the
    getter returns its default, so parsing goes on and finds the file's other problems.
    """

    def __init__(self, origin: str, where: str, table: Mapping[str, Any], allowed: set[str],
                 problems: list[tuple[str, str]]):
        self.origin, self.where, self.table, self.problems = origin, where, table, problems
        if not isinstance(table, Mapping):
            self.fail(where, "must be a table")
            self.table = {}
        for key in self.table:
            if key not in allowed:
                hint = _closest(key, allowed)
                self.fail(f"{where}.{key}" if where else key,
                          "unknown key" + (f"; did you mean '{hint}'?" if hint else ""))

    def fail(self, key: str, problem: str) -> None:
        found = (self.origin, f"{key}: {problem}")
        if found not in self.problems:  # a key read twice is reported once
            self.problems.append(found)

    def reader(self, where: str, table: Any, allowed: set[str]) -> "_Reader":
        """A reader for a table inside this one, recording problems in the same list."""
        return _Reader(self.origin, where, table, allowed, self.problems)

    def key(self, name: str) -> str:
        return f"{self.where}.{name}" if self.where else name

    def str(self, name: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = self.table.get(name, default)
        if value is None and required:
            self.fail(self.key(name), "is required")
        if value is not None and not isinstance(value, str):
            self.fail(self.key(name), f"must be a string, not {type(value).__name__}")
            return default
        return value

    def bool(self, name: str, default: bool) -> bool:
        value = self.table.get(name, default)
        if not isinstance(value, bool):
            self.fail(self.key(name), f"must be true or false, not {value!r}")
            return default
        return value

    def names(self, name: str) -> tuple[str, ...] | None:
        value = self.table.get(name)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(self.key(name), "must be a list of strings")
            return None
        dupes = sorted({v for v in value if value.count(v) > 1})
        if dupes:
            self.fail(self.key(name), f"lists {', '.join(map(repr, dupes))} more than once")
        return tuple(value)

    def choice(self, name: str, choices: Mapping[str, str], default: str) -> str:
        value = self.str(name, default)
        if value not in choices:
            self.fail(self.key(name), f"must be one of {', '.join(sorted(choices))}, not {value!r}")
        return value

    def number(self, name: str, default: float | None, *, low: float | None = None,
               high: float | None = None, integer: bool = False) -> float | None:
        value = self.table.get(name, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int if integer else (int, float)):
            self.fail(self.key(name), f"must be {'an integer' if integer else 'a number'}, not {value!r}")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.fail(self.key(name), f"must be between {low} and {high}, not {value!r}")
        return value

    def note_map(self, name: str) -> dict[str, Note]:
        """`name = "text"`, or `name = { fix = "what to change", why = "the reason" }`."""
        notes = {}
        for key, value in self.table_of(name).items():
            if isinstance(value, str):
                notes[key] = Note(value)
            elif isinstance(value, Mapping) and set(value) <= {"fix", "why"} and "fix" in value and \
                    all(isinstance(v, str) for v in value.values()):
                notes[key] = Note(value["fix"], value.get("why", ""))
            else:
                self.fail(f"{self.key(name)}.{key}", "must be a string or a table with fix (and why) strings")
        return notes

    def text_map(self, name: str) -> dict[str, str]:
        value = self.table.get(name, {})
        if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
            self.fail(self.key(name), "must be a table of strings")
            return {}
        return dict(value)

    def table_of(self, name: str) -> dict[str, Any]:
        value = self.table.get(name, {})
        if not isinstance(value, Mapping):
            self.fail(self.key(name), "must be a table")
            return {}
        return dict(value)


def _closest(word: str, candidates: Iterable[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


def _where(kind: str, index: int, raw: Any) -> str:
    name = raw.get("name") if isinstance(raw, Mapping) else None
    return f"{kind} '{name}'" if isinstance(name, str) else f"{kind}[{index}]"


def _as_set(names: tuple[str, ...] | None) -> frozenset[str] | None:
    return None if names is None else frozenset(names)


def _option_keys(r: _Reader) -> dict[str, frozenset[str]]:
    table = r.table_of("option_keys")
    setters = set(r.names("kwargs") or ()) | set(r.names("attributes") or ())
    for name, keys in table.items():
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
            r.fail(f"{r.key('option_keys')}.{name}", "must be a non-empty list of strings")
            table[name] = []
        if name not in setters:
            r.fail(f"{r.key('option_keys')}.{name}", "must be one of the class's kwargs or attributes")
    return {name: frozenset(keys) for name, keys in table.items()}


def _method_kwargs(r: _Reader) -> dict[str, frozenset[str]]:
    """`method_kwargs = { connect = ["hostname", ...] }`: each of the class's `methods`, with every keyword it takes."""
    table = r.table_of("method_kwargs")
    methods = set(r.names("methods") or ())
    found = {}
    for name, keywords in table.items():
        where = f"{r.key('method_kwargs')}.{name}"
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            r.fail(where, "must be a list of strings")
            continue
        if name not in methods:
            r.fail(where, "must be one of the class's methods")
        found[name] = frozenset(keywords)
    return found


def _non_empty(r: _Reader, name: str) -> str | None:
    value = r.str(name)
    if value is not None and not value.strip():
        r.fail(r.key(name), "must say how the library does it, not be empty")
    return value


def _connect_deferred_by(r: _Reader) -> dict[str, Any]:
    table = r.table_of("connect_deferred_by")
    kwargs = set(r.names("kwargs") or ())
    for name, value in table.items():
        if isinstance(value, (list, dict)):
            r.fail(f"{r.key('connect_deferred_by')}.{name}", "must be a string, number or true/false")
        if name not in kwargs:
            r.fail(f"{r.key('connect_deferred_by')}.{name}", "must be one of the class's kwargs")
    return dict(table)


def _session_methods(r: _Reader) -> frozenset[str]:
    names = frozenset(r.names("session_methods") or ())
    unknown = sorted(names - set(r.names("methods") or ()))
    if unknown:
        r.fail(r.key("session_methods"), f"must be among the class's methods (not {', '.join(unknown)})")
    return names


def _qualified_names(r: _Reader, key: str) -> frozenset[str]:
    names = frozenset(r.names(key) or ())
    for name in sorted(names):
        if "." not in name or not all(part.isidentifier() for part in name.split(".")):
            r.fail(r.key(key), f"{name!r} is not a qualified name (module.function)")
    return names


def _parts(r: _Reader) -> dict[str, str]:
    parts = r.text_map("parts")
    for name in sorted(parts):
        if not name.isidentifier():
            r.fail(f"{r.key('parts')}.{name}", "must be an attribute name")
    return parts


def _kwargs_receiver(r: _Reader) -> str | None:
    name = r.str("kwargs_receiver")
    if name is not None and name not in set(r.names("kwargs") or ()):
        r.fail(r.key("kwargs_receiver"), "must be one of the class's kwargs")
    return name


def _address(r: _Reader) -> Address:
    local_values = {}
    for name, values in r.table_of("local_values").items():
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            r.fail(f"{r.key('local_values')}.{name}", "must be a non-empty list of qualified names")
            continue
        local_values[name] = frozenset(values)
    position = r.number("host_position", None, low=0, high=255, integer=True)
    if position is not None and r.str("host_argument") is None:
        r.fail(r.key("host_position"), "needs a host_argument")
    if r.str("host_key") is not None and r.str("host_argument") is None:
        r.fail(r.key("host_key"), "needs a host_argument (the collection holding the entry)")
    return Address(
        host_argument=r.str("host_argument"),
        host_position=position,
        default_host=r.str("default_host"),
        local_schemes=frozenset(s.lower() for s in r.names("local_schemes") or ()),
        local_values=local_values,
        host_hidden_by=_as_set(r.names("host_hidden_by")) or frozenset(),
        host_key=r.str("host_key"),
    )


def _transports(r: _Reader) -> Transports:
    aliases = r.text_map("transport_aliases")
    keyword, default = r.str("transport_keyword"), r.str("default_transport")
    if (keyword is not None or default is not None) and not aliases:
        r.fail(r.key("transport_keyword" if keyword is not None else "default_transport"),
               "needs transport_aliases")
    if default is not None and default not in aliases:
        r.fail(r.key("default_transport"), f"must be one of the transport_aliases, not {default!r}")
    return Transports(aliases=aliases, keyword=keyword, default=default)
def _parse_overrides(owner: _Reader, raw_overrides: Any) -> Iterable[Override]:
    if not isinstance(raw_overrides, list):
        owner.fail(owner.key("override"), "must be an array of tables ([[class.override]])")
        return
    for index, raw in enumerate(raw_overrides):
        r = owner.reader(f"{owner.where}.override[{index}]", raw, _OVERRIDE_KEYS)
        argument = r.str("argument", required=True)
        ignores, all_but = r.names("ignores"), r.names("ignores_all_but")
        if (ignores is None) == (all_but is None):
            r.fail(r.where, "needs exactly one of ignores, ignores_all_but")
        instead = r.note_map("instead")
        if ignores is not None and set(instead) - set(ignores):
            r.fail(r.key("instead"), f"{', '.join(map(repr, sorted(set(instead) - set(ignores))))} not "
                                     "among the ignored keywords")
        if all_but is not None and set(instead) & {argument, *all_but}:
            r.fail(r.key("instead"), "names a keyword that is not ignored")
        yield Override(argument=argument, position=r.number("position", None, low=0, high=255, integer=True),
                       ignores=_as_set(ignores), ignores_all_but=_as_set(all_but),
                       target=r.str("target"), note=r.str("note", ""), instead=tuple(sorted(instead.items())),
                       unless=_as_set(r.names("unless")) or frozenset())


def _knob_value(reader: _Reader, key: str, value: Any) -> Any:
    """Knob values are numbers, booleans, or the string "none" for Python's None."""
    if value == "none":
        return None
    if isinstance(value, (bool, int, float)):
        return value
    reader.fail(key, f'must be a number, true/false or "none", not {value!r}')


def _parse_knobs(owner: _Reader, raw_knobs: Any, transports: Transports = Transports()) -> Iterable[Knob]:
    if not isinstance(raw_knobs, list):
        owner.fail(owner.key("knob"), "must be an array of tables ([[class.knob]])")
        return
    for index, raw in enumerate(raw_knobs):
        r = owner.reader(f"{owner.where}.knob[{index}]", raw, _KNOB_KEYS)
        raw = r.table
        concept = r.choice("concept", KNOB_CONCEPTS, "")
        setters = [r.str(k) for k in ("kwarg", "attribute", "method")]
        argument, position = r.str("argument"), r.number("position", None, low=0, high=255, integer=True)
        if argument is not None and setters[2] is None:
            r.fail(r.key("argument"), "needs a method")
        if position is not None and setters[2] is None and setters[0] is None:
            r.fail(r.key("position"), "needs a method or a kwarg (the kwarg's positional index)")
        key = r.str("key")
        if key is not None and setters[0] is None and setters[1] is None:
            r.fail(r.key("key"), "needs a kwarg or an attribute (the collection holding the entry)")
        if not any(setters) and "default" not in raw:
            r.fail(r.where, "needs at least one of kwarg, attribute, method (or a default, for "
                            "fixed library behaviour)")
        off = raw.get("off", [])
        if not isinstance(off, list):
            r.fail(r.key("off"), "must be a list")
            off = []
        requires = r.table_of("requires")
        if requires and key is None:
            r.fail(r.key("requires"), "needs a key (the entries are looked up in the same collection)")
        if "remedy" in raw and any(setters) and concept != "keepalive":
            r.fail(r.key("remedy"), "is only for a fixed knob (no kwarg, attribute or method) or a keepalive "
                                    "switch whose idle time the library cannot set: a knob with a setter is "
                                    "changed at the call")
        on = r.names("transports") or ()
        unknown = sorted(set(on) - set(transports.aliases.values()))
        if unknown:
            r.fail(r.key("transports"), f"names no transport of the class's transport_aliases: {', '.join(unknown)}")
        yield Knob(
            concept=concept,
            unit=r.choice("unit", KNOB_UNITS, ""),
            kwarg=setters[0],
            attribute=setters[1],
            method=setters[2],
            default=_knob_value(r, r.key("default"), raw.get("default", "none")),
            off=tuple(_knob_value(r, r.key("off"), v) for v in off),
            versions=r.str("versions"),
            note=r.str("note", ""),
            key=key,
            argument=argument,
            position=position,
            gap=r.number("gap", 1.0, low=0.01, high=2.0),
            default_idle=r.number("default_idle", None, low=0),
            requires=tuple((name, _knob_value(r, f"{r.key('requires')}.{name}", value))
                           for name, value in sorted(requires.items())),
            caveat=r.str("caveat", ""),
            remedy=r.str("remedy", ""),
            transports=on,
            serviced_by=_identifiers(r, "serviced_by"),
            integer_only=_integer_only(r, off),
            accepted=_accepted(r, off),
            replaced_by=_identifiers(r, "replaced_by"),
            items=r.number("items", None, low=2, high=16, integer=True),
            spec_names=r.names("spec_names") or (),
            deliberate_off=_deliberate_off(r, off),
        )


def _deliberate_off(r: _Reader, off: list) -> str:
    """`deliberate_off = "why"`: LK203 reports turning the knob off only with strict."""
    reason = r.str("deliberate_off", "")
    if "deliberate_off" in r.table and (not reason.strip() or not off):
        r.fail(r.key("deliberate_off"), "must say why, and needs an off list")
    return reason


def _integer_only(r: _Reader, off: list) -> bool:
    """`integer_only = true`: values `int()` rejects become the first `off` value."""
    value = r.bool("integer_only", False)
    if value and not off:
        r.fail(r.key("integer_only"), "needs an off list (the value the library turns the others into)")
    return value


def _accepted(r: _Reader, off: list) -> tuple[float, float] | None:
    """`accepted = [low, high]`: the values the library keeps (it turns others into the first `off`)."""
    value = r.table.get("accepted")
    if value is None:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value) and value[0] <= value[1]):
        r.fail(r.key("accepted"), f"must be [low, high] (numbers, low <= high), not {value!r}")
        return None
    if not off:
        r.fail(r.key("accepted"), "needs an off list (the value the library turns the others into)")
    return (value[0], value[1])


def _settings_keys(r: _Reader) -> frozenset[str] | None:
    """`settings_keys`: the URL query keys the library reads; needs a settings_argument."""
    names = r.names("settings_keys")
    if names is None:
        return None
    if not names:
        r.fail(r.key("settings_keys"), "must not be empty")
    if r.str("settings_argument") is None:
        r.fail(r.key("settings_keys"), "needs a settings_argument (the URL whose query keys they are)")
    return frozenset(names)


def _identifiers(r: _Reader, name: str) -> tuple[str, ...]:
    """A list of Python names (methods or classes code calls), non-empty when given."""
    names = r.names(name)
    if names is None:
        return ()
    if not names or not all(n.isidentifier() for n in names):
        r.fail(r.key(name), "must be a non-empty list of Python names")
        return ()
    return names


def parse_schema(data: Mapping[str, Any], origin: str) -> LibrarySchema:
    """The file's schema; SchemaError listing every problem found in it."""
    problems: list[tuple[str, str]] = []
    schema = _parse_schema(_Reader(origin, "", data, _TOP_KEYS, problems))
    if problems:
        raise SchemaError.of(problems)
    return schema


def _parse_schema(top: _Reader) -> LibrarySchema:
    data, origin = top.table, top.origin
    fmt = data.get("format")
    if fmt != SCHEMA_FORMAT:
        top.fail("format", f"must be {SCHEMA_FORMAT} (the schema format this lintkit reads), not {fmt!r}")
    lib = top.reader("library", data.get("library", {}), _LIBRARY_KEYS)
    only_vocabulary = not {"class", "factory", "library", "settings"} & set(data)
    lib_name = "" if only_vocabulary else lib.str("name", required=True)
    vocabulary: dict[str, tuple[str, ...]] = {}
    for concept, spellings in top.table_of("vocabulary").items():
        if not isinstance(spellings, list) or not all(isinstance(s, str) for s in spellings):
            top.fail(f"vocabulary.{concept}", "must be a list of strings")
            continue
        vocabulary[concept] = tuple(spellings)

    classes = []
    raw_classes = data.get("class", [])
    if not isinstance(raw_classes, list):
        top.fail("class", "must be an array of tables ([[class]])")
        raw_classes = []
    for index, raw in enumerate(raw_classes):
        r = top.reader(_where("class", index, raw), raw, _CLASS_KEYS)
        raw = r.table
        name = r.str("name", required=True)
        r.where = _where("class", index, raw)
        vocab = r.text_map("vocabulary")
        transports = _transports(r)
        classes.append(ClassSchema(
            name=name,
            aliases=r.names("aliases") or (),
            bases=r.names("bases") or (),
            attributes=_as_set(r.names("attributes")),
            methods=_as_set(r.names("methods")) or frozenset(),
            unknown_attributes=r.choice("unknown_attributes", ATTRIBUTE_POLICIES, "silent"),
            kwargs=_as_set(r.names("kwargs")),
            unknown_kwargs=r.choice("unknown_kwargs", KWARG_POLICIES, "raises"),
            notes=r.note_map("notes"),
            vocabulary=vocab,
            knobs=tuple(_parse_knobs(r, raw.get("knob", []), transports)),
            local_kwargs=_as_set(r.names("local_kwargs")) or frozenset(),
            settings_argument=r.str("settings_argument"),
            option_keys=_option_keys(r),
            settings_keys=_settings_keys(r),
            unknown_settings_keys=r.choice("unknown_settings_keys", SETTINGS_KEY_POLICIES, "ignored"),
            names_case_insensitive=r.bool("names_case_insensitive", False),
            connect_deferred_by=_connect_deferred_by(r),
            kwargs_receiver=_kwargs_receiver(r),
            address=_address(r),
            transports=transports,
            overrides=tuple(_parse_overrides(r, raw.get("override", []))),
            recovers_dropped_idle=_non_empty(r, "recovers_dropped_idle"),
            history=parse_history(r, {"kwargs": _as_set(r.names("kwargs")),
                                      "attributes": _as_set(r.names("attributes")),
                                      **{f"option_keys.{k}": v for k, v in _option_keys(r).items()},
                                      **{f"method_kwargs.{k}": v for k, v in _method_kwargs(r).items()},
                                      "settings_keys": _as_set(r.names("settings_keys"))},
                                  {"unknown_kwargs": KWARG_POLICIES, "unknown_attributes": ATTRIBUTE_POLICIES,
                                   "unknown_settings_keys": SETTINGS_KEY_POLICIES}),
            method_kwargs=_method_kwargs(r),
            protocol_heartbeats=_non_empty(r, "protocol_heartbeats"),
            options_copied_by=copied_options.parse(r),
            session_methods=_session_methods(r),
            borrowed_by=_qualified_names(r, "borrowed_by"),
            parts=_parts(r),
            library=lib_name,
            origin=origin,
        ))

    factories = []
    raw_factories = data.get("factory", [])
    if not isinstance(raw_factories, list):
        top.fail("factory", "must be an array of tables ([[factory]])")
        raw_factories = []
    for index, raw in enumerate(raw_factories):
        r = top.reader(_where("factory", index, raw), raw, _FACTORY_KEYS)
        raw = r.table
        name = r.str("name", required=True)
        r.where = _where("factory", index, raw)
        factories.append(FactorySchema(
            name=name,
            returns=r.str("returns", required=True),
            aliases=r.names("aliases") or (),
            kwargs=_as_set(r.names("kwargs")),
            kwargs_of=r.str("kwargs_of"),
            unknown_kwargs=r.choice("unknown_kwargs", KWARG_POLICIES, "raises"),
            notes=r.note_map("notes"),
            returns_overridden_by=_as_set(r.names("returns_overridden_by")) or frozenset(),
            returns_varies=r.bool("returns_varies", False),
            local_kwargs=_as_set(r.names("local_kwargs")) or frozenset(),
            settings_argument=r.str("settings_argument"),
            address=_address(r),
            overrides=tuple(_parse_overrides(r, raw.get("override", []))),
            ready_after=_identifiers(r, "ready_after"),
            copies_settings=r.bool("copies_settings", False),
            history=parse_history(r, {"kwargs": _as_set(r.names("kwargs"))}),
            library=lib_name,
            origin=origin,
        ))

    from .settings_schema import parse_settings  # imports Knob from here

    required = not only_vocabulary
    from .key_sets import parse_key_sets
    from .module_names import parse_names_history

    key_sets = parse_key_sets(top, lib_name, lib.str("distribution") or "")
    return LibrarySchema(
        name=lib_name,
        distribution=lib.str("distribution", None if required else "", required=required),
        version=lib.str("version", None if required else "", required=required),
        source=lib.str("source", None if required else "", required=required),
        importable=lib.bool("importable", True),
        classes=tuple(classes),
        factories=tuple(factories),
        origin=origin,
        vocabulary=vocabulary,
        settings=parse_settings(top, data.get("settings"), lib_name or ""),
        key_sets=key_sets,
        names_history=parse_names_history(lib, lib_name or "", [
            name for item in (*classes, *factories) for name in (item.name, *item.aliases)]),
    )


def load_schema_file(path: str | Path) -> LibrarySchema:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SchemaError.of([(str(path), f"cannot read: {exc.strerror or exc}")]) from None
    return cached_schema(raw, str(path), lambda: _parse_schema_bytes(raw, str(path)))


def _parse_schema_bytes(raw: bytes, path: str) -> LibrarySchema:
    try:
        data = load_toml(raw)
    except ValueError as exc:  # tomllib.TOMLDecodeError, UnicodeDecodeError (tomllib is imported only when parsing)
        raise SchemaError.of([(path, f"not valid TOML: {exc}")]) from None
    return parse_schema(data, path)


def bundled_schema_files() -> list[Path]:
    # The package's directory, as importlib.resources would find it, without its import cost.
    spec = importlib.util.find_spec("lintkit.rules")
    return sorted(path for directory in spec.submodule_search_locations
                  for path in Path(directory).glob("*.toml"))


def expand_schema_paths(paths: Iterable[str | Path]) -> list[Path]:
    """User schema paths: files, or directories holding *.toml files."""
    found: list[Path] = []
    for entry in paths:
        entry = Path(entry)
        if entry.is_dir():
            found.extend(sorted(entry.glob("*.toml")))
        else:
            found.append(entry)
    return found

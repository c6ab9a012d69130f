"""Reading a library's liveness knobs (schema `[[class.knob]]`) at a call site.

Shared by the LK2xx rules: which knobs apply to the project's version of the
library, what a call sets each one to, and whether liveness is on by default.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace

from ..analysis.events import Resolver
from ..schemas.registry import CallTarget, SchemaSet
from ..schemas.schema import ClassSchema, Knob
from .computed_settings import settings_string
from ..analysis.values import NO_VALUE, literal_value

#: URL query texts that mean false for a boolean setting (redis-py's FALSE_STRINGS, lowercased).
_FALSE_STRINGS = ("0", "f", "false", "n", "no")

#: Knob concepts that, when on, make an idle connection send something.
LIVENESS = ("heartbeat", "keepalive")
#: Knob concepts that tune TCP keepalive.
TCP_TUNING = ("keepalive_idle", "keepalive_options", "keepalive_interval", "keepalive_count")

SET, ABSENT, UNKNOWN = "set", "absent", "unknown"

#: The liveness interval the fixes write: short enough for every middlebox in the
#: docs' table once `max-idle-seconds` allows it, and the usual value in practice
#: (RabbitMQ's 60 s heartbeat sends a frame every 30 s; redis-py 8 probes after 30 s).
PREFERRED_SILENCE = 30


@dataclass(frozen=True)
class Reading:
    """What one call does with one knob."""

    knob: Knob
    state: str  # SET, ABSENT or UNKNOWN
    value: object = NO_VALUE  # the literal value when SET and known
    node: ast.expr | None = None  # where the value is written
    spelt: str = ""  # how the message names it: "heartbeat=600", "options 'grpc.keepalive_time_ms'"


@dataclass(frozen=True)
class Applicable:
    """The knobs that apply to the checked project's version of a library."""

    knobs: tuple[Knob, ...]
    #: Knobs whose version range may or may not cover the project (version unknown).
    uncertain: tuple[Knob, ...] = ()
    #: How the version was found ("8.1.0 installed", ">=8 in pyproject.toml"), or "".
    version_source: str = ""


def is_off(value, knob: Knob) -> bool:
    """A literal in the knob's `off` list (`None` only where `none` is listed); for an `items`
    knob, a tuple whose every item is off."""
    if knob.items is not None and isinstance(value, tuple):
        return len(value) == knob.items and all(is_off(item, replace(knob, items=None)) for item in value)
    if value is None:
        return None in knob.off
    if isinstance(value, str):
        return False
    return any(off is not None and type(off) is not str and off == value for off in knob.off)


def switched_on(value, knob: Knob) -> bool:
    """A literal that turns a switch on: truthy and not in `off`; for a `bool` knob a string is
    read as redis-py's to_bool() and librdkafka read it ("false", "0", "f", "n", "no" are off)."""
    if knob.unit == "bool" and isinstance(value, str):
        return value.strip().lower() not in _FALSE_STRINGS + ("",)
    return bool(value) and not is_off(value, knob)


def on_by_default(knob: Knob) -> bool:
    return not is_off(knob.default, knob) and knob.default is not False


def seconds(value: float, knob: Knob) -> float:
    return value / 1000 if knob.unit == "ms" else value


def silence_seconds(value: float, knob: Knob) -> float:
    """The longest quiet gap on an idle connection for this knob value."""
    return seconds(value, knob) * knob.gap


def suggested_value(knob: Knob, max_idle: int) -> int:
    """A value whose quiet gap stays well under the maximum idle time."""
    silence = max(1, min(PREFERRED_SILENCE, max_idle // 4 or 1))
    value = silence / knob.gap
    return int(value * 1000) if knob.unit == "ms" else int(value)


def written_value(knob: Knob, max_idle: int) -> str:
    """The suggested value as code: `30`, or `(30000, 30000)` for an `items` knob."""
    value = str(suggested_value(knob, max_idle))
    return f"({', '.join([value] * knob.items)})" if knob.items else value


def applicable(schemas: SchemaSet, cls: ClassSchema, filename: str, versions, guards: frozenset[str] = frozenset(),
               concepts: tuple[str, ...] | None = None) -> Applicable:
    """The knobs of `cls` (and its bases) for the project's version of the library.

    A knob with a `versions` range applies when every version the project pins
    (or has installed) is inside it; when that is unknown, or an enclosing `if`
    tests the library's version, it is `uncertain`."""
    library = schemas.library_of(cls)
    constraint = None
    knobs, uncertain = [], []
    for owner in schemas.mro(cls):
        for knob in owner.knobs:
            if concepts is not None and knob.concept not in concepts:
                continue
            if knob.versions is None:
                knobs.append(knob)
                continue
            if library is not None and (library.name.split(".")[0] in guards or library.distribution in guards):
                uncertain.append(knob)
                continue
            if constraint is None and library is not None:
                constraint = versions.constraint(filename, library.distribution) or False
            inside = constraint.within(knob.versions) if constraint else None
            if inside is True:
                knobs.append(knob)
            elif inside is None:
                uncertain.append(knob)
    return Applicable(tuple(knobs), tuple(uncertain), constraint.source if constraint else "")


# --------------------------------------------------------------------------- call sites


def read(call: ast.Call, target: CallTarget, knob: Knob, resolver: Resolver | None) -> Reading:
    """What `call` (a constructor or factory of the knob's class) does with `knob`."""
    if knob.kwarg is None:
        # An attribute-only knob can still come in the connection string (pika's URLParameters).
        if knob.attribute and knob.key is None and target.settings_argument and \
                not any(isinstance(a, ast.Starred) for a in call.args):
            return _read_settings_string(call, target.settings_argument, knob, resolver)
        return Reading(knob, ABSENT)
    for keyword in call.keywords:
        if keyword.arg == knob.kwarg:
            if knob.key is None:
                return Reading(knob, SET, literal_value(keyword.value, resolver), keyword.value,
                               f"{knob.kwarg}=")
            return read_entry(keyword.value, knob, resolver)
    if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
        return Reading(knob, UNKNOWN)
    if knob.method is None and knob.position is not None and len(call.args) > knob.position:
        value = call.args[knob.position]  # the kwarg passed positionally (confluent-kafka's config dict)
        if knob.key is None:
            return Reading(knob, SET, literal_value(value, resolver), value, f"{knob.kwarg}=")
        return read_entry(value, knob, resolver)
    if target.settings_argument and knob.key is None:
        return _read_settings_string(call, target.settings_argument, knob, resolver)
    return Reading(knob, ABSENT)


def missing_requirements(call: ast.Call, target: CallTarget, knob: Knob,
                         resolver: Resolver | None) -> list[tuple[str, object]]:
    """The `requires` entries of a key knob that `call` does not give with the required value.
    An entry lintkit cannot read (a computed collection or value) is not guessed: not missing."""
    missing = []
    for key, wanted in knob.requires:
        reading = read(call, target, replace(knob, key=key, requires=()), resolver)
        if reading.state == UNKNOWN or (reading.state == SET and reading.value in (NO_VALUE, wanted)):
            continue
        missing.append((key, wanted))
    return missing


def read_entry(collection: ast.expr, knob: Knob, resolver: Resolver | None) -> Reading:
    """The entry `knob.key` of a dict or of a list of (key, value) tuples."""
    where = f"{knob.kwarg or knob.attribute} {knob.key!r}"
    if isinstance(collection, ast.Dict):
        if any(k is None for k in collection.keys):  # {**defaults, ...}
            return Reading(knob, UNKNOWN)
        pairs = list(zip(collection.keys, collection.values))
    else:
        items = elements(collection)
        if items is None:
            return Reading(knob, UNKNOWN)
        pairs = []
        for item in items:
            if not (isinstance(item, ast.Tuple) and len(item.elts) == 2):
                return Reading(knob, UNKNOWN)
            pairs.append((item.elts[0], item.elts[1]))
    for key, value in pairs:
        matched = _key_matches(key, knob.key, resolver)
        if matched is None:
            return Reading(knob, UNKNOWN)
        if matched:
            return Reading(knob, SET, literal_value(value, resolver), value, where)
    return Reading(knob, ABSENT)


def _key_matches(key: ast.expr, wanted: str, resolver: Resolver | None) -> bool | None:
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return key.value == wanted
    if resolver is not None and isinstance(key, (ast.Name, ast.Attribute)):
        qualname = resolver.qualname(key)
        if qualname is not None:
            return qualname == wanted
    if isinstance(key, ast.Constant):
        return False
    return None  # a computed key: could be anything


def elements(value: ast.expr) -> list[ast.expr] | None:
    """The items of a literal list or tuple, or of `+` concatenations of them; None when
    any part is not literal (`defaults + [...]` with `defaults` unknown)."""
    if isinstance(value, (ast.List, ast.Tuple)):
        if any(isinstance(e, ast.Starred) for e in value.elts):
            return None
        return list(value.elts)
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        left, right = elements(value.left), elements(value.right)
        return None if left is None or right is None else left + right
    return None


def literal_elements(value: ast.expr) -> list[ast.expr]:
    """The literal items among `+` concatenated parts (unknown parts are skipped)."""
    if isinstance(value, (ast.List, ast.Tuple)):
        return [e for e in value.elts if not isinstance(e, ast.Starred)]
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        return literal_elements(value.left) + literal_elements(value.right)
    return []


def _read_settings_string(call: ast.Call, name: str, knob: Knob, resolver: Resolver | None) -> Reading:
    """`key=value` in a libpq conninfo or a URL query (`amqp://h/?heartbeat=30`)."""
    node = settings_string(call, name)
    if node is None:
        return Reading(knob, ABSENT)
    text = literal_value(node, resolver)
    if not isinstance(text, str):
        return Reading(knob, UNKNOWN)
    name = knob.kwarg or knob.attribute
    found = re.search(rf"(?:^|[\s?&;]){re.escape(name)}\s*=\s*'?([^\s&;#']*)", text)
    if found is None:
        return Reading(knob, ABSENT)
    raw = found.group(1)
    if knob.unit == "bool":  # redis-py's to_bool(): "0", "f", "false", "n", "no" are off, any other text on
        return Reading(knob, SET, raw.lower() not in _FALSE_STRINGS, node, f"{name}= in the connection string")
    try:
        value: object = int(raw)
    except ValueError:
        try:
            value = float(raw)
        except ValueError:
            value = {"true": True, "false": False}.get(raw.lower(), raw)
    return Reading(knob, SET, value, node, f"{name}= in the connection string")


def method_argument(call: ast.Call, knob: Knob) -> ast.expr | None:
    """The argument of a `method` knob in a call of that method."""
    if knob.argument is not None:
        for keyword in call.keywords:
            if keyword.arg == knob.argument:
                return keyword.value
    position = knob.position_of()
    if position is not None and len(call.args) > position and \
            not any(isinstance(a, ast.Starred) for a in call.args[:position + 1]):
        return call.args[position]
    return None


def method_spelling(call: ast.Call, knob: Knob, argument: ast.expr) -> str:
    """How a message shows a method knob's argument, `{}` standing for the value: the first
    positional one as written (`set_keepalive({})`), any other by its name however the call
    passes it (`connect(keepalive={})` for `connect(host, 1883, 0)`)."""
    first = knob.position_of() == 0 and not any(k.value is argument for k in call.keywords)
    return f"{knob.method}({{}})" if first else f"{knob.method}({knob.argument}={{}})"


def uses_local_socket(call: ast.Call, target: CallTarget) -> bool:
    """A keyword that makes the connection a UNIX-domain one (`unix_socket=`)."""
    return any(k.arg in target.local_kwargs for k in call.keywords)

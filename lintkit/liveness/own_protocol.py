"""Sockets a client library makes for a protocol that keeps its connections alive itself.

paho-mqtt's `Client` opens its socket with `socket.create_connection()` and then sends
an MQTT PINGREQ whenever the connection has been quiet for `keepalive` seconds (60 by
default).  Telling paho's own code to turn on SO_KEEPALIVE would be advice about a
connection that is already probed; lintkit judges that protocol's liveness where users
set it, at the library's API (the schema's heartbeat knob: LK203, LK205).  So LK201
leaves alone the sockets made inside a library package whose schema has a heartbeat
that is on by default.

A file belongs to a package when its directory chain of `__init__.py` files names it:
`src/paho/mqtt/client.py` with `src/paho/__init__.py` and `src/paho/mqtt/__init__.py`
is module `paho.mqtt.client`, inside the `paho.mqtt` library.
"""

from __future__ import annotations

import os
from functools import lru_cache

from ..schemas.registry import SchemaSet
from ..schemas.schema import ClassSchema


def inside_library_with_own_heartbeat(filename: str, schemas: SchemaSet) -> bool:
    """Whether `filename` is a module of a library whose protocol pings idle connections by default."""
    module = module_name(filename)
    if module is None:
        return False
    return any((module == library or module.startswith(library + ".")) for library in _heartbeat_libraries(schemas))


def module_name(filename: str) -> str | None:
    """The dotted module name a file has inside its package, or None outside any package."""
    directory, base = os.path.split(os.path.abspath(filename))
    stem, extension = os.path.splitext(base)
    if extension != ".py":
        return None
    package = _package_of(directory)
    if package is None:
        return None
    return package if stem == "__init__" else f"{package}.{stem}"


@lru_cache(maxsize=1024)
def _package_of(directory: str) -> str | None:
    if not os.path.isfile(os.path.join(directory, "__init__.py")):
        return None
    parent, name = os.path.split(directory)
    if not name.isidentifier() or parent == directory:
        return None
    outer = _package_of(parent)
    return f"{outer}.{name}" if outer else name


def _heartbeat_libraries(schemas: SchemaSet) -> frozenset[str]:
    found = schemas.__dict__.get("_own_heartbeat_libraries")
    if found is None:
        found = frozenset(library.name for library in schemas.libraries
                          if any(_pings_by_default(cls) for cls in library.classes))
        schemas.__dict__["_own_heartbeat_libraries"] = found
    return found


def _pings_by_default(cls: ClassSchema) -> bool:
    return any(knob.concept == "heartbeat" and isinstance(knob.default, (int, float))
               and not isinstance(knob.default, bool) and knob.default > 0 and knob.default not in knob.off
               for knob in cls.knobs)

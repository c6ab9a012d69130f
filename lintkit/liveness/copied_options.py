"""Schema key `[class.options_copied_by]`: options that are copied when a call makes something.

libzmq copies a socket's options into each connection when `connect()` or `bind()` is
called (socket_base.cpp: `session_base_t::create (io_thread, true, this, options, paddr)`,
and the listener of `bind()` gets a copy too), so an option set afterwards does not apply
to that connection, nor to its reconnections. A pyzmq context copies its default socket
options into each socket when `ctx.socket()` makes it. LK207 reports an option set after
such a call on the same object.
"""

from __future__ import annotations

from dataclasses import dataclass

KEY = "options_copied_by"
_KEYS = {"calls", "setters", "options", "attributes", "effect"}


@dataclass(frozen=True)
class CopiedOptions:
    #: Methods that take a copy of the options for what they make (`connect`, `bind`).
    calls: frozenset[str]
    #: Methods taking `(option, value)`, the option a constant (`setsockopt(zmq.HEARTBEAT_IVL, 5000)`).
    setters: frozenset[str]
    #: The options' constant names (`HEARTBEAT_IVL`), under the library's top-level module.
    options: frozenset[str]
    #: The options may also be assigned as attributes named after them, in any case
    #: (pyzmq's `sock.heartbeat_ivl = 5000`).
    attributes: bool
    #: What the library does, for the messages' explanation.
    effect: str

    def option_of_attribute(self, name: str) -> str | None:
        upper = name.upper()
        return upper if self.attributes and upper in self.options else None


def parse(r) -> CopiedOptions | None:
    """Read and check the class's `options_copied_by` table (`r` is the class's schema reader)."""
    if KEY not in r.table:
        return None
    table = r.reader(r.key(KEY), r.table_of(KEY), _KEYS)
    methods = set(r.names("methods") or ())
    calls = table.names("calls") or ()
    setters = table.names("setters") or ()
    options = table.names("options") or ()
    for name, listed in (("calls", calls), ("setters", setters), ("options", options)):
        if not listed:
            table.fail(table.key(name), "is required: a non-empty list of strings")
    for name in (*calls, *setters):
        if name not in methods:
            table.fail(table.key("calls" if name in calls else "setters"),
                       f"'{name}' must be one of the class's methods")
    effect = table.str("effect", required=True) or ""
    if not effect.strip():
        table.fail(table.key("effect"), "must say what the library does, not be empty")
    return CopiedOptions(frozenset(calls), frozenset(setters), frozenset(options), table.bool("attributes", False),
                         effect)

"""Knobs that act only while the application services them (schema `serviced_by`).

kombu sends AMQP heartbeats only from `Connection.heartbeat_check()`, py-amqp only
from `heartbeat_tick()`, and pika's BlockingConnection only while one of its calls
runs its I/O loop (`process_data_events()`, `sleep()`, `start_consuming()`).  A
heartbeat nobody services is worse than none: the broker expects the frames and
closes the connection when they stop.  The LK2xx advice that adds or lowers such
a heartbeat says so when nothing in the file mentions any of the knob's names.
"""

from __future__ import annotations

import ast

from ..analysis.context import FileContext
from ..schemas.schema import Knob


def unserviced(knob: Knob, context: FileContext) -> bool:
    """A knob that needs servicing, and the file mentions none of the names that service it."""
    return bool(knob.serviced_by) and not _mentioned_names(context) & set(knob.serviced_by)


def done_by_hand(knob: Knob, context: FileContext) -> bool:
    """The file calls a method that does the knob's job itself (schema `replaced_by`: websockets'
    `ping()`, as an application that turned the automatic pings off and pings on its own does)."""
    return bool(knob.replaced_by) and bool(_mentioned_names(context) & set(knob.replaced_by))


def servicing_hint(knob: Knob) -> str:
    """The message's short reminder for an unserviced knob: the first call that sends the heartbeats."""
    calls = [f"{name}()" for name in knob.serviced_by if name[:1].islower()]
    return f"and call {calls[0]} often" if calls else "and service the connection often"


def servicing_advice(knob: Knob) -> str:
    """What the explanation adds for an unserviced knob: the calls that send the heartbeats."""
    calls = [f"{name}()" for name in knob.serviced_by if name[:1].islower()][:3]
    shown = calls[0] if len(calls) == 1 else f"{', '.join(calls[:-1])} or {calls[-1]}"
    verb = "services" if len(calls) == 1 else "service"
    return (f"Nothing in this file calls {shown}, which {verb} the heartbeats: unless the connection is "
            f"serviced regularly, the broker closes it.")


def _mentioned_names(context: FileContext) -> frozenset[str]:
    """The methods the file calls on objects (`conn.heartbeat_check()`, not `time.sleep()` on an
    imported module) and the classes it names (computed once per file, on demand)."""
    cached = context.__dict__.get("_mentioned_names")
    if cached is None:
        nodes = context.parents.tree_index
        modules = {(a.asname or a.name).partition(".")[0] for node in nodes.of_type(ast.Import) for a in node.names}
        names = set()
        for node in nodes.nodes:
            if isinstance(node, ast.Attribute):
                on_module = isinstance(node.value, ast.Name) and node.value.id in modules
                if node.attr[:1].isupper() or not on_module:
                    names.add(node.attr)
            elif isinstance(node, ast.Name) and node.id[:1].isupper():
                names.add(node.id)
            elif isinstance(node, ast.alias) and node.name.rpartition(".")[2][:1].isupper():
                names.add(node.name.rpartition(".")[2])
        cached = frozenset(names)
        object.__setattr__(context, "_mentioned_names", cached)
    return cached

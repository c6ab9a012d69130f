"""Knobs of concept `idle_close`: the client closes a connection it has left idle this long.

kafka-python and aiokafka close a connection idle for `connections_max_idle_ms`
(540000 by default: kafka/net/manager.py close_idle_connections, aiokafka/conn.py
_idle_check) and open a new one when they need it.  That only helps if it comes before a NAT gateway or load balancer drops
the idle flow: with a longer value the next request goes out on a connection that
is already gone and waits for its request timeout.  So the value must stay below
the maximum idle time, and LK205 suggests three quarters of it (180 s for 240 s):
short enough to close first, long enough not to reconnect for every quiet moment.
"""

from __future__ import annotations

import ast

from . import knobs as K
from ..schemas.schema import Knob

CONCEPT = "idle_close"


def suggested_idle_close(knob: Knob, max_idle: int) -> int:
    """Three quarters of the maximum idle time, in the knob's unit."""
    seconds = max(1, max_idle * 3 // 4)
    return seconds * 1000 if knob.unit == "ms" else seconds


def explanation(shown: str, seconds: str, limit: int, clouds: str) -> str:
    return (f"{shown} lets a connection sit idle for {seconds} s before the client closes it, but NAT gateways "
            f"and load balancers forget idle flows sooner ({clouds}; the limit here is {limit} s): the next "
            f"request goes out on a connection that is already gone and waits for its request timeout before "
            f"the client reconnects.")


def closes_first(call: ast.Call, target, knobs, resolver) -> bool:
    """Whether the call sets an `idle_close` knob to a value that is on (not in `off`): the client
    then closes idle connections itself, so their keepalive idle does not matter (LK205 judges the
    value). A computed value counts as set."""
    for knob in knobs:
        if knob.concept != CONCEPT:
            continue
        reading = K.read(call, target, knob, resolver)
        if reading.state == K.UNKNOWN or reading.state == K.SET and not K.is_off(reading.value, knob):
            return True
    return False

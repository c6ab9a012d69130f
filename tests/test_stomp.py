"""stomp.py's keepalive specification, checked against the real library: the values LK203 calls
"no spec" really leave SO_KEEPALIVE off (stomp.py only logs), the ones it accepts turn it on, and
LK202's idea of which specs set the idle time is what the socket shows."""

from __future__ import annotations

import ast
import socket

import pytest

from lintkit.liveness.keepalive_specs import spec_problem, spec_sets_idle
from lintkit.liveness.knobs import is_off
from lintkit.schemas.registry import load_schema_set

pytest.importorskip("stomp")

import stomp_support  # noqa: E402
from test_schema_drift import env, socket_state  # noqa: E402,F401

SCHEMAS = load_schema_set()
SPECS = ["'linux'", "('Linux', 60, 10, 3)", "1", "'auto'", "['linux', 30, 10, 3]", "True", "('linux', 30, 10, 3)",
         "('mac', 30)", "('auto',)", "None", "False", "0"]


def _knob(concept: str):
    cls = SCHEMAS.classes["stomp.connect.StompConnection11"]
    return next(k for k in cls.knobs if k.concept == concept)


@pytest.mark.parametrize("source", SPECS)
def test_keepalive_specs_do_what_the_rules_say(source: str, env) -> None:
    knob, node = _knob("keepalive"), ast.parse(source, mode="eval").body
    state = stomp_support.socket_probe("stomp.connect.StompConnection11", socket_state)(
        env, {"keepalive": ast.literal_eval(node)})
    turned_on = spec_problem(node, knob) is None and not is_off(ast.literal_eval(node), knob)
    assert bool(state["SO_KEEPALIVE"]) is turned_on, f"keepalive={source}: SO_KEEPALIVE {state['SO_KEEPALIVE']}"
    if turned_on:
        with socket.socket() as fresh:
            os_idle = fresh.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE)
        assert (state["TCP_KEEPIDLE"] != os_idle) is spec_sets_idle(node), f"keepalive={source}: idle {state}"


def test_the_heartbeats_default_is_the_knob_default_per_item() -> None:
    import stomp

    knob = _knob("heartbeat")
    assert stomp.Connection().heartbeats == (knob.default,) * knob.items
    assert is_off(stomp.Connection().heartbeats, knob)
    assert not is_off((0, 10000), knob), "the broker's heart-beats alone keep the connection alive"

"""Arguments that take over from other keywords of the same call (schema `[[class.override]]`).

`redis.Redis(connection_pool=pool, socket_keepalive=True)`: with a pool given, redis-py
takes every connection setting from the pool and ignores the client's own connection
keywords. LK104 reports those keywords; the LK2xx rules leave such a call alone and
judge the pool where it is built (its constructor is a known call too).
"""

from __future__ import annotations

import ast

from .registry import CallTarget
from .schema import Override


def given_override(call: ast.Call, target: CallTarget) -> tuple[Override, ast.keyword] | None:
    """The override whose argument the call passes (not as a literal `None`), with its keyword."""
    for override in target.overrides:
        for keyword in call.keywords:
            if keyword.arg == override.argument:
                if isinstance(keyword.value, ast.Constant) and keyword.value.value is None:
                    break  # `connection_pool=None`: no pool, the keywords count
                return override, keyword
    return None


def ignored_keywords(call: ast.Call, target: CallTarget) -> tuple[Override, ast.keyword, list[ast.keyword]] | None:
    """The override in force at `call`, its keyword, and the call's keywords it makes ignored."""
    found = given_override(call, target)
    if found is None:
        return None
    override, given = found
    ignored = override.ignored(target.kwargs)
    return override, given, [k for k in call.keywords if k.arg in ignored]


def connection_settings_elsewhere(call: ast.Call, target: CallTarget) -> bool:
    """Whether an override given at `call` makes the library ignore every liveness keyword of the
    class the call makes (its knobs' `kwarg`s): the connection's settings come from another object."""
    found = given_override(call, target)
    if found is None:
        return False
    knob_kwargs = {knob.kwarg for knob in target.returns.knobs if knob.kwarg}
    return knob_kwargs <= found[0].ignored(target.kwargs)

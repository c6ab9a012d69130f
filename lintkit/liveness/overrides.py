"""Arguments that take over from other keywords of the same call (schema `[[class.override]]`).

`redis.Redis(connection_pool=pool, socket_keepalive=True)`: with a pool given, redis-py
takes every connection setting from the pool and ignores the client's own connection
keywords. LK104 reports those keywords; the LK2xx rules leave such a call alone and
judge the pool where it is built (its constructor is a known call too).
"""

from __future__ import annotations

import ast

from ..schemas.registry import CallTarget
from ..schemas.schema import Override


def given_override(call: ast.Call, target: CallTarget) -> tuple[Override, ast.keyword] | None:
    """The override whose argument the call passes (not as a literal `None`), with its keyword
    (a positional argument comes as a keyword of the argument's name), unless the call also
    passes one of its `unless` keywords (httpx `proxy=`) or a `**` splat that may hold one."""
    for override in target.overrides:
        value = _argument(call, override)
        if _given(value) and not _lifted(call, override):
            return override, ast.keyword(override.argument, value)  # `connection_pool=None`: no pool
    return None


def _lifted(call: ast.Call, override: Override) -> bool:
    """The call passes one of the override's `unless` keywords, or a `**` splat that may hold one."""
    return bool(override.unless) and any(
        keyword.arg is None or (keyword.arg in override.unless and _given(keyword.value)) for keyword in call.keywords)


def _given(value: ast.expr | None) -> bool:
    return value is not None and not (isinstance(value, ast.Constant) and value.value is None)


def _argument(call: ast.Call, override: Override) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == override.argument:
            return keyword.value
    position = override.position
    if position is not None and len(call.args) > position and \
            not any(isinstance(a, ast.Starred) for a in call.args[:position + 1]):
        return call.args[position]
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
    """Whether, with an override given at `call`, no liveness keyword of the class the call makes
    (its knobs' `kwarg`s) has effect there: ignored, or not even accepted (`Redis.from_pool(pool)`).
    The connection's settings come from another object."""
    found = given_override(call, target)
    if found is None:
        return False
    knob_kwargs = target.knob_kwargs if target.knob_kwargs is not None else \
        {knob.kwarg for knob in target.returns.knobs if knob.kwarg}  # inherited knobs count (aio-pika)
    honoured = knob_kwargs - found[0].ignored(target.kwargs)
    return not (honoured & target.kwargs if target.kwargs is not None else honoured)

"""Values a library reads as a specification and ignores, with a logged error, when they are not
one (stomp.py's `keepalive=`: `True`, or a tuple whose first item names an implementation:
`("linux", idle, intvl, cnt)`, `("mac", intvl)`, `("auto",)`; anything else is logged by
`Transport.__enable_keepalive` and keepalive stays off).  The schema lists the names as the
knob's `spec_names`; LK203 reports a literal value outside them."""

from __future__ import annotations

import ast

from ..schemas.schema import Knob


def spec_problem(node: ast.expr | None, knob: Knob) -> str | None:
    """Why a literal value is no specification the library knows, or None (a known form, a value
    that is off anyway, or a value lintkit cannot read)."""
    if not knob.spec_names or node is None:
        return None
    if isinstance(node, ast.Constant):
        value = node.value
        if value is None or isinstance(value, bool) or not value:
            return None  # True is the default spec; falsy values are off (the off list says so)
        if isinstance(value, str):
            return f"a string, whose first character {value[0]!r} names no implementation"
        return "neither True nor a tuple"
    if isinstance(node, (ast.Tuple, ast.List)) and node.elts:
        first = node.elts[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value not in knob.spec_names:
            return f"{first.value!r} names no implementation"
    return None


def known_forms(knob: Knob) -> str:
    return ", ".join(repr(name) for name in knob.spec_names)


def spec_sets_idle(node: ast.expr | None) -> bool:
    """`("linux", idle, intvl, cnt)` with an idle time: the library sets TCP_KEEPIDLE itself
    (a computed spec counts too: lintkit cannot tell)."""
    if not isinstance(node, (ast.Tuple, ast.List, ast.Constant)):
        return True
    if isinstance(node, ast.Constant):
        return False  # True: SO_KEEPALIVE with the OS idle
    first = node.elts[0] if node.elts else None
    if not (isinstance(first, ast.Constant) and first.value == "linux"):
        return False  # ("mac", intvl) and ("auto",) leave the idle at the OS default
    return len(node.elts) > 1 and not (isinstance(node.elts[1], ast.Constant) and node.elts[1].value is None)


def spec_advice(knob: Knob, idle: int) -> str:
    """How to give the idle time through the spec."""
    return f"pass {knob.kwarg}=('linux', {idle}, {max(1, min(10, idle // 3))}, 3)"

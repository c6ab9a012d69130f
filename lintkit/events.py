"""Semantic events the analyzer emits and the checks consume."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .bindings import Instance
from .registry import CallTarget


@dataclass(frozen=True)
class AttributeStore:
    """`obj.name = value` (also `+=`, annotated, tuple targets, `setattr(obj, "name", v)`)."""

    instance: Instance
    name: str
    #: The node whose position is reported: the attribute name or the string literal.
    line: int
    col: int
    end_line: int
    end_col: int
    value: ast.expr | None
    form: str  # "assign", "augassign", "annassign", "setattr"


@dataclass(frozen=True)
class KnownCall:
    """A call to a schema constructor or factory."""

    target: CallTarget
    call: ast.Call
    #: The local subclass being constructed, if any.
    instance: Instance
    subclass_defines_init: bool = False

"""Findings about library behaviour that no argument of the call can change.

A schema knob with no setter (no `kwarg`, `attribute` or `method`) states fixed
library behaviour: PyMySQL turns `SO_KEEPALIVE` on for every TCP connection and
leaves the idle time to the OS, with no option for it.  A finding at every
`pymysql.connect()` would name a line where nothing can be changed, so the LK2xx
rules report such behaviour only under `strict`, once per call, with the
knob's `remedy`: what a user can change, and where.  A local subclass is never
reported: it may open the socket itself, which is the remedy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ..analysis.events import KnownCall
from ..schemas.schema import Knob

if TYPE_CHECKING:
    from ..analysis.context import RuleOptions

GENERIC_REMEDY = "lower net.ipv4.tcp_keepalive_time where the client runs"


def settable_at_call(knobs: Iterable[Knob]) -> bool:
    """Whether any of the knobs has a keyword, attribute or method the code can use."""
    return any(not knob.fixed for knob in knobs)


def reported(event: KnownCall, options: RuleOptions) -> bool:
    """Whether fixed behaviour is reported at this call: only under `strict`, and not for a
    local subclass (it may make the socket itself)."""
    return options.strict and event.instance.subclass is None


def remedy(knobs: Iterable[Knob]) -> str:
    """The schema's remedy for the fixed behaviour, or the system-wide one."""
    return next((knob.remedy for knob in knobs if knob.fixed and knob.remedy), GENERIC_REMEDY)

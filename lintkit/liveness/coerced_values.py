"""Values a library silently turns into "off" (schema knob keys `integer_only`, `accepted`).

aiormq reads the AMQP heartbeat from the URL query with `parse_int()`: `int()` of
the text, and 0 when that fails, then 0 again for anything outside 0..65534.
`heartbeat=30.0` (the URL gets `?heartbeat=30.0`), `heartbeat="30s"` and
`heartbeat=70000` all switch heartbeats off, without a word.  LK203 reports such
a value as a disable; LK205 does not judge its length.
"""

from __future__ import annotations

from ..schemas.schema import Knob


def coerced_off(value: object, knob: Knob) -> str | None:
    """Why the library turns `value` into the knob's first `off` value, or None when it keeps it."""
    if not knob.off or isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    number = value
    if knob.integer_only and not isinstance(value, int):
        try:
            number = int(str(value))
        except ValueError:
            return f"{value!r} is not an integer to int()"
    if knob.accepted is not None and isinstance(number, (int, float)):
        low, high = knob.accepted
        if not low <= number <= high:
            return f"outside {low:g}..{high:g}"
    return None


def off_value(knob: Knob) -> object:
    """What the library turns an unusable value into."""
    return knob.off[0]

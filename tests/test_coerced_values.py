"""Schema keys for values a library silently turns off (`integer_only`, `accepted`) and for the
query keys of a settings URL (`settings_keys`): loading, validation, and the verdicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from lintkit.liveness.coerced_values import coerced_off
from lintkit.schemas.schema import Knob, load_schema_file

from schema_support import ACME_LIBRARY, schema_load_error, write_schema

CLASS = '''
[[class]]
name = "acme.Client"
kwargs = ["url", "heartbeat"]
attributes = []
settings_argument = "url"
'''
KNOB = '''
[[class.knob]]
concept = "heartbeat"
kwarg = "heartbeat"
unit = "s"
default = 60
'''


def test_keys_load(tmp_path: Path) -> None:
    text = ACME_LIBRARY + CLASS + 'settings_keys = ["heartbeat", "name"]\n' + KNOB + \
        'off = [0]\ninteger_only = true\naccepted = [0, 65534]\n'
    [cls] = load_schema_file(write_schema(tmp_path, text)).classes
    assert cls.settings_keys == {"heartbeat", "name"}
    assert cls.knobs[0].integer_only and cls.knobs[0].accepted == (0, 65534)


@pytest.mark.parametrize("extra,problem", [
    ("integer_only = true\n", "integer_only: needs an off list"),
    ("accepted = [0, 65534]\n", "accepted: needs an off list"),
    ("off = [0]\naccepted = [10, 1]\n", "accepted: must be [low, high]"),
    ("off = [0]\naccepted = [0]\n", "accepted: must be [low, high]"),
    ("off = [0]\ninteger_only = 1\n", "integer_only: must be true or false"),
])
def test_knob_keys_are_validated(tmp_path: Path, extra: str, problem: str) -> None:
    assert problem in schema_load_error(tmp_path, ACME_LIBRARY + CLASS + KNOB + extra)


def test_settings_keys_need_a_settings_argument(tmp_path: Path) -> None:
    text = ACME_LIBRARY + CLASS.replace('settings_argument = "url"\n', 'settings_keys = ["heartbeat"]\n')
    assert "settings_keys: needs a settings_argument" in schema_load_error(tmp_path, text)


AIORMQ = Knob("heartbeat", "s", kwarg="heartbeat", default=60, off=(0,), integer_only=True, accepted=(0, 65534))


@pytest.mark.parametrize("value,off", [
    (30, False), ("30", False), (65534, False), (0, False), (True, False), (None, False),
    (30.0, True), ("30s", True), ("", True), (65535, True), (-1, True), ("-1", True),
])
def test_coerced_off(value, off: bool) -> None:
    assert bool(coerced_off(value, AIORMQ)) is off


def test_a_knob_without_the_keys_keeps_every_value() -> None:
    plain = Knob("heartbeat", "s", kwarg="heartbeat", default=60, off=(0,))
    assert coerced_off(30.0, plain) is None and coerced_off(10 ** 9, plain) is None

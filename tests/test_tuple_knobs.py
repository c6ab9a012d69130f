"""Knobs whose value is a tuple (`items`) or a specification (`spec_names`): loading, and what the
rules read from them (the real stomp.py behaviour is checked in test_stomp.py)."""

from __future__ import annotations

import ast
from pathlib import Path

from lintkit.liveness.keepalive_specs import spec_problem, spec_sets_idle
from lintkit.liveness.knobs import is_off, written_value
from lintkit.schemas.schema import load_schema_file
from schema_support import ACME_LIBRARY, schema_load_error, write_schema

CLASS = """
[[class]]
name = "acme.client.Client"
kwargs = ["heartbeats", "keepalive"]

[[class.knob]]
concept = "heartbeat"
kwarg = "heartbeats"
unit = "ms"
items = {items}
default = 0
off = [0]

[[class.knob]]
concept = "keepalive"
kwarg = "keepalive"
unit = "bool"
off = ["none", false]
spec_names = ["auto", "linux"]
"""


def _knobs(tmp_path: Path):
    schema = load_schema_file(write_schema(tmp_path, ACME_LIBRARY + CLASS.format(items=2)))
    return schema.classes[0].knobs


def test_items_and_spec_names_load(tmp_path: Path) -> None:
    heartbeats, keepalive = _knobs(tmp_path)
    assert heartbeats.items == 2 and keepalive.spec_names == ("auto", "linux")


def test_items_must_be_two_or_more(tmp_path: Path) -> None:
    assert "items" in schema_load_error(tmp_path, ACME_LIBRARY + CLASS.format(items=1), "acme.toml")


def test_a_tuple_is_off_only_when_every_item_is(tmp_path: Path) -> None:
    heartbeats, _ = _knobs(tmp_path)
    assert is_off((0, 0), heartbeats)
    assert not is_off((0, 10000), heartbeats)
    assert not is_off((0, 0, 0), heartbeats)
    assert written_value(heartbeats, 240) == "(30000, 30000)"


def test_specs_outside_the_names_are_problems(tmp_path: Path) -> None:
    _, keepalive = _knobs(tmp_path)

    def problem(source: str):
        return spec_problem(ast.parse(source, mode="eval").body, keepalive)

    assert problem("'linux'") and problem("('Linux', 1, 2, 3)") and problem("1")
    assert not any(problem(s) for s in ("True", "False", "None", "('linux', 30, 10, 3)", "('auto',)", "spec", "0"))
    assert spec_sets_idle(ast.parse("('linux', 30, 10, 3)", mode="eval").body)
    assert not spec_sets_idle(ast.parse("True", mode="eval").body)

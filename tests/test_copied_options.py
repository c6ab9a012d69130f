"""Schema key `options_copied_by` (lintkit/liveness/copied_options.py): read, checked, and used by LK207 on a
user schema (a library lintkit does not bundle)."""

from __future__ import annotations

from pathlib import Path

from lintkit.engine import Engine
from lintkit.schemas.registry import SchemaSet, load_schema_set
from lintkit.frontends.runner import check_file
from lintkit.schemas.schema import load_schema_file
from schema_support import ACME_LIBRARY, schema_load_error, write_schema

CLASS = """
[[class]]
name = "acme.client.Channel"
aliases = ["acme.Channel"]
methods = ["open", "configure"]
kwargs = []

[class.options_copied_by]
calls = ["open"]
setters = ["configure"]
options = ["PING_MS"]
attributes = true
effect = "acme copies the channel's options into the connection open() makes"
"""


def test_the_table_is_read(tmp_path: Path) -> None:
    schema = load_schema_file(write_schema(tmp_path, ACME_LIBRARY + CLASS))
    copied = schema.classes[0].options_copied_by
    assert (copied.calls, copied.setters, copied.options, copied.attributes) == (
        {"open"}, {"configure"}, {"PING_MS"}, True)
    assert copied.option_of_attribute("ping_ms") == "PING_MS" and copied.option_of_attribute("other") is None


def test_calls_and_setters_must_be_methods(tmp_path: Path) -> None:
    message = schema_load_error(tmp_path, ACME_LIBRARY + CLASS.replace('calls = ["open"]', 'calls = ["connect"]'))
    assert "options_copied_by.calls: 'connect' must be one of the class's methods" in message


def test_options_and_effect_are_required(tmp_path: Path) -> None:
    text = CLASS.replace('options = ["PING_MS"]\n', "").replace('effect = "acme copies', 'effect2 = "acme copies')
    message = schema_load_error(tmp_path, ACME_LIBRARY + text)
    assert "options_copied_by.options: is required" in message
    assert "options_copied_by.effect: is required" in message
    assert "options_copied_by.effect2: unknown key; did you mean 'effect'?" in message


def test_lk207_reads_a_user_schema(tmp_path: Path) -> None:
    schemas = SchemaSet([*load_schema_set().libraries, load_schema_file(write_schema(tmp_path, ACME_LIBRARY + CLASS))])
    code = tmp_path / "app.py"
    code.write_text(
        "import acme\n"
        "\n"
        "def run(address):\n"
        "    channel = acme.Channel()\n"
        "    channel.open(address)\n"
        "    channel.configure(acme.PING_MS, 5000)\n"
        "    channel.ping_ms = 5000\n"
        "    channel.configure(acme.OTHER, 1)\n",
        encoding="utf-8")
    result = check_file(Engine(schemas), str(code))
    assert [(f.line, f.col, f.code) for f in result.findings] == [(6, 22, "LK207"), (7, 12, "LK207")]
    assert result.findings[0].message.startswith(
        "PING_MS is set after channel.open() on line 5, which has already copied the options: "
        "set it before channel.open()")


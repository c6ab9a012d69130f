"""docs/libraries.md is generated from the schemas (lintkit.generators.library_docs), and the README's list of
libraries names the same libraries in the same order."""

from __future__ import annotations

import re
from pathlib import Path

from lintkit.generators.library_docs import PAGE, documented_libraries, heading, item_rules, knob_rules, render_page
from lintkit.generators.readme import generated_section
from lintkit.schemas.registry import SchemaSet, load_schema_set
from lintkit.schemas.schema import parse_schema

ROOT = Path(__file__).parent.parent
SCHEMAS = load_schema_set()


def test_the_page_is_up_to_date() -> None:
    page = ROOT / PAGE
    assert page.exists() and page.read_text(encoding="utf-8") == render_page(SCHEMAS), "run python -m lintkit.generators.docs"


def test_every_library_class_factory_and_knob_is_on_the_page() -> None:
    page = render_page(SCHEMAS)
    sections = dict(re.findall(r"^## (\S+)\n(.*?)(?=^## |\Z)", page, re.MULTILINE | re.DOTALL))
    libraries = documented_libraries(SCHEMAS.libraries)
    for lib in libraries:
        section = sections[heading(lib)]
        assert lib.version in section
        for item in (*lib.classes, *lib.factories):
            assert f"| `{item.name}`" in section
    for name in {heading(lib) for lib in libraries}:  # one section holds every schema file of a library
        knob_rows = [line for line in sections[name].splitlines() if re.match(r"\| `[^`]+` \| [a-z_]+ \| ", line)]
        # A class's own knobs, and those of a part another library makes (pysftp's paramiko Transport).
        assert len(knob_rows) == sum(len(cls.knobs) + sum(len(route.returns.knobs) for route in SCHEMAS.routes(cls)
                                                          if route.returns.library != lib.name)
                                     for lib in libraries if heading(lib) == name for cls in lib.classes), name
    assert "| `pysftp.Connection` | heartbeat | `_transport.set_keepalive(interval=…)` |" in sections["pysftp"]


def test_the_readme_names_the_libraries_of_the_page() -> None:
    headings = re.findall(r"^## (\S+)$", (ROOT / PAGE).read_text(encoding="utf-8"), re.MULTILINE)
    sentence = generated_section((ROOT / "README.md").read_text(encoding="utf-8"))
    named = re.findall(r"(?:^It knows |, | and (?:the standard library's )?)`?([\w.]+)", sentence)
    assert named == headings, "run python -m lintkit.generators.docs"
    assert f"]({PAGE.as_posix()})" in sentence


ACME = """
format = 1
[library]
name = "acme"
distribution = "acme-client"
version = "2.0"
source = "acme 2.0: acme/client.py"

[[class]]
name = "acme.client.Client"
aliases = ["acme.Client"]
attributes = ["timeout"]
kwargs = ["host", "ping", "sockopts", "tcp"]
unknown_kwargs = "swallows"
option_keys = { tcp = ["IDLE"] }

[[class.knob]]
concept = "heartbeat"
kwarg = "ping"
unit = "ms"
default = 0
off = [0]
versions = ">=2"

[[class.knob]]
concept = "keepalive_options"
kwarg = "sockopts"
unit = "options"
default = "none"

[[class.knob]]
concept = "keepalive_idle"
kwarg = "tcp"
key = "IDLE"
unit = "s"
default = "none"

[[factory]]
name = "acme.connect"
returns = "acme.client.Client"
kwargs_of = "acme.client.Client"
"""


def test_any_schema_renders_from_its_facts_alone() -> None:
    schemas = SchemaSet([parse_schema(__import__("tomllib").loads(ACME), "acme.toml")])
    page = render_page(schemas)
    assert "## acme\n\n`acme-client` 2.0, schema [`rules/acme.toml`](../rules/acme.toml). Read from: acme 2.0" in page
    assert ("| `acme.client.Client` | `acme.Client` | 4 keywords (unknown: swallows); 1 attributes (unknown: silent) | "
            "[LK101](rules/LK101.md), [LK102](rules/LK102.md), [LK103](rules/LK103.md), [LK202](rules/LK202.md), "
            "[LK203](rules/LK203.md), [LK204](rules/LK204.md), [LK205](rules/LK205.md), "
            "[LK206](rules/LK206.md) |") in page
    assert ("| `acme.Client` | heartbeat | `ping=` | milliseconds | `0` | `0` | versions `>=2` | "
            "[LK203](rules/LK203.md), [LK204](rules/LK204.md), [LK205](rules/LK205.md) |") in page
    assert "| `acme.Client` | keepalive_idle | `'IDLE'` in `tcp=` | seconds | `None` |  |  | " \
           "[LK202](rules/LK202.md), [LK205](rules/LK205.md) |" in page
    assert "| `acme.connect` (factory) |  | returns `acme.client.Client`; 4 keywords (unknown: raises) | " \
           "[LK102](rules/LK102.md) |" in page


def test_rules_follow_the_knob_facts() -> None:
    schema = parse_schema(__import__("tomllib").loads(ACME), "acme.toml")
    heartbeat, options, idle = schema.classes[0].knobs
    assert knob_rules(heartbeat) == ["LK203", "LK204", "LK205"]
    assert knob_rules(options) == ["LK202", "LK204", "LK206"]
    assert knob_rules(idle) == ["LK202", "LK205"]  # a key entry: no literal LK203 can read, no LK206 list
    schemas = SchemaSet([schema])
    assert item_rules(schemas, schema.factories[0]) == ["LK102"]

"""Rule docs are generated from the code and their examples are tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from lintkit.checks import ALL_CHECKS
from lintkit.checks.base import DOC_SECTIONS
from lintkit.generators.docs import render_rule_page
from lintkit.engine import Engine
from lintkit.schemas.registry import load_schema_set

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_schema_set())


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.code)
def test_page_is_up_to_date(check) -> None:
    page = ROOT / "docs" / "rules" / f"{check.code}.md"
    assert page.exists(), f"missing {page}; run python -m lintkit.generators.docs"
    assert page.read_text(encoding="utf-8") == render_rule_page(check), "run python -m lintkit.generators.docs"


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.code)
def test_sections_present_in_order(check) -> None:
    assert list(check.doc_sections()) == list(DOC_SECTIONS)
    assert all(body for body in check.doc_sections().values())


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.code)
def test_example_fires_and_fix_is_clean(check, engine: Engine) -> None:
    bad = engine.check_text(check.code_example("Example"), "example.py")
    good = engine.check_text(check.code_example("Use instead"), "example.py")
    assert check.code in {f.code for f in bad.findings}
    assert good.findings == [] and good.error is None


def test_every_page_has_a_rule() -> None:
    pages = {p.stem for p in (ROOT / "docs" / "rules").glob("*.md")}
    assert pages == {c.code for c in ALL_CHECKS}


def test_readme_lists_every_rule() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for check in ALL_CHECKS:
        assert f"[{check.code}](docs/rules/{check.code}.md)" in readme


@pytest.mark.parametrize(("heading", "keys"), [
    ("## Top level", "_TOP_KEYS"), ("## `[library]`", "_LIBRARY_KEYS"), ("## `[[class]]`", "_CLASS_KEYS"),
    ("## `[[class.knob]]`", "_KNOB_KEYS"), ("## `[[class.override]]`", "_OVERRIDE_KEYS"),
    ("## `[[factory]]`", "_FACTORY_KEYS"), ("## `[[settings]]`", "settings:_SETTINGS_KEYS"),
    ("### `[[settings.module]]`", "settings:_MODULE_KEYS"), ("### `[[settings.knob]]`", "settings:_KNOB_KEYS"),
])
def test_schema_format_docs_list_every_key(heading: str, keys: str) -> None:
    """docs/schemas.md has a table row for every key the loader accepts, and none it rejects."""
    import re

    from lintkit.schemas import schema, settings_schema

    text = (ROOT / "docs" / "schemas.md").read_text(encoding="utf-8")
    section = re.split(r"\n##+ ", text.split(heading + "\n", 1)[1], 1)[0]
    if keys.startswith("settings:"):
        schema, keys = settings_schema, keys.split(":", 1)[1]
    documented = set()
    for cell in re.findall(r"^\| ([^|]+) \|", section, re.MULTILINE):
        documented.update(re.findall(r"`([a-z_]+)`", cell))
    assert documented == getattr(schema, keys)

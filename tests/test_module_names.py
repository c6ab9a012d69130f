"""`[library.history.names]`: whole classes and modules some versions lack (LK105)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lintkit.analysis.context import RuleOptions
from lintkit.engine import Engine
from lintkit.schemas.registry import SchemaSet, load_schema_set
from lintkit.schemas.schema import load_schema_file
from lintkit.project.versions import ProjectVersions
from schema_support import ACME_LIBRARY, schema_load_error, write_schema

ACME = ACME_LIBRARY + """
[[class]]
name = "acme.client.Client"
aliases = ["acme.Client"]
kwargs = ["host"]

[library.history.names]
"acme.OldClient" = { removed_in = "1.0", renamed_to = "acme.client.Client" }
"acme.Pool" = { removed_in = "1.0", renamed_to = "acme.pool.Pool" }
"acme.pool" = { since = "0.9" }
"acme.legacy" = { removed_in = "0.8", note = "use acme.client" }
"acme.aio" = { since = "0.9" }
"""


@pytest.mark.parametrize(("names", "problem"), [
    ('"acme.Client" = { removed_in = "0.9" }', "must not be a class or factory of the schema's version"),
    ('"other.Client" = { removed_in = "0.9" }', "must be a dotted name in acme"),
    ('"acme.Old" = { renamed_to = "acme.Client" }', "needs since or removed_in"),
    ('"acme.Old" = { removed_in = "0.9", renamed_to = "acme Client" }', "renamed_to: must be a dotted name"),
    ('"acme.Old" = { since = "0.9", removed_in = "0.5" }', "since < deprecated_in < removed_in"),
    ('"acme.Old" = { removed_in = "soon" }', "must be release numbers"),
    ('"acme.Old" = { gone_in = "1.0" }', "must be a table of"),
])
def test_the_loader_rejects_a_wrong_names_entry(tmp_path: Path, names: str, problem: str) -> None:
    assert problem in schema_load_error(tmp_path, ACME_LIBRARY + "\n[library.history.names]\n" + names + """
[[class]]
name = "acme.client.Client"
aliases = ["acme.Client"]
kwargs = ["host"]
""")


def test_the_loader_rejects_another_history_kind_for_the_library(tmp_path: Path) -> None:
    assert "must be names" in schema_load_error(tmp_path, ACME_LIBRARY + '[library.history.classes]\n"acme.X" = {}\n')


def _findings(tmp_path: Path, code: str, pins: str | None) -> list[str]:
    schemas = SchemaSet([*load_schema_set().libraries, load_schema_file(write_schema(tmp_path, ACME))])
    project = tmp_path / f"project{len(list(tmp_path.glob('project*')))}"
    (project / ".git").mkdir(parents=True)
    if pins is not None:
        (project / "requirements.txt").write_text(pins, encoding="utf-8")
    engine = Engine(schemas, ("LK105",), options=RuleOptions(versions=ProjectVersions(use_installed=False)))
    return [f"{f.line}:{f.col + 1}: {f.code} {f.message}" + (f" [{f.fix.applicability}]" if f.fix else "")
            for f in engine.check_text(code, str(project / "app.py")).findings]


CODE = """import acme
from acme import OldClient
import acme.aio
client = acme.OldClient(host="h")
"""


def test_a_removed_name_with_the_new_pinned(tmp_path: Path) -> None:
    assert _findings(tmp_path, CODE, "acme-client==1.2\n") == [
        "2:18: LK105 'acme.OldClient' was removed in acme 1.0 (use 'acme.client.Client'): ImportError at import",
        "4:15: LK105 'acme.OldClient' was removed in acme 1.0 (use 'acme.client.Client'): AttributeError at run time",
    ]


def test_an_added_module_with_an_old_pin_and_nothing_with_a_pin_that_has_both(tmp_path: Path) -> None:
    assert _findings(tmp_path, CODE, "acme-client==0.8.1\n") == [
        "3:8: LK105 'acme.aio' was added in acme 0.9, after the version this project uses: ImportError at import"]
    assert _findings(tmp_path, CODE, "acme-client==0.9\n") == []


def test_version_unknown_one_line_says_where_the_name_works(tmp_path: Path) -> None:
    assert _findings(tmp_path, "from acme import legacy\n", None) == [
        "1:18: LK105 'acme.legacy' works only with acme<0.8; ImportError at import after that"]
    assert _findings(tmp_path, "import acme.aio\n", None) == []  # a newer name: an unpinned install has it


def test_a_moved_class_gets_its_module_rewritten_safely_where_every_version_has_it(tmp_path: Path) -> None:
    """`from acme import Pool` -> `from acme.pool import Pool`: safe when every allowed version has
    acme.pool, unsafe when some lack it; a class whose name changed too gets no fix."""
    assert _findings(tmp_path, "from acme import Pool\n", "acme-client>=1.0\n") == [
        "1:18: LK105 'acme.Pool' was removed in acme 1.0 (use 'acme.pool.Pool'): ImportError at import [safe]"]
    assert _findings(tmp_path, "from acme import Pool\n", "acme-client>=0.5\n") == [
        "1:18: LK105 'acme.Pool' works only with acme<1.0 (use 'acme.pool.Pool'); ImportError at import after "
        "that [unsafe]"]
    assert _findings(tmp_path, "from acme import Pool, Client\n", "acme-client>=1.0\n") == [
        "1:18: LK105 'acme.Pool' was removed in acme 1.0 (use 'acme.pool.Pool'): ImportError at import"]


def test_relative_imports_and_rebound_names_are_not_the_library(tmp_path: Path) -> None:
    code = "from .acme import OldClient\nacme = object()\nacme.OldClient\n"
    assert _findings(tmp_path, code, "acme-client==1.2\n") == []


def test_the_libraries_page_summarises_each_librarys_ranges() -> None:
    from lintkit.generators.version_ranges import describe, ranges_of

    pika = next(lib for lib in load_schema_set().libraries if lib.name == "pika")
    text = describe(ranges_of(pika))
    assert text.startswith("10 classes, functions and modules (0.11.0 to 1.0.0), 8 keywords (0.11.0 to 1.0.0)")
    assert "URL query keys (0.11.0 to 1.0.0)" in text
    page = (Path(__file__).parent.parent / "docs" / "libraries.md").read_text(encoding="utf-8")
    assert text in page

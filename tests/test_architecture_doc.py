"""docs/architecture.md names every module of the package, in its table, and nothing that is gone."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "architecture.md"


def modules_on_disk() -> set[str]:
    package = ROOT / "lintkit"
    return {path.relative_to(package).as_posix() for path in package.rglob("*.py")
            if path.name != "__init__.py" and "__pycache__" not in path.parts}


def modules_in_table() -> set[str]:
    table = PAGE.read_text(encoding="utf-8").split("## Modules", 1)[1]
    return set(re.findall(r"^\| `([\w/]+\.py)` \|", table, flags=re.MULTILINE))


def test_every_module_is_in_the_table_and_nothing_else() -> None:
    on_disk, named = modules_on_disk(), modules_in_table()
    assert not on_disk - named, f"add to docs/architecture.md: {sorted(on_disk - named)}"
    assert not named - on_disk, f"gone from the package: {sorted(named - on_disk)}"


def test_every_subpackage_has_a_section_in_the_pipeline() -> None:
    text = PAGE.read_text(encoding="utf-8").split("## Modules", 1)[0]
    packages = {path.parent.name for path in (ROOT / "lintkit").glob("*/__init__.py")} - {"rules"}
    missing = {name for name in packages if f"`{name}/`" not in text}
    assert not missing, f"describe these subpackages in docs/architecture.md: {sorted(missing)}"

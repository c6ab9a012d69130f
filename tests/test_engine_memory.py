"""The engine pauses the cyclic garbage collector while it checks a file, which is
safe only because an analysis creates no reference cycles: everything it builds
(syntax tree, scopes, class records, findings) is freed by reference counting as
soon as the file is done.  This test keeps it so."""

from __future__ import annotations

import gc
from collections import Counter
from pathlib import Path

from lintkit.engine import Engine
from lintkit.schemas.registry import load_schema_set
from lintkit.frontends.runner import check_file

REPO = Path(__file__).resolve().parent.parent
SOURCES = sorted(p for root in (REPO / "tests" / "fixtures", REPO / "examples") for p in root.rglob("*.py")
                 if not p.name.endswith(".fixed.py"))


def test_sources_cover_classes_sockets_and_legacy_code() -> None:
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in SOURCES]
    assert len(SOURCES) > 50
    assert any("class " in t and "self." in t for t in texts)
    assert any("socket.socket(" in t for t in texts)
    assert any("print " in t for t in texts)  # Python 2, through the tolerant parser


def test_checking_files_leaves_no_cyclic_garbage() -> None:
    engine = Engine(load_schema_set(), select=["LK"])
    for path in SOURCES[:3]:  # warm up: caches filled on first use are not garbage
        check_file(engine, str(path))
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        findings = sum(len(check_file(engine, str(path)).findings) for path in SOURCES)
        gc.collect()
        garbage = Counter(type(obj).__name__ for obj in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()
    assert findings > 100
    assert not garbage, f"reference cycles left by the analysis: {garbage.most_common(10)}"

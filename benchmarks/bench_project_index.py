#!/usr/bin/env python3
"""How long the project index takes to summarise every module of a project, cold (empty
cache: every module parsed) and warm (every summary read from the cache).

    python benchmarks/bench_project_index.py DIRECTORY [DIRECTORY...]

Each directory is treated as a project (its `.py` files as modules under it).  `lintkit
check` itself summarises only the modules that checked files import names from; this is the
upper bound, the cost of indexing everything once.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time


def modules(root: str) -> list[str]:
    from lintkit.project.project_layout import layout_of, project_files

    names = []
    for path in project_files(root):
        layout = layout_of(path)
        if layout is not None:
            names.append((layout, layout.module))
    return names


def build(root: str) -> tuple[float, int, int]:
    from lintkit.project.project_index import ProjectIndexes
    from lintkit.schemas.registry import load_schema_set

    schemas = load_schema_set(())
    indexes = ProjectIndexes(schemas, lambda data: True)
    found = modules(root)
    start = time.perf_counter()
    summarised = 0
    for layout, module in found:
        view = indexes.view(layout.path)
        if view is not None and view.index.summary(module) is not None:
            summarised += 1
    return time.perf_counter() - start, len(found), summarised


def parse_only(root: str) -> float:
    """The floor: reading and parsing every module once."""
    import ast

    start = time.perf_counter()
    for layout, _ in modules(root):
        try:
            with open(layout.path, "rb") as handle:
                ast.parse(handle.read())
        except (SyntaxError, ValueError):
            pass
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    for root in argv:
        with tempfile.TemporaryDirectory() as cache:
            os.environ["LINTKIT_CACHE_DIR"] = cache
            cold, count, summarised = build(root)
            warm, _, _ = build(root)
        floor = parse_only(root)
        print(f"{root}: {count} modules ({summarised} summarised): cold {cold:.2f} s, warm {warm:.2f} s "
              f"(parsing alone: {floor:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Who calls a public function of the project: the calls of `module.name` in every file of
the checked file's project (for `lifetime`: a public factory whose every caller ends what
it returns makes short-lived connections).

A cheap scan first: only a file whose bytes contain the function's name is parsed.  In
such a file, the names its imports bind are resolved through the project index (so a
re-export `from .main import ssh_client` in a package's `__init__.py` still leads to the
function), and every use of a name bound to the function must be a call: a function
handed on as a value (`pool.map(ssh_client, hosts)`) may be called anywhere, so the
answer is "unknown" (a None file), as it is when a file mentioning the name cannot be read or
parsed, or the project has more than MAX_SCANNED_BYTES of files mentioning it.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from typing import Iterator

from .project_layout import layout_of, project_files
from ..liveness.sockets import Parents
from ..reading.syntax import walk
from ..analysis.name_index import import_map, imported_qualname
from ..analysis.values import NO_VALUE

#: Larger files are not read (a caller in one of them is unknown).
MAX_FILE_BYTES = 2 * 1024 * 1024
#: The files that mention the name are parsed up to this many bytes in all.
MAX_SCANNED_BYTES = 32 * 1024 * 1024


@dataclass
class CallerFile:
    """A file of the project with calls of the function."""

    path: str
    tree: ast.Module
    parents: Parents
    calls: list[ast.Call]
    resolver: "ImportResolver"


def callers_elsewhere(project, name: str) -> Iterator[CallerFile | None]:
    """The files of the project (but the checked file) with calls of public function `name`
    of the checked file's module, one by one (a caller may stop at the first that does not
    end the connection); None for a file where some use is unknown."""
    index, layout = project.index, project.layout
    target = ("function", layout.module, name)
    files = getattr(index, "project_files", None)
    if files is None:
        files = index.project_files = project_files(layout.root)
    here = layout.path
    needle = name.encode("utf-8")
    scanned = 0
    for path in files:
        if path == here:
            continue
        try:
            if os.path.getsize(path) > MAX_FILE_BYTES:
                yield None
                return
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            yield None
            return
        if needle not in data:
            continue
        scanned += len(data)
        if scanned > MAX_SCANNED_BYTES:
            yield None
            return
        caller = _calls_in(path, data, name, target, index)
        if caller is None or caller.calls:
            yield caller
        if caller is None:
            return


def _calls_in(path: str, data: bytes, name: str, target: tuple, index) -> CallerFile | None:
    from ..reading.source import SourceError, decode_source

    try:
        tree = ast.parse(decode_source(data).text)
    except (SourceError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if any(isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names)
           for node in walk(tree)):
        return None  # `from app.main import *` may bind the name unseen
    layout = layout_of(path)
    resolver = ImportResolver(tree, layout)
    bound = set()
    for local, qualname in resolver.imports.items():
        if qualname.rsplit(".", 1)[-1] == name:
            resolved = index.resolve(qualname)
            if resolved is None:
                return None  # a project name the index cannot follow: maybe the function
            if resolved == target:
                bound.add(local)
    modules = {local for local, qualname in resolver.imports.items() if qualname == target[1]}
    parents = Parents(tree)
    calls: list[ast.Call] = []
    for node in walk(tree):
        if isinstance(node, ast.Name) and node.id in bound and isinstance(node.ctx, ast.Load):
            use = node
        elif isinstance(node, ast.Attribute) and node.attr == name and resolver.qualname(node.value) == target[1]:
            use = node
        elif isinstance(node, ast.Name) and node.id in modules | bound and not isinstance(node.ctx, ast.Load):
            return None  # the name is rebound: its uses may be something else
        else:
            continue
        parent = parents.of(use)
        if not (isinstance(parent, ast.Call) and parent.func is use):
            return None  # handed on as a value: called who knows where
        calls.append(parent)
    return CallerFile(path, tree, parents, calls, resolver)


class ImportResolver:
    """The `Resolver` of a file the analysis does not walk: names as its imports bind them
    (anywhere in the file), no constants."""

    def __init__(self, tree: ast.Module, layout):
        package = None
        if layout is not None:
            package = layout.module if layout.is_package else layout.module.rpartition(".")[0]
        self.imports: dict[str, str] = import_map(walk(tree), package)

    def qualname(self, expr: ast.expr) -> str | None:
        return imported_qualname(expr, self.imports)

    def spelling(self, qualname: str) -> str | None:
        return None

    def constant(self, name: str) -> object:
        return NO_VALUE

"""Module summaries for the project index (`project_index.py`): what a module defines, as
plain JSON data, cached by the module's content.

A summary holds a module's top-level imports (`[level, dotted]`, relative ones resolved when
consulted), star imports, constants (names bound once to a literal), functions (name -> the
callee whose result every `return` gives, or None), and classes (bases, defined names, whether
`__init__` is defined, the attribute names its methods use, the callee of what each
`self.<attr>` holds, class constants), and every name the module binds at its top level.  It
does not depend on schemas or configuration.  Summaries live in `$LINTKIT_CACHE_DIR/project/`
named by content (two checksums and the length, `cache_files.content_key`), written
atomically; a module that cannot be parsed gets a summary without names (it is absent from the
index, and a warm run does not parse it again); an entry of another SUMMARY_VERSION or of the
wrong shape is ignored.
"""

from __future__ import annotations

import ast
import json

from ..reading.syntax import _LEAVES, CHILD_FIELDS, child_fields, methods_with_receiver, walk
from ..cache_files import cache_dir, content_key, read_entry, write_entry
from ..analysis.name_index import dotted
from ..analysis.values import NO_VALUE

#: The summary format; a cached summary of another version is not read.
SUMMARY_VERSION = 3
#: The summary of a module that cannot be parsed (cached too: a warm run does not parse it again).
NO_SUMMARY = {"version": SUMMARY_VERSION, "names": None}


def cached_summary(data: bytes) -> dict | None:
    """The cached summary of a module's bytes (NO_SUMMARY-like for one that does not parse), or None."""
    directory = cache_dir()
    if directory is None:
        return None
    cached = read_entry(directory / "project" / f"{content_key(data)}.json")
    try:
        summary = json.loads(cached) if cached is not None else None
    except ValueError:
        return None
    if not isinstance(summary, dict) or summary.get("version") != SUMMARY_VERSION:
        return None
    return summary if summary.get("names") is None or _well_formed(summary) else None


def summarize_bytes(data: bytes) -> dict:
    """Parse and summarise a module's bytes, and cache the summary."""
    from ..reading.source import SourceError, decode_source

    try:
        tree = ast.parse(decode_source(data).text)
    except (SourceError, SyntaxError, ValueError, RecursionError, MemoryError):
        summary = NO_SUMMARY
    else:
        try:
            summary = summarize(tree)
        except RecursionError:
            summary = NO_SUMMARY
    directory = cache_dir()
    if directory is not None:
        write_entry(directory / "project" / f"{content_key(data)}.json", json.dumps(summary).encode("utf-8"))
    return summary


#: The type of each field of a summary and of each class in it.
_SHAPE = {"imports": dict, "constants": dict, "functions": dict, "classes": dict, "star": list, "names": list}
_CLASS_SHAPE = {"bases": list, "names": list, "used": list, "self": dict, "constants": dict, "opaque": bool,
                "init": bool}


def _well_formed(summary: dict) -> bool:
    """A cached summary has the shape `summarize` gives (a damaged file is not trusted)."""
    if not all(isinstance(summary.get(key), kind) for key, kind in _SHAPE.items()):
        return False
    entries = list(summary["imports"].values()) + summary["star"]
    if not all(isinstance(e, list) and len(e) == 2 and isinstance(e[0], int) and isinstance(e[1], str)
               for e in entries):
        return False
    if not all(v is None or isinstance(v, str) for v in summary["functions"].values()):
        return False
    for info in summary["classes"].values():
        if not isinstance(info, dict) or not all(isinstance(info.get(k), kind) for k, kind in _CLASS_SHAPE.items()):
            return False
        if not all(b is None or isinstance(b, str) for b in info["bases"]) or \
                not all(isinstance(v, str) for v in info["self"].values()):
            return False
    return True


def summarize(tree: ast.Module) -> dict:
    """A module's summary: JSON data only, independent of schemas and configuration."""
    from ..analysis.analyzer import _OPAQUE_CLASS_NAMES, _module_constants, _names_defined_by

    counts: dict[str, int] = {}
    imports: dict[str, list] = {}
    star: list[list] = []
    for stmt in _top_level(tree.body):
        for name in _bound_names(stmt):
            counts[name] = counts.get(name, 0) + 1
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    imports[alias.asname] = [0, alias.name]
                else:
                    top = alias.name.split(".", 1)[0]
                    imports[top] = [0, top]
        elif isinstance(stmt, ast.ImportFrom):
            prefix = f"{stmt.module}." if stmt.module else ""
            for alias in stmt.names:
                if alias.name == "*":
                    star.append([stmt.level, stmt.module or ""])
                else:
                    imports[alias.asname or alias.name] = [stmt.level, prefix + alias.name]
    #: Function name -> the callee whose result it returns (None: not one call's).
    functions: dict[str, str | None] = {}
    classes: dict[str, dict] = {}
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions[stmt.name] = _returned_call(stmt)
        elif isinstance(stmt, ast.ClassDef):
            names = _names_defined_by(stmt)
            classes[stmt.name] = {
                "bases": [dotted(base) for base in stmt.bases
                          if not (isinstance(base, ast.Name) and base.id == "object")],
                "names": sorted(names), "opaque": bool(names & _OPAQUE_CLASS_NAMES) or bool(stmt.keywords),
                "init": any(isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == "__init__"
                            for s in stmt.body),
                "self": _self_calls(stmt), "constants": _class_constants(stmt),
                "used": sorted({node.attr for node in walk(stmt) if type(node) is ast.Attribute})}
    once = {name for name, count in counts.items() if count == 1}
    return {
        "version": SUMMARY_VERSION,
        "names": sorted(counts),
        "imports": {name: entry for name, entry in imports.items() if name in once},
        "star": star,
        "constants": _module_constants(tree),
        "functions": {name: dotted for name, dotted in functions.items() if name in once},
        "classes": {name: info for name, info in classes.items() if name in once},
    }


def _top_level(body: list[ast.stmt]):
    """Module-level statements, also inside `if`, `try` and `with` blocks (not in functions)."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, (ast.If, ast.Try, ast.With, ast.For, ast.While)) or \
                type(stmt).__name__ == "TryStar":
            for block in ("body", "orelse", "finalbody"):
                yield from _top_level(getattr(stmt, block, []))
            for handler in getattr(stmt, "handlers", []):
                yield from _top_level(handler.body)


def _bound_names(stmt: ast.stmt) -> list[str]:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [stmt.name]
    if isinstance(stmt, ast.Import):
        return [alias.asname or alias.name.split(".", 1)[0] for alias in stmt.names]
    if isinstance(stmt, ast.ImportFrom):
        return [alias.asname or alias.name for alias in stmt.names if alias.name != "*"]
    targets: list[ast.expr] = []
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign, ast.For)):
        targets = [stmt.target]
    elif isinstance(stmt, ast.With):
        targets = [item.optional_vars for item in stmt.items if item.optional_vars is not None]
    elif isinstance(stmt, ast.Try):
        return [handler.name for handler in stmt.handlers if handler.name]
    return [node.id for target in targets for node in walk(target) if type(node) is ast.Name]


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _own_nodes(function: ast.AST):
    """The nodes of a function's body, not those of nested functions, lambdas or classes
    (contexts and operators left out, as `syntax.walk` does)."""
    pending = [function]
    pop, push = pending.pop, pending.append
    fields_of = CHILD_FIELDS.get
    while pending:
        node = pop()
        if node is not function:
            yield node
            if isinstance(node, _SCOPES):
                continue
        kind = type(node)
        fields = fields_of(kind)
        for name in fields if fields is not None else child_fields(kind):
            value = getattr(node, name, None)
            if type(value) is list:
                for child in value:
                    if isinstance(child, ast.AST) and not isinstance(child, _LEAVES):
                        push(child)
            elif isinstance(value, ast.AST) and not isinstance(value, _LEAVES):
                push(value)


def _returned_call(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """The callee (`qpid.messaging.Connection`) whose result every `return` gives, or None."""
    returned: list[ast.expr] = []
    assigned: dict[str, list[ast.expr | None]] = {}
    for node in _own_nodes(function):
        if isinstance(node, ast.Return):
            if node.value is not None and not (isinstance(node.value, ast.Constant) and node.value.value is None):
                returned.append(node.value)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            assigned.setdefault(node.targets[0].id, []).append(node.value)
            continue
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            assigned.setdefault(node.id, []).append(None)
    args = function.args
    for arg in args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]:
        assigned.setdefault(arg.arg, []).append(None)
    callees = set()
    for value in returned:
        value = value.value if isinstance(value, ast.Await) else value
        if isinstance(value, ast.Name):
            # The Name store of `x = Call()` counts too: bound once means two entries, the call first.
            values = [v for v in assigned.get(value.id, ()) if v is not None]
            if len(assigned.get(value.id, ())) != 2 or len(values) != 1:
                return None
            value = values[0].value if isinstance(values[0], ast.Await) else values[0]
        callee = dotted(value.func) if isinstance(value, ast.Call) else None
        if callee is None:
            return None
        callees.add(callee)
    return callees.pop() if len(callees) == 1 else None


def _self_calls(cls: ast.ClassDef) -> dict[str, str]:
    """`self.<attr>` -> the callee of the one call every method stores in it."""
    stored: dict[str, set] = {}
    for method, self_name in methods_with_receiver(cls):
        for node in _own_nodes(method):
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and \
                    isinstance(node.value, ast.Name) and node.value.id == self_name:
                stored.setdefault(node.attr, set())
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and \
                            target.value.id == self_name:
                        value = node.value.value if isinstance(node.value, ast.Await) else node.value
                        if isinstance(value, ast.Constant) and value.value is None:
                            continue  # `self.conn = None`: neutral, as when branches join
                        callee = dotted(value.func) if isinstance(value, ast.Call) and len(node.targets) == 1 \
                            else None
                        stored.setdefault(target.attr, set()).add(callee)
    return {attr: next(iter(callees)) for attr, callees in stored.items()
            if len(callees) == 1 and None not in callees}


def _class_constants(cls: ast.ClassDef) -> dict[str, object]:
    from ..analysis.values import literal_value

    counts: dict[str, int] = {}
    values: dict[str, object] = {}
    for stmt in cls.body:
        for name in _bound_names(stmt):
            counts[name] = counts.get(name, 0) + 1
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            value = literal_value(stmt.value)
            if value is not NO_VALUE:
                values[stmt.targets[0].id] = value
    return {name: value for name, value in values.items() if counts.get(name) == 1}

"""Where each name is used in one function (or class, or module): built with one walk
and then looked up, so following N sockets or connections through a function costs
O(N + size), not O(N x size).

`NameIndex` answers the questions `sockets.SocketFlows` used to answer by walking the
whole function once per socket: where a dotted name is read, whether it is declared
`global`, which `<name>.<method>(...)` calls it receives, which simple assignments
alias it, and whether it is passed to a call.  Every answer keeps the order of
`syntax.walk` (breadth first), so code that stops at the first match, or keeps the
first reason it finds, gives the same result as the walk it replaces.  Each part is
built on first use: a file that never asks a question pays nothing.
"""

from __future__ import annotations

import ast
from heapq import merge
from typing import Callable, Iterable, Iterator

from ..reading.syntax import walk

#: Calls that do not hand a socket over when it is one of their arguments.
_OPTION_SETTERS = ("setsockopt", "ioctl", "wrap_socket")


def dotted(expr: ast.expr) -> str | None:
    """`a.b.c` for a chain of attributes on a name; None for anything else."""
    parts = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return None
    return ".".join([expr.id, *reversed(parts)])


class NameIndex:
    """Name uses under one node (a function, class or module), in walk order."""

    def __init__(self, place: ast.AST):
        self.place = place
        self._loads: dict[str, list[tuple[int, ast.expr]]] | None = None
        self._globals: frozenset[str] | None = None
        self._calls: dict[str, list[tuple[int, ast.Call]]] | None = None
        self._aliases: dict[str, list[tuple[str, ...]]] | None = None
        self._passed: frozenset[str] | None = None
        self._memo: dict[str, object] = {}

    # ------------------------------------------------------------------ lookups

    def loads(self, names: Iterable[str]) -> list[tuple[ast.expr, str]]:
        """Every read of one of `names` (`x`, `self.x`), as (node, name), in walk order."""
        if self._loads is None:
            self._loads = self._build_loads()
        return [(node, name) for _, node, name in _in_order(self._loads, names)]

    def declares_global(self, name: str) -> bool:
        """A `global name` statement anywhere under the place."""
        if self._globals is None:
            self._globals = frozenset(name for node in walk(self.place) if isinstance(node, ast.Global)
                                      for name in node.names)
        return name in self._globals

    def method_calls(self, names: Iterable[str], methods: frozenset[str]) -> Iterator[ast.Call]:
        """Every `<name>.<method>(...)` for one of `names` and `methods`, in walk order."""
        if self._calls is None:
            self._calls = self._build_calls()
        for _, call, _ in _in_order(self._calls, names):
            if call.func.attr in methods:
                yield call

    def aliases(self, name: str) -> list[tuple[str, ...]]:
        """The names bound together with `name` by `left = right`, `left = ctx.wrap_socket(right)`
        (both sides when either is `name`) and `with right as left` (both, when either is)."""
        if self._aliases is None:
            self._aliases = self._build_aliases()
        return self._aliases.get(name, [])

    def passed(self, names: Iterable[str], harmless: Callable[[ast.Call], bool]) -> bool:
        """Whether any of `names` is an argument of a call that is not `harmless` and
        does not set socket options."""
        if self._passed is None:
            self._passed = frozenset(
                name for node in walk(self.place)
                if isinstance(node, ast.Call) and not harmless(node) and
                not (isinstance(node.func, ast.Attribute) and node.func.attr in _OPTION_SETTERS)
                for argument in [*node.args, *(k.value for k in node.keywords)]
                if (name := dotted(argument)) is not None)
        return any(name in self._passed for name in names)

    def memo(self, key: str, compute: Callable[[], object]):
        """Another answer about the place, computed once (`key` names the question)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    # ------------------------------------------------------------------ building

    def _build_loads(self) -> dict[str, list[tuple[int, ast.expr]]]:
        found: dict[str, list[tuple[int, ast.expr]]] = {}
        for position, node in enumerate(walk(self.place)):
            if isinstance(node, ast.Name):
                if isinstance(node.ctx, ast.Load):
                    found.setdefault(node.id, []).append((position, node))
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                name = dotted(node)
                if name is not None:
                    found.setdefault(name, []).append((position, node))
        return found

    def _build_calls(self) -> dict[str, list[tuple[int, ast.Call]]]:
        found: dict[str, list[tuple[int, ast.Call]]] = {}
        for position, node in enumerate(walk(self.place)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                receiver = dotted(node.func.value)
                if receiver is not None:
                    found.setdefault(receiver, []).append((position, node))
        return found

    def _build_aliases(self) -> dict[str, list[tuple[str, ...]]]:
        found: dict[str, list[tuple[str, ...]]] = {}

        def add(left: str | None, right: str | None, names: tuple[str, ...]) -> None:
            for side in {left, right} - {None}:
                found.setdefault(side, []).append(names)

        for node in walk(self.place):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                left, right = dotted(node.targets[0]), source_name(node.value)
                if left and right:
                    add(left, right, (left, right))
            elif isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
                right = source_name(node.context_expr)
                add(node.optional_vars.id, right, tuple(filter(None, (right, node.optional_vars.id))))
        return found


def source_name(value: ast.expr) -> str | None:
    """`y` in `x = y` and in `x = ctx.wrap_socket(y, ...)`."""
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "wrap_socket":
        value = value.args[0] if value.args else next((k.value for k in value.keywords if k.arg == "sock"), None)
    return dotted(value) if value is not None else None


def _in_order(table: dict[str, list[tuple[int, ast.AST]]], names: Iterable[str]):
    """The entries of `names` in `table`, as (position, node, name), in walk order."""
    lists = [[(position, node, name) for position, node in table[name]] for name in set(names) if name in table]
    if len(lists) == 1:
        return lists[0]
    return merge(*lists, key=lambda entry: entry[0])


def absolute_module(package: str | None, level: int, dotted: str) -> str | None:
    """The module `from <level dots><dotted> import ...` names, written in `package`; None
    above the top package."""
    parts = package.split(".") if package else []
    if level - 1 > len(parts) or (level - 1 == len(parts) and not dotted):
        return None
    base = parts[:len(parts) - (level - 1)]
    return ".".join(base + ([dotted] if dotted else [])) or None


def import_map(nodes: Iterable[ast.AST], package: str | None = None) -> dict[str, str]:
    """Local name -> qualified name, for every import among `nodes` (flow-insensitive);
    relative imports only when the file's `package` is known."""
    names: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".", 1)[0]
                names[alias.asname or top] = alias.name if alias.asname else top
        elif isinstance(node, ast.ImportFrom):
            base = node.module if not node.level else \
                absolute_module(package, node.level, node.module or "") if package is not None else None
            if base:
                names.update({alias.asname or alias.name: f"{base}.{alias.name}"
                              for alias in node.names if alias.name != "*"})
    return names


def imported_qualname(expr: ast.expr, imports: dict[str, str]) -> str | None:
    """What a name or attribute chain names through the file's imports (`r.Redis` -> `redis.Redis`)."""
    spelt = dotted(expr)
    if spelt is None:
        return None
    head, _, rest = spelt.partition(".")
    base = imports.get(head)
    return None if base is None else f"{base}.{rest}" if rest else base

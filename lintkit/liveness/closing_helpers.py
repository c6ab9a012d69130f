"""Functions of the checked file that end a connection handed to them.

`def _cleanup(client): client.close()` then `try: ... finally: _cleanup(client)`:
the call ends `client` as surely as `client.close()` would.  A function counts
when its body calls a closing method on the parameter (or hands the parameter to
another such function of the file, a few calls deep: `_execute(client, cmd)`
whose `finally` calls `_cleanup(client)`).  Only plain functions defined at the
top of the module are read, by name, each at most once per file.
"""

from __future__ import annotations

import ast

from ..reading.syntax import walk

#: How many helper calls deep an ending is followed.
_DEPTH = 3


class ClosingHelpers:
    """Which positional parameters each module-level function of a file ends."""

    def __init__(self, tree: ast.Module, closing_methods: frozenset[str]):
        self._functions = {node.name: node for node in tree.body
                           if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
        self._closing = closing_methods
        self._ended: dict[tuple[str, int], bool] = {}

    def ends_argument(self, call: ast.Call, argument: ast.expr, depth: int = 0) -> bool:
        """Whether `call` is `helper(..., argument, ...)` of a helper that ends that argument."""
        if not isinstance(call.func, ast.Name) or argument not in call.args or depth > _DEPTH:
            return False
        function = self._functions.get(call.func.id)
        if function is None:
            return False
        position = call.args.index(argument)
        key = (function.name, position)
        if key not in self._ended:
            self._ended[key] = False  # a recursive helper: not ended through itself
            self._ended[key] = self._ends_parameter(function, position, depth)
        return self._ended[key]

    def _ends_parameter(self, function: ast.FunctionDef | ast.AsyncFunctionDef, position: int, depth: int) -> bool:
        parameters = function.args.posonlyargs + function.args.args
        if position >= len(parameters):
            return False
        name = parameters[position].arg
        for node in walk(function):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in self._closing and \
                    isinstance(func.value, ast.Name) and func.value.id == name:
                return True
            argument = next((a for a in node.args if isinstance(a, ast.Name) and a.id == name), None)
            if argument is not None and self.ends_argument(node, argument, depth + 1):
                return True
        return False

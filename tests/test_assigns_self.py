"""The analyzer's `_assigns_self` (which methods the collecting pass runs) against a plain
`ast.iter_child_nodes` definition, on real classes and on odd statements."""

from __future__ import annotations

import ast
import os
import sysconfig
import textwrap

import pytest

from lintkit.analysis.analyzer import _assigns_self

DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def statements(node: ast.AST):
    """The statements of a body, with those nested in compound statements, handlers and match
    cases, not those of nested functions and classes."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.excepthandler, ast.match_case)):
            yield from statements(child)
        elif isinstance(child, ast.stmt):
            yield child
            if not isinstance(child, DEFINITIONS):
                yield from statements(child)


def stores_on(target: ast.expr, name: str) -> bool:
    if isinstance(target, (ast.Tuple, ast.List)):
        return any(stores_on(element, name) for element in target.elts)
    if isinstance(target, ast.Starred):
        return stores_on(target.value, name)
    return isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == name


def reference(method: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    params = method.args.posonlyargs + method.args.args
    if not params:
        return False
    for stmt in statements(method):
        if isinstance(stmt, ast.Assign):
            targets = stmt.targets
        elif isinstance(stmt, (ast.AnnAssign, ast.For, ast.AsyncFor)):
            targets = [stmt.target]
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            targets = [item.optional_vars for item in stmt.items if item.optional_vars is not None]
        else:
            continue
        if any(stores_on(target, params[0].arg) for target in targets):
            return True
    return False


def methods(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [method for cls in ast.walk(tree) if isinstance(cls, ast.ClassDef) for method in cls.body
            if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef))]


@pytest.mark.parametrize("module", ["socketserver.py", "ftplib.py", "asyncio/base_events.py", "http/client.py"])
def test_agrees_with_the_plain_definition_on_stdlib_classes(module):
    with open(os.path.join(sysconfig.get_paths()["stdlib"], module), "rb") as handle:
        found = methods(ast.parse(handle.read()))
    assert found and [_assigns_self(m) for m in found] == [reference(m) for m in found]
    assert any(map(_assigns_self, found)) and not all(map(_assigns_self, found))


CASES = textwrap.dedent('''
    class C:
        def plain(self): self.a = 1
        def other_name(me): me.a = 1
        def nested_attribute(self): self.a.b = 1
        def subscript(self): self.a[0] = 1
        def unpacked(self): x, (y, *self.rest) = f()
        def annotated(self): self.a: int
        def loop(self):
            for self.item in items: pass
        async def async_loop(self):
            async for self.item in items: pass
        def with_target(self):
            with open(p) as self.handle: pass
        def in_handler(self):
            try: pass
            except OSError:
                self.failed = True
        def in_else(self):
            for x in y: pass
            else:
                while z:
                    if w: pass
                    else: self.done = True
        def in_finally(self):
            try: pass
            finally: self.closed = True
        def in_case(self):
            match x:
                case 1:
                    self.one = True
        def in_nested_function(self):
            def inner(): self.a = 1
        def in_nested_class(self):
            class Inner: self.a = 1
        def walrus(self): (self_a := 1)
        @staticmethod
        def no_params(): pass
        def name_only(self): a = b = 1
    ''')


def test_agrees_with_the_plain_definition_on_odd_statements():
    found = methods(ast.parse(CASES))
    verdicts = {m.name: _assigns_self(m) for m in found}
    assert verdicts == {m.name: reference(m) for m in found}
    assert [name for name, stores in verdicts.items() if stores] == [
        "plain", "other_name", "unpacked", "annotated", "loop", "async_loop", "with_target", "in_handler",
        "in_else", "in_finally", "in_case"]

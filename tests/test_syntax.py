"""The fast tree walks of reading/syntax.py visit exactly what `ast.walk` visits (contexts and
operators left out), in the same breadth-first order, with the same parents."""

from __future__ import annotations

import ast
import os
import sys
import sysconfig
import textwrap

import pytest

from lintkit.reading.syntax import _LEAVES, TreeIndex, block_nodes, child_fields, index_subtree, node_types, walk

#: Real modules of the standard library, of many shapes.
STDLIB_MODULES = ("ast.py", "typing.py", "dataclasses.py", "socket.py", "argparse.py", "asyncio/base_events.py",
                  "json/decoder.py", "email/_header_value_parser.py", "re/_parser.py", "pydoc.py")

ODD_SYNTAX = textwrap.dedent('''
    import os.path as p, sys
    from . import a as b
    from ..x import *
    counter = 0

    @decorator
    @decorated.with_args(1, key=2)
    class C(Base, metaclass=Meta):
        "doc"
        x: int = 1

        def f(self, a, /, b: "int" = 2, *args, c, d=4, e, **kw) -> None:  # type: ignore[misc]
            # type: (int, int) -> None
            global counter
            counter += 1
            def inner():
                nonlocal a
                a = lambda q, *r, s=1, **t: (q, r, s, t)
            return {**kw, "a": a, None: b, **{}}

        async def g(self):
            async with self.lock as (x, y), other:
                async for item in self.stream():
                    await item
            yield from ()
            return [z async for z in self.stream() if z if not z]

    def h(value):
        match value:
            case {"k": 1, **rest}:
                return rest
            case Point(x=0, y=0) | Point(1, 2, z=3):
                return f"{value!r:>{width}} and {value.x=}"
            case [1, *others, (2 | 3) as two]:
                return others, two
            case None | True | -1 | 1 + 2j | "s" | b"b":
                pass
            case {**rest}:
                del rest
            case _ if value:
                raise ValueError from None
        try:
            assert value, "msg"
        except (KeyError, IndexError) as exc:
            print(exc, end="", sep=" ")
        else:
            x = y = value[1:2, ::3, ...]
        finally:
            (w := 1)
        while not value and -value < 1 <= +value != ~value:
            break
        else:
            value @= value ** 2 // 3 if value else {i: j for i, j in value}
        with open(p) as f, open(q): pass
        for k in {*value}: continue
        return (i for i in range(3)), {i for i in []}, ((yield), (yield value))
    ''')


def reference(tree: ast.AST) -> tuple[list[ast.AST], dict[ast.AST, ast.AST]]:
    """What `ast.walk` visits, contexts and operators left out, and each node's parent."""
    nodes = [node for node in ast.walk(tree) if not isinstance(node, _LEAVES)]
    parents = {child: node for node in nodes for child in ast.iter_child_nodes(node) if not isinstance(child, _LEAVES)}
    return nodes, parents


def assert_same_walks(tree: ast.AST) -> None:
    nodes, parents = reference(tree)
    index = TreeIndex(tree)
    assert len(index.nodes) == len(nodes)
    assert all(mine is theirs for mine, theirs in zip(index.nodes, nodes))
    assert all(mine is theirs for mine, theirs in zip(walk(tree), nodes))
    assert index.parents.keys() == parents.keys()
    assert all(index.parents[child] is parent for child, parent in parents.items())
    for kind in (ast.Call, ast.Name, ast.FunctionDef, ast.match_case):
        assert index.of_type(kind) == [node for node in nodes if type(node) is kind]


@pytest.mark.parametrize("module", STDLIB_MODULES)
def test_walks_match_ast_walk_on_stdlib_modules(module):
    path = os.path.join(sysconfig.get_paths()["stdlib"], module)
    if not os.path.exists(path):
        pytest.skip(f"{module} is not in this Python")
    with open(path, "rb") as handle:
        assert_same_walks(ast.parse(handle.read(), path))


def test_walks_match_ast_walk_on_odd_syntax():
    tree = ast.parse(ODD_SYNTAX, type_comments=True)
    assert_same_walks(tree)
    kinds = {type(node) for node in walk(tree)}
    # The cases the fields' signatures must get right: None keys and defaults, strings in lists.
    assert {ast.Dict, ast.Global, ast.Nonlocal, ast.MatchClass, ast.MatchMapping, ast.MatchStar, ast.MatchSingleton,
            ast.JoinedStr, ast.FormattedValue, ast.TypeIgnore, ast.arguments} <= kinds
    assert any(key is None for node in walk(tree) if isinstance(node, ast.Dict) for key in node.keys)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="except* is new in Python 3.11")
def test_walks_match_ast_walk_on_except_star():
    assert_same_walks(ast.parse("try:\n    pass\nexcept* (OSError, ValueError) as group:\n    raise\n"))


@pytest.mark.skipif(sys.version_info < (3, 12), reason="type parameters are new in Python 3.12")
def test_walks_match_ast_walk_on_type_parameters():
    assert_same_walks(ast.parse("type Alias[T: int] = list[T]\ndef f[*Ts, **P](x: T) -> T: pass\nclass K[T]: pass\n"))


def test_subtree_index_records_parents_below_its_root():
    tree = ast.parse("def f(a=g(1)):\n    return [x.y for x in a]\n")
    function = tree.body[0]
    parents: dict[ast.AST, ast.AST] = {}
    nodes = index_subtree(function, parents)
    assert nodes[0] is function and function not in parents
    assert nodes == [node for node in ast.walk(function) if not isinstance(node, _LEAVES)]
    assert parents == reference(function)[1]


def test_child_fields_skip_strings_contexts_and_operators():
    assert child_fields(ast.Attribute) == ("value",)
    assert child_fields(ast.Compare) == ("left", "comparators")
    assert child_fields(ast.Global) == ()
    assert child_fields(ast.MatchClass) == ("cls", "patterns", "kwd_patterns")
    assert child_fields(ast.Name) == child_fields(ast.Constant) == child_fields(ast.Load) == ()
    # Every field a parsed node holds a node in is a child field.
    for node in walk(ast.parse(ODD_SYNTAX)):
        for name, value in ast.iter_fields(node):
            values = value if isinstance(value, list) else [value]
            if any(isinstance(v, ast.AST) and not isinstance(v, _LEAVES) for v in values):
                assert name in child_fields(type(node)), (type(node).__name__, name)


def test_every_node_type_of_this_python_has_its_fields_read_from_its_signature():
    from lintkit.reading.syntax import ANY, _node_fields

    unsigned = [kind.__name__ for kind in node_types()
                if kind.__module__ == "ast" and any(holds == ANY for _, holds in _node_fields(kind))]
    assert unsigned == []


def test_a_node_type_without_signature_is_walked_by_checking_each_value():
    class Custom(ast.expr):
        _fields = ("value", "items", "label")

    first, second = ast.Name("a", ast.Load()), ast.Name("b", ast.Load())
    node = Custom(value=first, items=[second, "x", None, ast.Load()], label="text")
    assert list(walk(node)) == [node, first, second]
    index = TreeIndex(node)
    assert index.nodes == [node, first, second] and index.parents == {first: node, second: node}


def block_reference(tree: ast.AST) -> list[ast.AST]:
    blocks = (ast.mod, ast.stmt, ast.excepthandler, ast.match_case)
    return [node for node in ast.walk(tree) if isinstance(node, blocks)]


@pytest.mark.parametrize("module", STDLIB_MODULES[:4])
def test_block_nodes_are_the_statements_of_ast_walk_in_its_order(module):
    path = os.path.join(sysconfig.get_paths()["stdlib"], module)
    with open(path, "rb") as handle:
        tree = ast.parse(handle.read(), path)
    assert block_nodes(tree) == block_reference(tree)


def test_block_nodes_on_odd_syntax():
    tree = ast.parse(ODD_SYNTAX)
    found = block_nodes(tree)
    assert found == block_reference(tree)
    assert {ast.ExceptHandler, ast.match_case, ast.Global, ast.AsyncWith, ast.ClassDef} <= {type(n) for n in found}


REGION_CASES = textwrap.dedent('''
    import socket
    x = 1; y = socket.socket()

    @decorate(
        socket.socket())
    class A(Base, key=socket.socket()): z = socket.socket(); w = 2

    class B:
        @property
        def p(self):
            return socket.socket()

        class Inner(A):
            def q(self, s=socket.socket()):
                self.s = [socket.socket() for _ in range(2)]

    if x:
        class C:
            def r(self):
                match self:
                    case {"k": v}:
                        return v
    ''')


@pytest.mark.parametrize("source", [REGION_CASES, ODD_SYNTAX], ids=["regions", "odd"])
def test_region_parents_answer_like_the_whole_tree(source):
    from lintkit.liveness.sockets import Parents

    tree = ast.parse(source)
    nodes, expected = reference(tree)
    shared = Parents(tree)
    for node in reversed(nodes):  # one instance asked everything, innermost nodes first
        assert shared.of(node) is expected.get(node)
    for node in nodes:  # a fresh instance per question
        assert Parents(tree).of(node) is expected.get(node)


def test_region_parents_index_only_the_statement_asked_about():
    from lintkit.liveness.sockets import Parents

    tree = ast.parse(REGION_CASES)
    outer = tree.body[4]
    inner = outer.body[1]
    call = inner.body[0].body[0].value.elt
    parents = Parents(tree)
    assert parents.home(call) is inner.body[0]
    assert parents.enclosing_class(inner.body[0]) is inner and parents.of(outer) is tree
    assert parents._tree_index is None
    indexed = set(parents._parent)
    assert call in indexed and not any(node in indexed for node in walk(tree.body[5]))
    assert not any(node in indexed for node in list(walk(outer.body[0]))[1:])  # inside the other method
    assert parents.tree_index.parents.get(call) is parents.of(call)

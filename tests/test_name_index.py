"""The name index gives the same answers, in the same order, as walking the function
for every question (what `sockets.SocketFlows` did before), and keeps the cost of a
file linear in its size."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from lintkit.engine import Engine
from lintkit.analysis.name_index import NameIndex, dotted, source_name
from lintkit.schemas.registry import load_schema_set
from lintkit.liveness.sockets import CONNECTING_METHODS, OPTION_METHODS, harmless_call
from lintkit.reading.syntax import walk

REPO = Path(__file__).resolve().parent.parent
SOURCES = sorted(p for root in (REPO / "tests" / "fixtures", REPO / "examples") for p in root.rglob("*.py")
                 if not p.name.endswith(".fixed.py"))


# --------------------------------------------------------------------------- the walks the index replaces


def walked_loads(place: ast.AST, names: set[str]) -> list[tuple[ast.expr, str]]:
    found = []
    for node in walk(place):
        if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(getattr(node, "ctx", None), ast.Load):
            name = dotted(node) if isinstance(node, ast.Attribute) else node.id
            if name in names:
                found.append((node, name))
    return found


def walked_global(place: ast.AST, name: str) -> bool:
    return any(isinstance(node, ast.Global) and name in node.names for node in walk(place))


def walked_method_calls(place: ast.AST, names: set[str], methods: frozenset[str]) -> list[ast.Call]:
    return [node for node in walk(place) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in methods and dotted(node.func.value) in names]


def walked_aliases(place: ast.AST, receiver: str) -> set[str]:
    names = {receiver}
    for node in walk(place):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            left, right = dotted(node.targets[0]), source_name(node.value)
            if left and right and (left == receiver or right == receiver):
                names.update((left, right))
        elif isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
            right = source_name(node.context_expr)
            if right == receiver or node.optional_vars.id == receiver:
                names.update(filter(None, (right, node.optional_vars.id)))
    return names


def walked_passed(place: ast.AST, names: set[str]) -> bool:
    for node in walk(place):
        if isinstance(node, ast.Call) and not harmless_call(node) and not (
                isinstance(node.func, ast.Attribute) and node.func.attr in ("setsockopt", "ioctl", "wrap_socket")):
            for argument in [*node.args, *(k.value for k in node.keywords)]:
                if dotted(argument) in names:
                    return True
    return False


# --------------------------------------------------------------------------- same answers


def _places(tree: ast.Module) -> list[ast.AST]:
    return [tree, *(node for node in walk(tree)
                    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)))]


def _names(place: ast.AST) -> list[str]:
    found = {dotted(node) for node in walk(place) if isinstance(node, (ast.Name, ast.Attribute))}
    found |= {name for node in walk(place) if isinstance(node, ast.Global) for name in node.names}
    return sorted(name for name in found if name)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_index_answers_like_the_walks(path: Path) -> None:
    try:
        tree = ast.parse(path.read_bytes())
    except SyntaxError:
        pytest.skip("not Python 3 syntax (the legacy parser's fixtures)")
    for place in _places(tree):
        index = NameIndex(place)
        names = _names(place)
        for name in names:
            assert index.loads({name}) == walked_loads(place, {name})
            assert index.declares_global(name) is walked_global(place, name)
            assert {name}.union(*index.aliases(name)) == walked_aliases(place, name)
            assert index.passed({name}, harmless_call) is walked_passed(place, {name})
            for methods in (OPTION_METHODS, CONNECTING_METHODS):
                assert list(index.method_calls({name}, methods)) == walked_method_calls(place, {name}, methods)
        # Several names at once: merged in walk order, as one walk finds them.
        for group in (set(names[::2]), set(names[1::3]), set(names)):
            assert index.loads(group) == walked_loads(place, group)
            assert list(index.method_calls(group, OPTION_METHODS)) == walked_method_calls(place, group,
                                                                                          OPTION_METHODS)
            assert index.passed(group, harmless_call) is walked_passed(place, group)


def test_order_is_the_walk_order_across_names() -> None:
    tree = ast.parse("def f():\n    b = a\n    g(a, b)\n    print(b)\n    a.close()\n")
    index = NameIndex(tree.body[0])
    assert [(node.lineno, name) for node, name in index.loads({"a", "b"})] == \
        [(2, "a"), (3, "a"), (3, "b"), (4, "b"), (5, "a")]  # breadth first, like ast.walk


# --------------------------------------------------------------------------- linear cost


def _sockets(n: int) -> str:
    body = "".join(f"    s{i} = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
                   f"    s{i}.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)\n"
                   f"    s{i}.connect(('db{i}.example.com', 5432))\n"
                   f"    conns.append(s{i})\n" for i in range(n))
    return "import socket\n\ndef build():\n    conns = []\n" + body + "    return conns\n"


def _clients(n: int) -> str:
    return "import kombu\nimport qpid.messaging\n\nconns = []\n" + "".join(
        f"k{i} = kombu.Connection('amqp://mq{i}.example.com//', heartbeat=60)\n"
        f"q{i} = qpid.messaging.Connection('mq{i}.example.com')\n"
        f"q{i}.heartbeat = 30\n"
        f"conns.extend([k{i}, q{i}])\n" for i in range(n))


def _work(engine: Engine, text: str) -> int:
    """Function calls (and generator steps, C calls included) made checking `text`: a
    measure of the work that, unlike a clock, does not depend on the machine's load."""
    engine.check_text(text, "generated.py")  # warm the caches of the schemas and versions
    events = 0

    def count(frame, event, arg) -> None:
        nonlocal events
        events += 1

    sys.setprofile(count)
    try:
        engine.check_text(text, "generated.py")
    finally:
        sys.setprofile(None)
    return events


@pytest.mark.parametrize("make", [_sockets, _clients], ids=["sockets in one function", "clients at module level"])
def test_work_grows_linearly(make) -> None:
    """Four times the sockets (or clients) take about four times the work, not sixteen: the
    per-socket walks of the whole function (or module) made it about 16 before the index."""
    engine = Engine(load_schema_set())
    small, large = _work(engine, make(100)), _work(engine, make(400))
    assert large / small < 5, (small, large)

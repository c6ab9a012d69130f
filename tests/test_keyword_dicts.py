"""The dict tracking behind `**params` (lintkit/analysis/keyword_dicts.py) and mangled names."""

from __future__ import annotations

import ast
import textwrap

import pytest

from lintkit.analysis.keyword_dicts import ExpandedCall, KeywordDicts, conditional, source_call
from lintkit.analysis.private_names import mangled, spellings
from lintkit.liveness.sockets import Parents


def expand(code: str):
    """The keys (in order) and whether a `**` splat is left, for the last call of `connect`."""
    tree = ast.parse(textwrap.dedent(code))
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Name) and node.func.id == "connect"]
    call = max(calls, key=lambda c: c.lineno)
    result = KeywordDicts(Parents(tree)).expand(call)
    if result is None:
        return None
    assert isinstance(result, ExpandedCall) and source_call(result) is call
    return [k.arg for k in result.keywords if k.arg], any(k.arg is None for k in result.keywords)


@pytest.mark.parametrize("code, keys, left_open", [
    ("p = dict(a=1, b=2)\nconnect(**p)", ["a", "b"], False),
    ("p = {'a': 1}\np['b'] = 2\np.update(c=3)\np.update({'d': 4})\np.setdefault('e', 5)\nconnect(**p)",
     ["a", "b", "c", "d", "e"], False),
    ("base = {'a': 1}\np = dict(base, b=2)\nconnect(**p)", ["a", "b"], False),
    ("a = {'x': 1}\nb = {'y': 2}\nconnect(**{**a, **b})", ["x", "y"], False),
    ("a = {'x': 1}\np = a | {'y': 2}\nconnect(**p)", ["x", "y"], False),
    ("p = {'a': 1}\np['a'] = 2\nconnect(**p)", ["a"], False),
    # Not fully known: the keys that are known stay, a `**` splat is left.
    ("def f(extra):\n    p = {'a': 1, **extra}\n    connect(**p)", ["a"], True),
    ("def f(k):\n    p = {'a': 1}\n    p[k] = 2\n    connect(**p)", ["a"], True),
    ("def f(x):\n    p = {'a': 1}\n    if x:\n        p['b'] = 2\n    connect(**p)", ["a", "b"], True),
    ("def f():\n    p = {'a': 1}\n    tweak(p)\n    connect(**p)", ["a"], True),
    ("def f():\n    p = {'a': 1}\n    p.pop('a')\n    connect(**p)", [], True),
    ("def f(x):\n    p = {'a': 1}\n    for _ in x:\n        connect(**p)\n        p['b'] = 2", ["a"], True),
    # After the call, outside a loop: no effect on it.
    ("def f():\n    p = {'a': 1}\n    connect(**p)\n    p['b'] = 2\n    tweak(p)", ["a"], False),
    # Across methods through self: another method's changes leave it open.
    ("class C:\n    def __init__(self):\n        self.p = {'a': 1}\n    def go(self):\n        connect(**self.p)",
     ["a"], False),
    ("class C:\n    def __init__(self):\n        self.p = {'a': 1}\n    def more(self):\n        self.p['b'] = 2\n"
     "    def go(self):\n        connect(**self.p)", ["a", "b"], True),
])
def test_expanded_keys(code, keys, left_open):
    assert expand(code) == (keys, left_open)


@pytest.mark.parametrize("code", [
    "def f(p):\n    connect(**p)",  # a parameter
    "def f(x):\n    p = {'a': 1}\n    p = x\n    connect(**p)",  # bound twice
    "p = load()\nconnect(**p)",  # not a dict lintkit reads
    "p = {'a': 1}\nconnect(a=2, **p)",  # the same keyword twice: a TypeError, not judged
])
def test_not_followed(code):
    assert expand(code) is None


def test_string_key_positions_are_inside_the_quotes():
    tree = ast.parse("p = {'heartbeat': 0, 'x' 'y': 1}\nconnect(**p)\n")
    call = tree.body[1].value
    result = KeywordDicts(Parents(tree)).expand(call)
    (key,) = [k for k in result.keywords if k.arg]
    assert (key.arg, key.lineno, key.col_offset) == ("heartbeat", 1, 6)
    assert any(k.arg is None for k in result.keywords)  # the concatenated key is not plain: left open


def test_mangled_names():
    assert mangled("__client", "Tunnel") == "_Tunnel__client"
    assert mangled("__client", "_Tunnel") == "_Tunnel__client"
    assert mangled("__init__", "Tunnel") == "__init__"
    assert mangled("_client", "Tunnel") == "_client"
    assert mangled("__x", "___") == "__x"
    assert spellings("_Tunnel__client") == ("_Tunnel__client", "__client")
    assert spellings("client") == ("client",)


def test_keys_added_in_a_branch_are_marked_conditional():
    tree = ast.parse("def f(x):\n    p = dict(a=1)\n    if x:\n        p['b'] = 2\n        p.update(c=3)\n    connect(**p)\n")
    call = tree.body[0].body[-1].value
    result = KeywordDicts(Parents(tree)).expand(call)
    marked = {k.arg: conditional(k) for k in result.keywords if k.arg}
    assert marked == {"a": False, "b": True, "c": True}
    update = tree.body[0].body[1].body[1].value
    assert not hasattr(update.keywords[0], "lintkit_conditional")  # the user's node is left alone

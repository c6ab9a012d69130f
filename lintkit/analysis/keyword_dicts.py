"""Keyword dicts: the keys a `**params` splat hands to a call, read from where the dict is built.

    params = dict(host=h, heartbeat_intervl=30)      # or {"host": h}, dict(base, **extra), {**a, **b}
    params["ssl"] = True                              # or params.update(...), params.setdefault(...)
    conn = kombu.Connection(**params)

The rules read a call's keywords (`call.keywords`).  For a call with a `**name` splat whose
dict this module can follow, the analyzer hands the rules an `ExpandedCall`: the same call
with the splat replaced by the dict's keys, each an `ast.keyword` positioned at the key (the
keyword of `dict(...)`/`update(...)`, or the text inside the quotes of a string key), so a
finding lands on the key and a rename fix edits only the key.  The rules need no change.

The dict is followed when its name is bound exactly once in the function (or the module, or,
for `self.params`, the class), to a dict lintkit can read.  What it cannot read makes the
dict *open*: a `**unknown` merged in, a computed key, the dict handed to other code (which
may add keys), a key added in a branch, in a loop after the call, or (for `self.params`) in
another method.  An open dict keeps its `**` splat in the expanded call, so the rules treat
it as any `**kwargs` (computed_settings.py: no missing-liveness finding), while the keys it
is known to hold are still checked (a misspelt literal key is wrong on every path).

`functools.partial(Connection, ...)` is followed too (`Partial`): its keywords are checked
where it is written (an open call: later calls may add more), and a later call of the
partial is the class's call with the partial's arguments first.

An `ExpandedCall` is not in the syntax tree: code that follows the call through the tree
(lifetime.py) asks `source_call()` for the call the user wrote.  Fixes that would add a
keyword to an expanded call are not offered (checks/base.py): the keyword may already be
in the dict, which would fail at run time.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field

from .name_index import dotted
from ..liveness.sockets import Parents
from ..reading.syntax import methods_with_receiver, walk

#: Methods that read a dict without changing it.
_READERS = frozenset({"get", "keys", "values", "items", "copy", "__getitem__", "__contains__"})
#: Builtins that read their argument without keeping or changing it.
_READING_CALLS = frozenset({"dict", "len", "list", "sorted", "tuple", "set", "bool", "repr", "str", "print"})
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_MAX_DEPTH = 8
_PARTIALS = frozenset({"functools.partial"})


class _DictValue:
    def __repr__(self) -> str:
        return "DICT_VALUE"


#: The analyzer's binding of a name assigned a dict display or `dict(...)`: only such names
#: are followed here (the analyzer's flow-sensitive bindings make the cheap first test).
DICT_VALUE = _DictValue()


def makes_dict(expr: ast.expr) -> bool:
    """A dict display, `dict(...)`, or `a | b` of one."""
    if isinstance(expr, ast.Dict):
        return True
    if isinstance(expr, ast.Call):
        return isinstance(expr.func, ast.Name) and expr.func.id == "dict"
    return isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr) and makes_dict(expr.left)


class ExpandedCall(ast.Call):
    """A call as the rules should read it: `**name` splats replaced by the dict's keys
    (`source` is the call in the syntax tree)."""

    source: ast.Call


def conditional(keyword: ast.keyword) -> bool:
    """A key only some paths add (in a branch, another method): often a version or feature
    test (`if OLD_PIKA: params["ssl"] = ...`), so a name only some versions have is not judged."""
    return getattr(keyword, "lintkit_conditional", False)


def source_call(call: ast.Call) -> ast.Call:
    """The call in the syntax tree that `call` stands for (itself, unless expanded)."""
    return call.source if isinstance(call, ExpandedCall) else call


def expanded(call: ast.Call, func: ast.expr, args: list[ast.expr], keywords: list[ast.keyword]) -> ExpandedCall:
    new = ExpandedCall(func=func, args=args, keywords=keywords)
    ast.copy_location(new, call)
    new.end_lineno, new.end_col_offset = call.end_lineno, call.end_col_offset
    new.source = source_call(call)
    return new


@dataclass(frozen=True, eq=False)
class Partial:
    """A binding: `functools.partial(target, ...)` made by `call` (its first argument is the target)."""

    call: ast.Call

    def __eq__(self, other):
        return isinstance(other, Partial) and other.call is self.call

    def __hash__(self):
        return id(self.call)


@dataclass
class DictState:
    """What a dict is known to hold at one point: its keys (later ones win) and whether that is all."""

    keywords: list[ast.keyword] = field(default_factory=list)
    complete: bool = True

    def add(self, keyword: ast.keyword, conditional: bool) -> None:
        if not conditional:
            self.keywords = [k for k in self.keywords if k.arg != keyword.arg]
        else:
            self.complete = False
            keyword = copy.copy(keyword)  # the user's node stays as it is
            keyword.lintkit_conditional = True
        self.keywords.append(keyword)

    def merge(self, other: DictState | None) -> None:
        if other is None:
            self.complete = False
            return
        for keyword in other.keywords:
            self.add(keyword, conditional=False)
        self.complete = self.complete and other.complete

    def drop(self, key: str | None) -> None:
        self.complete = False
        if key is not None:
            self.keywords = [k for k in self.keywords if k.arg != key]


class KeywordDicts:
    """The dicts of one file, followed on demand (a file without `**name` splats pays nothing)."""

    def __init__(self, parents: Parents):
        self.parents = parents
        #: id(place) -> dotted name -> its occurrences under the place (Name / Attribute nodes).
        self._occurrences: dict[int, dict[str, list[ast.expr]]] = {}

    # ------------------------------------------------------------------ calls

    def expand(self, call: ast.Call) -> ExpandedCall | None:
        """`call` with its followable `**` splats replaced by the dicts' keys; None when there is none."""
        keywords: list[ast.keyword] = []
        changed = False
        explicit = {keyword.arg for keyword in call.keywords if keyword.arg is not None}
        for keyword in call.keywords:
            if keyword.arg is not None:
                keywords.append(keyword)
                continue
            state = self.evaluate(keyword.value, call, 0)
            if state is None or any(k.arg in explicit for k in state.keywords):  # a TypeError: not judged
                keywords.append(keyword)
                continue
            changed = True
            keywords.extend(state.keywords)
            if not state.complete:
                keywords.append(keyword)  # what lintkit cannot see stays a `**` splat
        return expanded(call, call.func, list(call.args), keywords) if changed else None

    def with_displays(self, call: ast.Call) -> ExpandedCall | None:
        """`call` with each argument that names a dict lintkit reads (`tcp_options=tcp`,
        confluent-kafka's `Consumer(conf)`) replaced by a dict display of it, so the option-key
        rules (LK103) and the knobs inside a collection see its keys; None when there is none."""
        args = [self._display(arg, call) or arg for arg in call.args]
        keywords = []
        for keyword in call.keywords:
            display = self._display(keyword.value, call) if keyword.arg is not None else None
            if display is not None:
                keyword = copy.copy(keyword)
                keyword.value = display
            keywords.append(keyword)
        changed = any(a is not b for a, b in zip(args, call.args)) or \
            any(a is not b for a, b in zip(keywords, call.keywords))
        return expanded(call, call.func, args, keywords) if changed else None

    def _display(self, value: ast.expr, at: ast.AST) -> ast.Dict | None:
        if not isinstance(value, (ast.Name, ast.Attribute)):
            return None
        state = self._state_of(value, at, 1)
        if state is None:
            return None
        keys: list[ast.expr | None] = []
        for keyword in state.keywords:
            key = getattr(keyword, "lintkit_key", None)
            if key is None:  # `dict(name=...)`: the key is spelt by the keyword (no quotes to keep)
                key = ast.Constant(keyword.arg)
                key.lineno = key.end_lineno = keyword.lineno
                key.col_offset = keyword.col_offset
                key.end_col_offset = keyword.col_offset + len(keyword.arg.encode("utf-8"))
            keys.append(key)
        values = [keyword.value for keyword in state.keywords]
        if not state.complete:
            keys.append(None)
            values.append(value)  # `{**value}`: what lintkit cannot see
        display = ast.Dict(keys=keys, values=values)
        return ast.copy_location(display, value)

    # ------------------------------------------------------------------ values

    def evaluate(self, value: ast.expr, at: ast.AST, depth: int) -> DictState | None:
        """What the dict `value` holds at `at`, or None when `value` is not a dict lintkit reads."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(value, ast.Dict):
            state = DictState()
            for key, item in zip(value.keys, value.values):
                if key is None:
                    state.merge(self.evaluate(item, at, depth + 1))
                else:
                    keyword = _string_key(key, item)
                    if keyword is None:
                        state.complete = False
                    else:
                        state.add(keyword, conditional=False)
            return state
        if isinstance(value, ast.Call):
            func = value.func
            if isinstance(func, ast.Name) and func.id == "dict" and len(value.args) <= 1:
                state = DictState()
                if value.args:
                    state.merge(self.evaluate(value.args[0], at, depth + 1))
                for keyword in value.keywords:
                    if keyword.arg is None:
                        state.merge(self.evaluate(keyword.value, at, depth + 1))
                    else:
                        state.add(keyword, conditional=False)
                return state
            if isinstance(func, ast.Attribute) and func.attr == "copy" and not value.args and not value.keywords:
                return self.evaluate(func.value, at, depth + 1)
            return None
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.BitOr):
            left = self.evaluate(value.left, at, depth + 1)
            if left is None:
                return None
            state = DictState(list(left.keywords), left.complete)
            state.merge(self.evaluate(value.right, at, depth + 1))
            return state
        if isinstance(value, (ast.Name, ast.Attribute)):
            return self._state_of(value, at, depth + 1)
        return None

    def _state_of(self, reference: ast.expr, at: ast.AST, depth: int) -> DictState | None:
        """What the dict a name (`params`) or self attribute (`self.params`) holds at `at`."""
        name = dotted(reference)
        place = self._place(reference, name)
        if place is None:
            return None
        if isinstance(place, ast.ClassDef):
            name = "self." + name.split(".")[1]
        occurrences = self._occurrences_in(place).get(name, [])
        stores = [node for node in occurrences if not isinstance(node.ctx, ast.Load)]
        if len(stores) != 1:
            return None
        definition = self.parents.of(stores[0])
        if not (isinstance(definition, ast.Assign) and definition.targets == [stores[0]]
                or isinstance(definition, ast.AnnAssign) and definition.value is not None):
            return None
        at_home = self.parents.home(at)
        same_home = self.parents.home(definition) is at_home
        if same_home and _position(definition) > _position(at):
            return None
        state = self.evaluate(definition.value, definition, depth)
        if state is None:
            return None
        state = DictState(list(state.keywords), state.complete)
        block = _block(definition, self.parents)
        for node in sorted(occurrences, key=_position):
            if node is stores[0]:
                continue
            home = self.parents.home(node)
            in_defining_scope = home is self.parents.home(definition)
            if same_home and in_defining_scope and _position(node) > _position(at):
                if _in_shared_loop(node, at, at_home, self.parents):
                    state.complete = False  # the next turn of the loop sees it
                continue
            self._apply(node, state, block, in_defining_scope, depth)
        return state

    def _apply(self, node: ast.expr, state: DictState, block, in_defining_scope: bool, depth: int) -> None:
        """Change `state` by one use of the dict (`node`): a key set, an update, a read or an escape."""
        parent = self.parents.of(node)
        if isinstance(parent, ast.keyword) and parent.arg is None:
            return  # `f(**params)`: the callee gets a copy
        if isinstance(parent, ast.Dict) and node in parent.values and parent.keys[parent.values.index(node)] is None:
            return  # `{**params}`: a copy
        if isinstance(parent, ast.Compare) and node is not parent.left:
            return  # `"x" in params`
        if isinstance(parent, (ast.If, ast.While)) or isinstance(parent, ast.BoolOp):
            return  # `if params:`
        if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.BitOr):
            return  # `params | other`: a new dict
        if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id in _READING_CALLS \
                and node in parent.args:
            return
        conditional = not in_defining_scope or _block(self.parents.statement(node), self.parents) != block
        if isinstance(parent, ast.Subscript) and parent.value is node:
            if isinstance(parent.ctx, ast.Load):
                return
            assignment = self.parents.of(parent)
            if isinstance(parent.ctx, ast.Store) and isinstance(assignment, ast.Assign) \
                    and assignment.targets == [parent]:
                key = _string_key(parent.slice, assignment.value)
                if key is None:
                    state.complete = False  # a computed key
                else:
                    state.add(key, conditional)
            else:  # `del params["x"]`, `params["x"] += 1`, `a = params["x"] = v`
                key = _string_key(parent.slice, None)
                state.drop(key.arg if key is not None else None)
            return
        if isinstance(parent, ast.Attribute) and parent.value is node:
            call = self.parents.of(parent)
            if isinstance(call, ast.Call) and call.func is parent:
                self._method(parent.attr, call, state, conditional, depth)
                return
        state.complete = False  # handed to code lintkit does not follow: it may add keys

    def _method(self, method: str, call: ast.Call, state: DictState, conditional: bool, depth: int) -> None:
        if method in _READERS:
            return
        if method == "update" and len(call.args) <= 1:
            if call.args:
                other = self.evaluate(call.args[0], call, depth + 1)
                if other is None:
                    state.complete = False
                else:
                    for keyword in other.keywords:
                        state.add(keyword, conditional)
                    state.complete = state.complete and other.complete
            for keyword in call.keywords:
                if keyword.arg is None:
                    other = self.evaluate(keyword.value, call, depth + 1)
                    for item in other.keywords if other is not None else ():
                        state.add(item, conditional)
                    if other is None or not other.complete:
                        state.complete = False
                else:
                    state.add(keyword, conditional)
            return
        if method == "setdefault" and len(call.args) == 2 and not call.keywords:
            key = _string_key(call.args[0], call.args[1])
            if key is None:
                state.complete = False
            elif not any(k.arg == key.arg for k in state.keywords):
                state.add(key, conditional)
            return
        if method == "pop" and call.args:
            key = _string_key(call.args[0], None)
            state.drop(key.arg if key is not None else None)
            return
        state.complete = False  # clear(), popitem(), __setitem__ through a name...

    # ------------------------------------------------------------------ places

    def _place(self, reference: ast.expr, name: str | None) -> ast.AST | None:
        """Where the name lives: the function binding it (a plain name), or the class (`self.x`)."""
        if name is None:
            return None
        home = self.parents.home(reference)
        if isinstance(reference, ast.Name):
            if isinstance(home, (ast.FunctionDef, ast.AsyncFunctionDef)):
                arguments = home.args
                if any(a.arg == name for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                                               arguments.vararg, arguments.kwarg] if a is not None):
                    return None
            return home if not isinstance(home, ast.Lambda) else None
        parts = name.split(".")
        if len(parts) != 2 or not isinstance(home, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        params = home.args.posonlyargs + home.args.args
        cls = self.parents.enclosing_class(home)
        if cls is None or not params or params[0].arg != parts[0] or home.decorator_list and any(
                isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod") for d in home.decorator_list):
            return None
        return cls

    def _occurrences_in(self, place: ast.AST) -> dict[str, list[ast.expr]]:
        """Dotted name -> its uses under `place` that belong to it (for a class: `self.x` in its
        methods; for a function or the module: names whose home is the place, or a nested
        function reading it (which makes the dict open))."""
        found = self._occurrences.get(id(place))
        if found is not None:
            return found
        found = {}
        if isinstance(place, ast.ClassDef):
            for method, receiver in methods_with_receiver(place):
                for node in walk(method):
                    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                            and node.value.id == receiver:
                        found.setdefault(f"self.{node.attr}", []).append(node)
        else:  # a function, or the module (every name of the file: a module-level dict is rare)
            names = self.parents.tree_index.of_type(ast.Name) if isinstance(place, ast.Module) else \
                (node for node in walk(place) if isinstance(node, ast.Name))
            for node in names:
                found.setdefault(node.id, []).append(node)
        self._occurrences[id(place)] = found
        return found


def _string_key(key: ast.expr, value: ast.expr | None) -> ast.keyword | None:
    """A keyword standing for the string key `key` (positioned inside its quotes), or None for
    a computed key or a string whose spelling is not plain (`"heart" "beat"`, escapes)."""
    if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
        return None
    if key.lineno != key.end_lineno or key.end_col_offset - key.col_offset != len(key.value.encode("utf-8")) + 2:
        return None
    keyword = ast.keyword(arg=key.value, value=value if value is not None else key)
    keyword.lineno, keyword.col_offset = key.lineno, key.col_offset + 1
    end = value if value is not None else key
    keyword.end_lineno, keyword.end_col_offset = end.end_lineno, end.end_col_offset
    keyword.lintkit_key = key  # the string itself, for a dict display (with_displays)
    return keyword


def _position(node: ast.AST) -> tuple[int, int]:
    return node.lineno, node.col_offset


def _block(statement: ast.AST | None, parents: Parents):
    """The statement list `statement` is in, looking through `with` blocks (they always run)."""
    current = statement
    while current is not None:
        parent = parents.of(current)
        if not isinstance(parent, (ast.With, ast.AsyncWith)):
            break
        current = parent
    parent = parents.of(current) if current is not None else None
    if parent is None:
        return None
    for name in ("body", "orelse", "finalbody", "handlers", "cases"):
        if current in getattr(parent, name, ()):
            return id(parent), name
    return id(parent), ""


def _in_shared_loop(node: ast.AST, at: ast.AST, home: ast.AST, parents: Parents) -> bool:
    """Whether a loop inside `home` holds both `node` and `at`."""
    loops = set()
    current = parents.of(at)
    while current is not None and current is not home:
        if isinstance(current, _LOOPS):
            loops.add(id(current))
        current = parents.of(current)
    current = parents.of(node)
    while current is not None and current is not home:
        if id(current) in loops:
            return True
        current = parents.of(current)
    return False


def is_partial(qualname: str | None) -> bool:
    return qualname in _PARTIALS

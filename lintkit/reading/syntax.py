"""Fast traversal of `ast` trees: the hot paths of the analysis.

`ast.walk` and `ast.iter_child_nodes` go through two generators per node and
visit every `Load`/`Store` context and operator; the walks here read, once per
node type, the fields that can hold nodes from the type's ASDL signature (its
docstring), so strings, numbers, contexts and operators are never looked at,
which makes them two to three times faster.  `walk` keeps the breadth-first
order of `ast.walk`, so code that stops at the first match finds the same node.
Parent links are indexed only around the nodes asked about (`RegionParents`),
and the statements alone can be walked (`block_nodes`).
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_right
from typing import Iterator

#: Nodes the walks skip: contexts and operators (shared singletons).
_LEAVES = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)
#: Node types that never hold child nodes.
_CHILDLESS = (ast.Name, ast.Constant, *_LEAVES)
_AST = ast.AST
#: Node type -> its child fields (see `child_fields`), filled on first use; the hot
#: loops read it directly.
CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
#: The field types of the ASDL signatures (`ast.Attribute.__doc__` is
#: 'Attribute(expr value, identifier attr, expr_context ctx)') that hold no nodes.
_SCALAR_TYPES = frozenset({"identifier", "string", "int", "constant"})
_SIGNATURE = re.compile(r"(\w+)\((.*)\)")
_SIGNATURE_FIELD = re.compile(r"(\w+)([*?]?) (\w+)")
#: How a field of `_node_fields` holds nodes: one node or None, a list of nodes and
#: Nones (`Dict.keys`, `arguments.kw_defaults`), or anything (checked value by value).
ONE, MANY, ANY = 0, 1, 2
#: Node type -> its `_node_fields`, filled on first use.
_NODE_FIELDS: dict[type, tuple[tuple[str, int], ...]] = {}
#: The nodes that make up the block structure of a tree, and that hold statements.
_BLOCKS = (ast.stmt, ast.excepthandler, ast.match_case)
#: Node type -> its `_block_fields`, filled on first use.
BLOCK_FIELDS: dict[type, tuple[tuple[str, int], ...]] = {}


def _signature_fields(kind: type) -> tuple[tuple[str, int, type], ...] | None:
    """The fields of a node type that can hold (non-leaf) nodes, read from the ASDL signature
    of its docstring, with how they hold them and the node type they hold; None when the
    docstring is no signature (the deprecated `ast.Num`) or names a field type lintkit does
    not know."""
    match = _SIGNATURE.fullmatch((kind.__doc__ or "").split("\n", 1)[0])
    if match is None or match.group(1) != kind.__name__:
        return None
    declared = {name: (type_name, modifier) for type_name, modifier, name in _SIGNATURE_FIELD.findall(match.group(2))}
    if list(declared) != list(kind._fields):
        return None
    fields = []
    for name, (type_name, modifier) in declared.items():
        if type_name in _SCALAR_TYPES:
            continue
        field_type = getattr(ast, type_name, None)
        if not (isinstance(field_type, type) and issubclass(field_type, _AST)):
            return None
        if not issubclass(field_type, _LEAVES):
            fields.append((name, MANY if modifier == "*" else ONE, field_type))
    return tuple(fields)


def _node_fields(kind: type) -> tuple[tuple[str, int], ...]:
    """(field, ONE/MANY/ANY) for the fields of a node type that can hold child nodes:
    strings, numbers, contexts and operators are never looked at."""
    fields = _NODE_FIELDS.get(kind)
    if fields is None:
        if issubclass(kind, _CHILDLESS) or not issubclass(kind, _AST):
            fields = ()
        else:
            signature = _signature_fields(kind)
            fields = tuple((name, ANY) for name in kind._fields if name != "ctx") if signature is None else \
                tuple((name, holds) for name, holds, _ in signature)
        _NODE_FIELDS[kind] = fields
    return fields


def _block_fields(kind: type) -> tuple[tuple[str, int], ...]:
    """Like `_node_fields`, the fields of a node type that can hold statements, exception
    handlers or match cases (`body`, `orelse`, `handlers`, `cases`, ...)."""
    fields = BLOCK_FIELDS.get(kind)
    if fields is None:
        signature = _signature_fields(kind) if issubclass(kind, _AST) and not issubclass(kind, _CHILDLESS) else ()
        fields = BLOCK_FIELDS[kind] = _node_fields(kind) if signature is None else \
            tuple((name, holds) for name, holds, holds_type in signature if issubclass(holds_type, _BLOCKS))
    return fields


def child_fields(kind: type) -> tuple[str, ...]:
    """The fields of a node type that can hold child nodes (no `ctx`, no strings or operators)."""
    fields = CHILD_FIELDS.get(kind)
    if fields is None:
        fields = CHILD_FIELDS[kind] = tuple(name for name, _ in _node_fields(kind))
    return fields


def node_types() -> list[type]:
    """Every node class of the running Python's `ast`."""
    found, pending = [], [ast.AST]
    while pending:
        kind = pending.pop()
        found.append(kind)
        pending.extend(kind.__subclasses__())
    return found


def walk(node: ast.AST) -> Iterator[ast.AST]:
    """Every node under `node` (itself included), breadth first like `ast.walk`."""
    nodes = [node]
    append = nodes.append
    fields_of = _NODE_FIELDS.get
    for current in nodes:  # the list is the queue: it grows while it is read
        yield current
        kind = type(current)
        fields = fields_of(kind)
        for name, holds in fields if fields is not None else _node_fields(kind):
            value = getattr(current, name, None)
            if holds == ONE:
                if value is not None:
                    append(value)
            elif holds == MANY:
                if value:
                    for child in value:
                        if child is not None:
                            append(child)
            else:
                nodes.extend(_any_children(value))


def index_subtree(root: ast.AST, parents: dict[ast.AST, ast.AST]) -> list[ast.AST]:
    """Every node under `root` (itself included) in `walk` order; records each one's parent
    in `parents` (keyed by the node itself: nodes hash and compare by identity)."""
    nodes = [root]
    append = nodes.append
    fields_of = _NODE_FIELDS.get
    for node in nodes:
        kind = type(node)
        fields = fields_of(kind)
        for name, holds in fields if fields is not None else _node_fields(kind):
            value = getattr(node, name, None)
            if holds == ONE:
                if value is not None:
                    parents[value] = node
                    append(value)
            elif holds == MANY:
                if value:
                    for child in value:
                        if child is not None:
                            parents[child] = node
                            append(child)
            else:
                for child in _any_children(value):
                    parents[child] = node
                    append(child)
    return nodes


def block_nodes(tree: ast.AST) -> list[ast.AST]:
    """The block structure of a tree: its statements, exception handlers and match cases (and
    the tree itself), in `walk` order; expressions are never visited, so this is far cheaper
    than a walk of the whole tree.  (Only such nodes hold these, so their order is the one
    they have in `walk`.)"""
    nodes = [tree]
    extend = nodes.extend
    holds_blocks = BLOCK_FIELDS.get
    for node in nodes:
        if holds_blocks(type(node), True):  # most statements hold none: no call for them
            extend(block_children(node))
    return nodes


def block_children(node: ast.AST) -> list[ast.AST]:
    """The statements, exception handlers and match cases right under `node`, in field order."""
    children: list[ast.AST] = []
    for name, holds in _block_fields(type(node)):
        value = getattr(node, name, None)
        if holds == MANY:
            if value:
                children.extend(value if None not in value else [child for child in value if child is not None])
        elif holds == ONE:
            if value is not None:
                children.append(value)
        else:
            children.extend(child for child in _any_children(value) if isinstance(child, _BLOCKS))
    return children


def _any_children(value: object) -> list[ast.AST]:
    """The child nodes in a field of unknown type: a node or a list, leaves left out."""
    if type(value) is list:
        return [child for child in value if isinstance(child, _AST) and not isinstance(child, _LEAVES)]
    return [value] if isinstance(value, _AST) and not isinstance(value, _LEAVES) else []


class TreeIndex:
    """Every node of a tree in `walk` order, with parent links and the nodes of each type:
    one pass over a file serves every rule that would otherwise walk the whole tree."""

    def __init__(self, tree: ast.AST):
        parents: dict[ast.AST, ast.AST] = {}
        self.nodes = index_subtree(tree, parents)
        #: Node -> its parent node (the root has none).
        self.parents = parents
        self._by_type: dict[type, list[ast.AST]] | None = None

    def of_type(self, kind: type) -> list[ast.AST]:
        """The nodes of one concrete node type (`ast.Call`, `ast.ClassDef`), in walk order."""
        if self._by_type is None:
            by_type: dict[type, list[ast.AST]] = {}
            for node in self.nodes:
                bucket = by_type.get(type(node))
                if bucket is None:
                    bucket = by_type[type(node)] = []
                bucket.append(node)
            self._by_type = by_type
        return self._by_type.get(kind, [])


class RegionParents:
    """Parent links of a tree, indexed one region at a time: asked for the parent of a node,
    it indexes only the statements holding the node's line (a statement of the module, or
    of a class body, with its whole subtree; a class's own bases and decorators), not the
    whole tree.  `parents` holds every link indexed so far; each one is exact, so a node it
    lacks after `index_around` is one its line cannot place (no line, or outside every
    statement), and the caller falls back to the whole tree (`TreeIndex`)."""

    def __init__(self, tree: ast.AST):
        self.tree = tree
        self.parents: dict[ast.AST, ast.AST] = {}
        #: The statements whose subtree (or, for a class, whose own fields but the body) is indexed.
        self._indexed: set[ast.AST] = set()
        #: id(module or class) -> the first line of each statement of its body (ascending).
        self._first_lines: dict[int, list[int]] = {}

    def index_around(self, node: ast.AST) -> None:
        """Index the statements holding `node`'s line, from the module down through class bodies."""
        line = getattr(node, "lineno", None)
        container = self.tree
        body = getattr(container, "body", None)
        if type(line) is not int or type(body) is not list:
            return
        parents, indexed = self.parents, self._indexed
        while True:
            holders = self._holders(container, body, line)
            classes = []
            for statement in holders:
                if statement in indexed:
                    if type(statement) is ast.ClassDef:
                        classes.append(statement)
                    continue
                indexed.add(statement)
                parents[statement] = container
                if type(statement) is ast.ClassDef:
                    for name, holds in _node_fields(ast.ClassDef):
                        if name == "body":
                            for child in statement.body:
                                parents[child] = statement
                            continue
                        value = getattr(statement, name, None)
                        for child in (value or ()) if holds == MANY else _any_children(value):
                            if child is not None:
                                parents[child] = statement
                                index_subtree(child, parents)
                    classes.append(statement)
                else:
                    index_subtree(statement, parents)
            if len(classes) != 1:
                return
            container = classes[0]
            body = container.body

    def _holders(self, container: ast.AST, body: list[ast.stmt], line: int) -> list[ast.stmt]:
        """The statements of a body whose lines hold `line` (several: `a = 1; b = 2`), found
        by bisection: statements follow each other, so asking about every statement of a
        module costs n log n, not n squared."""
        first_lines = self._first_lines.get(id(container))
        if first_lines is None:
            first_lines = self._first_lines[id(container)] = [_first_line(statement) for statement in body]
        holders = []
        at = bisect_right(first_lines, line) - 1  # the last statement starting at or before `line`
        while at >= 0 and _last_line(body[at]) >= line:  # earlier ones end before it starts
            holders.append(body[at])
            at -= 1
        return holders


def _first_line(statement: ast.stmt) -> int:
    """The first line of a statement, its decorators included."""
    decorators = getattr(statement, "decorator_list", None)
    return min(statement.lineno, *(decorator.lineno for decorator in decorators)) if decorators else statement.lineno


def _last_line(statement: ast.stmt) -> int:
    end = statement.end_lineno
    return end if end is not None else statement.lineno


def methods_with_receiver(cls: ast.ClassDef) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, str]]:
    """Each method the class body defines, with the name of its first parameter (`self`);
    methods without parameters are skipped."""
    for method in cls.body:
        if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
            params = method.args.posonlyargs + method.args.args
            if params:
                yield method, params[0].arg

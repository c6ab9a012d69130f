"""Which expressions are connection objects: a scope- and flow-aware walk over `ast`.

Nothing is imported: names are resolved from the file's own import statements
against the schemas.  The walk is deliberately conservative ("report only
when sure", as pylint's safe_infer): a name bound differently on two paths, a
class with unknown mixins, or a dynamic attribute name all resolve to
"unknown", which gives no finding.

Function bodies run after the enclosing body is complete, with the enclosing
scope's final bindings (that is what a call at run time usually sees).  Each
class's methods are walked twice: once to learn what `self.x` holds (from
every method and the class's annotations), then to report.  The reporting
walk skips a function body whose source mentions nothing a rule looks at
(`relevance`): in a typical file that is most of them.
"""

from __future__ import annotations

import ast
import copy
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from .bindings import NONE, UNKNOWN, Binding, Instance, LocalClass, LocalClassRef, Ref, merge
from .events import AttributeStore, CallSite, KnownCall, MethodCall
from .keyword_dicts import DICT_VALUE, KeywordDicts, Partial, expanded, is_partial, makes_dict, source_call
from .private_names import mangled, spellings
from ..schemas.registry import SchemaSet
from .relevance import SourceSegments
from .values import NO_VALUE, literal_value
from ..schemas.schema import ClassSchema, FactorySchema
from ..liveness.sockets import Parents
from ..reading.syntax import BLOCK_FIELDS, CHILD_FIELDS, block_children, child_fields, node_types, walk

Sink = Callable[[object], None]

_OPAQUE_CLASS_NAMES = {"__setattr__", "__getattr__", "__getattribute__", "__slots__", "__dict__"}


class Scope:
    def __init__(self, parent: Scope | None, kind: str, class_info: ClassInfo | None = None):
        self.parent, self.kind, self.class_info = parent, kind, class_info
        self.env: dict[str, Binding] = {}
        #: name -> the dotted keys below it (`conn` -> {`conn.sock`}), so a rebinding forgets them.
        self._children: dict[str, set[str]] = {}
        #: Inside a branching statement: the keys bound or unbound since it began (see `_Fork`).
        self.changed: set[str] | None = None
        #: Once complete: the names bound to client objects, schema classes or factories.
        self.interesting: frozenset[str] | None = None

    def lookup(self, name: str) -> Binding | None:
        root = name.split(".", 1)[0]
        scope: Scope | None = self
        first = True
        while scope is not None:
            # Class bodies are not visible from the methods nested in them.
            if first or scope.kind != "class":
                if name in scope.env:
                    return scope.env[name]
                if root != name and root in scope.env:
                    return None  # `conn` rebound here: an outer `conn.x` says nothing
            first = False
            scope = scope.parent
        return None

    def bind(self, key: str, binding: Binding) -> None:
        # Rebinding `a` forgets everything known about `a.x`.
        for stale in self._children.pop(key, ()):
            self.unbind(stale)
        if "." in key:
            parts = key.split(".")
            for end in range(1, len(parts)):
                self._children.setdefault(".".join(parts[:end]), set()).add(key)
        self.env[key] = binding
        if self.changed is not None:
            self.changed.add(key)

    def unbind(self, key: str) -> None:
        self.env.pop(key, None)
        if self.changed is not None:
            self.changed.add(key)


class _Fork:
    """Control flow that splits at a statement (if, loop, try, match) and joins after it.

    Each path starts from the bindings before the statement; at the join a name
    keeps its binding if every path agrees, else the paths' bindings merge.  Only
    the names some path bound or unbound are merged: the others are the same
    object on every path, and scopes hold hundreds of names.
    """

    def __init__(self, scope: Scope):
        self.scope = scope
        self.before = dict(scope.env)
        self.outcomes: list[dict[str, Binding]] = []
        self._outer_changed = scope.changed
        self.changed: set[str] = set()
        scope.changed = self.changed

    def start_path(self) -> None:
        self.scope.env = dict(self.before)

    def end_path(self) -> None:
        self.outcomes.append(self.scope.env)

    def join(self) -> None:
        scope, envs = self.scope, self.outcomes
        merged = dict(self.before)
        first, rest = envs[0], envs[1:]
        for key in self.changed:
            value = first.get(key)
            # Fast path: most names are bound to the very same object on every path.
            if value is not None and all(env.get(key) is value for env in rest):
                merged[key] = value
                continue
            binding = merge([env.get(key) for env in envs])
            if binding is None:
                merged.pop(key, None)
            else:
                merged[key] = binding
        scope.env = merged
        scope.changed = self._outer_changed
        if scope.changed is not None:
            scope.changed |= self.changed


@dataclass
class ClassInfo:
    node: ast.ClassDef
    scope: Scope
    local: LocalClass | None
    methods: list[ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=list)
    self_values: dict[str, list[Binding]] = field(default_factory=dict)
    self_annotations: dict[str, Binding] = field(default_factory=dict)
    self_types: dict[str, Binding] = field(default_factory=dict)
    bases: list[ClassInfo] = field(default_factory=list)
    #: Pass 1 read a `self.x` it did not know yet (another method assigns it).
    read_unresolved_self: bool = False
    #: (the `self_types` they were read from, the spellings of its attributes that hold client
    #: objects, schema classes or factories), for the relevance test of each method.
    interesting_spellings: tuple[dict[str, Binding], frozenset[str]] | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Interest:
    """What the rules listen to (None: everything)."""

    #: The event types some rule handles; the others are not computed.
    events: frozenset[type] | None = None
    #: MethodCall on objects lintkit does not know: only for these methods.
    methods: frozenset[str] | None = None
    #: CallSite: only for calls passing one of these keywords.
    keywords: frozenset[str] | None = None


class Analyzer:
    def __init__(self, schemas: SchemaSet, sink: Sink, interest: Interest | None = None,
                 source: SourceSegments | None = None, parents: Parents | None = None, project=None):
        self.schemas = schemas
        #: The project index as the checked file sees it (`project_index.ProjectView`), or None.
        self.project = project
        self.sink = sink
        interest = interest if interest is not None else Interest()
        self._wants_sites = interest.events is None or CallSite in interest.events
        self._wants_methods = interest.events is None or MethodCall in interest.events
        self._watched_methods = interest.methods
        self._watched_keywords = interest.keywords
        #: The file's text, to skip function bodies that cannot produce an event (None: skip none).
        self._source = source
        self._emit: Sink = sink
        self._queue: deque[tuple[str, object, Scope, frozenset[str]]] = deque()
        #: Libraries whose version an enclosing `if` tests (`if redis.__version__ >= "8":`).
        self._version_guards: frozenset[str] = frozenset()
        self.module_scope: Scope | None = None
        self._module_constants: dict[str, object] | None = None
        self._tree: ast.Module | None = None
        self._collecting = False
        self._class_infos: dict[int, ClassInfo] = {}
        #: `**params` dicts and partials (keyword_dicts.py); None: splats stay unknown.
        self._dicts = KeywordDicts(parents) if parents is not None else None
        #: id(call) -> the call with its dict splats expanded (or the call itself), kept for the
        #: file's run: the rules cache verdicts by id(event.call).
        self._expanded: dict[int, ast.Call] = {}
        self._partials_open: set[int] = set()
        #: Some partial of a client was made: calls through names are looked up (else they need not be).
        self._made_partials = False

    # ================================================================= driver

    def run(self, tree: ast.Module) -> None:
        module = Scope(None, "module")
        self.module_scope, self._tree = module, tree
        try:
            self.walk_body(tree.body, module)
            while self._queue:
                kind, item, parent, self._version_guards = self._queue.popleft()
                if kind == "class":
                    self._run_class(item)
                else:
                    self._run_function(item, parent, None)
        finally:
            # Checks keep events, events keep resolvers, resolvers keep the analyzer:
            # without its sink (which holds the checks) that is not a reference cycle.
            self.sink = self._emit = _discard

    def _run_class(self, info: ClassInfo) -> None:
        # Pass 1: learn what self.<attr> holds; report nothing.
        self._collect_self_types(info)
        if info.read_unresolved_self and any(isinstance(b, Instance) for b in info.self_types.values()):
            # `self.t = self.ssh.get_transport()` in one method, `self.ssh` made in another:
            # once more, with what pass 1 learnt.
            info.self_values.clear()
            self._collect_self_types(info)
        for method in info.methods:
            self._run_function(method, info.scope, info)

    def _collect_self_types(self, info: ClassInfo) -> None:
        info.read_unresolved_self = False
        self._collecting, self._emit = True, _discard
        try:
            for method in info.methods:
                if _assigns_self(method):
                    self._run_function(method, info.scope, info)
        finally:
            self._collecting, self._emit = False, self.sink
        info.self_types = self._resolve_self_types(info)

    def _resolve_self_types(self, info: ClassInfo) -> dict[str, Binding]:
        types: dict[str, Binding] = {}
        for base in info.bases:
            types.update(base.self_types)
        for name, values in info.self_values.items():
            merged = merge(list(values))
            types[name] = merged if merged is not None else UNKNOWN
        types.update(info.self_annotations)
        return types

    def _run_function(self, node, parent: Scope, info: ClassInfo | None) -> None:
        args = node.args
        text_test = self._source is not None and not self._collecting
        if text_test and (info is None or info.local is None) and not _annotated(args):
            # No parameter can hold a client object (none is annotated, `self` is no client's):
            # the text test needs only the outer scopes, and a body it skips needs no scope.
            if not self._may_emit(node, parent, (), info):
                return
            text_test = False
        scope = Scope(parent, "function", info)
        positional = args.posonlyargs + args.args
        is_method = info is not None and not any(
            isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod") for d in node.decorator_list
        )
        for index, arg in enumerate(positional + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]):
            if index == 0 and is_method and arg in positional:
                scope.bind(arg.arg, _SelfMarker(info))
            elif arg.annotation is not None and arg not in (args.vararg, args.kwarg):
                scope.bind(arg.arg, self.annotation_binding(arg.annotation, parent))
            else:
                scope.bind(arg.arg, UNKNOWN)
        if text_test and not self._may_emit(node, parent, self._interesting_names(scope), info):
            return
        self.walk_body(node.body, scope)

    def _may_emit(self, node, outer: Scope, own: Iterable[str], info: ClassInfo | None) -> bool:
        """Whether the body of function `node` can produce an event: a text test on its source
        (`relevance`), given the names that hold client objects, schema classes or factories
        in the scopes it sees (`own`: those of its parameters; `outer`: the scope around it)."""
        if info is not None and info.local is not None:
            return True  # a method of a local subclass: `self` is a client object
        names: set[str] = set(own)
        current: Scope | None = outer
        while current is not None:
            if current.kind != "class":  # methods do not see their class body
                if current.interesting is None:  # outer scopes are complete: cache
                    current.interesting = frozenset(self._interesting_names(current))
                names |= current.interesting
            current = current.parent
        if info is not None:
            cached = info.interesting_spellings
            if cached is None or cached[0] is not info.self_types:  # once per class and collecting pass
                cached = info.interesting_spellings = (info.self_types, frozenset(
                    spelling for attr, binding in info.self_types.items() if self._interesting(binding)
                    for spelling in spellings(attr)))
            names |= cached[1]
        return self._source.mentions(node, names)

    def _interesting_names(self, scope: Scope) -> Iterator[str]:
        for key, binding in scope.env.items():
            if self._interesting(binding):
                yield key.split(".", 1)[0]

    def _interesting(self, binding: Binding) -> bool:
        if isinstance(binding, (Instance, LocalClassRef)):
            return True
        if isinstance(binding, Ref):
            return self.schemas.lookup(binding.qualname) is not None or \
                (self.project is not None and self.project.maker(binding.qualname) is not None)
        if isinstance(binding, Partial):
            return True
        return isinstance(binding, _SelfMarker) and binding.info.local is not None

    # ================================================================= statements

    def walk_body(self, body: list[ast.stmt], scope: Scope) -> None:
        for stmt in body:
            self.walk_stmt(stmt, scope)

    def walk_stmt(self, stmt: ast.stmt, scope: Scope) -> None:
        method = getattr(self, "stmt_" + type(stmt).__name__, None)
        if method is not None:
            method(stmt, scope)
        else:
            self.scan_expressions(stmt, scope)

    def stmt_Import(self, stmt: ast.Import, scope: Scope) -> None:
        for alias in stmt.names:
            if alias.asname:
                scope.bind(alias.asname, Ref(alias.name))
            else:
                top = alias.name.split(".", 1)[0]
                scope.bind(top, Ref(top))

    def stmt_ImportFrom(self, stmt: ast.ImportFrom, scope: Scope) -> None:
        if stmt.level or not stmt.module:
            # A module of the checked project (`from .settings import X`): its absolute name.
            base = self.project.absolute_import(stmt.level, stmt.module) if self.project is not None else None
            for alias in stmt.names:
                if alias.name != "*":
                    scope.bind(alias.asname or alias.name, Ref(f"{base}.{alias.name}") if base else UNKNOWN)
            return
        for alias in stmt.names:
            if alias.name == "*":
                for name in self._star_names(stmt.module):
                    scope.bind(name, Ref(f"{stmt.module}.{name}"))
            else:
                scope.bind(alias.asname or alias.name, Ref(f"{stmt.module}.{alias.name}"))

    def _star_names(self, module: str) -> Iterator[str]:
        prefix = module + "."
        for qualname in self.schemas.names():
            if qualname.startswith(prefix) and "." not in qualname[len(prefix):]:
                yield qualname[len(prefix):]

    def stmt_Assign(self, stmt: ast.Assign, scope: Scope) -> None:
        self.scan_expressions(stmt.value, scope)
        value = self.binding_of(stmt.value, scope)
        for target in stmt.targets:
            self.assign_target(target, stmt.value, value, scope, "assign")

    def stmt_AnnAssign(self, stmt: ast.AnnAssign, scope: Scope) -> None:
        if stmt.value is not None:
            self.scan_expressions(stmt.value, scope)
        declared = self.annotation_binding(stmt.annotation, scope)
        value = self.binding_of(stmt.value, scope) if stmt.value is not None else None
        binding = declared if isinstance(declared, Instance) else value if value is not None else UNKNOWN
        target = stmt.target
        if isinstance(target, ast.Name):
            if scope.kind == "class" and scope.class_info is not None and isinstance(declared, Instance):
                scope.class_info.self_annotations[mangled(target.id, scope.class_info.node.name)] = declared
            if stmt.value is not None or scope.kind != "class":
                scope.bind(target.id, binding)
        elif isinstance(target, ast.Attribute):
            receiver = self._self_class(target.value, scope)
            if receiver is not None and isinstance(declared, Instance):
                receiver.self_annotations[mangled(target.attr, receiver.node.name)] = declared
            if stmt.value is not None:
                self.assign_target(target, stmt.value, binding, scope, "annassign")
            else:
                self._store_attribute(target, None, None, scope, "annassign", bind=False)

    def stmt_AugAssign(self, stmt: ast.AugAssign, scope: Scope) -> None:
        self.scan_expressions(stmt.value, scope)
        target = stmt.target
        if isinstance(target, ast.Attribute):
            self._store_attribute(target, stmt.value, None, scope, "augassign", bind=False)
        elif isinstance(target, ast.Name):
            scope.bind(target.id, UNKNOWN)
        else:
            self.scan_expressions(target, scope)

    def stmt_Delete(self, stmt: ast.Delete, scope: Scope) -> None:
        for target in stmt.targets:
            if isinstance(target, ast.Name):
                scope.unbind(target.id)

    def stmt_FunctionDef(self, stmt, scope: Scope) -> None:
        for expr in stmt.decorator_list + stmt.args.defaults + [d for d in stmt.args.kw_defaults if d]:
            self.scan_expressions(expr, scope)
        scope.bind(stmt.name, UNKNOWN)
        if scope.kind == "class" and scope.class_info is not None:
            scope.class_info.methods.append(stmt)
        elif not self._collecting:
            self._queue.append(("function", stmt, scope, self._version_guards))

    stmt_AsyncFunctionDef = stmt_FunctionDef

    def stmt_ClassDef(self, stmt: ast.ClassDef, scope: Scope) -> None:
        for expr in stmt.decorator_list + stmt.bases + [k.value for k in stmt.keywords]:
            self.scan_expressions(expr, scope)
        bases = [self.binding_of(base, scope) for base in stmt.bases
                 if not (isinstance(base, ast.Name) and base.id == "object" and scope.lookup("object") is None)]
        schema_bases = [b for b in bases if isinstance(b, LocalClassRef) or _is_class_ref(b, self.schemas)]
        others = [b for b in bases if b not in schema_bases]
        local = None
        base_infos = [self._class_infos[id(b.local)] for b in bases
                      if isinstance(b, LocalClassRef) and id(b.local) in self._class_infos]
        if self.project is not None:  # bases from other modules of the project
            bases, schema_bases, others, project_infos = self._project_bases(stmt, bases, schema_bases, others)
            base_infos += project_infos
        if len(schema_bases) == 1 and not others:
            base = schema_bases[0]
            base_cls = base.local.base if isinstance(base, LocalClassRef) else self.schemas.lookup(base.qualname)
            inherited = base.local.names if isinstance(base, LocalClassRef) else frozenset()
            names = _names_defined_by(stmt)
            if not names & _OPAQUE_CLASS_NAMES:
                local = LocalClass(stmt.name, base_cls, frozenset(names | inherited),
                                   "__init__" in names or (isinstance(base, LocalClassRef) and base.local.defines_init))
        info = ClassInfo(stmt, Scope(scope, "class"), local, bases=base_infos)
        info.scope.class_info = info
        if local is not None:
            self._class_infos[id(local)] = info
        self.walk_body(stmt.body, info.scope)
        # The body is done: drop the scope's link back, so the two do not form a
        # reference cycle (which would keep the class's syntax tree alive until
        # the garbage collector runs, instead of freeing it with the file).
        info.scope.class_info = None
        if local is not None:
            scope.bind(stmt.name, LocalClassRef(local))
        elif schema_bases:
            scope.bind(stmt.name, UNKNOWN)  # a schema subclass we cannot see through
        else:
            scope.bind(stmt.name, _LocalPlainClass(stmt.name))
        if self._collecting:
            return
        self._queue.append(("class", info, scope, self._version_guards))

    def _project_bases(self, stmt: ast.ClassDef, bases: list[Binding], schema_bases: list[Binding],
                       others: list[Binding]):
        """A base class defined in another module of the project: a subclass of a schema class
        counts as one defined here; the clients its methods store on `self` are known."""
        infos = []
        for index, base in enumerate(bases):
            if not isinstance(base, Ref) or base not in others:
                continue
            local = self.project.local_class(base.qualname)
            if local is not None:
                bases[index] = LocalClassRef(local)
                schema_bases.append(bases[index])
                others.remove(base)
            types = self.project.self_types(base.qualname)
            if types:
                infos.append(ClassInfo(stmt, Scope(None, "class"), None, self_types=dict(types)))
        return bases, schema_bases, others, infos

    def stmt_With(self, stmt, scope: Scope) -> None:
        for item in stmt.items:
            self.scan_expressions(item.context_expr, scope)
            if item.optional_vars is not None:
                self.assign_target(item.optional_vars, None, self._entered(item.context_expr, scope), scope, "with")
        self.walk_body(stmt.body, scope)

    stmt_AsyncWith = stmt_With

    def _entered(self, expr: ast.expr, scope: Scope) -> Binding:
        # Connection classes return themselves from __enter__.
        binding = self.binding_of(expr, scope)
        return binding if isinstance(binding, Instance) else UNKNOWN

    def stmt_If(self, stmt: ast.If, scope: Scope) -> None:
        tested: set[str] = set()
        self.scan_expressions(stmt.test, scope, tested)
        guards = frozenset(tested)
        if not guards:
            self._branches(scope, [stmt.body, stmt.orelse])
            return
        outer = self._version_guards
        self._version_guards = outer | guards
        try:
            self._branches(scope, [stmt.body, stmt.orelse])
        finally:
            self._version_guards = outer

    def _note_version_read(self, node: ast.expr, scope: Scope, tested: set[str]) -> None:
        """Add the library (top-level module or distribution name) whose version `node` reads:
        `redis.__version__`, `redis.VERSION`, `importlib.metadata.version("redis")`."""
        if isinstance(node, ast.Attribute):
            binding = self.binding_of(node.value, scope)
            if isinstance(binding, Ref):
                tested.add(binding.qualname.split(".", 1)[0])
        elif node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            callee = self.binding_of(node.func, scope)
            if isinstance(callee, Ref) and callee.qualname in _VERSION_FUNCTIONS:
                tested.add(node.args[0].value)

    def stmt_For(self, stmt, scope: Scope) -> None:
        self.scan_expressions(stmt.iter, scope)
        self.assign_target(stmt.target, None, UNKNOWN, scope, "for")
        self._branches(scope, [stmt.body, []], then=stmt.orelse)

    stmt_AsyncFor = stmt_For

    def stmt_While(self, stmt: ast.While, scope: Scope) -> None:
        self.scan_expressions(stmt.test, scope)
        self._branches(scope, [stmt.body, []], then=stmt.orelse)

    def stmt_Try(self, stmt, scope: Scope) -> None:
        fork = _Fork(scope)
        self.walk_body(stmt.body, scope)
        self.walk_body(stmt.orelse, scope)
        fork.end_path()
        for handler in stmt.handlers:
            fork.start_path()
            if handler.type is not None:
                self.scan_expressions(handler.type, scope)
            if handler.name:
                scope.bind(handler.name, UNKNOWN)
            self.walk_body(handler.body, scope)
            fork.end_path()
        fork.join()
        self.walk_body(stmt.finalbody, scope)

    stmt_TryStar = stmt_Try

    def stmt_Match(self, stmt, scope: Scope) -> None:
        self.scan_expressions(stmt.subject, scope)
        fork = _Fork(scope)
        fork.outcomes.append(fork.before)  # no case matched
        for case in stmt.cases:
            fork.start_path()
            for node in walk(case.pattern):
                captured = getattr(node, "name", None) or getattr(node, "rest", None)
                if isinstance(captured, str):
                    scope.bind(captured, UNKNOWN)
            if case.guard is not None:
                self.scan_expressions(case.guard, scope)
            self.walk_body(case.body, scope)
            fork.end_path()
        fork.join()

    def stmt_Global(self, stmt, scope: Scope) -> None:
        for name in stmt.names:
            scope.bind(name, UNKNOWN)

    stmt_Nonlocal = stmt_Global

    def _branches(self, scope: Scope, bodies: list[list[ast.stmt]], then: list[ast.stmt] = ()) -> None:
        fork = _Fork(scope)
        for body in bodies:
            fork.start_path()
            self.walk_body(body, scope)
            fork.end_path()
        fork.join()
        self.walk_body(list(then), scope)

    # ================================================================= assignment

    def assign_target(self, target: ast.expr, value: ast.expr | None, binding: Binding | None,
                      scope: Scope, form: str) -> None:
        binding = UNKNOWN if binding is None else binding
        if isinstance(target, ast.Name):
            scope.bind(target.id, binding)
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = value.elts if isinstance(value, (ast.Tuple, ast.List)) and not any(
                isinstance(v, ast.Starred) for v in value.elts) and len(value.elts) == len(target.elts) else None
            for index, element in enumerate(target.elts):
                element_value = values[index] if values else None
                element_binding = self.binding_of(element_value, scope) if element_value is not None else UNKNOWN
                self.assign_target(element, element_value, element_binding, scope, form)
        elif isinstance(target, ast.Starred):
            self.assign_target(target.value, None, UNKNOWN, scope, form)
        elif isinstance(target, ast.Attribute):
            self._store_attribute(target, value, binding, scope, form, bind=True)
        else:  # subscript
            self.scan_expressions(target, scope)

    def _store_attribute(self, target: ast.Attribute, value, binding, scope: Scope, form: str, bind: bool) -> None:
        self.scan_expressions(target.value, scope)
        receiver = self.binding_of(target.value, scope)
        if isinstance(receiver, Instance):
            name_bytes = len(target.attr.encode("utf-8"))
            self._emit(AttributeStore(receiver, target.attr, target.end_lineno, target.end_col_offset - name_bytes,
                                      target.end_lineno, target.end_col_offset, value, form, target.value,
                                      self._version_guards))
        if not bind:
            return
        owner = self._self_class(target.value, scope)
        if owner is not None and self._collecting:
            owner.self_values.setdefault(mangled(target.attr, owner.node.name), []).append(
                binding if binding is not None else UNKNOWN)
        key = _dotted(target)
        if key is not None:
            scope.bind(key, binding if binding is not None else UNKNOWN)

    def _self_class(self, expr: ast.expr, scope: Scope) -> ClassInfo | None:
        if isinstance(expr, ast.Name):
            binding = scope.lookup(expr.id)
            if isinstance(binding, _SelfMarker):
                return binding.info
        return None

    # ================================================================= expressions

    def scan_expressions(self, node: ast.AST, scope: Scope, versions_tested: set[str] | None = None) -> None:
        """Emit events for the calls inside `node` (not inside nested statements).

        With `versions_tested` (an `if` test), also collect the libraries whose version
        the expression reads (the walk visits every node anyway).

        The hot loop of the analysis: a hand-rolled walk over precomputed child
        fields (no `ctx`, no leaves) is about twice as fast as ast.iter_child_nodes.
        The collecting pass emits nothing, so it skips expressions altogether.
        """
        if self._collecting:
            return
        stack = [node]
        pop, push = stack.pop, stack.append
        scanned, fields_of = _SCANNED, CHILD_FIELDS
        while stack:
            current = pop()
            kind = type(current)
            if kind is ast.Call:
                self._call(current, scope)
                if versions_tested is not None:
                    self._note_version_read(current, scope, versions_tested)
            elif kind is ast.Attribute:
                if versions_tested is not None and current.attr in _VERSION_ATTRIBUTES:
                    self._note_version_read(current, scope, versions_tested)
            elif kind is ast.NamedExpr:
                push(current.value)
                scope.bind(current.target.id, self.binding_of(current.value, scope))
                continue
            fields = fields_of.get(kind)
            for name in fields if fields is not None else child_fields(kind):
                value = getattr(current, name, None)
                if type(value) is list:
                    for child in value:
                        if type(child) in scanned:
                            push(child)
                elif type(value) in scanned:
                    push(value)

    def _call(self, call: ast.Call, scope: Scope) -> None:
        func = call.func
        if isinstance(func, ast.Name) and func.id == "setattr" and scope.lookup("setattr") is None:
            self._setattr(call, scope)
            return
        resolver = _ScopeResolver(self, scope)
        written, call = call, self._effective_call(call, scope)
        watched = self._watched_keywords
        if self._wants_sites and call.keywords and (watched is None or any(k.arg in watched for k in call.keywords)):
            self._emit(CallSite(call, resolver))
        receiver = None
        if type(func) is ast.Attribute:
            receiver = self.binding_of(func.value, scope)
            if self._wants_methods:
                if isinstance(receiver, Instance):
                    self._emit(MethodCall(receiver, func.value, func.attr, call, resolver, self._version_guards))
                elif self._watched_methods is None or func.attr in self._watched_methods:
                    self._emit(MethodCall(None, func.value, func.attr, call, resolver))
        target = self.call_target(call, scope, receiver if call.func is func else None)
        if target is None:
            return
        if target[0] == "partial":
            self._partial_made(written, scope, resolver)
        else:
            self._emit_known(target, call, scope, receiver if call.func is func else None, resolver)

    def _emit_known(self, target, call: ast.Call, scope: Scope, receiver: Binding | None,
                    resolver: _ScopeResolver) -> None:
        kind, item, instance = target
        if kind == "project":
            return  # made by a function of another module: its call is checked there
        if self._dicts is not None and any(isinstance(a, (ast.Name, ast.Attribute)) and
                                           self.binding_of(a, scope) is DICT_VALUE
                                           for a in [*call.args, *(k.value for k in call.keywords if k.arg)]):
            known = self._expanded.get(id(call))
            if known is None:
                known = self._expanded[id(call)] = self._dicts.with_displays(call) or call
            call = known
        func = call.func
        if kind == "local":
            target_info = self.schemas.call_target(instance.cls)
            self._emit(KnownCall(target_info, call, instance, instance.subclass.defines_init, resolver,
                                 self._version_guards))
        else:
            if isinstance(item, FactorySchema) and type(func) is ast.Attribute and receiver is None:
                receiver = self.binding_of(func.value, scope)
            self._emit(KnownCall(self.schemas.call_target(item), call, instance, resolver=resolver,
                                 version_guards=self._version_guards,
                                 receiver=receiver if isinstance(receiver, Instance) else None))

    def _setattr(self, call: ast.Call, scope: Scope) -> None:
        if len(call.args) < 2 or call.keywords:
            return
        obj, name = call.args[0], call.args[1]
        if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
            return  # dynamic setattr: no finding
        receiver = self.binding_of(obj, scope)
        if isinstance(receiver, Instance):
            value = call.args[2] if len(call.args) > 2 else None
            self._emit(AttributeStore(receiver, name.value, name.lineno, name.col_offset,
                                      name.end_lineno, name.end_col_offset, value, "setattr", obj,
                                      self._version_guards))

    def call_target(self, call: ast.Call, scope: Scope, receiver: Binding | None = None):
        """("schema", ClassSchema|FactorySchema, Instance) or ("local", None, Instance), or
        ("partial", None, Partial) for `functools.partial(...)`, or None.

        `receiver`: what `call.func.value` is, when the caller already knows."""
        func = call.func
        callee = self.binding_of(func, scope, want_callable=True)
        if isinstance(callee, Partial):
            if id(callee.call) in self._partials_open:
                return None  # `json.dumps = partial(json.dumps, ...)`
            through = self._through_partial(call, callee, scope)
            if through is None:
                return None
            self._partials_open.add(id(callee.call))
            try:
                return self.call_target(through, scope)
            finally:
                self._partials_open.discard(id(callee.call))
        made = source_call(call)  # the objects' origin: the call in the syntax tree
        if isinstance(callee, LocalClassRef):
            return "local", None, Instance(callee.local.base, callee.local, made)
        if isinstance(callee, Ref):
            if is_partial(callee.qualname):
                # Only a partial of a client (or of another such partial) is followed.
                made_of = self.binding_of(call.args[0], scope, want_callable=True) if call.args else None
                if self._interesting(made_of) if not isinstance(made_of, Ref) else \
                        isinstance(self.schemas.lookup(made_of.qualname), (ClassSchema, FactorySchema)):
                    self._made_partials = True
                    return "partial", None, Partial(made)
                return None
            item = self.schemas.lookup(callee.qualname)
            if isinstance(item, ClassSchema):
                return "schema", item, Instance(item, origin=made)
            if isinstance(item, FactorySchema):
                return "schema", item, self._factory_result(item, call)
            return self._project_call(callee.qualname, call) if self.project is not None else None
        if isinstance(func, ast.Attribute):
            if receiver is None:
                receiver = self.binding_of(func.value, scope)
            if isinstance(receiver, Instance):
                factory = self.schemas.method_factory(receiver.cls, func.attr)
                if factory is not None:
                    return "schema", factory, self._factory_result(factory, call, receiver)
        return None

    def _project_call(self, qualname: str, call: ast.Call):
        """A call of a function or class of another module of the project that makes a client."""
        made = self.project.made_by_call(qualname)
        if isinstance(made, LocalClass):
            return "local", None, Instance(made.base, made, call)
        if isinstance(made, Instance):
            return "project", None, Instance(made.cls, made.subclass, call)
        return None

    def _factory_result(self, factory: FactorySchema, call: ast.Call, receiver: Instance | None = None) -> Binding:
        if factory.returns_varies or any(k.arg in factory.returns_overridden_by for k in call.keywords) \
                or (factory.returns_overridden_by and any(k.arg is None for k in call.keywords)):
            return UNKNOWN
        returned = self.schemas.lookup(factory.returns)
        # A part of the receiver (`ssh.get_transport()`) belongs to the receiver's connection;
        # an object of the receiver's own class (`conn.clone()`) is a new connection.
        part_of_receiver = receiver is not None and returned is not receiver.cls and \
            not self.schemas.call_target(factory).own_connection  # aiohttp `ws_connect()`: a new one
        return Instance(returned, origin=receiver.origin if part_of_receiver else source_call(call))

    # ================================================================= keyword dicts, partials

    def _effective_call(self, call: ast.Call, scope: Scope) -> ast.Call:
        """The call as the rules read it: `**params` replaced by the dict's keys, a partial's
        arguments first (keyword_dicts.py)."""
        if self._dicts is not None and call.keywords and \
                any(k.arg is None and self._holds_dict(k.value, scope) for k in call.keywords):
            known = self._expanded.get(id(call))
            if known is None:
                known = self._expanded[id(call)] = self._dicts.expand(call) or call
            expanded_call = known
        else:
            expanded_call = call
        if self._made_partials and isinstance(call.func, (ast.Name, ast.Attribute)):
            callee = self.binding_of(call.func, scope)
            if isinstance(callee, Partial):
                return self._through_partial(expanded_call, callee, scope) or expanded_call
        return expanded_call

    def _holds_dict(self, expr: ast.expr, scope: Scope) -> bool:
        """`**{...}`, `**dict(...)`, or a name the analyzer saw bound to one (the dict tracker's entry test)."""
        return makes_dict(expr) or self.binding_of(expr, scope) is DICT_VALUE

    def _through_partial(self, call: ast.Call, partial: Partial, scope: Scope) -> ast.Call | None:
        """`factory(...)` for `factory = functools.partial(Target, *args, **kw)`: `Target(*args, ..., **kw, ...)`."""
        made = partial.call
        if id(made) in self._partials_open:
            return None  # `p = partial(p)`
        self._partials_open.add(id(made))
        try:
            given = self._effective_call(made, scope)
            target = copy.copy(made.args[0])  # reported where this call names it
            target.lineno, target.col_offset = call.func.lineno, call.func.col_offset
            target.end_lineno, target.end_col_offset = call.func.end_lineno, call.func.end_col_offset
            through = expanded(call, target, list(given.args[1:]) + list(call.args),
                               list(given.keywords) + list(call.keywords))
        finally:
            self._partials_open.discard(id(made))
        self._expanded.setdefault(id(through), through)  # kept for the run (see _expanded)
        return through

    def _partial_made(self, call: ast.Call, scope: Scope, resolver: _ScopeResolver) -> None:
        """`functools.partial(Target, ...)` itself: Target's call with what the partial gives,
        open (later calls may add keywords): its keywords are checked where they are written."""
        given = self._effective_call(call, scope)
        open_call = expanded(call, call.args[0], list(given.args[1:]), list(given.keywords) + [_MORE_KEYWORDS])
        self._expanded.setdefault(id(open_call), open_call)
        target = self.call_target(open_call, scope)
        if target is not None and target[0] != "partial":
            self._emit_known(target, open_call, scope, None, resolver)

    def binding_of(self, expr: ast.expr | None, scope: Scope, want_callable: bool = False) -> Binding:
        """What `expr` evaluates to, or UNKNOWN."""
        if expr is None:
            return UNKNOWN
        if isinstance(expr, ast.Name):
            binding = scope.lookup(expr.id)
            if binding is None:
                return UNKNOWN
            if isinstance(binding, _SelfMarker):
                return binding.instance()
            return binding
        if isinstance(expr, ast.Attribute):
            key = _dotted(expr)
            if key is not None:
                binding = scope.lookup(key)
                if binding is not None:
                    return binding
            owner = self._self_class(expr.value, scope)
            if owner is not None:
                known = owner.self_types.get(mangled(expr.attr, owner.node.name))
                if known is None and self._collecting:
                    owner.read_unresolved_self = True
                return UNKNOWN if known is None else known
            base = self.binding_of(expr.value, scope)
            if isinstance(base, Ref):
                return Ref(f"{base.qualname}.{expr.attr}")
            if isinstance(base, Instance):
                held = self.schemas.part(base.cls, expr.attr)
                if held is not None:  # `sftp._transport`: a part of the receiver's connection
                    return Instance(held, origin=base.origin)
            return UNKNOWN
        if self._dicts is not None and makes_dict(expr) and scope.lookup("dict") is None:
            return DICT_VALUE
        if isinstance(expr, ast.Call):
            target = self.call_target(expr, scope)
            return target[2] if target is not None else UNKNOWN
        if isinstance(expr, ast.Constant) and expr.value is None:
            return NONE
        if isinstance(expr, ast.Await):
            return self.binding_of(expr.value, scope)
        if isinstance(expr, ast.NamedExpr):
            return self.binding_of(expr.value, scope)
        return UNKNOWN

    def module_constants(self) -> dict[str, object]:
        """Module-level names assigned exactly once, to a literal (or arithmetic on literals)."""
        if self._module_constants is None:
            self._module_constants = _module_constants(self._tree) if self._tree is not None else {}
        return self._module_constants

    # ================================================================= annotations

    def annotation_binding(self, annotation: ast.expr, scope: Scope) -> Binding:
        """`Connection`, `"qpid.messaging.Connection"`, `Optional[X]`, `X | None`..."""
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                parsed = ast.parse(annotation.value.strip(), mode="eval").body
            except (SyntaxError, ValueError, RecursionError):
                return UNKNOWN
            return self.annotation_binding(parsed, scope)
        if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            return _only_instance([self.annotation_binding(annotation.left, scope),
                                   self.annotation_binding(annotation.right, scope)])
        if isinstance(annotation, ast.Subscript):
            wrapper = self.binding_of(annotation.value, scope)
            name = wrapper.qualname if isinstance(wrapper, Ref) else None
            inner = annotation.slice
            if name in ("typing.Optional", "typing_extensions.Optional"):
                return self.annotation_binding(inner, scope)
            if name in ("typing.Union", "typing_extensions.Union") and isinstance(inner, ast.Tuple):
                return _only_instance([self.annotation_binding(e, scope) for e in inner.elts])
            if name in ("typing.Annotated", "typing_extensions.Annotated") and isinstance(inner, ast.Tuple):
                return self.annotation_binding(inner.elts[0], scope)
            return UNKNOWN
        if isinstance(annotation, ast.Constant) and annotation.value is None:
            return NONE
        ref = self.binding_of(annotation, scope)
        if isinstance(ref, Ref):
            item = self.schemas.lookup(ref.qualname)
            if isinstance(item, ClassSchema):
                return Instance(item)
            local = self.project.local_class(ref.qualname) if self.project is not None and item is None else None
            if local is not None:  # a subclass of a schema class in another module of the project
                return Instance(local.base, local)
        if isinstance(ref, LocalClassRef):
            return Instance(ref.local.base, ref.local)
        return UNKNOWN


# ===================================================================== helpers

_VERSION_ATTRIBUTES = frozenset({"__version__", "VERSION", "version_info", "__version_info__", "version"})
_VERSION_FUNCTIONS = frozenset({"importlib.metadata.version", "importlib_metadata.version",
                                "pkg_resources.get_distribution", "pkg_resources.require"})

_NESTED = (ast.stmt, ast.excepthandler, ast.match_case)
#: The node types the expression scan visits: those that can hold calls (not
#: nested statements, names, constants, contexts or operators).
_SCANNED = {kind: True for kind in node_types() if child_fields(kind) and not issubclass(kind, _NESTED)}


class _ScopeResolver:
    """The `Resolver` of events: imported names as bound where the event happens."""

    def __init__(self, analyzer: Analyzer, scope: Scope):
        self._analyzer, self._scope = analyzer, scope

    def constant(self, name: str) -> object:
        """The value of a module-level constant as seen here, or NO_VALUE."""
        scope: Scope | None = self._scope
        first = True
        while scope is not None:
            if (first or scope.kind != "class") and name in scope.env:
                break
            first = False
            scope = scope.parent
        if scope is None:
            return NO_VALUE
        project = self._analyzer.project
        binding = scope.env[name]
        if project is not None and isinstance(binding, Ref):
            return project.constant(binding.qualname)  # imported from another module of the project
        if scope is not self._analyzer.module_scope:
            return NO_VALUE
        return self._analyzer.module_constants().get(name, NO_VALUE)

    def attribute_constant(self, expr: ast.Attribute) -> object:
        """The value of `settings.HEARTBEAT` or `Config.HEARTBEAT`, a constant of another module
        of the project, or NO_VALUE."""
        project = self._analyzer.project
        if project is None:
            return NO_VALUE
        binding = self._analyzer.binding_of(expr, self._scope)
        return project.constant(binding.qualname) if isinstance(binding, Ref) else NO_VALUE

    def qualname(self, expr: ast.expr) -> str | None:
        binding = self._analyzer.binding_of(expr, self._scope)
        return binding.qualname if isinstance(binding, Ref) else None

    def spelling(self, qualname: str) -> str | None:
        module, _, attr = qualname.rpartition(".")
        names: set[str] = set()
        scope: Scope | None = self._scope
        first = True
        while scope is not None:
            if first or scope.kind != "class":
                names.update(name for name in scope.env if "." not in name)
            first = False
            scope = scope.parent
        visible = {name: self._scope.lookup(name) for name in sorted(names)}
        # The constant's own name, then the module (by its name, then an alias), then any
        # other name bound to the constant (`from socket import SOL_SOCKET as LEVEL`).
        if visible.get(attr) == Ref(qualname):
            return attr
        if module:
            if visible.get(module) == Ref(module):
                return qualname
            for name, binding in visible.items():
                if binding == Ref(module):
                    return f"{name}.{attr}"
        for name, binding in visible.items():
            if binding == Ref(qualname):
                return name
        return None


#: The rest of an open call's keywords (a partial's later calls may add some): an unknown `**` splat.
_MORE_KEYWORDS = ast.keyword(arg=None, value=ast.Name("more_keywords", ast.Load()), lineno=0, col_offset=0,
                             end_lineno=0, end_col_offset=0)


class _SelfMarker:
    """The first parameter of a method: an instance of the enclosing class."""

    def __init__(self, info: ClassInfo):
        self.info = info

    def __eq__(self, other):
        return isinstance(other, _SelfMarker) and other.info is self.info

    def __hash__(self):
        return id(self.info)

    def instance(self) -> Binding:
        if self.info.local is not None:
            return Instance(self.info.local.base, self.info.local)
        return UNKNOWN


class _LocalPlainClass:
    """A class defined in the checked file with no schema base: each one its own binding.

    It keeps only the name: a link to its ClassInfo would close a reference cycle
    through the scope that binds it."""

    def __init__(self, name: str):
        self.name = name


def _discard(_event: object) -> None:
    pass


def _is_class_ref(binding: Binding, schemas: SchemaSet) -> bool:
    return isinstance(binding, Ref) and isinstance(schemas.lookup(binding.qualname), ClassSchema)


def _only_instance(bindings: list[Binding]) -> Binding:
    instances = [b for b in bindings if b is not NONE]
    if len(instances) == 1 and isinstance(instances[0], Instance):
        return instances[0]
    return UNKNOWN


def _dotted(expr: ast.expr) -> str | None:
    parts = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name) or not parts:
        return None
    return ".".join([expr.id] + parts[::-1])


def _names_defined_by(cls: ast.ClassDef) -> set[str]:
    """Names a class body defines, and every `self.x` its methods assign."""
    names: set[str] = set()
    for stmt in cls.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(stmt.name)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for target in stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]:
                for node in walk(target):
                    if isinstance(node, ast.Name):
                        names.add(node.id)
    for node in walk(cls):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name) \
                and node.value.id == "self":
            names.add(node.attr)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr" \
                and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id == "self":
            if len(node.args) > 1 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
                names.add(node.args[1].value)
            else:
                names.add("__setattr__")  # dynamic: treat the class as opaque
    return names


def _annotated(args: ast.arguments) -> bool:
    """Whether any parameter has an annotation."""
    return any(arg.annotation is not None for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs)) or \
        (args.vararg is not None and args.vararg.annotation is not None) or \
        (args.kwarg is not None and args.kwarg.annotation is not None)


def _assigns_self(method: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether a method stores or declares `self.<attr>` (only those matter to the collecting pass).

    A walk over statements and their targets only, far cheaper than the pass itself.
    """
    params = method.args.posonlyargs + method.args.args
    if not params:
        return False
    self_name = params[0].arg
    pending: list[ast.AST] = list(method.body)
    pop, extend = pending.pop, pending.extend
    holds_blocks = BLOCK_FIELDS.get
    while pending:
        stmt = pop()
        kind = type(stmt)
        if kind is ast.Assign:
            for target in stmt.targets:
                if type(target) is not ast.Name and _stores_on(target, self_name):
                    return True
        elif kind is ast.AnnAssign or kind is ast.For or kind is ast.AsyncFor:
            if _stores_on(stmt.target, self_name):
                return True
        elif kind is ast.With or kind is ast.AsyncWith:
            for item in stmt.items:
                if item.optional_vars is not None and _stores_on(item.optional_vars, self_name):
                    return True
        elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef or kind is ast.ClassDef:
            continue
        if holds_blocks(kind, True):  # nested statements, handlers and match cases
            extend(block_children(stmt))
    return False


def _stores_on(target: ast.expr, name: str) -> bool:
    """Whether an assignment target stores an attribute of `name` (`name.x`, `a, name.x`)."""
    if isinstance(target, ast.Attribute):
        return isinstance(target.value, ast.Name) and target.value.id == name
    if isinstance(target, (ast.Tuple, ast.List)):
        return any(_stores_on(element, name) for element in target.elts)
    if isinstance(target, ast.Starred):
        return _stores_on(target.value, name)
    return False


def _module_constants(tree: ast.Module) -> dict[str, object]:
    """Names bound once in the whole module, at module level, to a literal value.

    A name stored anywhere else (another assignment, `global` in a function, a loop
    target, an import) is not a constant: its value is not guessed."""
    stores: dict[str, int] = {}
    for node in walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            stores[node.id] = stores.get(node.id, 0) + 1
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                stores[name] = stores.get(name, 0) + 2
        elif isinstance(node, ast.alias):
            name = (node.asname or node.name).split(".", 1)[0]
            stores[name] = stores.get(name, 0) + 2
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stores[node.name] = stores.get(node.name, 0) + 2
    constants: dict[str, object] = {}
    for stmt in tree.body:
        target = value = None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None and stmt.simple:
            target, value = stmt.target, stmt.value
        if isinstance(target, ast.Name) and stores.get(target.id) == 1:
            literal = literal_value(value)
            if literal is not NO_VALUE:
                constants[target.id] = literal
    return constants

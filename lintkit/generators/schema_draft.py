"""`lintkit schema generate`: draft a schema from an installed library.

Reads the library's public API (lintkit.generators.library_view): its classes and factories, their
keywords (following where `**kwargs` go), every name a method of the class or a base sets
on `self`, `__slots__`, and the library's own name lists (lintkit.generators.library_names).  The draft
is TOML the loader accepts as it is; the liveness knobs it finds are left commented out,
marked TODO, for a person to read in the source and fill (unit, default, off values).
"""

from __future__ import annotations

import ast
import enum
import functools
import importlib
import importlib.metadata
import inspect
import json
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

from . import library_view as view
from .library_names import NameList, name_list_for, name_lists

TODO = "TODO"


class DraftError(ValueError):
    """The target cannot be drafted (not installed, not a class...)."""


# --------------------------------------------------------------------------- the library


@dataclass
class Library:
    name: str  # the import name
    distribution: str
    version: str
    modules: list[Any]  # the modules whose public names are drafted
    #: False for a draft read from the files (lintkit.generators.source_draft): nothing was imported.
    importable: bool = True


def locate(target: str) -> Library:
    """A distribution (`paho-mqtt`) or a module (`paho.mqtt.client`), installed."""
    found = installed_distribution(target)
    if found is not None:
        name, version, tops = found
        modules = [m for top in tops for m in _api_modules(_import(top))]
        return Library(_common_package(modules), name, version, modules)
    module = _import(target)
    top = target.split(".")[0]
    if top in sys.stdlib_module_names:
        return Library(target, "cpython", f"{sys.version_info.major}.{sys.version_info.minor}", [module])
    owners = packages_distributions().get(top)
    if not owners:
        raise DraftError(f"{target}: no installed distribution provides this module")
    return Library(target, owners[0], importlib.metadata.version(owners[0]), [module])


def installed_distribution(target: str) -> tuple[str, str, list[str]] | None:
    """The name, version and top-level modules of the installed distribution `target`; None when
    `target` is not a distribution's name."""
    try:
        dist = importlib.metadata.distribution(target)
    except importlib.metadata.PackageNotFoundError:
        return None
    name = dist.metadata["Name"]
    tops = sorted(top for top, owners in packages_distributions().items()
                  if name in owners and not top.startswith("_") and top.isidentifier())
    if not tops:
        raise DraftError(f"{target}: the distribution has no top-level module")
    return name, dist.version, tops


@functools.lru_cache(maxsize=1)
def packages_distributions() -> Mapping[str, list[str]]:
    return importlib.metadata.packages_distributions()


def _common_package(modules: list[Any]) -> str:
    """The longest dotted prefix of the modules' names (`paho.mqtt` for paho.mqtt.client, ...enums)."""
    parts = [module.__name__.split(".") for module in modules]
    common = []
    for names in zip(*parts):
        if len(set(names)) != 1:
            break
        common.append(names[0])
    return ".".join(common[:-1] if len(modules) == 1 and len(common) > 1 else common) or parts[0][0]


def _api_modules(module: Any, depth: int = 0) -> list[Any]:
    """The module, or for a package that defines and re-exports nothing (`paho`, a namespace
    package), its public submodules, down to the first level that has a public API."""
    if depth >= 3 or _own_api(module) or not hasattr(module, "__path__"):
        return [module]
    import pkgutil

    found = []
    for info in pkgutil.iter_modules(module.__path__):
        if info.name.startswith("_") or info.name in ("tests", "test", "testing"):
            continue
        try:
            found += _api_modules(importlib.import_module(f"{module.__name__}.{info.name}"), depth + 1)
        except Exception:  # an optional dependency missing: not part of the API drafted
            continue
    return found or [module]


def _own_api(module: Any) -> bool:
    return any(_drafted_kind(obj) and not name.startswith("_") for name, obj in vars(module).items())


def _drafted_kind(obj: Any) -> bool:
    """A function, or a class that is not an exception or an enum."""
    if inspect.isclass(obj):
        return not issubclass(obj, (BaseException, enum.Enum)) and not obj.__name__.startswith("_")
    return inspect.isfunction(obj)


def _import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise DraftError(f"{name}: neither an installed distribution nor an importable module ({exc}); "
                         f"--from-source reads an installed library's files without importing it") from None


def public_api(library: Library) -> dict[int, tuple[Any, list[str]]]:
    """id -> (object, the public names it is reachable by) for the classes and functions the
    library's modules define or re-export (exceptions, enums and private names left out)."""
    tops = {module.__name__.split(".")[0] for module in library.modules}
    found: dict[int, tuple[Any, list[str]]] = {}
    for module in library.modules:
        names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
        for name in names:
            obj = getattr(module, name, None)
            if not _drafted_kind(obj) or (getattr(obj, "__module__", "") or "").split(".")[0] not in tops:
                continue
            names = found.setdefault(id(obj), (obj, []))[1]
            if f"{module.__name__}.{name}" not in names:  # `__all__` may repeat a name
                names.append(f"{module.__name__}.{name}")
    return found


# --------------------------------------------------------------------------- keywords


@dataclass
class Keywords:
    names: set[str]
    policy: str
    #: Where the keywords go, for the person reading the draft.
    notes: list[str] = field(default_factory=list)
    #: True when every `**kwargs` destination was read (the policy is the library's).
    certain: bool = True


def class_keywords(cls: type) -> Keywords:
    init = _python_init(cls)
    try:
        names = view.signature_keywords(cls)
    except (TypeError, ValueError):
        return Keywords(set(), "raises", ["no signature (a C type): try each keyword on a real call"], False)
    if init is None:
        return Keywords(names, "swallows" if view.takes_var_keyword(cls) else "raises")
    return _follow(init, names, cls, depth=0)


def function_keywords(function: Any, owner: type | None = None) -> Keywords:
    return _follow(function, view.signature_keywords(function), owner, depth=0)


def keywords_of(qualname: str) -> Keywords:
    """Every keyword a class's constructor or a function (`Class.method` too) accepts, following its
    `**kwargs` through the source and adding the library's own name list for it (NAME_LISTS)."""
    obj = _resolve(qualname)
    if inspect.isclass(obj):
        keywords = class_keywords(obj)
    else:
        function, owner = _function_and_owner(obj, qualname)
        keywords = function_keywords(function, owner)
    entry = name_list_for(qualname, "kwargs")
    if entry is not None:
        keywords.names |= entry.names()
        keywords.notes.append(f"the keywords include {entry.path} (lintkit.generators.library_names)")
    kept = name_list_for(qualname, "kept_kwargs")
    if kept is not None:  # `**kwargs` keeps these only (RedisCluster): what was followed through it is dropped
        own = {p.name for p in inspect.signature(obj).parameters.values()
               if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        keywords.names = own | kept.names()
        keywords.notes.append(f"**kwargs keeps only {kept.path} (lintkit.generators.library_names)")
    return keywords


def _python_init(cls: type) -> Any:
    init = cls.__dict__.get("__init__") or next(
        (k.__dict__["__init__"] for k in cls.__mro__ if "__init__" in k.__dict__), None)
    return init if inspect.isfunction(init) else None


def _follow(function: Any, names: set[str], owner: type | None, depth: int) -> Keywords:
    """The keywords `function` accepts: its own, those it reads from `**kwargs`, and those of
    every callable it passes `**kwargs` on to (followed through the library's source)."""
    fate = view.keywords_fate(function)
    result = Keywords(set(names) | fate.read, fate.policy)
    if not fate.var_keyword:
        return result
    where = f"{function.__qualname__}(**{_var_keyword_name(function)})"
    if fate.raises_when_given:
        result.notes.append(f"{where} raises when it is not empty")
        return result
    if fate.read:
        result.notes.append(f"{where} reads {', '.join(sorted(fate.read))}")
    for use in fate.other_uses:
        result.notes.append(f"{where} is also used in `{use}`: read it ({TODO}: kwargs, unknown_kwargs)")
        result.certain = False
    spread_later = [(text, attribute) for attribute in fate.stored_in for text in _spreads_of(owner, attribute)]
    for attribute in fate.stored_in:
        if not any(stored == attribute for _, stored in spread_later):
            result.notes.append(f"{where} is stored in self.{attribute}: read where it is used "
                                f"({TODO}: unknown_kwargs)")
            result.certain = False
    policies = []
    for callee_text, stored in [(text, None) for text in fate.forwarded_to] + spread_later:
        callee = _callee(callee_text, function, owner) if depth < 8 else None
        if stored is not None and callee is not None:
            result.notes.append(f"{where} is stored in self.{stored} and later passed to {callee_text}()")
        if callee is None:
            result.notes.append(f"{where} goes to {callee_text}(), not followed ({TODO}: read it)")
            result.certain = False
            continue
        callee_function, callee_owner = callee
        try:
            callee_names = view.signature_keywords(callee_function)
        except (TypeError, ValueError):
            result.notes.append(f"{where} goes to {callee_text}(), which has no signature ({TODO}: read it)")
            result.certain = False
            continue
        inner = _follow(callee_function, callee_names, callee_owner, depth + 1) \
            if inspect.isfunction(callee_function) else Keywords(callee_names, "raises")
        result.names |= inner.names
        if stored is None:
            result.notes.append(f"{where} goes to {callee_text}()")
        result.notes += inner.notes
        result.certain &= inner.certain
        policies.append(inner.policy)
    if policies:
        # Passed on: the callee decides (one that raises makes the call fail).
        result.policy = "raises" if "raises" in policies else ("deferred" if "deferred" in policies else "swallows")
        if fate.stored_in:
            result.policy = "deferred"
    elif not fate.stored_in and not fate.read and not fate.other_uses:
        result.notes.append(f"{where} is never read: unknown keywords are ignored")
    return result


def _spreads_of(owner: type | None, attribute: str) -> list[str]:
    """The callees (source text) that any method of `owner` or its bases calls with `**self.<attribute>`
    (urllib3's pools: `self.ConnectionCls(..., **self.conn_kw)` in `_new_conn()`), also through a
    local copy (redis's pools: `kwargs = dict(self.connection_kwargs)` ... `self.connection_class(**kwargs)`)."""
    names = (attribute, attribute.lstrip("_"))

    def stored(node: ast.expr) -> bool:
        if isinstance(node, ast.Call) and (isinstance(node.func, ast.Name) and node.func.id == "dict" or
                                           isinstance(node.func, ast.Attribute) and node.func.attr == "copy"):
            node = node.args[0] if node.args and isinstance(node.func, ast.Name) else getattr(node.func, "value", node)
        return isinstance(node, ast.Attribute) and node.attr in names and \
            isinstance(node.value, ast.Name) and node.value.id == "self"

    found: list[str] = []
    for klass in owner.__mro__ if owner is not None else ():
        tree = view.class_tree(klass)
        for function in ast.walk(tree) if tree is not None else ():
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            copies = {target.id for node in ast.walk(function) if isinstance(node, ast.Assign) and stored(node.value)
                      for target in node.targets if isinstance(target, ast.Name)}
            for node in ast.walk(function):
                if isinstance(node, ast.Call) and any(
                        k.arg is None and (stored(k.value) or isinstance(k.value, ast.Name) and k.value.id in copies)
                        for k in node.keywords):
                    text = ast.unparse(node.func)
                    if text not in found:
                        found.append(text)
    return found


def _var_keyword_name(function: Any) -> str:
    return next((p.name for p in inspect.signature(function).parameters.values() if p.kind == p.VAR_KEYWORD),
                "kwargs")


def _callee(text: str, function: Any, owner: type | None) -> tuple[Any, type | None] | None:
    """The callable a `**kwargs` call reaches: `super().__init__` (the next class of the owner's MRO),
    a name of the function's module (a class's constructor, a function), `self.method`."""
    defining = _defining_class(function, owner)
    if re.fullmatch(r"super\(.*\)\.__init__", text) and defining is not None:
        mro = owner.__mro__ if owner is not None else defining.__mro__
        for klass in mro[mro.index(defining) + 1:]:
            init = klass.__dict__.get("__init__")
            if init is not None:  # read with the real class: `self.ConnectionCls` is the subclass's
                return (init, owner or klass) if inspect.isfunction(init) else None
        return None
    if text in ("cls", "self.__class__", "type(self)", "cls.__class__") and owner is not None:
        return _constructor(owner)  # a new instance of the same class (kombu's clone(), from_url())
    match = re.fullmatch(r"(?:self|cls)\.(\w+)", text)
    if match and owner is not None:
        # A class attribute (`ConnectionCls`), or an instance attribute set from the constructor's
        # parameter of that name, whose default is a class (redis pools' `connection_class`).
        found = getattr(owner, match.group(1), None)
        if found is None:
            found = _class_default(owner, match.group(1))
        if inspect.isclass(found):
            return _constructor(found)
        return (found, owner) if inspect.isfunction(found) or inspect.ismethod(found) else None
    if not re.fullmatch(r"[\w.]+", text):
        return None
    head, *rest = text.split(".")
    found = (_class_default(function, head) if not rest else None) or \
        getattr(inspect.unwrap(function), "__globals__", {}).get(head) or _imported_inside(function, head)
    for part in rest:
        found = getattr(found, part, None)
    if inspect.isclass(found):
        return _constructor(found)
    if inspect.ismethod(found) and inspect.isclass(found.__self__):  # a classmethod: Pool.from_url
        return found.__func__, found.__self__
    return (found, None) if inspect.isfunction(found) else None


def _imported_inside(function: Any, name: str) -> Any:
    """A name the function imports in its body (`from redis.client import Redis` in redis.utils.from_url)."""
    try:
        tree = view.function_tree(function)
    except (OSError, TypeError, SyntaxError, AssertionError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if (alias.asname or alias.name) == name:
                    try:
                        return view.resolve(f"{node.module}.{alias.name}")
                    except (ImportError, AttributeError):
                        return None
    return None


def _class_default(function: Any, parameter: str) -> type | None:
    """The default of `parameter` when it is a class (`class_=WebSocket`, `connection_class=Connection`)."""
    default = view.signature_default(function, parameter)
    return default if inspect.isclass(default) and default is not inspect.Parameter.empty else None


def _constructor(cls: type) -> tuple[Any, type] | None:
    init = _python_init(cls)
    return (init, cls) if init is not None else None


def _defining_class(function: Any, owner: type | None) -> type | None:
    if owner is None:
        return None
    return next((k for k in owner.__mro__ if k.__dict__.get("__init__") is function
                 or any(v is function for v in k.__dict__.values())), owner)


# --------------------------------------------------------------------------- drafts


#: Name fragments of liveness settings, and the knob concept each suggests (first match wins).
KNOB_HINTS = (
    (r"keep_?alive_?(?:options|opts)|tcp_options|socket_options|sockopt", "keepalive_options", "options"),
    (r"keep_?idle|keep_?alive_?(?:idle|time)", "keepalive_idle", "s"),
    (r"keep_?intvl|keep_?alive_?interval", "keepalive_interval", "s"),
    (r"keep_?cnt|keep_?alive_?count", "keepalive_count", ""),
    (r"user_timeout", "user_timeout", "ms"),
    (r"health_check", "health_check", "s"),
    (r"heart_?beat|ping_?interval", "heartbeat", "s"),
    (r"keep_?alive", "keepalive", ""),
)


@dataclass
class KnobHint:
    concept: str
    setters: list[str]  # kwarg, attribute and/or method
    name: str
    unit: str
    default: Any = inspect.Parameter.empty


@dataclass
class ClassDraft:
    name: str
    aliases: list[str]
    bases: list[str]
    attributes: set[str]
    methods: set[str]
    unknown_attributes: str
    keywords: Keywords
    option_keys: dict[str, list[str]] = field(default_factory=dict)
    transport_aliases: dict[str, str] = field(default_factory=dict)
    knobs: list[KnobHint] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class FactoryDraft:
    name: str
    aliases: list[str]
    returns: str
    keywords: Keywords


@dataclass
class Draft:
    library: Library
    classes: list[ClassDraft]
    factories: list[FactoryDraft]
    name_lists: list[tuple[NameList, list[str]]]
    skipped: list[str]


def draft_schema(target: str, classes: Sequence[str] = (), factories: Sequence[str] = ()) -> Draft:
    """Draft a schema for `target` (a distribution or module): the named classes and factories
    (`NAME`, or `NAME=RETURNS` for a factory whose return annotation does not say), or, with none
    named, every public class and the factories that return one of them."""
    library = locate(target)
    lists = name_lists(library.distribution)
    returns_of: dict[str, str] = {}
    if classes or factories:
        picked: dict[int, tuple[Any, list[str]]] = {}
        for spec in (*classes, *factories):
            name, _, returns = spec.partition("=")
            if returns:
                returns_of[name] = returns
            picked.setdefault(id(_resolve(name)), (_resolve(name), []))[1].append(name)
    else:
        picked = public_api(library)
    class_objects = [(obj, names) for obj, names in picked.values() if inspect.isclass(obj)]
    drafted = {id(obj): names[0] if classes else _qualified(obj, names) for obj, names in class_objects}
    class_drafts = [_class_draft(obj, drafted[id(obj)], names, drafted) for obj, names in class_objects]
    factory_drafts, skipped = [], []
    for obj, names in picked.values():
        if inspect.isclass(obj):
            continue
        name = names[0] if factories else _qualified(obj, names)
        returns = returns_of.get(name) or drafted.get(id(_annotated_return(obj)))
        if returns is None:
            if factories:
                raise DraftError(f"{name}: its annotation names no drafted class; say which it returns "
                                 f"with --factory {name}=CLASS (and --class CLASS)")
            skipped.append(name)
            continue
        factory_drafts.append(FactoryDraft(name, [n for n in names if n != name], returns, keywords_of(name)))
    if not factories:
        for obj, _ in class_objects:  # classmethods that return the class (`from_url`)
            for member_name, member in vars(obj).items():
                if isinstance(member, classmethod) and not member_name.startswith("_") \
                        and _returns_cls(member.__func__):
                    name = f"{drafted[id(obj)]}.{member_name}"
                    if not any(f.name == name for f in factory_drafts):
                        factory_drafts.append(FactoryDraft(name, [], drafted[id(obj)],
                                                           function_keywords(member.__func__, obj)))
    _fill_name_lists(class_drafts, factory_drafts, lists)
    drafted_names = {d.name for d in (*class_drafts, *factory_drafts)}
    unused = [(entry, sorted(entry.names())) for entry in lists if entry.item not in drafted_names]
    return Draft(library, sorted(class_drafts, key=lambda d: d.name), sorted(factory_drafts, key=lambda d: d.name),
                 unused, skipped)


def _resolve(name: str) -> Any:
    try:
        return view.resolve(name)
    except (ImportError, AttributeError, ValueError) as exc:
        raise DraftError(f"{name}: cannot import it ({exc})") from None


def _qualified(obj: Any, names: Sequence[str] = ()) -> str:
    """Where the object is defined, when that name imports it; else the first public name
    (psycopg's classes say `__module__ = "psycopg"`)."""
    qualname = view.qualified_name(obj)
    try:
        if view.same_object(view.resolve(qualname), obj):
            return qualname
    except (ImportError, AttributeError):
        pass
    return names[0] if names else qualname


def _function_and_owner(obj: Any, name: str) -> tuple[Any, type | None]:
    """The function to read, and the class it belongs to (a classmethod bound to it, or a
    method named through it: `paramiko.client.SSHClient.get_transport`)."""
    if inspect.ismethod(obj) and inspect.isclass(obj.__self__):
        return obj.__func__, obj.__self__
    parent = name.rpartition(".")[0]
    try:
        owner = view.resolve(parent)
    except (ImportError, AttributeError, ValueError):
        owner = None
    return obj, owner if inspect.isclass(owner) else None


def _class_draft(cls: type, qualname: str, names: list[str], drafted: dict[int, str]) -> ClassDraft:
    ancestors = [k for k in cls.__mro__[1:] if id(k) in drafted]
    bases = [k for k in ancestors if not any(k in other.__mro__[1:] for other in ancestors)]
    attributes, methods = view.class_members(cls)
    for base in bases:
        base_attributes, base_methods = view.class_members(base)
        attributes -= base_attributes
        methods -= base_methods
    keywords = keywords_of(qualname)
    no_dict = not view.instances_have_dict(cls)
    refused = not no_dict and view.setattr_refuses(cls)
    raises = no_dict or refused
    draft = ClassDraft(
        name=qualname, aliases=[n for n in names if n != qualname], bases=[drafted[id(b)] for b in bases],
        attributes=attributes, methods=methods, unknown_attributes="raises" if raises else "silent",
        keywords=keywords)
    if no_dict:
        draft.notes.append("instances have no __dict__ (__slots__ or a C type): an unknown attribute raises")
    if refused:
        draft.notes.append("its __setattr__ raises AttributeError: an unknown attribute raises (check which names)")
    slots = view.public_slots(cls)
    if slots:
        draft.notes.append(f"public __slots__: {', '.join(sorted(slots))}")
    draft.knobs = knob_hints(keywords.names, attributes, methods, lambda name: view.signature_default(cls, name))
    return draft


def _annotated_return(function: Any) -> Any:
    try:
        annotation = inspect.signature(function, eval_str=True).return_annotation
    except Exception:  # an annotation that does not evaluate: no answer
        return None
    return annotation if inspect.isclass(annotation) else None  # a class: looked up among the drafted


def _returns_cls(function: Any) -> bool:
    """A classmethod whose source returns `cls(...)` (redis `from_url`)."""
    try:
        tree = view.function_tree(function)
    except (OSError, TypeError, SyntaxError, AssertionError):
        return False
    first = (tree.args.posonlyargs + tree.args.args)[:1]
    me = first[0].arg if first else "cls"

    def made(value: ast.expr | None) -> bool:
        return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == me

    instances = {target.id for node in ast.walk(tree) if isinstance(node, ast.Assign) and made(node.value)
                 for target in node.targets if isinstance(target, ast.Name)}  # client = cls(...)
    return any(isinstance(node, ast.Return) and (made(node.value) or (isinstance(node.value, ast.Name)
                                                                      and node.value.id in instances))
               for node in ast.walk(tree))


def knob_hints(kwargs: set[str], attributes: set[str], methods: set[str],
               default_of: Callable[[str], Any]) -> list[KnobHint]:
    """Names that look like liveness settings; a keyword and an attribute of one name are one knob.
    `default_of(keyword)`: the constructor's default for it (`inspect.Parameter.empty`: none)."""
    hints: dict[str, KnobHint] = {}
    for setter, names in (("kwarg", kwargs), ("attribute", attributes), ("method", methods)):
        for name in sorted(names):
            concept, unit = next(((c, u) for pattern, c, u in KNOB_HINTS if re.search(pattern, name, re.I)),
                                 (None, ""))
            if concept is None:
                continue
            hint = hints.setdefault(name, KnobHint(concept, [], name, unit))
            hint.setters.append(setter)
            if setter == "kwarg":
                hint.default = default_of(name)
    return list(hints.values())


def _fill_name_lists(classes: list[ClassDraft], factories: list[FactoryDraft], lists: list[NameList]) -> None:
    by_name = {d.name: d for d in (*classes, *factories)}
    for entry in lists:
        item = by_name.get(entry.item or "")
        if item is None:
            continue
        names = entry.names()
        if entry.role.startswith("option_keys.") and isinstance(item, ClassDraft):
            collection = entry.role.split(".", 1)[1]
            if collection in item.keywords.names | item.attributes:
                item.option_keys[collection] = sorted(names)
        elif entry.role == "transport_aliases" and isinstance(item, ClassDraft):
            table = view.resolve(entry.path)
            if all(isinstance(v, str) for v in table.values()):
                item.transport_aliases = dict(sorted(table.items()))


# --------------------------------------------------------------------------- TOML


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _list(key: str, names: Iterable[str], indent: str = "") -> str:
    items = [_string(n) for n in sorted(names)]
    one_line = f"{indent}{key} = [{', '.join(items)}]"
    if len(one_line) <= 110:
        return one_line
    lines, line = [f"{indent}{key} = ["], indent + "    "
    for item in items:
        if len(line) + len(item) + 2 > 110 and line.strip():
            lines.append(line.rstrip())
            line = indent + "    "
        line += item + ", "
    lines.append(line.rstrip())
    return "\n".join(lines + [indent + "]"])


def _value(value: Any) -> str | None:
    if value is None:
        return '"none"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return None


def render_draft(draft: Draft, command: str, histories: Mapping[str, list[str]] | None = None) -> str:
    """The draft as TOML; `histories` holds each class's and factory's history tables (lintkit.generators.history_draft)."""
    lib = draft.library
    out = [
        f"# Draft schema for {lib.name} {lib.version} ({lib.distribution}), written by `{command}`.",
        "# Check every fact against the library's source. The loader accepts this file as it is; the",
        "# liveness knobs are commented out, marked TODO: fill their unit, default and off values from",
        "# the source (docs/schemas.md), then uncomment them. Delete the classes lintkit need not know.",
        "format = 1",
        "",
        "[library]",
        f"name = {_string(lib.name)}",
        f"distribution = {_string(lib.distribution)}",
        f"version = {_string(lib.version)}",
        "source = " + _string(f"{lib.distribution} {lib.version}, read by lintkit schema generate "
                              f"({TODO}: the files read)"),
        *([] if lib.importable else ["# Read from the installed files with ast (--from-source): nothing imported."]),
        f"importable = {'true' if lib.importable else 'false'}",
    ]
    for entry, names in draft.name_lists:
        owner = f" of {entry.item}" if entry.item else ""
        out += ["", f"# {entry.path}: the library's own list ({entry.role}{owner}):"]
        out += ["# " + line for line in _list("names", names).splitlines()]
    if draft.skipped:
        out += ["", "# Public functions that return no drafted class (by their annotation): not drafted.",
                *("# " + line for line in _list("functions", draft.skipped).splitlines())]
    for cls in draft.classes:
        out += ["", "[[class]]", f"name = {_string(cls.name)}"]
        if cls.aliases:
            out.append(_list("aliases", cls.aliases))
        if cls.bases:
            out.append(_list("bases", cls.bases))
        out += ["# " + note for note in cls.notes]
        out += [_list("attributes", cls.attributes), _list("methods", cls.methods),
                f"unknown_attributes = {_string(cls.unknown_attributes)}"]
        out += _keywords(cls.keywords)
        if cls.option_keys:
            tables = (f"{k} = [{', '.join(map(_string, v))}]" for k, v in sorted(cls.option_keys.items()))
            out.append("option_keys = { " + ", ".join(tables) + " }")
        if cls.transport_aliases:
            out.append("transport_aliases = { " + ", ".join(
                f"{_string(k)} = {_string(v)}" for k, v in cls.transport_aliases.items()) + " }")
        for hint in cls.knobs:
            out += ["", f"# {TODO} knob: {hint.name} looks like a {hint.concept} setting; read the source, fill "
                        "the facts, uncomment.",
                    "# [[class.knob]]", f"# concept = {_string(hint.concept)}",
                    *(f"# {setter} = {_string(hint.name)}" for setter in hint.setters),
                    f"# unit = {_string(hint.unit or TODO)}  # {TODO}: s, ms, bool or options"]
            default = _value(hint.default) if hint.default is not inspect.Parameter.empty else None
            out.append(f"# default = {default}  # the signature's default" if default is not None else
                       f"# default = {TODO}  # the library's default (a number, true/false or \"none\")")
            out.append(f"# off = [{TODO}]  # the values that turn it off")
        out += (histories or {}).get(cls.name, [])
    for fac in draft.factories:
        out += ["", "[[factory]]", f"name = {_string(fac.name)}", f"returns = {_string(fac.returns)}"]
        if fac.aliases:
            out.append(_list("aliases", fac.aliases))
        out += _keywords(fac.keywords)
        out += (histories or {}).get(fac.name, [])
    return "\n".join(out) + "\n"


def _keywords(keywords: Keywords) -> list[str]:
    lines = ["# " + note for note in keywords.notes]
    lines.append(_list("kwargs", keywords.names))
    lines.append(f"unknown_kwargs = {_string(keywords.policy)}" +
                 ("" if keywords.certain else f"  # {TODO}: confirm where the keywords go"))
    return lines

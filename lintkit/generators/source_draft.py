"""`lintkit schema generate --from-source`: draft a schema from a library's files, importing nothing.

Some libraries install but no longer import (pysftp 0.2.9 imports `paramiko.DSSKey`, which
paramiko 4.0 removed), and importing a library runs its code.  This reads the installed files
with `ast` (lintkit.generators.library_source) and gives the same `Draft` as the import-based
generator (lintkit.generators.schema_draft), rendered the same way with `importable = false`:

- the classes the top-level module defines or re-exports, exceptions left out, or the ones named;
- each constructor's keywords, with the keys it reads from `**kwargs`, and whether others raise;
- every name a method of the class or a base sets on `self`, properties with a setter,
  `__slots__`, class-level names; class-level aliases of methods (`cwd = chdir`) are methods;
- factories only when named (`--factory NAME=CLASS`): a source file does not say what a
  function returns.

What the source cannot say is left to the person completing the draft, as with the import:
the knobs' facts, and what a C extension accepts.
"""

from __future__ import annotations

import ast
import importlib.metadata
import inspect
from typing import Any, Container, Sequence

from .library_source import ClassSource, SourceTree, module_bindings
from .library_source import Keywords as SourceKeywords
from .schema_draft import (
    ClassDraft,
    Draft,
    DraftError,
    FactoryDraft,
    Keywords,
    Library,
    installed_distribution,
    knob_hints,
    packages_distributions,
)

#: Base-class names that make a class an exception, not a client.
_EXCEPTION_WORDS = ("Exception", "Error", "Warning")


def draft_from_source(target: str, classes: Sequence[str] = (), factories: Sequence[str] = ()) -> Draft:
    """Draft a schema for the installed distribution (or top-level module) `target` from its files."""
    library, tree = _locate(target)
    top = library.name
    if classes:
        found = {name: _find(tree, name) for name in classes}
    else:
        found = {f"{top}.{name}": source for name in sorted(module_bindings(_module(tree, top).body))
                 if not name.startswith("_") and (source := tree.find_class(f"{top}.{name}")) is not None
                 and source.module.split(".")[0] == top and not _is_exception(source)}  # not paramiko's RSAKey
    by_source = {}
    for name, source in found.items():
        by_source.setdefault(source.qualname, (source, []))[1].append(name)
    class_drafts = [_class_draft(source, names, by_source) for source, names in by_source.values()]
    factory_drafts = []
    for spec in factories:
        name, _, returns = spec.partition("=")
        if not returns:
            raise DraftError(f"{name}: say which class it returns with --factory {name}=CLASS (the source does not)")
        keywords = tree.function_keywords(name)
        if keywords is None:
            raise DraftError(f"{name}: no such function or method in {library.distribution} {library.version}")
        factory_drafts.append(FactoryDraft(name, [], returns, _keywords(keywords)))
    return Draft(library, sorted(class_drafts, key=lambda d: d.name), sorted(factory_drafts, key=lambda d: d.name),
                 [], [])


def _locate(target: str) -> tuple[Library, SourceTree]:
    found = installed_distribution(target)
    if found is not None:
        name, version, tops = found
        top = tops[0]
    else:
        top = target.split(".")[0]
        owners = packages_distributions().get(top)
        if not owners:
            raise DraftError(f"{target}: neither an installed distribution nor a module of one")
        name, version = owners[0], importlib.metadata.version(owners[0])
    try:
        tree = SourceTree.installed(top)
    except LookupError as exc:
        raise DraftError(f"{target}: {exc}") from None
    return Library(top, name, version, [], importable=False), tree


def _module(tree: SourceTree, name: str) -> ast.Module:
    module = tree.module(name)
    if module is None:
        raise DraftError(f"{name}: its source cannot be read")
    return module


def _find(tree: SourceTree, name: str) -> ClassSource:
    source = tree.find_class(name)
    if source is None:
        raise DraftError(f"{name}: no such class in the installed source")
    return source


def _is_exception(source: ClassSource) -> bool:
    bases = [ast.unparse(base) for cls in source.mro() for base in cls.node.bases]
    return any(word in text for text in (source.name, *bases) for word in _EXCEPTION_WORDS)


def method_aliases(source: ClassSource) -> set[str]:
    """Class-level names bound to a method of the class (`cwd = chdir`): methods, not attributes."""
    functions = {f.name for cls in source.mro() for f in cls._functions()}
    return {target.id for cls in source.mro() for node in cls.node.body if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Name) and node.value.id in functions
            for target in node.targets if isinstance(target, ast.Name) and not target.id.startswith("_")}


def _class_draft(source: ClassSource, names: list[str], drafted: Container[str]) -> ClassDraft:
    """The class under the name of its defining module; `names`: those it was found by; `drafted`:
    the classes of the draft (a drafted base lists its own names)."""
    aliases = method_aliases(source)
    bases = [base.qualname for base in source.bases if base.qualname in drafted]
    attributes, methods = set(source.attributes() - aliases), set(source.methods() | aliases)
    for base in source.bases:
        if base.qualname in drafted:
            attributes -= base.attributes()
            methods -= base.methods() | method_aliases(base)
    keywords = _keywords(source.keywords())
    slotted = source.slotted()
    name = source.qualname
    draft = ClassDraft(name=name, aliases=sorted(n for n in names if n != name), bases=bases,
                       attributes=attributes, methods=methods,
                       unknown_attributes="raises" if slotted else "silent", keywords=keywords)
    if slotted is None:
        draft.notes.append("a base is outside the library: whether unknown attributes raise is not read")
    draft.knobs = knob_hints(keywords.names, attributes, methods, lambda keyword: _default(source, keyword))
    return draft


def _keywords(found: SourceKeywords) -> Keywords:
    if not found.var_keyword:
        return Keywords(set(found.names), "raises")
    if found.rejects_others:
        return Keywords(set(found.names), "raises", ["**kwargs: the keys it reads; it raises for any other"])
    return Keywords(set(found.names), "swallows", ["**kwargs: the keys it reads, read in the source"], False)


def _default(source: ClassSource, keyword: str) -> Any:
    """A constructor parameter's default when it is a literal, else no default (`inspect`'s empty)."""
    for cls in source.mro():
        init = next((f for f in cls._functions() if f.name == "__init__"), None)
        if init is None:
            continue
        args = init.args
        positional = [*args.posonlyargs, *args.args]
        pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
        pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
        for parameter, default in pairs:
            if parameter.arg == keyword:
                try:
                    return ast.literal_eval(default)
                except (ValueError, SyntaxError):
                    return inspect.Parameter.empty
        return inspect.Parameter.empty
    return inspect.Parameter.empty

"""The schemas' version ranges (`[class.history]`) against the real source of several releases.

Each release is downloaded once (a wheel, else the sdist) into the cache of
`lintkit.generators.library_source` and read with `ast`: nothing is installed or imported.
For every keyword a release's constructor accepts, and every name with an
attribute range, the schema must say the release has it, and for every other
name that it does not.  The installed library is read the same way, and names
where the schema and the installed source disagree are left to
`test_schema_drift.py`.  A release that is not cached and cannot be downloaded
is skipped.
"""

from __future__ import annotations

import pytest
from packaging.specifiers import SpecifierSet

from lintkit.generators.library_source import SourceTree, fetch
from lintkit.schemas.name_history import NameRange
from lintkit.schemas.registry import load_schema_set
from lintkit.schemas.schema import ClassSchema

#: Distribution -> the releases read: the versions the issue names (paramiko 2.x, pika 0.13,
#: redis 4 and 5, kombu 4, websocket-client 0.x) and both sides of every range the schema states.
RELEASES = {
    "pika": ["0.10.0", "0.11.0", "0.11.1", "0.12.0", "0.13.0", "0.13.1", "1.0.0"],
    "paramiko": ["2.4.2", "2.5.1", "2.6.0", "2.8.1", "2.9.0", "2.11.1", "2.12.0", "3.0.0", "3.1.0", "3.2.0", "3.3.2",
                 "3.4.0", "3.5.1", "4.0.0", "5.0.0"],
    "redis": ["4.6.0", "5.0.0", "5.0.1", "5.0.2", "5.0.3", "5.0.4", "5.0.8", "5.1.0", "5.2.1", "5.3.0", "5.3.1",
              "6.0.0", "6.4.0", "7.0.0", "7.1.1", "7.2.0", "7.4.1", "8.0.0"],
    "kombu": ["4.6.11", "5.6.0", "5.6.1"],
    "websocket-client": ["0.57.0", "0.59.0", "1.3.1", "1.3.2", "1.4.0", "1.4.1", "1.7.0", "1.8.0", "1.9.0"],
    "elasticsearch": ["7.17.12", "8.0.0", "8.19.3", "9.0.0", "9.3.0", "9.4.0", "9.5.0"],
    "stomp.py": ["4.1.23", "6.1.0", "6.1.1", "7.0.0", "8.0.0"],
    "pysftp": ["0.2.8", "0.2.9"],
}
#: Classes whose **kwargs a release hands on to others (elasticsearch 7.x: Transport keeps its own and
#: passes the rest to the ConnectionPool and to each connection): the release also takes their keywords.
#: `connections` is the pool's positional parameter, which Transport always fills.
FORWARDED = {"elasticsearch._sync.client.Elasticsearch": (
    "elasticsearch.transport.Transport", "elasticsearch.connection_pool.ConnectionPool",
    "elasticsearch.connection.http_urllib3.Urllib3HttpConnection")}
NOT_FORWARDED = {"connections"}
SCHEMAS = load_schema_set()


def _classes(distribution: str) -> list[ClassSchema]:
    library = next(lib for lib in SCHEMAS.libraries if lib.distribution == distribution)
    return [cls for cls in library.classes if cls.history]


def _in_release(entry: NameRange | None, current: bool, version: str) -> bool:
    """Whether the schema says `version` has the name (no range: as in the schema's version)."""
    if entry is None:
        return current
    return SpecifierSet(entry.specifier).contains(version, prereleases=True)


def _find(tree: SourceTree, cls: ClassSchema):
    """The class in a release, by its name or an alias (elasticsearch 7.x defines it in `client`)."""
    return next(filter(None, (tree.find_class(name) for name in (cls.name, *cls.aliases))), None)


def _keywords(tree: SourceTree, found, cls: ClassSchema) -> frozenset[str]:
    """The constructor's keywords, and those of the classes its **kwargs go on to in that release."""
    names = set(found.keywords().names)
    for forwarded in FORWARDED.get(cls.name, ()):
        other = tree.find_class(forwarded)
        if other is not None:
            names |= other.keywords().names - NOT_FORWARDED
    return frozenset(names)


def _installed(module: str) -> SourceTree:
    try:
        return SourceTree.installed(module)
    except LookupError:
        pytest.skip(f"{module} is not installed")


@pytest.mark.parametrize(("distribution", "version"),
                         [(d, v) for d, versions in RELEASES.items() for v in versions])
def test_ranges_match_the_release(distribution: str, version: str) -> None:
    root = fetch(distribution, version, timeout=60)
    if root is None:
        pytest.skip(f"{distribution}=={version} is not cached and cannot be downloaded")
    release = SourceTree(root)
    classes = _classes(distribution)
    assert classes, f"no schema class of {distribution} states a version range"
    current_tree = _installed(classes[0].name.split(".")[0])
    wrong = []
    for cls in classes:
        old, current = _find(release, cls), _find(current_tree, cls)
        assert old is not None and current is not None, f"{cls.name} not found in {distribution} {version}"
        lists = {"kwargs": (cls.kwargs or frozenset(), _keywords(release, old, cls), current.keywords().names),
                 "attributes": (SCHEMAS.attributes(cls) or frozenset(), old.attributes(), current.attributes()),
                 **{f"method_kwargs.{method}": (names, old.keywords(method).names, current.keywords(method).names)
                    for method, names in cls.method_kwargs.items()},
                 **({"settings_keys": (cls.settings_keys, URL_KEY_READERS[cls.name](old),
                                       URL_KEY_READERS[cls.name](current))}
                    if cls.name in URL_KEY_READERS else {})}
        for kind, (listed, in_old, in_current) in lists.items():
            ranged = {e.name: e for e in cls.history if e.kind == kind}
            # Keywords are compared in full; attributes for the names with a range.
            names = ranged.keys() if kind == "attributes" else {*in_old, *in_current, *ranged}
            for name in sorted(n for n in names if not n.startswith("_")):
                if name not in ranged and (name in listed) != (name in in_current):
                    continue  # the schema's version itself: test_schema_drift.py
                said = _in_release(ranged.get(name), name in listed, version)
                if said != (name in in_old):
                    wrong.append(f"{cls.name} {kind} {name!r}: the schema says {distribution} {version} "
                                 f"{'has' if said else 'lacks'} it; its source {'has' if name in in_old else 'lacks'} it")
        wrong.extend(_policy_mismatches(cls, old, distribution, version))
    assert not wrong, "\n".join(wrong)


def _pika_url_keys(cls) -> frozenset[str]:
    """pika's URL query keys: its `_set_url_<name>` methods (0.11.0 on), else the keys
    `_process_url` tests with `'name' in values` (0.10.0)."""
    import ast

    from lintkit.generators.library_source import key_read

    functions = [f for c in cls.mro() for f in c.node.body if isinstance(f, ast.FunctionDef)]
    setters = {f.name[len("_set_url_"):] for f in functions if f.name.startswith("_set_url_")}
    if setters:
        return frozenset(setters)
    process = next(f for f in functions if f.name == "_process_url")
    holds = lambda expr: isinstance(expr, ast.Name) and expr.id == "values"  # noqa: E731
    return frozenset(filter(None, (key_read(node, holds) for node in ast.walk(process))))


def _refuses_url_keys(found) -> bool:
    import ast

    return any(isinstance(node, ast.Constant) and isinstance(node.value, str) and
               node.value.startswith("Unknown URL parameter") for cls in found.mro() for node in ast.walk(cls.node))


#: Class -> the reader of the URL query keys a release's class takes (schema `settings_keys`).
URL_KEY_READERS = {"pika.connection.URLParameters": _pika_url_keys}


def _policy(cls: ClassSchema, kind: str, version: str) -> str:
    """What the release does with an unknown name: the class's policy, or a `history.unknown_<kind>` one."""
    for entry in cls.history:
        if entry.kind == f"unknown_{kind}" and SpecifierSet(entry.specifier).contains(version, prereleases=True):
            return entry.name
    return {"kwargs": cls.unknown_kwargs, "attributes": cls.unknown_attributes,
            "settings_keys": cls.unknown_settings_keys}[kind]


def _policy_mismatches(cls: ClassSchema, old, distribution: str, version: str) -> list[str]:
    """The policies the messages state for names outside their ranges, against the release's code:
    TypeError needs a signature without **kwargs (or one that raises on leftovers); silently
    ignored needs a **kwargs that does not; AttributeError needs __slots__ all the way up."""
    found = []
    keywords, kwargs_policy = old.keywords(), _policy(cls, "kwargs", version)
    if kwargs_policy in ("raises", "swallows") and keywords.rejects_others != (kwargs_policy == "raises"):
        found.append(f"{cls.name}: {distribution} {version} {'rejects' if keywords.rejects_others else 'accepts'} "
                     f"unknown keywords; the schema says {kwargs_policy}")
    for method in cls.method_kwargs:
        if not old.keywords(method).rejects_others:
            found.append(f"{cls.name}.{method}: {distribution} {version} accepts unknown keywords; the messages "
                         f"say TypeError")
    if cls.name in URL_KEY_READERS and _refuses_url_keys(old) != (_policy(cls, "settings_keys", version) == "raises"):
        found.append(f"{cls.name}: {distribution} {version} {'refuses' if _refuses_url_keys(old) else 'ignores'} "
                     f"unknown URL query keys; the schema says {_policy(cls, 'settings_keys', version)}")
    slotted, attributes_policy = old.slotted(), _policy(cls, "attributes", version)
    if slotted is not None and slotted != (attributes_policy == "raises"):
        found.append(f"{cls.name}: {distribution} {version} {'has' if slotted else 'has no'} __slots__; the schema "
                     f"says unknown attributes are {attributes_policy}")
    return found


#: How to build an instance without a network connection, where the constructor needs arguments.
_BUILD = {"pika.connection.URLParameters": ("amqp://broker/",)}


def _installed_class(cls: ClassSchema):
    import importlib

    module, _, name = cls.name.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except ImportError:
        pytest.skip(f"{module} is not installed")


@pytest.mark.parametrize("cls", [c for d in RELEASES for c in _classes(d) if any(e.removed_in for e in c.history)],
                         ids=lambda c: c.name)
def test_a_removed_name_fails_as_the_message_says(cls: ClassSchema) -> None:
    """With the installed (the schema's) version, a removed keyword raises TypeError and a removed
    attribute AttributeError, where the schema says so."""
    real = _installed_class(cls)
    for entry in (e for e in cls.history if e.removed_in):
        if entry.kind.startswith("method_kwargs."):
            method = getattr(real(*_BUILD.get(cls.name, ())), entry.kind.split(".", 1)[1])
            with pytest.raises(TypeError, match=entry.name):
                method(**{entry.name: None})
        if entry.kind == "kwargs" and cls.unknown_kwargs == "raises":
            with pytest.raises(TypeError, match=entry.name):
                real(*_BUILD.get(cls.name, ()), **{entry.name: None})
        if entry.kind == "settings_keys" and cls.unknown_settings_keys == "raises":
            with pytest.raises(ValueError, match=entry.name):
                real(f"{_BUILD[cls.name][0]}?{entry.name}=1")
        if entry.kind == "attributes" and cls.unknown_attributes == "raises":
            instance = real(*_BUILD.get(cls.name, ()))
            with pytest.raises(AttributeError):
                setattr(instance, entry.name, None)


def test_every_range_is_read_on_both_sides() -> None:
    """Each `since`/`removed_in` bound is among the releases read (with the release before it)."""
    missing = []
    for distribution, versions in RELEASES.items():
        for cls in _classes(distribution):
            for entry in cls.history:
                for bound in filter(None, (entry.since, entry.removed_in)):
                    if bound not in versions:
                        missing.append(f"{cls.name} {entry.kind} {entry.name}: {distribution} {bound} not read")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("cls", [c for c in SCHEMAS.classes.values() if c.method_kwargs], ids=lambda c: c.name)
def test_method_kwargs_are_the_installed_methods_keywords(cls: ClassSchema) -> None:
    """`method_kwargs` lists every keyword of the method, and the method takes no other (no **kwargs)."""
    import inspect

    real = _installed_class(cls)
    for method, names in cls.method_kwargs.items():
        parameters = list(inspect.signature(getattr(real, method)).parameters.values())[1:]
        assert not any(p.kind is p.VAR_KEYWORD for p in parameters), f"{cls.name}.{method} takes **kwargs"
        assert names == {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}


def _libraries_with_names(distribution: str):
    return [lib for lib in SCHEMAS.libraries if lib.distribution == distribution and lib.names_history]


@pytest.mark.parametrize(("distribution", "version"),
                         [(d, v) for d, versions in RELEASES.items() for v in versions if _libraries_with_names(d)])
def test_name_ranges_match_the_release(distribution: str, version: str) -> None:
    """`[library.history.names]`: a release has each name (a module, or a name its module binds)
    exactly when the range says so; the installed version has every name without `removed_in`."""
    root = fetch(distribution, version, timeout=60)
    if root is None:
        pytest.skip(f"{distribution}=={version} is not cached and cannot be downloaded")
    release = SourceTree(root)
    wrong = []
    for library in _libraries_with_names(distribution):
        installed = _installed(library.name)
        for entry in library.names_history:
            said = SpecifierSet(entry.specifier).contains(version, prereleases=True)
            if said != release.has_name(entry.name):
                wrong.append(f"{entry.name}: the schema says {distribution} {version} "
                             f"{'has' if said else 'lacks'} it; its source does not agree")
            if installed.has_name(entry.name) != (entry.removed_in is None):
                wrong.append(f"{entry.name}: the installed {distribution} disagrees with removed_in")
            if entry.renamed_to and not installed.has_name(entry.renamed_to):
                wrong.append(f"{entry.name}: renamed_to {entry.renamed_to} is not in the installed {distribution}")
    assert not wrong, "\n".join(wrong)


def test_every_name_range_is_read_on_both_sides() -> None:
    missing = [f"{entry.name}: {distribution} {bound} not read"
               for distribution, versions in RELEASES.items() for library in _libraries_with_names(distribution)
               for entry in library.names_history for bound in filter(None, (entry.since, entry.removed_in))
               if bound not in versions]
    assert not missing, "\n".join(missing)


def _factories_with_history(distribution: str):
    library = next(lib for lib in SCHEMAS.libraries if lib.distribution == distribution)
    return [factory for factory in library.factories if factory.history]


@pytest.mark.parametrize(("distribution", "version"),
                         [(d, v) for d, versions in RELEASES.items() for v in versions if _factories_with_history(d)])
def test_factory_ranges_match_the_release(distribution: str, version: str) -> None:
    """`[factory.history.kwargs]`: the factory's own keywords in each release (a method's or a
    module function's, with the keys it reads from **kwargs)."""
    root = fetch(distribution, version, timeout=60)
    if root is None:
        pytest.skip(f"{distribution}=={version} is not cached and cannot be downloaded")
    release = SourceTree(root)
    wrong = []
    for factory in _factories_with_history(distribution):
        old = release.function_keywords(factory.name)
        current = _installed(factory.name.split(".")[0]).function_keywords(factory.name)
        assert old is not None and current is not None, f"{factory.name} not found in {distribution} {version}"
        ranged = {e.name: e for e in factory.history if e.kind == "kwargs"}
        for name in sorted(n for n in {*old.names, *current.names, *ranged} if not n.startswith("_")):
            listed = name in (factory.kwargs or ())
            if name not in ranged and listed != (name in current.names):
                continue  # the schema's version itself: test_schema_drift.py
            said = _in_release(ranged.get(name), listed, version)
            if said != (name in old.names):
                wrong.append(f"{factory.name} kwargs {name!r}: the schema says {distribution} {version} "
                             f"{'has' if said else 'lacks'} it")
    assert not wrong, "\n".join(wrong)


def test_every_factory_range_is_read_on_both_sides() -> None:
    missing = [f"{factory.name} {entry.name}: {distribution} {bound} not read"
               for distribution, versions in RELEASES.items() for factory in _factories_with_history(distribution)
               for entry in factory.history for bound in filter(None, (entry.since, entry.removed_in))
               if bound not in versions]
    assert not missing, "\n".join(missing)

"""Draft the `history` tables of a schema from several releases of a library.

`lintkit schema generate TARGET --versions 0.10.0,0.11.0,1.0.0` reads each named
release's source with `lintkit.generators.library_source` (downloaded once into its cache,
never installed or imported) and the installed version the same way, then says,
for each keyword and attribute of a drafted class, in which releases it exists:

    [class.history.kwargs]
    heartbeat = { since = "0.11.0" }        # first release read that has it
    heartbeat_interval = { removed_in = "1.0.0" }  # first release without it after having it

A rename cannot be told from a removal plus an addition, so `renamed_to` (and
`deprecated_in`) are left to a person: where exactly one name of a kind leaves in
the release where exactly one arrives, the arrival is suggested in a TODO comment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

from .library_source import ClassSource, SourceTree, fetch

TODO = "TODO"


class ReleaseMissing(LookupError):
    """A release is neither cached nor downloadable."""


@dataclass(frozen=True)
class Release:
    version: str
    tree: SourceTree


@dataclass(frozen=True)
class DraftedRange:
    """The releases read that have one name: `since` the first (None: the first read),
    `removed_in` the first without it after having it (None: the last read has it)."""

    name: str
    since: str | None = None
    removed_in: str | None = None
    #: The name that arrived in the release this one left in, when it is the only pair: a guess.
    rename_candidate: str | None = None
    #: It left and came back (or the like): the range is not one interval.
    gaps: bool = False

    def toml(self) -> str:
        keys = [f"{key} = {json.dumps(value)}" for key, value in
                (("since", self.since), ("removed_in", self.removed_in)) if value]
        return f"{self.name} = {{ {', '.join(keys)} }}"


def version_key(version: str):
    """Releases in order (PEP 440; plain numbers compared as numbers without `packaging`)."""
    try:
        from packaging.version import Version

        return (0, Version(version))
    except Exception:  # no packaging, or not a PEP 440 version: keep the order given
        return (1, version)


def read_releases(distribution: str, versions: Iterable[str], current: tuple[str, SourceTree] | None = None,
                  fetcher: Callable[[str, str], object] | None = None) -> list[Release]:
    """Each named release, oldest first, and the installed one (`current`) in its place."""
    releases = {}
    for version in versions:
        if current is not None and version == current[0]:
            continue
        root = (fetcher or fetch)(distribution, version)
        if root is None:
            raise ReleaseMissing(f"{distribution}=={version} is not cached and cannot be downloaded")
        releases[version] = SourceTree(root)
    if current is not None:
        releases[current[0]] = current[1]
    return [Release(v, releases[v]) for v in sorted(releases, key=version_key)]


def names_of(cls: ClassSource, kind: str) -> frozenset[str]:
    """The names of one history kind a release's class has: `kwargs`, `attributes`,
    `method_kwargs.<method>`."""
    if kind == "attributes":  # class-level values are constants and defaults, read on the class
        return cls.attributes(class_level=False)
    method = kind.split(".", 1)[1] if kind.startswith("method_kwargs.") else "__init__"
    return frozenset(n for n in cls.keywords(method).names if not n.startswith("_"))


def ranges(presence: Sequence[tuple[str, frozenset[str]]]) -> list[DraftedRange]:
    """The range of every name not in every release, from (version, names) oldest first."""
    versions = [v for v, _ in presence]
    found = []
    for name in sorted(set().union(*(names for _, names in presence))):
        has = [name in names for _, names in presence]
        if all(has):
            continue
        first = has.index(True)
        gone = next((i for i in range(first, len(has)) if not has[i]), None)
        gaps = gone is not None and any(has[gone:])
        found.append(DraftedRange(name, versions[first] if first else None,
                                  versions[gone] if gone is not None else None, gaps=gaps))
    return _with_rename_candidates(found)


def _with_rename_candidates(found: list[DraftedRange]) -> list[DraftedRange]:
    arrived: dict[str, list[str]] = {}
    left: dict[str, list[str]] = {}
    for entry in found:
        if entry.since:
            arrived.setdefault(entry.since, []).append(entry.name)
        if entry.removed_in:
            left.setdefault(entry.removed_in, []).append(entry.name)
    return [DraftedRange(e.name, e.since, e.removed_in,
                         arrived[e.removed_in][0] if e.removed_in and len(left[e.removed_in]) == 1
                         and len(arrived.get(e.removed_in, ())) == 1 else None, e.gaps)
            for e in found]


def class_history(releases: Sequence[Release], qualname: str, kinds: Iterable[str]) -> dict[str, list[DraftedRange]]:
    """kind -> the ranges of the class's names across the releases that have the class."""
    history: dict[str, list[DraftedRange]] = {}
    present = [(r.version, c) for r in releases for c in [r.tree.find_class(qualname)] if c is not None]
    for kind in kinds:
        entries = ranges([(v, names_of(c, kind)) for v, c in present])
        if entries:
            history[kind] = entries
    return history


def render_history(qualname: str, history: Mapping[str, list[DraftedRange]], versions: Sequence[str],
                   listed: Mapping[str, Iterable[str]], table: str = "class") -> list[str]:
    """The `[class.history.<kind>]` tables.  An entry the loader would refuse (a name the drafted
    list has and the source says is gone, or the reverse: the source and the import disagree) is
    written commented out, marked TODO."""
    out = []
    for kind, entries in history.items():
        names = set(listed.get(kind, ()))
        group, _, sub = kind.partition(".")
        out += ["", f"# {qualname} {kind} in the source of {', '.join(versions)} (lintkit.generators.library_source).",
                f"# {TODO}: add renamed_to, deprecated_in and note where a person's reading of the changelog says so.",
                f"[{table}.history.{group}{'.' + sub if sub else ''}]"]
        for entry in entries:
            line = entry.toml()
            comments = []
            if entry.gaps:
                comments.append(f"{TODO}: it left and came back: read the releases between")
            if entry.rename_candidate:
                comments.append(f"{TODO}: renamed_to = {json.dumps(entry.rename_candidate)}? "
                                f"({entry.rename_candidate} arrived in {entry.removed_in})")
            refused = (entry.removed_in is not None) == (entry.name in names)
            if refused:
                comments.append(f"{TODO}: the drafted {kind} {'has' if entry.name in names else 'lacks'} it; "
                                "read the installed source")
            out.append(("# " if refused or entry.gaps else "") + line + ("  # " + "; ".join(comments) if comments else ""))
    return out


def factory_history(releases: Sequence[Release], qualname: str) -> list[DraftedRange]:
    """The ranges of a factory's own keywords (a method's or a module function's) across the
    releases that have it."""
    present = [(r.version, keywords.names) for r in releases
               for keywords in [r.tree.function_keywords(qualname)] if keywords is not None]
    return ranges([(v, frozenset(n for n in names if not n.startswith("_"))) for v, names in present])


def _methods_of(methods: Iterable[str], classes: Iterable[str]) -> dict[str, list[str]]:
    """`CLASS.METHOD` arguments -> class -> its methods; a class must be drafted."""
    found: dict[str, list[str]] = {}
    drafted = set(classes)
    for spec in methods:
        owner, _, method = spec.rpartition(".")
        if owner not in drafted:
            raise LookupError(f"--method {spec}: {owner or spec} is not a drafted class (name it with --class)")
        found.setdefault(owner, []).append(method)
    return found


def draft_histories(draft, versions: Sequence[str], fetcher: Callable[[str, str], object] | None = None,
                    methods: Iterable[str] = ()) -> dict[str, list[str]]:
    """Class or factory name -> its history tables (TOML lines), for every class and factory of a
    `schema_draft.Draft`, across the named releases and the installed one; `methods` (`CLASS.METHOD`)
    also get their `method_kwargs` list and history."""
    library = draft.library
    if library.distribution == "cpython":
        raise ReleaseMissing("--versions reads released distributions, not the standard library")
    installed = SourceTree.installed(library.name.split(".")[0])
    by_class = _methods_of(methods, (cls.name for cls in draft.classes))
    releases = read_releases(library.distribution, versions, (library.version, installed), fetcher)
    read = [r.version for r in releases]
    histories = {cls.name: class_history(releases, cls.name, ("kwargs", "attributes", *(
        f"method_kwargs.{m}" for m in by_class.get(cls.name, ())))) for cls in draft.classes}
    by_name = {cls.name: cls for cls in draft.classes}
    tables = {}
    for cls in draft.classes:
        history = histories[cls.name]
        # A drafted base lists (and ranges) the attributes it has: the draft does not repeat them.
        inherited = {name for base in _drafted_ancestors(cls, by_name) for name in
                     {*by_name[base].attributes, *(e.name for e in histories[base].get("attributes", ()))}}
        if "attributes" in history:
            history["attributes"] = [e for e in history["attributes"] if e.name not in inherited]
            if not history["attributes"]:
                del history["attributes"]
        without = [r.version for r in releases if r.tree.find_class(cls.name) is None]
        current = installed.find_class(cls.name)
        own = {f"method_kwargs.{m}": names_of(current, f"method_kwargs.{m}") if current is not None else frozenset()
               for m in by_class.get(cls.name, ())}
        lines = ["method_kwargs = { " + ", ".join(f"{kind.split('.', 1)[1]} = {json.dumps(sorted(names))}"
                                                   for kind, names in own.items()) + " }"] if own else []
        lines += [f"# {TODO}: {cls.name} is not in {', '.join(without)}: its ranges start later"] if without else []
        lines += render_history(cls.name, history, read, {"kwargs": cls.keywords.names, "attributes": cls.attributes,
                                                          **own})
        if lines:
            tables[cls.name] = lines
    for factory in draft.factories:
        entries = factory_history(releases, factory.name)
        without = [r.version for r in releases if r.tree.function_keywords(factory.name) is None]
        lines = [f"# {TODO}: {factory.name} is not in {', '.join(without)}: its ranges start later"] if without else []
        if entries:
            lines += render_history(factory.name, {"kwargs": entries}, read, {"kwargs": factory.keywords.names},
                                    table="factory")
        if lines:
            tables[factory.name] = lines
    return tables


def _drafted_ancestors(cls, by_name) -> set[str]:
    found, pending = set(), list(cls.bases)
    while pending:
        base = pending.pop()
        if base in by_name and base not in found:
            found.add(base)
            pending.extend(by_name[base].bases)
    return found

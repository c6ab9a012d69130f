"""A name judged against the version of its library the checked project uses.

Shared by LK101, LK102 and LK103.  The schema's lists describe one version of
the library; its `history` (`name_history.NameRange`) says which versions have
each name that differs.  The project's versions come from `versions.py` (its
pins, else the installed version), as for the knobs of the LK2xx rules:

- a name the schema's version lacks but every version the project allows has
  (`gss_kex=` with `paramiko==2.4.2`) is valid: no finding;
- a name none of them has is reported with when it was removed or renamed, or
  when it was added, and what the library does with it then;
- when the versions allowed are unknown or on both sides, a name gone from the
  schema's version is reported in one line that says in which versions it
  works; a name only newer versions have is left alone (an unpinned install
  gets the newest);
- inside an `if` that tests the library's version, or a `try` that catches
  what the library raises for a name it lacks (`try: ...(heartbeat=60)
  except TypeError: ...(heartbeat_interval=60)`), the code handles both: no
  finding.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Iterable

from ..schemas.name_history import NameRange

#: What the library does with an unknown name, in a few words, per list and policy.
_EFFECTS = {
    ("kwargs", "raises"): "TypeError at the call",
    ("kwargs", "swallows"): "{library} silently ignores it",
    ("kwargs", "deferred"): "it fails at the first connection",
    ("attributes", "raises"): "AttributeError at run time",
    ("attributes", "silent"): "{library} never reads it",
    ("option_keys", ""): "{library} never applies it",
    ("method_kwargs", "raises"): "TypeError at the call",
    ("settings_keys", "ignored"): "{library} ignores it",
    ("settings_keys", "raises"): "ValueError at the call",
    ("keys", "stored"): "{library} stores it and never reads it",
    ("keys", "ignored"): "{library} silently ignores it",
    ("names", "import"): "ImportError at import",
    ("names", "attribute"): "AttributeError at run time",
}


@dataclass(frozen=True)
class Verdict:
    """What to say about one name for the project's versions."""

    #: The name works there: no finding at all.
    valid: bool
    message: str = ""
    explanation: str = ""
    #: The name to rename it to, and whether that is safe (the new name works there too).
    rename: str | None = None
    safe_rename: bool = False


VALID = Verdict(True)


def effect(kind: str, policy: str, library: str) -> str:
    return _EFFECTS[(kind.split(".")[0], policy if not kind.startswith("option_keys") else "")].format(
        library=library)


def _effect(kind: str, policy: str, library: str, history: Iterable[NameRange], constraint) -> str:
    """What the library does with a name it lacks, in the versions `constraint` allows: the
    class's policy, or the one a `history.unknown_<kind>` entry gives those versions."""
    base = kind.split(".")[0]
    text = effect(kind, policy, library)
    if base == "option_keys":
        return text
    for other in (e for e in history if e.kind == f"unknown_{base}"):
        inside = constraint.within(other.specifier) if constraint is not None else None
        if inside is True:
            return effect(kind, other.name, library)
        if inside is None:
            text += f" ({effect(kind, other.name, library)} with {library}{other.specifier})"
    return text


def _versions(specifier: str):
    """A `VersionConstraint` for a range of versions (the ones after a name's removal)."""
    from packaging.specifiers import SpecifierSet

    from .versions import VersionConstraint

    return VersionConstraint(SpecifierSet(specifier), "")


def entry_for(history: Iterable[NameRange], kind: str, name: str) -> NameRange | None:
    return next((entry for entry in history if entry.kind == kind and entry.name == name), None)


def judge(entry: NameRange, in_current: bool, history: Iterable[NameRange], *, library: str, distribution: str,
          policy: str, filename: str, versions, guarded: bool) -> Verdict | None:
    """The verdict on `entry.name` (listed in the schema's version when `in_current`);
    None when the schema's lists alone decide (a current name with no range in doubt)."""
    if guarded:
        return VALID  # `if redis.VERSION >= (5,)`: the code handles each version itself
    constraint = versions.constraint(filename, distribution) if versions is not None else None
    inside = constraint.within(entry.specifier) if constraint is not None else None
    what = _effect(entry.kind, policy, library, history, constraint)
    if in_current:
        if inside is not False:
            return None
        return Verdict(False, f"'{entry.name}' was added in {library} {entry.since}, after the version this "
                              f"project uses: {what}",
                       f"This project uses {constraint.source}.")
    if inside is True:
        return VALID
    rename = entry.renamed_to
    if inside is False:
        if rename:
            message = (f"'{entry.name}' was renamed '{rename}' in {library} {entry.deprecated_in}"
                       f" and removed in {entry.removed_in}: {what}") if entry.deprecated_in else \
                f"'{entry.name}' was removed in {library} {entry.removed_in} (use '{rename}'): {what}"
        elif entry.removed_in:
            message = f"'{entry.name}' was removed in {library} {entry.removed_in}: {what}"
        else:
            message = f"'{entry.name}' was added in {library} {entry.since}, after the version this project uses: {what}"
        if entry.note and not rename:
            message += f"; {entry.note}"
        safe = rename is not None and _works(rename, entry.kind, history, constraint)
        return Verdict(False, message, f"This project uses {constraint.source}.", rename, safe)
    # Versions unknown, or on both sides of the range: what happens after its removal.
    what = _effect(entry.kind, policy, library, history, _versions(f">={entry.removed_in}"))
    message = f"'{entry.name}' works only with {library}{entry.specifier.replace(',', ', ')}"
    if rename:
        message += f" (renamed '{rename}' in {entry.deprecated_in})" if entry.deprecated_in else f" (use '{rename}')"
    message += f"; {what} after that"
    why = (f"{constraint.source} allows versions with and without it." if constraint is not None else
           f"lintkit cannot tell which {library} version this project uses: pin it in pyproject.toml, setup.py, "
           f"setup.cfg or requirements.txt.")
    if entry.note:
        why += f" {entry.note}."
    safe = rename is not None and constraint is not None and _works(rename, entry.kind, history, constraint)
    return Verdict(False, message, why, rename, safe)


def _works(name: str, kind: str, history: Iterable[NameRange], constraint) -> bool:
    """The name works in every version the project allows (no range, or a range that covers them)."""
    entry = entry_for(history, kind, name)
    return entry is None or constraint.within(entry.specifier) is True


def verdict_for(check, history: tuple[NameRange, ...], kind: str, name: str, in_current: bool, policy: str,
                cls, guards: frozenset[str] = frozenset(), node: ast.AST | None = None) -> Verdict | None:
    """`judge()` for a rule (`check`: its schemas, file and options) on a name of `cls`'s library,
    spelt at `node`."""
    entry = entry_for(history, kind, name)
    library = check.schemas.library_of(cls) if entry is not None else None
    if library is None:
        return None
    guarded = library.name.split(".")[0] in guards or library.distribution in guards
    verdict = judge(entry, in_current, history, library=library.name, distribution=library.distribution,
                    policy=policy, filename=check.context.filename, versions=check.options.versions, guarded=guarded)
    if verdict is not None and not verdict.valid and _falls_back(check, node, kind):
        return VALID
    return verdict


#: What a library raises for a keyword or attribute it lacks (when it raises at all).
_RAISED = {"kwargs": "TypeError", "method_kwargs": "TypeError", "attributes": "AttributeError",
           "settings_keys": "ValueError"}


def _falls_back(check, node: ast.AST | None, kind: str) -> bool:
    """The name is spelt inside a `try` (body or handler) that catches what a version without
    it raises: `try: Params(heartbeat=60) except TypeError: Params(heartbeat_interval=60)`."""
    exception = _RAISED.get(kind.split(".")[0])
    if exception is None or node is None:
        return False
    parents = check.context.parents
    current = parents.of(node)
    while current is not None and not isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                                                              ast.Lambda)):
        handlers = current.handlers if isinstance(current, ast.Try) else \
            [current] if isinstance(current, ast.ExceptHandler) else []
        if any(_catches(handler.type, exception) for handler in handlers):
            return True
        current = parents.of(current)
    return False


def _catches(caught: ast.expr | None, exception: str) -> bool:
    if isinstance(caught, ast.Tuple):
        return any(_catches(element, exception) for element in caught.elts)
    return isinstance(caught, ast.Name) and caught.id == exception or \
        isinstance(caught, ast.Attribute) and caught.attr == exception


def rename(verdict: Verdict):
    """The `Suggestion` a rule's `rename_fix()` takes for the verdict's new name (no fix: empty)."""
    from ..analysis.suggest import Suggestion

    return Suggestion((verdict.rename,), by_spelling=verdict.safe_rename) if verdict.rename else Suggestion()


def names_in_use(check, history: tuple[NameRange, ...], kind: str, listed: frozenset[str], cls) -> frozenset[str]:
    """The names of `listed` as the project's version of the library has them (for suggestions):
    those a range says it lacks are left out, those gone since the schema's version put back."""
    entries = [entry for entry in history if entry.kind == kind]
    library = check.schemas.library_of(cls) if entries else None
    constraint = check.options.versions.constraint(check.context.filename, library.distribution) \
        if library is not None else None
    if constraint is None:
        return listed
    names = set(listed)
    for entry in entries:
        inside = constraint.within(entry.specifier)
        if inside is True:
            names.add(entry.name)
        elif inside is False:
            names.discard(entry.name)
    return frozenset(names)


def unknown_name_effect(check, history: tuple[NameRange, ...], kind: str, policy: str, cls) -> str | None:
    """What the library does with a name it never had, for the project's versions, when a
    `history.unknown_<kind>` entry gives some versions another policy (elasticsearch<8 swallows
    unknown keywords, 8 raises TypeError); None when the class's policy holds for every version."""
    base = kind.split(".")[0]
    library = check.schemas.library_of(cls)
    if library is None or not any(entry.kind == f"unknown_{base}" for entry in history):
        return None
    text = name_effect(check, history, kind, policy, cls)
    return f"{text[0].upper()}{text[1:]}."


def name_effect(check, history: tuple[NameRange, ...], kind: str, policy: str, cls) -> str:
    """What the library does with a name it lacks, for the project's versions ("ValueError at the
    call", "pika never reads it (... with pika<0.11.0)")."""
    library = check.schemas.library_of(cls)
    if library is None:
        return effect(kind, policy, cls.library)
    versions = check.options.versions
    constraint = versions.constraint(check.context.filename, library.distribution) if versions is not None else None
    return _effect(kind, policy, library.name, history, constraint)

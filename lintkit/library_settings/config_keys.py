"""LK103 on configuration keys (lintkit/schemas/key_sets.py): the keys of a settings module's dicts
(Django's `DATABASES`, `CACHES`) and of a call's argument and URL query selected by the
URL's driver (SQLAlchemy's `connect_args`)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterator

from ..liveness import knobs as K
from ..schemas.key_sets import UNKNOWN_KEY_POLICIES, KeySet, known_keys
from .settings_modules import (dict_items, has_splat, is_settings_module, loaded_names, module_assignments,
                               settings_path)
from ..analysis.suggest import suggest
from ..analysis.values import literal_value

if TYPE_CHECKING:
    from ..checks.base import Check
    from ..analysis.events import KnownCall

#: What a policy means for the message's end, when no spelling is suggested.
_EFFECT = {
    "ignored": "{library} ignores it",
    "warns": "{library} warns and ignores it",
    "fails_at_connect": "the first connection fails, not start-up",
    "raises": "{library} fails at start-up",
}
_LIBRARY_NAMES = {"django": "Django", "django_redis": "django-redis", "sqlalchemy": "the driver"}


# --------------------------------------------------------------------------- reading keys


def literal_keys(value: ast.expr) -> Iterator[tuple[str, ast.AST]]:
    """The string keys of a literal collection, with the node that spells each one: a dict
    display, a list of `(key, value)` pairs (also `+`-joined), or `dict(KEY=...)`."""
    if isinstance(value, ast.Dict):
        candidates = [key for key in value.keys if key is not None]
    elif isinstance(value, (ast.List, ast.Tuple, ast.BinOp)):
        candidates = [item.elts[0] for item in K.literal_elements(value)
                      if isinstance(item, ast.Tuple) and len(item.elts) == 2]
    elif isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict":
        for keyword in value.keywords:
            if keyword.arg is not None:
                yield keyword.arg, keyword
        return
    else:
        return
    for key in candidates:
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            yield key.value, key


# --------------------------------------------------------------------------- reporting


def key_fix(check: Check, suggestion, key: str, node: ast.AST, given: set[str]):
    """Rename the key to the suggestion, where its spelling is plain in the source."""
    if set(suggestion.names) & given:
        return None
    if isinstance(node, ast.keyword):
        end = node.col_offset + len(key.encode("utf-8"))
        return check.rename_fix(suggestion, node.lineno, node.col_offset, node.lineno, end, "the key")
    if node.end_col_offset - node.col_offset == len(key.encode("utf-8")) + 2 and node.lineno == node.end_lineno:
        return check.rename_fix(suggestion, node.lineno, node.col_offset, node.end_lineno, node.end_col_offset,
                                "the key", quoted=True)
    return None


def key_span(node: ast.AST, key: str) -> tuple[int, int, int, int]:
    if isinstance(node, ast.keyword):
        return node.lineno, node.col_offset, node.lineno, node.col_offset + len(key.encode("utf-8"))
    return node.lineno, node.col_offset, node.end_lineno, node.end_col_offset


def _report_unknown(check: Check, key_set: KeySet, known: frozenset[str], key: str, node: ast.AST,
                    span: tuple[int, int, int, int], where: str, fix_target) -> None:
    note = key_set.notes.get(key)
    suggestion = suggest(key, known, {}, {})
    if key_set.report == "misspelt" and not suggestion.names and note is None:
        return
    library = _LIBRARY_NAMES.get(key_set.library, key_set.library)
    effect = _EFFECT[key_set.unknown_keys].format(library=library)
    message = f"'{key}' {where}"
    if suggestion.names:
        message += suggestion.hint()
    elif note is not None:
        message += f": {note}"
    else:
        message += f": {effect}"
    if key_set.unknown_keys == "fails_at_connect":
        explanation = ("The driver gets it only when the first connection is made, and fails there: in "
                       "production, not when the application starts.")
    else:
        explanation = f"{library} reads only the keys it knows and {UNKNOWN_KEY_POLICIES[key_set.unknown_keys]}."
    if note is not None and getattr(note, "why", ""):
        explanation = f"{note.why}. {explanation}"
    if suggestion.names and note is not None:
        explanation = f"{note}. {explanation}"
    if len(known) <= 40:
        explanation += f" The keys it knows: {', '.join(sorted(known))}."
    fix = fix_target(suggestion) if suggestion.names else None
    check.report(*span, message, fix, explanation)


def _check_collection(check: Check, key_set: KeySet, value: ast.expr, where: str) -> None:
    known = known_keys(check.schemas, key_set)
    pairs = list(literal_keys(value))
    given = {key for key, _ in pairs}
    for key, node in pairs:
        if key not in known:
            _report_unknown(check, key_set, known, key, node, key_span(node, key), where,
                            lambda suggestion, key=key, node=node: key_fix(check, suggestion, key, node, given))


# --------------------------------------------------------------------------- calls (SQLAlchemy)


def selected_key_set(check: Check, event: KnownCall):
    """(the key set, the URL) of a call to one of the key sets' `call` items, selected by the
    URL's driver; None when the call has none or its URL is unreadable."""
    key_sets = [ks for ks in check.schemas.key_sets if ks.call and _calls(check, ks, event)]
    if not key_sets:
        return None
    from .database_urls import read_url

    url_expr = _argument(event.call, key_sets[0].url_argument, key_sets[0].url_position)
    url = read_url(url_expr, event.resolver)
    if url is None:
        return None
    selected = [ks for ks in key_sets if _selects(check, ks, url.driver)]
    if not selected:
        return None
    return (selected[0] if len(selected) == 1 else _union(selected)), url


def check_call(check: Check, event: KnownCall) -> None:
    """The keys of `argument` and of the URL's query against the key set the URL's driver selects."""
    found = selected_key_set(check, event)
    if found is None:
        return
    key_set, url = found
    if key_set.argument:
        value = _argument(event.call, key_set.argument, None)
        if value is not None and not has_splat(value):
            _check_collection(check, key_set, value, f"in {key_set.argument} is not a keyword of {key_set.name}")
    known = known_keys(check.schemas, key_set) | key_set.query_keys
    for key, node in url.query:
        if key not in known:
            span, fix_target = _query_key_span(check, node, key)
            _report_unknown(check, key_set, known, key, node, span,
                            f"in the URL query is not a keyword of {key_set.name}", fix_target)


def _calls(check: Check, key_set: KeySet, event: KnownCall) -> bool:
    return event.target.display_name in _call_names(check.schemas, key_set)


def _call_names(schemas, key_set: KeySet) -> frozenset[str]:
    """How calls to the key set's `call` items are named in events (computed once per schema set)."""
    cache = schemas.__dict__.setdefault("_key_set_call_names", {})
    key = (key_set.origin, key_set.name)
    if key not in cache:
        items = [schemas.lookup(name) for name in key_set.call]
        cache[key] = frozenset(schemas.call_target(item).display_name for item in items if item is not None)
    return cache[key]


def _selects(check: Check, key_set: KeySet, driver: str) -> bool:
    if driver in key_set.drivers:
        return True
    versions = key_set.drivers_by_version.get(driver)
    if versions is None:
        return False
    constraint = check.options.versions.constraint(check.context.filename, key_set.distribution)
    # Unknown or on both sides of the range: the key set is one of the candidates (keys of any count).
    return constraint is None or constraint.within(versions) is not False


def _union(key_sets: list[KeySet]) -> KeySet:
    """A driver name that may select either of several drivers (version unknown): a key counts
    as known when any of them knows it."""
    from dataclasses import replace

    first = key_sets[0]
    return replace(first, name=" or ".join(ks.name for ks in key_sets),
                   keys=frozenset().union(*(ks.keys for ks in key_sets)),
                   keys_of=tuple(name for ks in key_sets for name in ks.keys_of),
                   query_keys=frozenset().union(*(ks.query_keys for ks in key_sets)),
                   notes={})


def _argument(call: ast.Call, keyword: str | None, position: int | None) -> ast.expr | None:
    for item in call.keywords:
        if item.arg == keyword and keyword is not None:
            return item.value
    if position is not None and len(call.args) > position and \
            not any(isinstance(arg, ast.Starred) for arg in call.args[:position + 1]):
        return call.args[position]
    return None


def _query_key_span(check: Check, node: ast.expr, key: str):
    """The key's own columns inside a one-line plain string literal (with a rename fix),
    else the whole expression (no fix)."""
    whole = (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)
    no_fix = (whole, lambda suggestion: None)
    if not (isinstance(node, ast.Constant) and node.lineno == node.end_lineno):
        return no_fix
    lines = check.context.lines
    if not 0 < node.lineno <= len(lines):
        return no_fix
    raw = lines[node.lineno - 1].encode("utf-8")[node.col_offset:node.end_col_offset].decode("utf-8", "replace")
    if raw[:1] not in ("'", '"') or "\\" in raw:
        return no_fix
    for mark in ("?", "&"):
        at = raw.find(f"{mark}{key}=")
        if at != -1:
            start = node.col_offset + len(raw[:at + 1].encode("utf-8"))
            end = start + len(key.encode("utf-8"))
            span = (node.lineno, start, node.lineno, end)
            return span, lambda suggestion: check.rename_fix(suggestion, *span, "the query key")
    return no_fix


# --------------------------------------------------------------------------- settings modules (Django)


def check_settings_module(check: Check) -> None:
    """The key sets of `setting`s assigned in a settings module."""
    key_sets = [ks for ks in check.schemas.key_sets if ks.setting]
    if not key_sets or not settings_path(check.context.filename):
        return
    tree = check.context.tree
    assignments = list(module_assignments(tree))
    assigned = {a.name for a in assignments if not a.keys}
    settings = {ks.setting for ks in key_sets}
    misplaced = {name: ks for ks in key_sets for name in ks.ignored_as_settings}
    if not {a.name for a in assignments} & (settings | set(misplaced)) or \
            not is_settings_module(tree, check.context.filename, assigned - settings - set(misplaced)):
        return
    for assignment in assignments:
        for key_set in key_sets:
            path = _remaining_path(key_set, assignment.name, assignment.keys)
            if path is not None:
                for collection, holder in _at_path(assignment.value, path):
                    if _applies(key_set, collection, holder):
                        _check_collection(check, key_set, collection, f"is not a key of {key_set.name}")
            elif assignment.keys and not key_set.when and \
                    _remaining_path(key_set, assignment.name, assignment.keys[:-1]) == ():
                _check_subscript_key(check, key_set, assignment.target)
    _check_misplaced(check, [a for a in assignments if not a.keys], misplaced)


def _check_subscript_key(check: Check, key_set: KeySet, target: ast.Subscript) -> None:
    """`DATABASES["default"]["CONN_MAX_AGES"] = 60`: the last subscript is a key of the entry."""
    known = known_keys(check.schemas, key_set)
    key, node = target.slice.value, target.slice
    if key not in known:
        _report_unknown(check, key_set, known, key, node, key_span(node, key), f"is not a key of {key_set.name}",
                        lambda suggestion: key_fix(check, suggestion, key, node, set()))


def _remaining_path(key_set: KeySet, name: str, keys: tuple[str, ...]) -> tuple[str, ...] | None:
    """The rest of the key set's path below `NAME[keys...]`, or None when it leads elsewhere."""
    if key_set.setting != name or len(keys) > len(key_set.path):
        return None
    for key, step in zip(keys, key_set.path):
        if step not in ("*", key):
            return None
    return key_set.path[len(keys):]


def _at_path(value: ast.expr, path: tuple[str, ...],
             parent: ast.expr | None = None) -> Iterator[tuple[ast.expr, ast.expr | None]]:
    """The literal collections at `path` ("*": every value), with the dict that holds each."""
    if not path:
        yield value, parent
        return
    head, rest = path[0], path[1:]
    items = dict_items(value)
    children = items.values() if head == "*" else [items[head]] if head in items else []
    for child in children:
        yield from _at_path(child, rest, value)


def _applies(key_set: KeySet, collection: ast.expr, parent: ast.expr | None) -> bool:
    if has_splat(collection):
        return False
    if key_set.when:
        siblings = dict_items(parent) if parent is not None else {}
        for key, values in key_set.when.items():
            if literal_value(siblings.get(key)) not in values:
                return False
    own = dict_items(collection)
    for key, values in key_set.unchecked_unless.items():
        if key in own and literal_value(own[key]) not in values:
            return False
    return True


def _check_misplaced(check: Check, assignments: list, misplaced: dict[str, KeySet]) -> None:
    """`CONN_MAX_AGE = 60` at module level: Django reads it per DATABASES entry only."""
    found = [a for a in assignments if a.name in misplaced]
    if not found:
        return
    read = loaded_names(check.context.parents.tree_index)
    for assignment in found:
        name, target = assignment.name, assignment.target
        if name in read:
            continue  # a helper variable the module puts into the entries itself
        key_set = misplaced[name]
        library = _LIBRARY_NAMES.get(key_set.library, key_set.library)
        check.report(target.lineno, target.col_offset, target.end_lineno, target.end_col_offset,
                     f"'{name}' is not a setting: {library} reads it only as a key of {key_set.name}",
                     None,
                     f"{library} never reads a module-level {name}; put it in each {key_set.setting} "
                     f"entry (\"{name}\": ...) where it should apply.")

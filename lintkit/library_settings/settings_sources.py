"""Where a file sets configuration keys of a `[[settings]]` schema, and which.

Read from the syntax tree alone (nothing is imported), for each settings schema:

- the holder's constructor keywords that are not its own parameters
  (`Celery("proj", broker_heartbeat=10)`), and its `changes={...}` dict;
- `app.conf.update(key=value)`, `app.conf.update({"key": value})`,
  `app.conf.key = value` and `app.conf["key"] = value`, where `app` is bound
  in the file to a holder instance (`app = Celery(...)`, a subclass, or an
  instance name such as `celery.current_app`);
- the target of `app.config_from_object(X)` (or `Celery(config_source=X)`)
  when the file defines it: a class (its body's assignments), a dict literal
  or a name bound to one.  With `namespace="CELERY"` only names carrying
  the `CELERY_` prefix count. A module named by a string lives in another file;
- a settings module (`[[settings.module]]`): its module-level names that carry the prefix.

Each use records the exact span of the name, so rules can point at it and a fix can rename it.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field, replace
from typing import Iterable, Iterator

from .settings_modules import loaded_names
from ..analysis.name_index import dotted, import_map, imported_qualname
from ..schemas.settings_schema import SettingsModule, SettingsSchema, all_settings


@dataclass(frozen=True)
class SettingUse:
    settings: SettingsSchema
    #: The name as written (`CELERY_BROKER_URL`), and the part after the namespace prefix.
    name: str
    prefix: str
    #: The span of the name itself (`ast` coordinates).
    span: tuple[int, int, int, int]
    #: The name is a string literal (a fix keeps its quotes).
    quoted: bool
    value: ast.expr | None
    #: One id per source (a call, a class body, a dict, a module): names given together.
    group: int
    #: A fix may rename it (nothing else in the file refers to it by this name).
    renamable: bool = True
    #: The holder instance the setting belongs to (its name; "" for a settings module).
    owner: str = field(default="", compare=False)
    #: For a constructor parameter that sets a key (`broker=` -> `broker_url`): that key.
    sets: str | None = None
    #: Its group is a whole configuration source the library reads as one (a class or dict given to
    #: `config_from_object`, a settings module), not one call among others.
    whole: bool = False

    @property
    def bare(self) -> str:
        return self.name[len(self.prefix):]


def setting_uses(context, schemas) -> list[SettingUse]:
    """Every setting the file sets, for every settings schema; computed once per file."""
    cached = context.__dict__.get("_setting_uses")
    if cached is None:
        cached = []
        for settings in all_settings(schemas):
            if _may_set(settings, context):
                cached.extend(_Finder(settings, context).uses())
        object.__setattr__(context, "_setting_uses", cached)
    return cached


class SettingsFiles:
    """The prefilter's part for settings modules, which need not import the library: a file
    carrying a module's prefix (`CELERY_`), or named like one without a prefix (`celeryconfig.py`)."""

    def __init__(self, schemas):
        modules = [m for s in all_settings(schemas) for m in s.modules]
        self._words = tuple(sorted({m.prefix for m in modules if m.prefix}))
        self._bytes = tuple(word.encode("utf-8") for word in self._words)
        self._named = tuple(m for m in modules if not m.prefix)

    def wants(self, source: str | bytes, filename: str | None) -> bool:
        words = self._words if isinstance(source, str) else self._bytes
        if any(word in source for word in words):
            return True
        return filename is not None and any(_named(module, filename) for module in self._named)


def _may_set(settings: SettingsSchema, context) -> bool:
    """The text names a holder's module or carries a settings module's prefix, or the file is named
    like a settings module: else the walks over the tree are skipped (most files that pass the
    prefilter import another library)."""
    text = context.text
    if not text:
        return True  # a tree without its text (flake8 gives both; a test may not)
    words = {name.split(".", 1)[0] for name in (*settings.holders, *settings.instances)}
    words |= {module.prefix for module in settings.modules if module.prefix}
    return any(word in text for word in words) or any(_named(m, context.filename) for m in settings.modules)


def _named(module: SettingsModule, filename: str) -> bool:
    parts = os.path.normpath(filename).replace("\\", "/").split("/")
    stem = parts[-1][:-3] if parts[-1].endswith(".py") else parts[-1]
    return stem in module.file_names or (len(parts) > 1 and parts[-2] in module.file_names)


class _Finder:
    def __init__(self, settings: SettingsSchema, context):
        self.s, self.context, self.tree = settings, context, context.tree
        self.nodes = context.parents.tree_index.nodes  # every node, in walk order (one pass per file)
        self.imports = import_map(self.nodes)
        self.found: list[SettingUse] = []
        self.read_targets: set[int] = set()  # config objects already read (given to several apps)
        self.whole: set[int] = set()
        self._group = 0
        self.loaded = loaded_names(context.parents.tree_index)
        self.holder_classes = {node.name for node in self.tree.body if isinstance(node, ast.ClassDef)
                               and any(self.qualname(base) in settings.holders for base in node.bases)}
        self.apps = self._app_names()
        self.module_level = {}
        for node in self.tree.body:
            if isinstance(node, ast.ClassDef):
                self.module_level[node.name] = node
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                self.module_level[node.targets[0].id] = node.value

    # ------------------------------------------------------------------ names

    def qualname(self, expr: ast.expr) -> str | None:
        return imported_qualname(expr, self.imports)

    def is_holder_call(self, node: ast.AST) -> bool:
        return isinstance(node, ast.Call) and (
            self.qualname(node.func) in self.s.holders
            or (isinstance(node.func, ast.Name) and node.func.id in self.holder_classes))

    def _app_names(self) -> set[str]:
        """The names bound to holder instances; `self.made` maps each constructor call to its name."""
        names, self.made = set(), {}
        for node in self.nodes:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and self.is_holder_call(node.value):
                for target in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                    spelt = dotted(target)
                    if spelt:
                        names.add(spelt)
                        self.made[id(node.value)] = spelt
            elif isinstance(node, ast.withitem) and self.is_holder_call(node.context_expr) and \
                    node.optional_vars is not None and dotted(node.optional_vars):
                names.add(dotted(node.optional_vars))
                self.made[id(node.context_expr)] = dotted(node.optional_vars)
        return names

    def app_of(self, expr: ast.expr) -> str | None:
        spelt = dotted(expr)
        if spelt and spelt in self.apps:
            return spelt
        name = self.qualname(expr)
        return name if name in self.s.instances else None

    def conf_of(self, expr: ast.expr) -> str | None:
        """`app.conf` -> "app"."""
        if isinstance(expr, ast.Attribute) and expr.attr == self.s.conf_attribute:
            return self.app_of(expr.value)
        return None

    # ------------------------------------------------------------------ the walk

    def uses(self) -> list[SettingUse]:
        for node in self.nodes:
            if isinstance(node, ast.Call):
                self._call(node)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    self._store(target, node.value)
        module = self._settings_module()
        if module is not None:
            self._names(self.tree.body, module.prefix, owner="")
            self.whole.add(self._group)
        return [replace(use, whole=True) if use.group in self.whole else use for use in self.found]

    def _settings_module(self) -> SettingsModule | None:
        for module in self.s.modules:
            if _named(module, self.context.filename):
                return module
            if module.markers and any(isinstance(n, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id in module.markers for t in n.targets) for n in self.tree.body):
                return module
        return None

    def _new_group(self) -> int:
        self._group += 1
        return self._group

    def _call(self, call: ast.Call) -> None:
        s = self.s
        if self.is_holder_call(call):
            group = self._new_group()
            owner = self.made.get(id(call), f"<call at line {call.lineno}>")
            namespace = _keyword_text(call, s.namespace_keyword)
            for keyword in call.keywords:
                if keyword.arg is None:
                    continue
                if keyword.arg == s.changes_keyword:
                    self._collection(keyword.value, "", owner)
                elif keyword.arg == s.config_keyword:
                    self._config_target(keyword.value, namespace, owner)
                elif keyword.arg in s.constructor_keys:
                    self._keyword(keyword, group, owner, sets=s.constructor_keys[keyword.arg])
                elif keyword.arg not in s.constructor_params:
                    self._keyword(keyword, group, owner)
            return
        func = call.func
        if not isinstance(func, ast.Attribute):
            return
        if func.attr == "update" and self.conf_of(func.value):
            owner = self.conf_of(func.value)
            group = self._new_group()
            for keyword in call.keywords:
                if keyword.arg is not None:
                    self._keyword(keyword, group, owner)
            if call.args and not call.keywords:
                self._collection(call.args[0], "", owner, group)
        elif func.attr == s.config_method and self.app_of(func.value):
            target = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "obj"), None)
            if target is not None:
                self._config_target(target, _keyword_text(call, s.namespace_keyword), self.app_of(func.value))

    def _store(self, target: ast.expr, value: ast.expr | None) -> None:
        if isinstance(target, ast.Attribute) and self.conf_of(target.value):
            end_line, end_col = target.end_lineno, target.end_col_offset
            span = (end_line, end_col - len(target.attr.encode("utf-8")), end_line, end_col)
            self._add(target.attr, "", span, False, value, self._new_group(), owner=self.conf_of(target.value))
        elif isinstance(target, ast.Subscript) and self.conf_of(target.value):
            key = target.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                self._add(key.value, "", _span(key), True, value, self._new_group(), owner=self.conf_of(target.value))

    def _keyword(self, keyword: ast.keyword, group: int, owner: str, sets: str | None = None) -> None:
        line, col = keyword.lineno, keyword.col_offset
        self._add(keyword.arg, "", (line, col, line, col + len(keyword.arg.encode("utf-8"))), False,
                  keyword.value, group, owner=owner, sets=sets)

    def _collection(self, value: ast.expr, prefix: str, owner: str, group: int | None = None) -> None:
        """A dict literal or `dict(key=...)` of settings."""
        group = group if group is not None else self._new_group()
        if isinstance(value, ast.Dict):
            for key, item in zip(value.keys, value.values):
                if isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value.startswith(prefix):
                    self._add(key.value, prefix, _span(key), True, item, group, owner=owner)
        elif isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict" \
                and "dict" not in self.module_level:
            for keyword in value.keywords:
                if keyword.arg is not None and keyword.arg.startswith(prefix):
                    self._keyword(keyword, group, owner)

    def _config_target(self, target: ast.expr, namespace: str | None, owner: str) -> None:
        prefix = namespace.rstrip("_") + "_" if namespace else ""
        if isinstance(target, ast.Name):
            target = self.module_level.get(target.id, target)
        if isinstance(target, ast.ClassDef):
            if not target.bases and not target.decorator_list and id(target) not in self.read_targets:
                self.read_targets.add(id(target))
                self._names(target.body, prefix, owner=owner)
                self.whole.add(self._group)
        elif isinstance(target, (ast.Dict, ast.Call)) and id(target) not in self.read_targets:
            self.read_targets.add(id(target))
            self._collection(target, prefix, owner=owner)
            self.whole.add(self._group)

    def _names(self, body: Iterable[ast.stmt], prefix: str, owner: str) -> None:
        """Module-level or class-level assignments of settings."""
        group = self._new_group()
        for statement in body:
            targets = statement.targets if isinstance(statement, ast.Assign) else \
                [statement.target] if isinstance(statement, ast.AnnAssign) else []
            for target in targets:
                if isinstance(target, ast.Name) and target.id.startswith(prefix) and not target.id.startswith("_"):
                    self._add(target.id, prefix, _span(target), False, statement.value, group,
                              renamable=target.id not in self.loaded, owner=owner)

    def _add(self, name: str, prefix: str, span, quoted: bool, value, group: int, renamable: bool = True,
             owner: str = "", sets: str | None = None) -> None:
        if name:
            self.found.append(SettingUse(self.s, name, prefix, span, quoted, value, group, renamable, owner, sets))


# --------------------------------------------------------------------------- helpers


def _keyword_text(call: ast.Call, name: str | None) -> str | None:
    for keyword in call.keywords:
        if name is not None and keyword.arg == name and isinstance(keyword.value, ast.Constant) and \
                isinstance(keyword.value.value, str):
            return keyword.value.value
    return None


def _span(node: ast.AST) -> tuple[int, int, int, int]:
    return node.lineno, node.col_offset, node.end_lineno, node.end_col_offset


def literal_text(value: ast.expr | None) -> str | None:
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    return None


def uses_of(uses: Iterable[SettingUse], key: str) -> Iterator[SettingUse]:
    """The uses that set `key` (by its own name or a legacy one)."""
    for use in uses:
        if use.settings.key_of(_normal(use)) == key:
            yield use


def _normal(use: SettingUse) -> str:
    """The name a prefixed module name stands for (CELERY_BROKER_URL -> broker_url)."""
    if use.sets is not None:
        return use.sets
    if use.prefix and use.name not in use.settings.legacy_keys:
        return use.bare.lower()
    return use.name

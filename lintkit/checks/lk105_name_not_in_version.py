from __future__ import annotations

import ast

from ..schemas.module_names import KIND
from ..project.version_verdicts import judge
from ..findings import SAFE, UNSAFE
from .base import Check, RawFix

#: What a name a module lacks raises, by how the code reaches it.
_RAISED = {"import": ("ImportError", "ModuleNotFoundError"), "attribute": ("AttributeError",)}


class NameNotInVersion(Check):
    """A class, function or module that the project's version of the library does not have.

    ## What it does
    Checks the names code imports from a client library or reaches as an
    attribute of its modules (`from pika import TornadoConnection`,
    `pika.TornadoConnection(...)`, `import pika.adapters.libev_connection`)
    against the versions of the library that have them (the schemas'
    `[library.history.names]`, read from the source of each release). A name
    is judged against the version of the library the project uses: its pins
    in pyproject.toml, requirements files, setup.py, setup.cfg or a lock file,
    else the installed version. A name the project's versions have is never
    reported. The message says what happens at run time and, when the class
    moved, its new name. When the version is unknown or the pins allow
    versions with and without the name, one line says which versions have it.

    Covered: pika's adapters that left the top-level modules in 0.12.0 and
    0.13.0 (`LibevConnection`, `TornadoConnection`, `TwistedConnection`,
    `TwistedProtocolConnection`) and `pika.adapters.asyncio_connection`
    (added in 0.11.0); elasticsearch-py's transport classes, which 8.0.0
    moved to the `elastic_transport` package (`RequestsHttpConnection`,
    `Urllib3HttpConnection`, `Transport`, `ConnectionPool`...); paramiko's
    `DSSKey` (removed in 4.0.0) and its GSS-API modules (removed in 5.0.0);
    websocket-client's `setReconnect()`, renamed `set_reconnect()` in 1.9.0;
    redis-py's `Redis.from_pool()` (added in 5.0.1).

    ## Why is this bad?
    A library upgrade that drops a name breaks the code that still uses it,
    and only when that code runs: `from elasticsearch import
    RequestsHttpConnection` raises ImportError with elasticsearch 8, so the
    service does not start, and `paramiko.DSSKey.from_private_key_file(...)`
    inside a reconnect path raises AttributeError with paramiko 4 the first
    time the connection drops, long after the deployment looked fine. The
    reverse happens when a project pins an old version and code uses a name
    added later.

    ## When it does not report
    - A name the versions the project allows all have.
    - A name inside a `try` whose handler catches what its absence raises
      (`ImportError`/`ModuleNotFoundError` for an import, `AttributeError`
      for an attribute), or inside an `if` that tests the library's version
      or `hasattr()` of the name: the code handles both.
    - A module reached through a name the file rebinds, and assignments to
      the name (`pika.TornadoConnection = ...`).

    ## Example
    ```python
    # requirements.txt: pika==1.3.2
    from pika import TornadoConnection
    ```

    ## Use instead
    ```python
    # requirements.txt: pika==1.3.2
    from pika.adapters.tornado_connection import TornadoConnection
    ```

    ## Fix safety
    When the name only moved or was renamed with the same meaning (the
    schema's `renamed_to`), there is a fix: a class moved to another module
    gets the module of its `from ... import` rewritten (when that statement
    imports only that name); a name renamed in its module is renamed where it
    is used (`websocket.setReconnect` to `websocket.set_reconnect`), and in a
    `from` import it keeps its local name (`set_reconnect as setReconnect`).
    The fix is **safe** when every version the project allows has the new
    name, otherwise unsafe. A class reached as an attribute of a module it
    left (`pika.TornadoConnection`) gets no fix: its new module needs an
    import of its own.

    ## Options
    - `--schemas PATH` (CLI) / `--lintkit-schemas PATH` (flake8): your own
      schemas can state the names of their libraries (`[library.history.names]`).

    ## References
    - [pika CHANGELOG (0.12.0, 0.13.0, 1.0.0)](https://github.com/pika/pika/blob/main/CHANGELOG.rst)
    - [elasticsearch-py 8.0 migration guide](https://www.elastic.co/guide/en/elasticsearch/client/python-api/8.19/migration.html)
    - [paramiko changelog (4.0.0: DSA keys removed)](https://www.paramiko.org/changelog.html)
    - [Library schemas](../schemas.md)
    """

    code = "LK105"
    name = "name-not-in-version"
    fix_availability = "sometimes"

    def finish(self) -> None:
        entries = {entry.name: (entry, library) for library in self.schemas.libraries
                   for entry in getattr(library, "names_history", ())}
        # Every finding names a ranged name's library and its last part in the text (the module
        # of an import, the imported name, the attribute): without both, no tree walk.
        text = self.context.text
        libraries_named = {library for library in {name.split(".", 1)[0] for name in entries} if library in text}
        if not any(name.split(".", 1)[0] in libraries_named and name.rsplit(".", 1)[-1] in text for name in entries):
            return  # (each library name searched for once)
        index = self.context.parents.tree_index
        modules: dict[str, str] = {}  # local name -> the dotted name an import binds it to
        for node in index.of_type(ast.Import):
            for alias in node.names:
                self._check_import(node, alias, entries)
                modules[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else \
                    alias.name.split(".")[0]
        for node in index.of_type(ast.ImportFrom):
            self._check_from(node, entries)
            if not node.level and node.module:
                modules.update({alias.asname or alias.name: f"{node.module}.{alias.name}" for alias in node.names})
        for node in index.of_type(ast.Name):  # a name the file also binds otherwise: not surely the module
            if not isinstance(node.ctx, ast.Load):
                modules.pop(node.id, None)
        last = {name.rsplit(".", 1)[1] for name in entries}
        for node in index.of_type(ast.Attribute):
            if node.attr in last and isinstance(node.ctx, ast.Load):
                full = _dotted(node, modules)
                if full in entries:
                    line, end_col = node.end_lineno, node.end_col_offset
                    span = (line, end_col - len(node.attr.encode()), line, end_col)
                    self._judge(node, entries[full], "attribute", span, renamed_in_place(span, None))

    def _check_import(self, node: ast.Import, alias: ast.alias, entries) -> None:
        """`import pika.adapters.libev_connection`: a module (or a package on the way) the version lacks."""
        parts = alias.name.split(".")
        for size in range(len(parts), 1, -1):
            full = ".".join(parts[:size])
            if full in entries:
                line, col = alias.lineno, alias.col_offset
                self._judge(node, entries[full], "import", (line, col, line, col + len(full)), None)
                return

    def _check_from(self, node: ast.ImportFrom, entries) -> None:
        if node.level or not node.module:
            return
        span = self._module_span(node)
        if node.module in entries and span is not None:
            self._judge(node, entries[node.module], "import", span, None)
            return
        for alias in node.names:
            full = f"{node.module}.{alias.name}"
            if full in entries:
                line, col = alias.lineno, alias.col_offset
                name_span = (line, col, line, col + len(alias.name))
                moved = moved_module(span) if len(node.names) == 1 and span is not None else None
                self._judge(node, entries[full], "import", name_span,
                            imported_edit(moved, renamed_in_place(name_span, alias)))

    def _module_span(self, node: ast.ImportFrom) -> tuple[int, int, int, int] | None:
        """Where `from X import` spells X (one line, single spaces or tabs): None when it cannot be found."""
        lines = self.context.lines
        if not 0 < node.lineno <= len(lines):
            return None
        text = lines[node.lineno - 1].encode("utf-8")
        start = text.find(node.module.encode(), node.col_offset + len("from"))
        if start < 0 or text[node.col_offset:start].strip() != b"from":
            return None
        return node.lineno, start, node.lineno, start + len(node.module)

    def _judge(self, node: ast.AST, found, how: str, span, edit) -> None:
        entry, library = found
        if self._handled(node, entry.name, library.name, how):
            return
        verdict = judge(entry, entry.removed_in is None, library.names_history, library=library.name,
                        distribution=library.distribution, policy=how, filename=self.context.filename,
                        versions=self.options.versions, guarded=False)
        if verdict is None or verdict.valid:
            return
        fix = None
        change = edit(verdict.rename, entry.name) if verdict.rename and edit is not None else None
        if change is not None:
            title, replacement = change
            safe = verdict.safe_rename and self._works(verdict.rename, library)
            fix = RawFix(SAFE if safe else UNSAFE, title, (replacement,))
        self.report(*span, verdict.message, fix, verdict.explanation)

    def _works(self, dotted: str, library) -> bool:
        """Every version the project allows has `dotted` and each module on its way (`acme.pool` of
        `acme.pool.Pool`)."""
        parts = dotted.split(".")
        ranged = [entry for entry in library.names_history
                  if entry.name in {".".join(parts[:size]) for size in range(2, len(parts) + 1)}]
        if not ranged:
            return True
        versions = self.options.versions
        constraint = versions.constraint(self.context.filename, library.distribution) if versions else None
        return constraint is not None and all(constraint.within(entry.specifier) is True for entry in ranged)

    def _handled(self, node: ast.AST, name: str, library: str, how: str) -> bool:
        """Inside a `try` catching what the missing name raises, or an `if` testing the version or
        `hasattr()` of the name: the code copes with both versions."""
        parents = self.context.parents
        current, child = parents.of(node), node
        attribute = name.rsplit(".", 1)[1]
        while current is not None:
            if isinstance(current, ast.Try) and child in current.body and any(
                    _catches(handler.type, _RAISED[how]) for handler in current.handlers):
                return True
            if isinstance(current, (ast.If, ast.IfExp)) and child is not current.test:
                test = ast.unparse(current.test)
                if "version" in test.lower() and library in test or f"'{attribute}'" in test or \
                        f'"{attribute}"' in test:
                    return True
            current, child = parents.of(current), current
        return False


def moved_module(module_span):
    """`from pika import TornadoConnection` -> `from pika.adapters.tornado_connection import ...`:
    the class moved to another module under the same name."""
    def edit(new: str, old: str):
        module = new.rpartition(".")[0]
        return f"Import it from {module}", (*module_span, module)
    return edit


def imported_edit(moved, in_place):
    """A name imported with `from`: moved to another module under its name (when it is the only name
    imported), or renamed in its module."""
    def edit(new: str, old: str):
        if moved is not None and new.rpartition(".")[2] == old.rpartition(".")[2]:
            return moved(new, old)
        return in_place(new, old)
    return edit


def renamed_in_place(name_span, alias: ast.alias | None):
    """`websocket.setReconnect` -> `websocket.set_reconnect` (the same module, a new name); an
    import keeps the old local name (`set_reconnect as setReconnect`). None for another module."""
    def edit(new: str, old: str):
        module, _, name = new.rpartition(".")
        if module != old.rpartition(".")[0] or name == old.rpartition(".")[2]:
            return None
        text = f"{name} as {alias.name}" if alias is not None and alias.asname is None else name
        return f"Rename it to {name}", (*name_span, text)
    return edit


def _catches(caught: ast.expr | None, exceptions: tuple[str, ...]) -> bool:
    if caught is None:
        return True
    if isinstance(caught, ast.Tuple):
        return any(_catches(element, exceptions) for element in caught.elts)
    name = caught.id if isinstance(caught, ast.Name) else caught.attr if isinstance(caught, ast.Attribute) else ""
    return name in (*exceptions, "Exception", "BaseException")


def _dotted(node: ast.Attribute, modules: dict[str, str]) -> str | None:
    """`pika.adapters.TornadoConnection` for the attribute chain, its root bound by `import pika`."""
    parts = [node.attr]
    current = node.value
    while isinstance(current, ast.Attribute):
        parts.append(current.attr)
        current = current.value
    if not isinstance(current, ast.Name) or current.id not in modules:
        return None
    return ".".join([modules[current.id], *reversed(parts)])

from __future__ import annotations

import ast

from ..analysis.events import KnownCall
from ..liveness.test_doubles import is_mock_call
from ..liveness.overrides import ignored_keywords
from ..schemas.schema import Override
from ..liveness.sockets import dotted
from ..reading.syntax import walk
from ..analysis.values import NO_VALUE, literal_value
from .base import Check

#: Longer keyword sources are shortened to `name=...` in the advice.
_SHOWN_CHARACTERS = 40


class IgnoredKeyword(Check):
    """A keyword argument the library silently ignores because another argument of the same call takes over.

    ## What it does
    Reports each keyword of a known constructor call that the library does
    not read because another argument of the call replaces what it would
    configure: `redis.Redis(connection_pool=pool, socket_keepalive=True)`.
    Given a pool, redis-py (sync and asyncio) takes every connection setting
    from the pool and ignores the client's `socket_keepalive`,
    `socket_timeout`, `socket_connect_timeout`, `health_check_interval`,
    `decode_responses`, `retry`, `host`, `db`, `password` and the rest; it
    still reads `single_connection_client`, `event_dispatcher` and
    `credential_provider` (and, in the sync client, `cache`/`cache_config`,
    which it checks against the pool's protocol). Schemas declare such
    arguments with `[[class.override]]`. aio-pika's `connect()` and
    `connect_robust()` given a URL take the host, port, credentials, virtual
    host and scheme from it and ignore `host=`, `port=`, `login=`,
    `password=`, `virtualhost=` and `ssl=`. A literal `connection_pool=None`
    gives no pool, and a call with `**kwargs` is judged by the keywords it
    spells out.

    httpx's `Client(transport=...)` and `AsyncClient(transport=...)` send
    every request through the transport given, and ignore `verify`, `cert`,
    `http1`, `http2` and `limits`, which only build the default transport
    (`_init_transport()` returns the given one as it is): set them on the
    `HTTPTransport` instead. With `proxy=` given too, httpx builds the
    proxy's transport from them, so nothing is reported (the schema's
    `unless`). Where the transport given takes no such setting at all
    (`MockTransport`, `ASGITransport`, `WSGITransport`), the advice is to
    remove the keyword.

    When the file builds the pool under the name it passes (assigned once in
    that scope: `pool = redis.ConnectionPool(...)`, `self.pool = ...`), the
    message says whether the pool sets that keyword itself, and a keyword
    the pool already sets to the same literal is redundant, not reported.
    A mock given as the pool (`pool = MagicMock()`, `connection_pool=Mock()`)
    makes no connection, so nothing is reported for it.

    ## Why is this bad?
    The setting you wrote is not in force, and nothing tells you: the client
    decodes nothing although it says `decode_responses=True`, waits as long
    as the pool's timeout allows although it says `socket_timeout=2`, and
    sends no TCP keepalive although it says `socket_keepalive=True` when the
    pool does not (redis-py before 8.0 by default), so an idle connection
    behind a NAT gateway or load balancer is forgotten and the next command
    hangs. The
    code reads as if the connection were configured, so reviewers and other
    tools believe it too. The liveness rules (LK202-LK205) follow the pool:
    they judge it where it is built, not the client that is given it.

    ## When it does not report
    - Code inside a block where a test expects it to fail or warn
      (`with pytest.raises(...)`, `pytest.warns`, `pytest.deprecated_call()`,
      `self.assertRaises(...)`): the wrong name is the point of the test.
    - `connection_pool=None`: the argument is not given, so nothing is
      ignored.
    - httpx's `transport=` together with `proxy=` (or a `**` splat that may
      hold one): the proxy's transport reads the keywords.
    - Keywords the library still reads when the argument is given (the
      schema's `ignores_all_but`: redis's `single_connection_client`,
      `event_dispatcher`, `credential_provider`, `cache`/`cache_config`).
    - A `**kwargs` splat, and the construction of a local subclass with its
      own `__init__`.
    - When the pool the file builds sets the same keyword to the same
      literal value (nothing is lost).

    ## Example
    ```python
    import redis

    pool = redis.ConnectionPool(host="cache.example.com", socket_keepalive=True)
    client = redis.Redis(connection_pool=pool, decode_responses=True)
    ```

    ## Use instead
    ```python
    import redis

    pool = redis.ConnectionPool(host="cache.example.com", socket_keepalive=True, decode_responses=True)
    client = redis.Redis(connection_pool=pool)
    ```

    ## Fix safety
    There is no fix. Deleting the keyword would keep the behaviour but lose
    what the code meant, and moving it to the pool changes every client that
    shares that pool (and the pool may be built in another module, or from a
    URL whose query already sets the same option). The message names where
    the setting belongs: the same keyword on the pool, or, for a keyword the
    pool does not take (redis `ssl=`, `unix_socket_path=`), the pool's
    `connection_class`.

    ## Options
    - `--schemas PATH`: `[[class.override]]` entries of your own schemas are
      checked too (see [Library schemas](../schemas.md)).

    ## References
    - [redis-py `Redis` (Args: "Argument is ignored when connection_pool is provided")](https://redis.readthedocs.io/en/stable/connections.html#generic-client)
    - [redis-py connection pools](https://redis.readthedocs.io/en/stable/connections.html#connectionpool-async)
    - [Library schemas: `[[class.override]]`](../schemas.md)
    """

    code = "LK104"
    name = "ignored-keyword"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        #: (event, override, its keyword, the keywords it makes ignored), decided at the end.
        self._pending: list[tuple[KnownCall, Override, ast.keyword, list[ast.keyword]]] = []
        #: Every known call of the file, by id: where a pool given by name was built.
        self._known: dict[int, KnownCall] = {}

    def known_call(self, event: KnownCall) -> None:
        self._known[id(event.call)] = event
        if event.subclass_defines_init:
            return  # the subclass's own __init__ receives the keywords
        found = ignored_keywords(event.call, event.target)
        if found is not None and found[2]:
            self._pending.append((event, *found))

    def finish(self) -> None:
        if not self._pending:
            return
        sites = _PoolSites(self.context.tree, self.context.parents, self._known)
        for event, override, given, keywords in self._pending:
            if is_mock_call(sites.value_of(given.value)):
                continue  # a mock pool makes no connection: no setting of it would apply either
            built = sites.built_by(given.value)
            other = None
            if built is not None and not self._same_class(built, override):
                built, other = None, built.target.returns
            for keyword in keywords:
                setting = _keyword(built.call, keyword.arg) if built is not None else None
                if setting is not None and _same_literal(setting, built, keyword, event):
                    continue  # the pool already says the same: redundant, not a bug
                advice = self._advice(override, given, keyword, built, setting)
                if other is not None and other.kwargs is not None and keyword.arg not in other.kwargs:
                    # httpx.MockTransport: the object given takes no such setting at all
                    advice = f"remove it: {other.display_name} takes no {keyword.arg}="
                message = f"{event.target.display_name} ignores {keyword.arg}= when {override.argument}= is given: {advice}"
                self.report(keyword.lineno, keyword.col_offset, keyword.end_lineno, keyword.end_col_offset, message,
                            explanation=f"With {override.argument}= given, {override.note or 'it takes over'}."
                            + (f" {advice.why}." if getattr(advice, "why", "") else ""))

    def _same_class(self, built: KnownCall, override: Override) -> bool:
        """Whether the call that built the given object makes the override's target (or a subclass)."""
        if override.target is None:
            return True
        target = self.schemas.lookup(override.target)
        return any(owner is target for owner in self.schemas.mro(built.target.returns))

    def _advice(self, override: Override, given: ast.keyword, keyword: ast.keyword,
                built: KnownCall | None, setting: ast.keyword | None) -> str:
        specific = override.advice(keyword.arg)
        if specific is not None:
            return specific
        # No line numbers and no values of the pool: the messages stay the same when a fix
        # elsewhere in the file shifts lines or changes the pool (the fixer compares them).
        shown = _shown(keyword, self.context.lines)
        if setting is not None:
            name = dotted(given.value) if isinstance(given.value, (ast.Name, ast.Attribute)) else None
            holder = f"`{name}`" if name else f"the object given as {override.argument}="
            return f"{holder} sets its own {keyword.arg}=, which applies: change it there"
        return f"pass {shown} {self._destination(override, given)}"

    def _destination(self, override: Override, given: ast.keyword) -> str:
        """Where the setting goes: the object given as the override's argument, as the code names it."""
        target = self.schemas.lookup(override.target) if override.target else None
        kind = target.display_name if target is not None else "object"
        value = given.value
        name = dotted(value) if isinstance(value, (ast.Name, ast.Attribute)) else None
        if name is not None:
            return f"where `{name}` is built"
        callee = dotted(value.func) if isinstance(value, ast.Call) else None
        if callee is not None:
            return f"to `{callee}(...)`"
        return f"to the {kind} given as {override.argument}="


class _PoolSites:
    """Where a name given as an override's argument was built: the known call assigned to that
    name, when its scope (the function using it, else the module) assigns it exactly once and
    binds it no other way (`pool = redis.ConnectionPool(...)`). A dotted name (`self.pool`) counts
    over the whole file."""

    def __init__(self, tree: ast.Module, parents, known: dict[int, KnownCall]):
        self._tree, self._parents, self._known = tree, parents, known
        self._bound: dict[tuple[int, str], list[ast.expr | None]] | None = None

    def built_by(self, value: ast.expr) -> KnownCall | None:
        source = self.value_of(value)
        return self._known.get(id(source)) if isinstance(source, ast.Call) else None

    def value_of(self, value: ast.expr) -> ast.expr | None:
        """The expression itself, or the one value its name is assigned (None: unknown)."""
        if isinstance(value, ast.Call):
            return value
        name = dotted(value) if isinstance(value, (ast.Name, ast.Attribute)) else None
        if name is None:
            return None
        bound = self._bindings()
        scope: ast.AST = self._tree if "." in name else self._parents.home(value)
        while (id(scope), name) not in bound and scope is not self._tree:
            scope = self._parents.home(scope)  # a closure sees its enclosing functions' names
        values = bound.get((id(scope), name), [])
        return values[0] if len(values) == 1 else None

    def _scope(self, node: ast.AST, name: str) -> int:
        return id(self._tree) if "." in name else id(self._parents.home(node))

    def _bindings(self) -> dict[tuple[int, str], list[ast.expr | None]]:
        """(scope, name or dotted target) -> the values assigned there (None: bound another way)."""
        if self._bound is None:
            self._bound = {}
            for node in walk(self._tree):
                if isinstance(node, (ast.arg, ast.alias, ast.Global, ast.Nonlocal)):
                    names = node.names if isinstance(node, (ast.Global, ast.Nonlocal)) else \
                        [node.arg if isinstance(node, ast.arg) else (node.asname or node.name.split(".")[0])]
                    for name in names:
                        key = (id(self._tree) if isinstance(node, ast.Global) else self._scope(node, name), name)
                        self._bound.setdefault(key, []).append(None)
                elif isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Store):
                    target = dotted(node)
                    if target is not None:
                        statement = self._parents.of(node)
                        single = isinstance(statement, ast.Assign) and statement.targets == [node] or \
                            isinstance(statement, ast.AnnAssign) and statement.target is node
                        self._bound.setdefault((self._scope(node, target), target), []).append(
                            statement.value if single else None)
        return self._bound


def _keyword(call: ast.Call, name: str) -> ast.keyword | None:
    return next((k for k in call.keywords if k.arg == name), None)


def _same_literal(setting: ast.keyword, built: KnownCall, keyword: ast.keyword, event: KnownCall) -> bool:
    mine = literal_value(keyword.value, event.resolver)
    return mine is not NO_VALUE and literal_value(setting.value, built.resolver) == mine


def _shown(keyword: ast.keyword, lines: list[str]) -> str:
    """`socket_keepalive=True` as the code spells it, or `name=...` when long or multi-line."""
    if keyword.lineno == keyword.end_lineno and 0 < keyword.lineno <= len(lines):
        text = lines[keyword.lineno - 1].encode("utf-8")[keyword.col_offset:keyword.end_col_offset]
        shown = text.decode("utf-8", "replace")
        if len(shown) <= _SHOWN_CHARACTERS and shown.startswith(f"{keyword.arg}="):
            return shown
    shown = f"{keyword.arg}={ast.unparse(keyword.value)}"  # a dict's key (keyword_dicts.py)
    return shown if len(shown) <= _SHOWN_CHARACTERS and "\n" not in shown else f"{keyword.arg}=..."

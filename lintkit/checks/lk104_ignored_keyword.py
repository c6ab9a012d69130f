from __future__ import annotations

import ast

from ..events import KnownCall
from ..overrides import ignored_keywords
from ..schema import Override
from ..sockets import dotted
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
    arguments with `[[class.override]]`. A literal `connection_pool=None`
    gives no pool, and a call with `**kwargs` is judged by the keywords it
    spells out.

    ## Why is this bad?
    The setting you wrote is not in force, and nothing tells you: the client
    decodes nothing although it says `decode_responses=True`, waits forever
    although it says `socket_timeout=2`, and sends no TCP keepalive although
    it says `socket_keepalive=True`, so an idle connection behind a NAT
    gateway or load balancer is forgotten and the next command hangs. The
    code reads as if the connection were configured, so reviewers and other
    tools believe it too. The liveness rules (LK202-LK205) follow the pool:
    they judge it where it is built, not the client that is given it.

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

    def known_call(self, event: KnownCall) -> None:
        if event.subclass_defines_init:
            return  # the subclass's own __init__ receives the keywords
        found = ignored_keywords(event.call, event.target)
        if found is None:
            return
        override, given, keywords = found
        for keyword in keywords:
            message = (f"{event.target.display_name} ignores {keyword.arg}= because {override.argument}= is "
                       f"given ({override.note or 'it takes over'}): {self._advice(override, given, keyword)}")
            self.report(keyword.lineno, keyword.col_offset, keyword.end_lineno, keyword.end_col_offset, message)

    def _advice(self, override: Override, given: ast.keyword, keyword: ast.keyword) -> str:
        specific = override.advice(keyword.arg)
        if specific is not None:
            return specific
        return f"pass {_shown(keyword, self.context.lines)} {self._destination(override, given)}"

    def _destination(self, override: Override, given: ast.keyword) -> str:
        """Where the setting goes: the object given as the override's argument, as the code names it."""
        target = self.schemas.lookup(override.target) if override.target else None
        kind = target.display_name if target is not None else "object"
        value = given.value
        name = dotted(value) if isinstance(value, (ast.Name, ast.Attribute)) else None
        if name is not None:
            return f"where the {kind} `{name}` is built"
        callee = dotted(value.func) if isinstance(value, ast.Call) else None
        if callee is not None:
            return f"to the `{callee}(...)` call given as {override.argument}="
        return f"to the {kind} given as {override.argument}="


def _shown(keyword: ast.keyword, lines: list[str]) -> str:
    """`socket_keepalive=True` as the code spells it, or `name=...` when long or multi-line."""
    if keyword.lineno == keyword.end_lineno and 0 < keyword.lineno <= len(lines):
        text = lines[keyword.lineno - 1].encode("utf-8")[keyword.col_offset:keyword.end_col_offset]
        shown = text.decode("utf-8", "replace")
        if len(shown) <= _SHOWN_CHARACTERS:
            return shown
    return f"{keyword.arg}=..."

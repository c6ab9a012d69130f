from __future__ import annotations

import ast
from ..config_keys import check_call, check_settings_module, key_fix, key_span, literal_keys
from ..events import AttributeStore, KnownCall
from ..suggest import suggest
from .base import Check


class UnknownOptionKey(Check):
    """A key in an options collection or a configuration that the library does not know.

    ## What it does
    Checks the string keys of collections that a library reads by name, such as
    pika's `tcp_options`, against the keys the schema lists for them
    (`option_keys`). It checks them as keyword arguments of a constructor
    (`pika.ConnectionParameters(tcp_options={...})`) and as attribute
    assignments (`params.tcp_options = {...}`). It reads dict literals, lists
    of `(key, value)` pairs and `dict(KEY=value)` calls. A key lintkit cannot
    read, such as a name or a computed string, is not reported.

    It also checks configuration keys (the schemas' `[[key_set]]`):

    - SQLAlchemy: the keys of `connect_args` and of the URL's query in
      `create_engine()` and `create_async_engine()`, against the keywords of
      the driver the URL names (psycopg2, psycopg, asyncpg, PyMySQL). SQLAlchemy
      hands them to the driver's `connect()` only when the pool makes its first
      connection, so a wrong key fails then, in production. A bare
      `postgresql://` is psycopg2 before SQLAlchemy 2.1 and psycopg from 2.1,
      read from the project's pins. A misspelt keyword of `create_engine()`
      itself raises `TypeError` at once, so it is not reported.
    - Django settings modules: the keys of each `DATABASES` and `CACHES`
      entry, which Django ignores when misspelt (`CONN_MAX_AGES`), the
      `OPTIONS` of a PostgreSQL entry (the driver's keywords: a wrong one
      fails at the first connection) and of a django-redis cache (ignored
      without a word: `SOCKET_KEEPALIVE` is not an option of django-redis,
      `socket_keepalive` in `CONNECTION_POOL_KWARGS` is), and module-level
      `CONN_MAX_AGE`, `CONN_HEALTH_CHECKS`, `ATOMIC_REQUESTS`, `AUTOCOMMIT` or
      `DISABLE_SERVER_SIDE_CURSORS`, which Django reads only per entry.

    ## Why is this bad?
    The library looks each key up and skips the ones it does not know: pika
    logs "Unsupported TCP option" and never sets it. `tcp_options={"TCP_KEEPIDEL":
    60}` leaves the socket at the OS default idle (Linux: first keepalive probe
    after 7200 s). Because no `TCP_KEEP*` key is recognised, pika does not even
    turn `SO_KEEPALIVE` on. A NAT gateway or load balancer then drops the
    idle connection after its idle timeout (common cloud defaults: Azure
    240 s, AWS NAT gateway 350 s), and nothing says why.

    Units are the knob's own, a classic trap: pika's `TCP_KEEPIDLE` and
    `TCP_KEEPINTVL` are seconds, `TCP_USER_TIMEOUT` is milliseconds.

    Configuration keys fail in one of two ways, and the message says which.
    Django ignores a misspelt `DATABASES` key: `"CONN_MAX_AGES": 600` leaves
    every request opening a new connection, and `"CONN_HEALTH_CHECK": True`
    leaves persistent connections unchecked. A wrong driver keyword (in
    `connect_args`, the URL's query, or a PostgreSQL entry's `OPTIONS`) passes
    every start-up check and fails at the first connection, in production:
    `connect_args={"keepalives": 1}` with asyncpg raises `TypeError`, since
    asyncpg has no keepalive keywords (its server can probe instead:
    `server_settings={"tcp_keepalives_idle": "60"}`).

    ## When it does not report
    - Computed keys, and collections that are not literal (a variable, a
      function's result); the literal entries of a `+` concatenation are
      still checked.
    - Collections the schema does not list in `option_keys` (the keys of
      those are not checked at all).
    - A URL lintkit cannot read (a computed string, `URL.create(...)`): the
      driver is unknown. A bare `mysql://` (mysqlclient) is not checked.
    - An unknown key of a `DATABASES` or `CACHES` entry that is not a
      misspelling of a known one: a third-party backend or a database router
      may read it. The `OPTIONS` of other database engines, of another cache
      backend, or of a django-redis cache with a custom `CLIENT_CLASS`.
    - A settings dict that is not a literal (`env.db()`,
      `dj_database_url.config()`), or an entry with `**` unpacking; a
      module-level `CONN_MAX_AGE` the module itself reads (a helper variable).
      A settings module is a file whose name contains `settings` or that
      lies in a `settings` package, and that assigns another Django setting
      (`INSTALLED_APPS`, `SECRET_KEY`...) or star-imports other settings.

    ## Example
    ```python
    import pika

    params = pika.ConnectionParameters("broker", tcp_options={"TCP_KEEPIDEL": 60})
    ```

    ## Use instead
    ```python
    import pika

    params = pika.ConnectionParameters("broker", tcp_options={"TCP_KEEPIDLE": 60})
    ```

    ## Fix safety
    When exactly one known key is clearly closest in spelling, the fix renames
    the key (or the query key inside a plain URL string) and is **safe**: the library then applies the setting the code
    already asked for. On a tie, or for a key in a `dict(KEY=...)` call that
    already names the suggestion, there is no fix, only the hint. A string
    with a prefix or triple quotes is not edited.

    ## Options
    - `--schemas PATH` (CLI) / `--lintkit-schemas PATH` (flake8): your own
      schemas can list the keys of their collections (`option_keys`).

    ## References
    - [pika `tcp_socket_opts.py`](https://github.com/pika/pika/blob/main/pika/tcp_socket_opts.py)
    - [SQLAlchemy: custom DBAPI connect() arguments](https://docs.sqlalchemy.org/en/20/core/engines.html#custom-dbapi-connect-arguments-on-connect-routines)
    - [Django `DATABASES`](https://docs.djangoproject.com/en/5.2/ref/settings/#databases)
    - [django-redis: configure the connection pool](https://github.com/jazzband/django-redis#configure-as-cache-backend)
    - [Library schemas](../schemas.md)
    """

    code = "LK103"
    name = "unknown-option-key"
    fix_availability = "sometimes"
    reads_settings_modules = True

    def known_call(self, event: KnownCall) -> None:
        if event.subclass_defines_init:
            return
        check_call(self, event)
        collections = self.schemas.option_keys(event.target.returns)
        for keyword in event.call.keywords:
            if keyword.arg in collections:
                self._check(keyword.value, keyword.arg, collections[keyword.arg], event.target.display_name,
                            event.target.library)

    def finish(self) -> None:
        check_settings_module(self)

    def attribute_store(self, event: AttributeStore) -> None:
        collections = self.schemas.option_keys(event.instance.cls)
        if event.name in collections and event.value is not None and event.form != "augassign":
            self._check(event.value, event.name, collections[event.name], event.instance.display_name,
                        event.instance.cls.library)

    def _check(self, value: ast.expr, collection: str, known: frozenset[str], owner: str, library: str) -> None:
        pairs = list(literal_keys(value))
        given = {key for key, _ in pairs}
        for key, node in pairs:
            if key in known:
                continue
            suggestion = suggest(key, known, {}, {})
            message = (f"'{key}' is not a key of {collection} of {owner}"
                       f"{suggestion.hint() or ': ' + library + ' never applies it'}")
            explanation = (f"{library} skips keys it does not know, so the setting is never applied. "
                           f"The keys it knows: {', '.join(sorted(known))}.")
            self.report(*key_span(node, key), message, key_fix(self, suggestion, key, node, given), explanation)

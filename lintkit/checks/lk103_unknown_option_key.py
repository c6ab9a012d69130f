from __future__ import annotations

import ast
from ..library_settings.config_keys import check_call, check_settings_module, key_fix, key_span, literal_keys
from ..analysis.events import AttributeStore, KnownCall
from ..schemas.schema import ClassSchema
from ..library_settings.settings_keys import query_keys
from ..library_settings.settings_names import misspelt_settings, mixed_names, unknown_option_keys
from ..library_settings.settings_sources import setting_uses
from ..library_settings.settings_versions import has_range, version_problems
from ..analysis.suggest import suggest
from ..project.version_verdicts import name_effect, names_in_use, rename, verdict_for
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
    read, such as a name or a computed string, is not reported. A collection
    passed by name is read where the dict is built in the same function,
    module or class (`tcp = {"TCP_KEEPIDL": 60}` then `tcp_options=tcp`,
    with `tcp["x"] = v` and `tcp.update(...)` after it): its keys are
    checked there, even when it also holds what lintkit cannot read.

    It also checks the query keys of a literal connection URL against the
    keys the library reads from it (the schema's `settings_keys`):
    `aio_pika.connect("amqp://h/?hearbeat=30")` hands the query to aiormq,
    which reads `heartbeat`, `name`, `timeout`, the TLS file keys and a few
    more, and never looks at the others. RabbitMQ's own URI keys
    (`connection_timeout`, `cacertfile`) are among the ignored ones.
    `pymongo.MongoClient("mongodb://db/?socketTimoutMS=1000")` only warns
    "Unknown option." (without naming the key) and drops it; pymongo's option
    names are compared without case, as pymongo does.
    `pika.URLParameters("amqp://h/?heartbeat_interval=30")` raises ValueError
    ("Unknown URL parameter") with pika 1.x, which removed the key that 0.11.0
    had renamed `heartbeat`; pika 0.10.0 ignored unknown keys. URL query keys
    are judged against the project's pika version like keywords, at the exact
    column of the key inside the string.

    Names are judged against the version of the library the project uses
    (its pins in pyproject.toml, requirements files, setup.py, setup.cfg or a
    lock file, else the installed version), where the schema says when a name
    was added, renamed or removed (`[class.history.option_keys.<collection>]`
    in the schema: a key added in a later version is reported with "was added
    in ..., after the version this project uses"). When the
    version is unknown, a name that only older versions have is reported in one
    line saying which versions it works with.
    It also checks the names of **settings** that a library reads by name
    (`[[settings]]` in the schemas): celery's `app.conf.update(broker_hearbeat=10)`,
    `app.conf.broker_hearbeat = 10`, `app.conf["broker_hearbeat"] = 10`,
    `Celery("proj", broker_hearbeat=10)`, the attributes of a class or the keys
    of a dict given to `app.config_from_object()` in the same file (with
    `namespace="CELERY"`, the names carrying the `CELERY_` prefix), a
    `celeryconfig.py` module, and the `CELERY_` names of a Django settings module
    (a file named `settings.py` or in a `settings/` package, or one that assigns
    `INSTALLED_APPS` or `ROOT_URLCONF`; lintkit assumes the documented
    `config_from_object("django.conf:settings", namespace="CELERY")`). A new
    setting name in upper case (`TASK_ALWAYS_EAGER`) is not read either: celery
    reads new names in lower case and only the old names (`CELERY_ALWAYS_EAGER`)
    in upper case. Settings are judged against the project's celery version
    too: `broker_connection_retry_on_startup` (added in celery 5.3.0) is
    reported with `celery==5.2.7`, `task_queue_ha_policy` (removed in 5.1.0)
    with celery 5.1 and later (an `if` testing celery's version is not read
    for settings). The keys of `broker_transport_options` are checked against
    the keys the broker's transport reads (redis, sentinel, py-amqp), when the
    file gives the broker's URL as a literal (a `redis://` key such as
    `visibility_timeout` does nothing on an `amqp://` broker).
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

    celery stores a setting it does not know in `app.conf` and never reads it,
    with no warning: `broker_hearbeat=10` leaves the worker's broker heartbeat at
    its default, and `CELERY_BROKER_HEARBEAT` in Django settings the same.

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
    - A name the project's version of the library has, though the version the
      schema describes does not (a key removed since), and any
      name with a version range inside an `if` that tests the library's version
      or a `try` that catches what a version without it raises.
    - Computed keys, and collections that are not literal (a variable, a
      function's result); the literal entries of a `+` concatenation are
      still checked.
    - Collections the schema does not list in `option_keys` (the keys of
      those are not checked at all).
    - A URL that is not a literal string at the call, and query keys with
      `%` escapes. A URL literal with escapes or a prefix is reported as a
      whole, with no fix.
    - A setting name that is not close to any setting the library knows:
      extensions keep their own settings in `app.conf` (celery-redbeat's
      `redbeat_redis_url`), and a project may read its own `CELERY_ENABLED`.
      Only near misses of a real setting are reported.
    - `app.conf` of an object lintkit does not know to be a Celery application
      (one imported from another module), a configuration module named by a
      string (`config_from_object("proj.celeryconfig")`, another file), and
      `broker_transport_options` when the broker URL is computed or set
      elsewhere (`CELERY_BROKER_URL` in the environment overrides it anyway).
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
    the key (or the query key inside a plain URL string) and is **safe**: the library then applies the setting
    the code already asked for. A misspelt setting is renamed the same way, in the
    style of the names given with it: an upper-case new name becomes the old
    name when the others are old ones, since celery raises
    `ImproperlyConfigured` for a configuration that mixes old and new names.
    An old upper-case name in a config class, dict or `celeryconfig.py`
    whose other names are new (or a new one among old ones) is reported too:
    celery raises `ImproperlyConfigured` when the settings are first read,
    and the fix renames it as celery's error asks.
    A module-level or class-level name that the file also reads is not
    renamed (the readers would break), and neither is a keyword whose
    suggestion the same call already passes. On a tie, or for a key in a `dict(KEY=...)` call that
    already names the suggestion, there is no fix, only the hint. A string
    with a prefix or triple quotes is not edited.

    ## Options
    - `--schemas PATH` (CLI) / `--lintkit-schemas PATH` (flake8): your own
      schemas can list the keys of their collections (`option_keys`).

    ## References
    - [pika `tcp_socket_opts.py`](https://github.com/pika/pika/blob/main/pika/tcp_socket_opts.py)
    - [pika `connection.py`: `URLParameters._set_url_*`](https://github.com/pika/pika/blob/main/pika/connection.py)
    - [aiormq `connection.py`: the URL query keys it reads](https://github.com/mosquito/aiormq/blob/master/aiormq/connection.py)
    - [celery configuration and defaults](https://docs.celeryq.dev/en/stable/userguide/configuration.html)
    - [kombu redis transport options](https://docs.celeryq.dev/projects/kombu/en/stable/reference/kombu.transport.redis.html)
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
                            event.target.library, event.target.returns, event.version_guards)
        known = event.target.returns.settings_keys
        if known is not None and event.target.settings_argument:
            self._check_query(event, known)

    def _check_query(self, event: KnownCall, known: frozenset[str]) -> None:
        """`amqp://h/?hearbeat=30`: a URL query key the library never reads (schema `settings_keys`)."""
        keys = list(query_keys(event.call, event.target.settings_argument))
        given = {k.key for k in keys}
        cls = event.target.returns
        lowered = {key.lower() for key in known} if cls.names_case_insensitive else ()
        history = self.schemas.history(cls)
        in_use = names_in_use(self, history, "settings_keys", known, cls)
        for found in keys:
            by_version = verdict_for(self, history, "settings_keys", found.key, found.key in known,
                                     cls.unknown_settings_keys, cls, event.version_guards, event.call)
            if by_version is not None:
                if not by_version.valid:
                    renamed = rename(by_version)
                    fix = self.rename_fix(renamed, found.line, found.col, found.end_line, found.end_col, "the key") \
                        if found.exact and not set(renamed.names) & given else None
                    self.report(found.line, found.col, found.end_line, found.end_col,
                                f"URL query key {by_version.message}", fix, by_version.explanation)
                continue
            if found.key in known or found.key.lower() in lowered:
                continue
            suggestion = suggest(found.key, in_use, self.schemas.class_vocabulary(cls), self.schemas.vocabulary)
            library = event.target.library
            what = name_effect(self, history, "settings_keys", cls.unknown_settings_keys, cls)
            message = (f"URL query key '{found.key}' is not read by {event.target.display_name}: "
                       f"{what}{suggestion.hint()}")
            explanation = (f"{library} applies only the URL query keys it knows and drops the others, so the "
                           f"setting is never applied." if cls.unknown_settings_keys == "ignored" else
                           f"{library} refuses a URL query key it does not read.") + \
                f" The keys it reads: {', '.join(sorted(in_use))}."
            fix = None
            if found.exact and not set(suggestion.names) & given:
                fix = self.rename_fix(suggestion, found.line, found.col, found.end_line, found.end_col, "the key")
            self.report(found.line, found.col, found.end_line, found.end_col, message, fix, explanation)

    def finish(self) -> None:
        check_settings_module(self)
        self._check_settings()

    def attribute_store(self, event: AttributeStore) -> None:
        collections = self.schemas.option_keys(event.instance.cls)
        if event.name in collections and event.value is not None and event.form != "augassign":
            self._check(event.value, event.name, collections[event.name], event.instance.display_name,
                        event.instance.cls.library, event.instance.cls, event.version_guards)

    def _check(self, value: ast.expr, collection: str, known: frozenset[str], owner: str, library: str,
               cls: ClassSchema, guards: frozenset[str]) -> None:
        pairs = list(literal_keys(value))
        given = {key for key, _ in pairs}
        history = self.schemas.history(cls)
        in_use = names_in_use(self, history, f"option_keys.{collection}", known, cls)
        for key, node in pairs:
            by_version = verdict_for(self, history, f"option_keys.{collection}", key, key in known, "", cls, guards,
                                     node)
            if by_version is not None:
                if not by_version.valid:
                    renamed = rename(by_version)
                    fix = key_fix(self, renamed, key, node, given) if renamed is not None else None
                    self.report(*key_span(node, key), by_version.message, fix, by_version.explanation)
                continue
            if key in known:
                continue
            suggestion = suggest(key, in_use, {}, {})
            message = (f"'{key}' is not a key of {collection} of {owner}"
                       f"{suggestion.hint() or ': ' + library + ' never applies it'}")
            explanation = (f"{library} skips keys it does not know, so the setting is never applied. "
                           f"The keys it knows: {', '.join(sorted(in_use))}.")
            self.report(*key_span(node, key), message, key_fix(self, suggestion, key, node, given), explanation)

    def _check_settings(self) -> None:
        """Celery-style settings read by name (`[[settings]]`): near misses, mixed old and new
        names, and per-transport option keys."""
        uses = setting_uses(self.context, self.schemas)
        if not uses:
            return
        for found in version_problems(uses, self):
            self.report(*found.use.span, found.verdict.message, None, found.verdict.explanation)
        for problem in (*(p for p in misspelt_settings(uses) if not has_range(p.use)), *mixed_names(uses)):
            fix = self.rename_fix(problem.suggestion, *problem.span, "the setting",
                                  quoted=problem.quoted) if problem.fixable else None
            self.report(*problem.span, problem.message, fix, problem.explanation)
        for problem in unknown_option_keys(uses, self.schemas):
            node = problem.node
            given = set()
            self.report(*key_span(node, problem.key), problem.message,
                        key_fix(self, problem.suggestion, problem.key, node, given), problem.explanation)

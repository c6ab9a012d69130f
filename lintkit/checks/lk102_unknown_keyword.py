from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping

from ..analysis.events import KnownCall, MethodCall
from ..analysis.keyword_dicts import conditional
from ..schemas.name_history import NameRange
from ..schemas.schema import ClassSchema
from ..analysis.suggest import suggest, with_note
from ..project.version_verdicts import names_in_use, rename, unknown_name_effect, verdict_for
from .base import Check


class UnknownKeyword(Check):
    """A keyword argument that a connection constructor or factory does not accept.

    ## What it does
    Checks the keyword arguments of calls to known constructors and factories
    (`kombu.Connection(...)`, `redis.from_url(...)`, `psycopg2.connect(...)`,
    `Connection.establish(...)`) against the library's schema, reports the
    ones it does not accept, and says what the library does with them: some
    raise at once, some **silently ignore** them (`kombu.Connection` and
    `amqp.Connection` swallow `**kwargs`), and some store them and fail only
    when the first connection is made (`redis.ConnectionPool`, `from_url`,
    urllib3 pools). The hint names the closest accepted keyword; another
    library's word for a setting (RabbitMQ's `vhost`, `heartbeat_interval`)
    gets the class's own word (`virtual_host`), even when a different keyword
    is a letter away (`host`). A pool that hands its unknown keywords to a
    connection class (redis `connection_class=`) is not judged on them when
    that class is the application's own. Methods whose keywords the schema
    lists (`method_kwargs`: paramiko's `client.connect(...)`) are checked
    the same way on known clients: another keyword raises TypeError.

    Names are judged against the version of the library the project uses
    (its pins in pyproject.toml, requirements files, setup.py, setup.cfg or a
    lock file, else the installed version), where the schema says when a name
    was added, renamed or removed: `heartbeat_interval=` is fine with
    `pika==0.13.1` and reported with pika 1.x ("was renamed 'heartbeat' in
    pika 0.11.0 and removed in 1.0.0: TypeError at the call"). When the
    version is unknown, a name that only older versions have is reported in one
    line saying which versions it works with. What happens to an unknown
    keyword follows the version too: elasticsearch 7.x hands it down to
    its transport and connection classes, which never read it
    (`Elasticsearch(hosts, timout=30)` keeps the 10 s default), while 8.0
    raises TypeError; the message says which the project gets. Libraries that
    look option names up without case (pymongo: `socketTimeoutMS=` and
    `sockettimeoutms=` are one option) are compared without case.

    ## Why is this bad?
    A swallowed keyword is the same bug as a misspelt attribute: the setting
    you wrote is never applied, and nothing tells you. `heartbeat` is off by
    default in kombu and py-amqp, so `hearbeat=30` leaves the connection
    without the AMQP heartbeat the code asked for: neither the client nor
    the broker notices when the other stops responding. A
    deferred failure surfaces far from the code that caused it, often only in
    production.

    ## When it does not report
    - A name the project's version of the library has, though the version the
      schema describes does not (`gss_kex=` with `paramiko==2.4.2`), and any
      name with a version range inside an `if` that tests the library's version
      or a `try` that catches what a version without it raises.
    - Code inside a block where a test expects it to fail or warn
      (`with pytest.raises(...)`, `pytest.warns`, `pytest.deprecated_call()`,
      `self.assertRaises(...)`): the wrong name is the point of the test.
    - Calls lintkit cannot resolve to a schema class or factory, and classes
      or factories whose schema lists no `kwargs`.
    - The construction of a local subclass that defines its own `__init__`
      (its keywords are its own).
    - A `**kwargs` splat of a dict lintkit cannot read (a parameter, a call's
      result): its keys are unknown (the literal keywords next to it are still
      checked). A dict built in the same function, module or class
      (`params = dict(host=h, hearbeat=30)`, `{"hearbeat": 30}`,
      `params["x"] = v`, `params.update(...)`, `dict(base, **extra)`,
      `{**a, **b}`, `self.params` set in `__init__`) is read: its keys are
      checked and reported at the key, even when the dict also holds what
      lintkit cannot read (`**extra`, a computed key); the rename fix edits
      only the key. So are the keywords of `functools.partial(Connection, ...)`
      and of a later call of the partial.
    - In test code too: a misspelt keyword there is still a bug.

    ## Example
    ```python
    import kombu

    connection = kombu.Connection("amqp://broker//", hearbeat=30)
    ```

    ## Use instead
    ```python
    import kombu

    connection = kombu.Connection("amqp://broker//", heartbeat=30)
    ```

    ## Fix safety
    When exactly one accepted keyword is clearly closest in spelling, the fix
    renames the keyword and is **safe**. When the suggestion is the class's own
    word for another library's term (`heartbeat_interval=` -> `heartbeat=`)
    the rename is **unsafe**. On a tie, or when the call already passes the
    suggested keyword, there is no fix, only the hint.

    ## Options
    - `--schemas PATH` (CLI) / `--lintkit-schemas PATH` (flake8): extra library
      schemas.

    ## References
    - [kombu `Connection`](https://docs.celeryq.dev/projects/kombu/en/stable/reference/kombu.html#connection)
    - [Library schemas](../schemas.md)
    """

    code = "LK102"
    fix_availability = "sometimes"
    name = "unknown-keyword-argument"

    def _unknown_receiver(self, event: KnownCall) -> bool:
        """The call passes its unknown keywords on to a class no schema knows
        (`ConnectionPool(connection_class=MyConnection, my_option=1)`): they are that class's."""
        receiver = event.target.kwargs_receiver
        for keyword in event.call.keywords:
            if receiver is not None and keyword.arg == receiver:
                qualname = event.resolver.qualname(keyword.value) if event.resolver is not None else None
                return qualname is None or not isinstance(self.schemas.lookup(qualname), ClassSchema)
        return False

    def known_call(self, event: KnownCall) -> None:
        target = event.target
        if target.kwargs is None or event.subclass_defines_init or self._unknown_receiver(event):
            return
        self._check_keywords(event.call, _Accepts(target.display_name, target.kwargs, "kwargs", target.history,
                                                  target.unknown_kwargs, target.notes, target.library),
                             target.returns, event.version_guards)

    def method_call(self, event: MethodCall) -> None:
        """`client.connect(...)` on a known client, for methods whose keywords the schema lists."""
        instance = event.instance
        if instance is None or (instance.subclass is not None and event.method in instance.subclass.names):
            return
        accepted = self.schemas.method_kwargs(instance.cls, event.method)
        if accepted is None:
            return
        self._check_keywords(event.call, _Accepts(f"{instance.display_name}.{event.method}()", accepted,
                                                  f"method_kwargs.{event.method}", self.schemas.history(instance.cls),
                                                  "raises", self.schemas.notes(instance.cls), instance.cls.library),
                             instance.cls, event.version_guards)

    def _check_keywords(self, call: ast.Call, accepts: _Accepts, cls: ClassSchema, guards: frozenset[str]) -> None:
        # Renaming onto a keyword the call already passes would be a SyntaxError.
        taken = {k.arg for k in call.keywords}
        for keyword in call.keywords:
            name = keyword.arg
            if name is None:
                continue
            end = keyword.col_offset + len(name.encode("utf-8"))
            library = self.schemas.library_of(cls)
            branch_guards = {library.name.split(".")[0]} if conditional(keyword) and library is not None else set()
            by_version = verdict_for(self, accepts.history, accepts.kind, name, name in accepts.names, accepts.policy,
                                     cls, guards | branch_guards, keyword)
            if by_version is not None:
                if not by_version.valid:
                    fix = None if by_version.rename in taken else self.rename_fix(
                        rename(by_version), keyword.lineno, keyword.col_offset, keyword.lineno, end, "the keyword")
                    self.report(keyword.lineno, keyword.col_offset, keyword.lineno, end, by_version.message, fix,
                                by_version.explanation)
                continue
            if name in accepts.names or cls.names_case_insensitive and name.lower() in _lowered(accepts.names):
                continue
            message = f"'{name}' is not a keyword argument of {accepts.display_name}"
            effect = unknown_name_effect(self, accepts.history, accepts.kind, accepts.policy, cls) or {
                "swallows": f"{accepts.library} silently ignores it, so the setting is never applied.",
                "deferred": f"{accepts.library} stores it and fails only when the first connection is made.",
            }.get(accepts.policy, "The call fails when it runs.")
            in_use = names_in_use(self, accepts.history, accepts.kind, accepts.names, cls)
            suggestion = suggest(name, in_use, self.schemas.class_vocabulary(cls), self.schemas.vocabulary)
            message += suggestion.hint()
            message, explanation = with_note(message, accepts.notes.get(name), bool(suggestion.names), effect)
            fix = None if set(suggestion.names) & taken else self.rename_fix(
                suggestion, keyword.lineno, keyword.col_offset, keyword.lineno, end, "the keyword")
            self.report(keyword.lineno, keyword.col_offset, keyword.lineno, end, message, fix, explanation)


@dataclass(frozen=True)
class _Accepts:
    """The keywords a constructor, factory or method takes, and what its library does with others."""

    display_name: str
    names: frozenset[str]
    #: The history kind of its keywords: "kwargs", or "method_kwargs.<method>".
    kind: str
    history: tuple[NameRange, ...]
    policy: str
    notes: Mapping[str, str]
    library: str


@lru_cache(maxsize=None)
def _lowered(names: frozenset[str]) -> frozenset[str]:
    """The names lowercased, for a library that looks them up without case (pymongo)."""
    return frozenset(name.lower() for name in names)

from __future__ import annotations

from ..analysis.events import AttributeStore
from ..analysis.method_replacement import is_callable_value
from ..schemas.schema import ATTRIBUTE_POLICIES
from ..analysis.suggest import suggest, with_note
from ..project.version_verdicts import names_in_use, rename, verdict_for
from .base import Check


class UnknownAttribute(Check):
    """An attribute assigned on a connection object whose library does not define it.

    ## What it does
    Checks assignments to attributes of known client objects (`obj.x = v`,
    `obj.x += v`, `obj.x: T = v`, tuple targets, `setattr(obj, "x", v)` with a
    literal name) against the library's schema, and reports names the library
    does not have. When one valid name is clearly closest, or the name is
    another library's word for the same setting (`heartbeat_interval`,
    `keepalive`), the message suggests it.

    Objects are recognised without importing anything: construction through
    any import form or alias, factories (`Connection.establish`,
    `redis.from_url`, `psycopg2.connect`...), `with X(...) as conn`,
    `self.attr` assigned in one method and used in another, and annotated
    parameters, variables and class attributes, private name-mangled ones
    included (`self.__client` in class `Tunnel` is `_Tunnel__client`, as
    `self._Tunnel__client` anywhere; a subclass's `self.__client` is its
    own), and clients made through `functools.partial(Connection, ...)`.
    Names starting with `_` are private and not checked. A subclass defined in the checked code may set
    the attributes it defines.

    Assigning to a method's name is reported when the value is not a callable
    (`conn.autocommit = True`) or not known to be one: a parameter, a loop
    variable, a name bound to a literal, or the result of an ordinary call.
    Assigning an evident callable replaces the method on purpose
    (monkeypatching, test doubles, spies) and is left alone: a lambda, a mock
    (`Mock()`, `MagicMock()`, `AsyncMock()`, any callee ending in `Mock`,
    `create_autospec()`, `patch.object(...).start()`), `functools.partial()`,
    `types.MethodType()`, a method reference (`other.method`), or a name the
    file binds only by `def`, `class`, `import` or to one of those values
    (`original = conn.send` ... `conn.send = original`). When the method shares
    its name with a constructor keyword (PyMySQL's `autocommit`),
    `conn.autocommit = settings.autocommit` still counts as a copied setting.
    Classes whose instances refuse new attributes (`socket.socket`) are
    reported even for a callable, since the assignment raises.

    Names are judged against the version of the library the project uses
    (its pins in pyproject.toml, requirements files, setup.py, setup.cfg or a
    lock file, else the installed version), where the schema says when a name
    was added, renamed or removed: `params.ssl = True` is fine with
    `pika==0.13.1` and reported with pika 1.x ("'ssl' was removed in pika
    1.0.0: AttributeError at run time"). When the
    version is unknown, a name that only older versions have is reported in one
    line saying which versions it works with.

    ## Why is this bad?
    Most client classes are plain Python objects: assigning a misspelt
    attribute creates a new one, and the library never reads it. OpenStack's
    qpid driver set `self.connection.hearbeat`, so AMQP heartbeats were never
    sent and a firewall's 1 h idle timeout silently dropped every quiet broker
    connection. Classes with `__slots__` (pika's parameters, `socket.socket`)
    raise AttributeError instead, but only when that line runs.

    ## When it does not report
    - A name the project's version of the library has, though the version the
      schema describes does not (`params.ssl = True` with `pika==0.13.1`), and any
      name with a version range inside an `if` that tests the library's version
      or a `try` that catches what a version without it raises.
    - Code inside a block where a test expects it to fail or warn
      (`with pytest.raises(...)`, `pytest.warns`, `pytest.deprecated_call()`,
      `self.assertRaises(...)`): the wrong name is the point of the test.
    - Names starting with `_`: private names are the library's business.
    - Names a local subclass defines (`class MyConnection(Connection)` with
      its own attributes), and classes lintkit cannot see through: a
      `__setattr__`/`__getattr__`/`__slots__` of their own, or an unknown
      mixin.
    - `setattr(obj, "name", value)` with a literal name that resembles no
      valid name and has no schema note: `setattr` is how code adds an
      attribute on purpose (a compatibility shim's
      `setattr(conn, "server_version", v)`); a near miss
      (`setattr(conn, "hearbeat", 5)`) is still reported.
    - `setattr(obj, name, value)` with a computed name, and objects lintkit
      cannot tell are clients (a name bound differently on two paths, a
      parameter without an annotation).
    - Classes whose schema lists no `attributes` (nothing to compare with).
    - Clients made in another module of the project that the project index
      cannot follow. It follows a module-level function whose every `return`
      gives one call's result (`def open_connection(url): return
      Connection(url)`) in a module that imports the library itself, a
      subclass of a client class, a base class whose methods store a client on
      `self`, and annotations naming such a class; not a method that returns a
      client, a factory that only calls another module's factory, names under
      packages outside the project (`import os`), nor code read from stdin.
    - In test code too: a misspelt name there is still a bug, so LK1xx rules
      keep reporting in tests (`test-code-ignore` defaults to `["LK2"]`).

    ## Example
    ```python
    import qpid.messaging

    connection = qpid.messaging.Connection("broker.example.com")
    connection.hearbeat = 60
    ```

    ## Use instead
    ```python
    import qpid.messaging

    connection = qpid.messaging.Connection("broker.example.com")
    connection.heartbeat = 60
    ```

    ## Fix safety
    When exactly one valid name is clearly closest in spelling, the fix renames
    the attribute to it and is **safe**: it applies the setting the code
    evidently meant. When the suggestion is the class's own word for another
    library's term (`heartbeat_interval` -> `heartbeat`), the rename is
    **unsafe** (the value's unit or meaning may differ) and needs
    `--unsafe-fixes`. When two names are equally close
    (`reconnect_interval_mix`: `_min` or `_max`?) there is no fix, only the
    hint. Assigning a non-callable to a method, or a name with no close
    match, has no fix: whether to call the method or drop the line is the
    author's choice.

    ## Options
    - `--schemas PATH` (CLI) / `--lintkit-schemas PATH` (flake8): extra library
      schemas, so your own client classes are checked too.

    ## References
    - [qpid.messaging `Connection` options (`opt_keys`)](https://github.com/apache/qpid-python/blob/main/qpid/messaging/endpoints.py)
    - [Library schemas](../schemas.md)
    """

    code = "LK101"
    fix_availability = "sometimes"
    name = "unknown-attribute"

    def attribute_store(self, event: AttributeStore) -> None:
        instance, name = event.instance, event.name
        allowed = self.schemas.attributes(instance.cls)
        if allowed is None or name.startswith("_"):
            return
        local_names = instance.subclass.names if instance.subclass is not None else frozenset()
        if name in local_names:
            return
        by_version = verdict_for(self, self.schemas.history(instance.cls), "attributes", name, name in allowed,
                                 instance.cls.unknown_attributes, instance.cls, event.version_guards, event.receiver)
        if by_version is not None:
            if not by_version.valid:
                self._report_version(event, by_version)
            return
        if name in allowed:
            return
        methods = self.schemas.methods(instance.cls)
        fix = None
        suggested = False
        note = self.schemas.notes(instance.cls).get(name)
        if name in methods:
            if event.form != "augassign" and instance.cls.unknown_attributes != "raises" and is_callable_value(
                    event.value, name, event.receiver, self.context.tree, self.context.__dict__,
                    setting_like=name in (instance.cls.kwargs or ())):
                return  # a deliberate replacement: a mock, a stub, a spy, a restore
            message = f"'{name}' is a method of {instance.display_name}"
            effect = ("Assigning to it raises AttributeError at run time." if instance.cls.unknown_attributes == "raises"
                      else "Assigning to it replaces the method, and the library never reads the value.")
        else:
            message = f"'{name}' is not an attribute of {instance.display_name}"
            effect = f"{ATTRIBUTE_POLICIES[instance.cls.unknown_attributes].capitalize()}."
            candidates = names_in_use(self, self.schemas.history(instance.cls), "attributes", allowed,
                                      instance.cls) | local_names
            suggestion = suggest(name, candidates, self.schemas.class_vocabulary(instance.cls),
                                 self.schemas.vocabulary)
            message += suggestion.hint()
            suggested = bool(suggestion.names)
            if event.form == "setattr" and not suggested and note is None:
                return  # `setattr(conn, "server_version", v)`: an attribute added on purpose
            if self._renamable(event):
                fix = self.rename_fix(suggestion, event.line, event.col, event.end_line, event.end_col,
                                      "the attribute", quoted=event.form == "setattr")
        message, explanation = with_note(message, note, suggested, effect)
        self.report(event.line, event.col, event.end_line, event.end_col, message, fix, explanation)

    @staticmethod
    def _renamable(event: AttributeStore) -> bool:
        """An attribute name, or a plain 'x' or "x" literal of setattr() (no prefixes, no triple quotes)."""
        return event.form != "setattr" or (event.line == event.end_line and
                                           event.end_col - event.col == len(event.name.encode("utf-8")) + 2)

    def _report_version(self, event: AttributeStore, verdict) -> None:
        """An attribute the project's version of the library does not have."""
        fix = self.rename_fix(rename(verdict), event.line, event.col, event.end_line, event.end_col,
                              "the attribute", quoted=event.form == "setattr") if self._renamable(event) else None
        self.report(event.line, event.col, event.end_line, event.end_col, verdict.message, fix, verdict.explanation)

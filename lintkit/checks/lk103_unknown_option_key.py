from __future__ import annotations

import ast
from typing import Iterator

from .. import knobs as K
from ..events import AttributeStore, KnownCall
from ..schema import ClassSchema
from ..settings_keys import query_keys
from ..suggest import Suggestion, suggest
from ..version_verdicts import names_in_use, rename, verdict_for
from .base import Check


class UnknownOptionKey(Check):
    """A key in an options collection that the library does not know.

    ## What it does
    Checks the string keys of collections that a library reads by name, such as
    pika's `tcp_options`, against the keys the schema lists for them
    (`option_keys`). It checks them as keyword arguments of a constructor
    (`pika.ConnectionParameters(tcp_options={...})`) and as attribute
    assignments (`params.tcp_options = {...}`). It reads dict literals, lists
    of `(key, value)` pairs and `dict(KEY=value)` calls. A key lintkit cannot
    read, such as a name or a computed string, is not reported.

    It also checks the query keys of a literal connection URL against the
    keys the library reads from it (the schema's `settings_keys`):
    `aio_pika.connect("amqp://h/?hearbeat=30")` hands the query to aiormq,
    which reads `heartbeat`, `name`, `timeout`, the TLS file keys and a few
    more, and never looks at the others. RabbitMQ's own URI keys
    (`connection_timeout`, `cacertfile`) are among the ignored ones.
    `pymongo.MongoClient("mongodb://db/?socketTimoutMS=1000")` only warns
    "Unknown option." (without naming the key) and drops it; pymongo's option
    names are compared without case, as pymongo does.

    Names are judged against the version of the library the project uses
    (its pins in pyproject.toml, requirements files, setup.py, setup.cfg or a
    lock file, else the installed version), where the schema says when a name
    was added, renamed or removed (`[class.history.option_keys.<collection>]`
    in the schema: a key added in a later version is reported with "was added
    in ..., after the version this project uses"). When the
    version is unknown, a name that only older versions have is reported in one
    line saying which versions it works with.

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
    the key and is **safe**: the library then applies the setting the code
    already asked for. On a tie, or for a key in a `dict(KEY=...)` call that
    already names the suggestion, there is no fix, only the hint. A string
    with a prefix or triple quotes is not edited.

    ## Options
    - `--schemas PATH` (CLI) / `--lintkit-schemas PATH` (flake8): your own
      schemas can list the keys of their collections (`option_keys`).

    ## References
    - [pika `tcp_socket_opts.py`](https://github.com/pika/pika/blob/main/pika/tcp_socket_opts.py)
    - [aiormq `connection.py`: the URL query keys it reads](https://github.com/mosquito/aiormq/blob/master/aiormq/connection.py)
    - [Library schemas](../schemas.md)
    """

    code = "LK103"
    name = "unknown-option-key"
    fix_availability = "sometimes"

    def known_call(self, event: KnownCall) -> None:
        if event.subclass_defines_init:
            return
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
        lowered = {key.lower() for key in known} if event.target.returns.names_case_insensitive else ()
        for found in keys:
            if found.key in known or found.key.lower() in lowered:
                continue
            suggestion = suggest(found.key, known, self.schemas.class_vocabulary(event.target.returns),
                                 self.schemas.vocabulary)
            library = event.target.library
            message = (f"URL query key '{found.key}' is not read by {event.target.display_name}: "
                       f"{library} ignores it{suggestion.hint()}")
            explanation = (f"{library} applies only the URL query keys it knows and drops the others, so "
                           f"the setting is never applied. The keys it reads: {', '.join(sorted(known))}.")
            fix = None
            if found.exact and not set(suggestion.names) & given:
                fix = self.rename_fix(suggestion, found.line, found.col, found.end_line, found.end_col, "the key")
            self.report(found.line, found.col, found.end_line, found.end_col, message, fix, explanation)

    def attribute_store(self, event: AttributeStore) -> None:
        collections = self.schemas.option_keys(event.instance.cls)
        if event.name in collections and event.value is not None and event.form != "augassign":
            self._check(event.value, event.name, collections[event.name], event.instance.display_name,
                        event.instance.cls.library, event.instance.cls, event.version_guards)

    def _check(self, value: ast.expr, collection: str, known: frozenset[str], owner: str, library: str,
               cls: ClassSchema, guards: frozenset[str]) -> None:
        given = {key for key, _ in _keys(value)}
        history = self.schemas.history(cls)
        in_use = names_in_use(self, history, f"option_keys.{collection}", known, cls)
        for key, node in _keys(value):
            by_version = verdict_for(self, history, f"option_keys.{collection}", key, key in known, "", cls, guards,
                                     node)
            if by_version is not None:
                if not by_version.valid:
                    self._report_key(node, key, by_version.message, by_version.explanation,
                                 None if by_version.rename in given else rename(by_version))
                continue
            if key in known:
                continue
            suggestion = suggest(key, in_use, {}, {})
            message = (f"'{key}' is not a key of {collection} of {owner}"
                       f"{suggestion.hint() or ': ' + library + ' never applies it'}")
            explanation = (f"{library} skips keys it does not know, so the setting is never applied. "
                           f"The keys it knows: {', '.join(sorted(in_use))}.")
            self._report_key(node, key, message, explanation, None if set(suggestion.names) & given else suggestion)

    def _report_key(self, node: ast.AST, key: str, message: str, explanation: str, suggestion: Suggestion | None) -> None:
        """Report `key` where `node` spells it, with a rename to the suggestion where the spelling allows."""
        if isinstance(node, ast.keyword):
            end = node.col_offset + len(key.encode("utf-8"))
            fix = self.rename_fix(suggestion, node.lineno, node.col_offset, node.lineno, end, "the key") \
                if suggestion is not None else None
            self.report(node.lineno, node.col_offset, node.lineno, end, message, fix, explanation)
            return
        plain = node.end_col_offset - node.col_offset == len(key.encode("utf-8")) + 2 and node.lineno == node.end_lineno
        fix = self.rename_fix(suggestion, node.lineno, node.col_offset, node.end_lineno, node.end_col_offset,
                              "the key", quoted=True) if suggestion is not None and plain else None
        self.report(node.lineno, node.col_offset, node.end_lineno, node.end_col_offset, message, fix, explanation)


def _keys(value: ast.expr) -> Iterator[tuple[str, ast.AST]]:
    """The string keys of a literal collection, with the node that spells each one."""
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

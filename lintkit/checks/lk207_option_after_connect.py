from __future__ import annotations

import ast
from dataclasses import dataclass

from ..analysis.bindings import Instance
from ..liveness.copied_options import CopiedOptions
from ..analysis.events import AttributeStore, MethodCall
from ..liveness.transports import _is_local, _strip_port
from .base import Check

#: Compound statements whose body runs when control reaches them (a `for` over endpoints is
#: taken to run): a copying call inside one still comes before the statements after it.
_RUNS_BODY = (ast.With, ast.AsyncWith, ast.Try, ast.For, ast.AsyncFor)


@dataclass(frozen=True)
class _Copy:
    """A call that takes a copy of the object's options (`sock.connect(endpoint)`)."""

    method: str
    call: ast.Call
    statement: ast.stmt


@dataclass(frozen=True)
class _Setting:
    """An option set on the object (`sock.setsockopt(zmq.HEARTBEAT_IVL, 5000)`, `sock.heartbeat_ivl = 5000`)."""

    option: str
    node: ast.AST  # reported: the option constant, or the attribute's name span below
    span: tuple[int, int, int, int]
    statement: ast.stmt


class OptionAfterConnect(Check):
    """An option set after the call that copies it, so the connection never gets it.

    ## What it does
    Reports a liveness option set on an object after the call that takes a
    copy of the object's options, in the same function: a pyzmq socket's
    `HEARTBEAT_IVL`, `HEARTBEAT_TIMEOUT`, `HEARTBEAT_TTL`, `TCP_KEEPALIVE`,
    `TCP_KEEPALIVE_IDLE`, `TCP_KEEPALIVE_INTVL`, `TCP_KEEPALIVE_CNT` or
    `TCP_MAXRT` set after `connect()`, `bind()` or `bind_to_random_port()`
    (through `setsockopt()`, `set()` or an attribute: `sock.heartbeat_ivl =
    5000`), and the same options set as a context's defaults after
    `ctx.socket()` made the socket. The options and the calls come from the
    schemas (`options_copied_by`, see [schemas](../schemas.md)).

    ## Why is this bad?
    libzmq copies a socket's options into each connection when `connect()`
    or `bind()` is called (`socket_base.cpp`: the session, or the listener of
    `bind()`, is created with a copy of `options`). An option set afterwards
    changes the socket, not the connection already made: no ZMTP heartbeat
    is sent, TCP keepalive stays off, and the reconnections of that endpoint
    keep the old copy too. The code looks configured, the connection dies
    silently when a NAT gateway or load balancer drops its idle flow. On
    pyzmq 27.3.0 with libzmq 4.3.5, `HEARTBEAT_IVL` set after `connect()` or
    `bind()` sends no PING, and `TCP_KEEPALIVE`, `TCP_KEEPALIVE_IDLE`,
    `TCP_KEEPALIVE_INTVL`, `TCP_KEEPALIVE_CNT` and `TCP_MAXRT` set after
    `connect()` are not on libzmq's TCP socket (`getsockopt()`), while the
    same calls before `connect()` are. A context copies its default socket
    options into each socket when `ctx.socket()` makes it: setting them on
    the context afterwards leaves the socket already made without them.

    ## When it does not report
    - The copying call and the setting are in different functions, or the
      copying call sits in a branch (`if`, `else`, `except`) that the setting
      does not follow: lintkit cannot tell their order at run time.
    - The same object is connected or bound again after the setting in that
      function: the later connection gets the option.
    - Every copying call before it names a local endpoint literally
      (`inproc://`, `ipc://`, `tcp://127.0.0.1:...`, `tcp://localhost:...`).
      A computed endpoint is judged: whatever it names, the option does not
      apply to it.
    - Options that libzmq applies at once (`SUBSCRIBE`, `LINGER`,
      `RCVTIMEO`...): the schemas list only options copied at connect time.
    - Test code, as for the other LK2xx rules (`test-code-ignore`).

    ## Example
    ```python
    import zmq

    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.connect("tcp://broker.internal:5555")
    sock.setsockopt(zmq.HEARTBEAT_IVL, 10000)
    sock.setsockopt(zmq.HEARTBEAT_TIMEOUT, 30000)
    ```

    ## Use instead
    ```python
    import zmq

    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.HEARTBEAT_IVL, 10000)
    sock.setsockopt(zmq.HEARTBEAT_TIMEOUT, 30000)
    sock.connect("tcp://broker.internal:5555")
    ```

    ## Fix safety
    No fix: moving the statement before the call may move it before the
    code that computes its value.

    ## Options
    - `--schemas PATH` (CLI) / `--lintkit-schemas PATH` (flake8): the
      `options_copied_by` tables of your own schemas are checked too.

    ## References
    - [libzmq `zmq_setsockopt`](https://libzmq.readthedocs.io/en/latest/zmq_setsockopt.html): "only take effect for subsequent socket bind/connects"
    - [pyzmq socket options](https://pyzmq.readthedocs.io/en/latest/api/zmq.html#zmq.Socket.setsockopt)
    """

    code = "LK207"
    name = "option-set-after-connect"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        #: (function, receiver source) -> copying calls and settings, in event order.
        self._copies: dict[tuple[int, str], list[_Copy]] = {}
        self._settings: dict[tuple[int, str], list[tuple[_Setting, CopiedOptions, Instance]]] = {}

    def _copied(self, instance: Instance | None) -> CopiedOptions | None:
        if instance is None:
            return None
        return next((c.options_copied_by for c in self.schemas.mro(instance.cls) if c.options_copied_by), None)

    def _key(self, receiver: ast.expr, node: ast.AST) -> tuple[int, str]:
        return id(self.context.parents.home(node)), ast.unparse(receiver)

    def method_call(self, event: MethodCall) -> None:
        copied = self._copied(event.instance)
        if copied is None:
            return
        statement = self.context.parents.statement(event.call)
        if statement is None:
            return
        key = self._key(event.receiver, event.call)
        if event.method in copied.calls:
            self._copies.setdefault(key, []).append(_Copy(event.method, event.call, statement))
        elif event.method in copied.setters and event.call.args:
            option = self._option(event.call.args[0], event.resolver, event.instance)
            if option in copied.options:
                node = event.call.args[0]
                span = (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)
                self._settings.setdefault(key, []).append((_Setting(option, node, span, statement), copied,
                                                           event.instance))

    def attribute_store(self, event: AttributeStore) -> None:
        copied = self._copied(event.instance)
        if copied is None or event.receiver is None or event.form == "setattr":
            return
        option = copied.option_of_attribute(event.name)
        statement = self.context.parents.statement(event.receiver)
        if option is None or statement is None:
            return
        span = (event.line, event.col, event.end_line, event.end_col)
        self._settings.setdefault(self._key(event.receiver, event.receiver), []).append(
            (_Setting(option, event.receiver, span, statement), copied, event.instance))

    def _option(self, node: ast.expr, resolver, instance: Instance) -> str | None:
        """`HEARTBEAT_IVL` for `zmq.HEARTBEAT_IVL`, `zmq.constants.HEARTBEAT_IVL`,
        `zmq.SocketOption.HEARTBEAT_IVL` or a bare imported `HEARTBEAT_IVL`."""
        qualname = resolver.qualname(node)
        library = self.schemas.library_of(instance.cls)
        if qualname is None or library is None or not qualname.startswith(library.name.split(".")[0] + "."):
            return None
        return qualname.rpartition(".")[2]

    def finish(self) -> None:
        for key, settings in self._settings.items():
            copies = self._copies.get(key, [])
            for setting, copied, instance in settings:
                before = [c for c in copies if self._comes_before(c.statement, setting.statement)]
                after = [c for c in copies if self._comes_before(setting.statement, c.statement)]
                if not before or after or all(_local_endpoint(c.call) for c in before):
                    continue
                earlier = next((s for s, _, _ in settings if s.option == setting.option
                                and self._comes_before(s.statement, before[-1].statement)), None)
                self._report_setting(setting, before[-1], copied, instance, earlier)

    def _report_setting(self, setting: _Setting, copy: _Copy, copied: CopiedOptions, instance: Instance,
                        earlier: _Setting | None) -> None:
        call = f"{ast.unparse(copy.call.func)}()"
        if earlier is not None:  # set before the call too (a loop meant to configure another socket)
            message = (f"{setting.option} set again after {call} (line {copy.call.lineno}) does nothing: line "
                       f"{earlier.span[0]} set it before; was another object meant?")
        else:
            message = (f"{setting.option} is set after {call} on line {copy.call.lineno}, which has already copied "
                       f"the options: set it before {call}")
        explanation = (f"{copied.effect}. So {setting.option} set here does nothing for what this "
                       f"{instance.display_name}'s {copy.method}() on line {copy.call.lineno} made.")
        self.report(*setting.span, message, None, explanation)

    def _comes_before(self, first: ast.stmt, second: ast.stmt) -> bool:
        """`first` runs before `second` whenever `second` runs: `first`, or a statement whose body
        always runs and holds it, precedes an ancestor of `second` (or `second`) in one block."""
        parents = self.context.parents
        holders = [first]
        current = parents.of(first)
        while isinstance(current, _RUNS_BODY) and _in_body(current, holders[-1]):
            holders.append(current)
            current = parents.of(current)
        ancestors = []
        node: ast.AST | None = second
        while node is not None and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
            ancestors.append(node)
            node = parents.of(node)
        for holder in holders:
            block = _block_of(parents.of(holder), holder)
            if block is None:
                continue
            for ancestor in ancestors:
                if ancestor in block and block.index(ancestor) > block.index(holder):
                    return True
        return False


def _in_body(compound: ast.stmt, child: ast.stmt) -> bool:
    """Whether `child` is in the part of `compound` that runs when control reaches it (a `try`'s
    body, not its handlers; a loop's body, not its `else`)."""
    return any(child is statement for statement in compound.body)


def _block_of(parent: ast.AST | None, statement: ast.stmt) -> list[ast.stmt] | None:
    """The statement list of `parent` that holds `statement`."""
    if parent is None:
        return None
    for field in ("body", "orelse", "finalbody"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and any(statement is item for item in block):
            return block
    return None


def _local_endpoint(call: ast.Call) -> bool:
    """A literal endpoint that stays on this host: `inproc://`, `ipc://`, or a loopback TCP host
    (also the literal start of an f-string, `%` or `.format()` template: `f"tcp://127.0.0.1:{port}"`)."""
    read = _leading_text(call.args[0]) if call.args else None
    if read is None:
        return False
    text, complete = read
    if text.startswith(("inproc://", "ipc://")):
        return True
    if not text.startswith("tcp://"):
        return False
    address = text[len("tcp://"):]
    if address.startswith("["):
        host_end = address.find("]") + 1
    else:
        host_end = address.rfind(":") if ":" in address or not complete else len(address)
    if host_end <= 0:
        return False  # the host is not written out in full
    return _is_local(_strip_port(address[:host_end]))


def _leading_text(node: ast.expr) -> tuple[str, bool] | None:
    """The literal text an endpoint starts with, and whether that is all of it."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, True
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return node.values[0].value, len(node.values) == 1
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        read = _leading_text(node.left)
        return (read[0].split("%", 1)[0], False) if read is not None else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        read = _leading_text(node.func.value)
        return (read[0].split("{", 1)[0], False) if read is not None else None
    return None

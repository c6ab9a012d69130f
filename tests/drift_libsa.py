"""The entries of asyncpg, pyzmq and nats-py in the drift tests' tables: offline builders,
factory calls, deferred-keyword probes. test_schema_drift.py merges them into its own tables.

Each library is imported only when an entry runs, so a missing library fails only its own
schema's tests.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

#: A DSN nothing listens at: nothing here connects.
_DSN = "postgresql://db.example/app"


def _resolve(qualname: str) -> Any:
    module, _, name = qualname.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _asyncpg_pool(env: Any, **kw: Any) -> Any:
    """A pool that has made no connection yet (create_pool() connects only when awaited)."""
    kw.setdefault("loop", env.event_loop)
    return _resolve("asyncpg.pool.create_pool")(_DSN, **kw)


def _asyncpg_connection(env: Any, **kw: Any) -> Any:
    """An asyncpg Connection without a server: only connect() makes a real one."""
    cls = _resolve("asyncpg.connection.Connection")
    connection = cls.__new__(cls, **kw)
    connection._aborted = True  # what __del__ reads (is_closed()) on a connection never opened
    return connection


def method_keywords(qualname: str, method: str) -> Callable[[], set[str]]:
    """The keywords of a method (nats.connect(**options) awaits Client().connect(**options))."""
    import inspect

    return lambda: set(inspect.signature(getattr(_resolve(qualname), method)).parameters) - {"self"}


def _zmq_context(qualname: str) -> Callable[..., Any]:
    def build(env: Any, **kw: Any) -> Any:
        return env.close_later(_resolve(qualname)(**kw), "term")
    return build


def _zmq_socket(context: str) -> Callable[..., Any]:
    """A socket of a fresh context (no endpoint: nothing connects)."""
    def build(env: Any, **kw: Any) -> Any:
        import zmq

        ctx = env.close_later(_resolve(context)(), "term")
        return env.close_later(ctx.socket(zmq.DEALER, **kw), "close")
    return build


def _zmq_instance(qualname: str) -> Callable[..., Any]:
    def call(env: Any, **kw: Any) -> Any:
        return env.close_later(_resolve(qualname)(**kw), "term")
    return call


BUILDERS: dict[str, Callable[..., Any]] = {
    "asyncpg.connection.Connection": _asyncpg_connection,
    "asyncpg.pool.Pool": _asyncpg_pool,
    "nats.aio.client.Client": lambda env, **kw: _resolve("nats.aio.client.Client")(**kw),
    "zmq.sugar.context.Context": _zmq_context("zmq.sugar.context.Context"),
    "zmq.asyncio.Context": _zmq_context("zmq.asyncio.Context"),
    "zmq.sugar.socket.Socket": _zmq_socket("zmq.sugar.context.Context"),
    "zmq.asyncio.Socket": _zmq_socket("zmq.asyncio.Context"),
}

FACTORY_CALLS: dict[str, Callable[..., Any]] = {
    "asyncpg.connection.connect": lambda env, **kw: _resolve("asyncpg.connection.connect")(_DSN, **kw),
    "asyncpg.pool.create_pool": _asyncpg_pool,
    "nats.connect": lambda env, **kw: _resolve("nats.connect")("nats://nats.example:4222", **kw),
    "zmq.sugar.context.Context.socket": _zmq_socket("zmq.sugar.context.Context"),
    "zmq.asyncio.Context.socket": _zmq_socket("zmq.asyncio.Context"),
    "zmq.sugar.context.Context.instance": _zmq_instance("zmq.sugar.context.Context.instance"),
    "zmq.asyncio.Context.instance": _zmq_instance("zmq.asyncio.Context.instance"),
}

NEEDS_SERVER: dict[str, str] = {
    "asyncpg.connection.connect": "a coroutine that waits for the PostgreSQL handshake",
    "nats.connect": "a coroutine that waits for the NATS server's INFO",
}

#: What the source reading cannot follow: nats.connect(**options) awaits Client().connect(**options).
FORWARDS: dict[str, list] = {
    "nats.connect": [method_keywords("nats.aio.client.Client", "connect")],
}

#: The step that makes the pool's first connection: connect(**connect_kwargs), which checks its
#: keywords before any network I/O.
DEFERRED_PROBES: dict[str, Callable[[Any], Any]] = {
    "asyncpg.pool.Pool": lambda pool: pool._loop.run_until_complete(pool._get_new_connection()),
    "asyncpg.pool.create_pool": lambda pool: pool._loop.run_until_complete(pool._get_new_connection()),
}

"""The prefilter lets through the files that import pyzmq, asyncpg and nats-py (their schemas' modules)."""

from __future__ import annotations

from lintkit.schemas.registry import load_schema_set


def test_the_prefilter_knows_the_new_libraries() -> None:
    prefilter = load_schema_set().prefilter
    for source in ("import zmq\n", "import zmq.asyncio\n", "import asyncpg\n", "import nats\n"):
        assert prefilter.imports_plainly(source), source
    for source in ("from zmq.asyncio import Context\n", "from asyncpg import create_pool\n",
                   "from nats.aio.client import Client as NATS\n"):
        assert prefilter.imports_from(source), source

"""confluent-kafka for the drift tests: offline instances, librdkafka's own property table, and the
state of a real broker socket that librdkafka opens.

librdkafka keeps its configuration in C: the properties and their defaults are read from the
bundled library with `rd_kafka_conf_get()` (through ctypes), and a connection's socket is found
by its peer among the process's file descriptors.
"""

from __future__ import annotations

import ctypes
import glob
import os
import socket
import time
from pathlib import Path
from typing import Any, Callable

from lintkit.generators.library_view import resolve

#: Enough for an offline instance: a broker address nothing answers on, no log lines.
OFFLINE = {"bootstrap.servers": "127.0.0.1:1", "group.id": "lintkit", "log_level": 0}


def _librdkafka() -> ctypes.CDLL:
    package = Path(resolve("confluent_kafka").__file__).parent
    found = glob.glob(str(package.parent / "confluent_kafka.libs" / "librdkafka*.so*"))
    library = ctypes.CDLL(found[0]) if found else ctypes.CDLL("librdkafka.so.1")
    library.rd_kafka_conf_new.restype = ctypes.c_void_p
    library.rd_kafka_conf_destroy.argtypes = [ctypes.c_void_p]
    library.rd_kafka_conf_get.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p,
                                          ctypes.POINTER(ctypes.c_size_t)]
    return library


def librdkafka_default(name: str) -> str | None:
    """The default of a global librdkafka property as text, None when librdkafka has no such property."""
    library = _librdkafka()
    conf = library.rd_kafka_conf_new()
    try:
        buffer, size = ctypes.create_string_buffer(512), ctypes.c_size_t(512)
        if library.rd_kafka_conf_get(conf, name.encode(), buffer, ctypes.byref(size)) != 0:
            return None
        return buffer.value.decode()
    finally:
        library.rd_kafka_conf_destroy(conf)


class Properties:
    """The property names librdkafka knows (a misspelt one raises at construction)."""

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and librdkafka_default(key) is not None


def builder(qualname: str) -> Callable[..., Any]:
    """Build an instance offline; keywords are librdkafka properties (a misspelt one raises)."""
    def build(env: Any, **kw: Any) -> Any:
        instance = resolve(qualname)(dict(OFFLINE), **kw)
        if "Consumer" in qualname:
            env.close_later(instance)
        return instance
    return build


def first_argument_is_the_config(qualname: str, key: str) -> bool:
    """The class reads its first positional argument as the config: an unknown property there raises
    KafkaException naming it, and the knob's key there is accepted."""
    cls = resolve(qualname)
    cls({**OFFLINE, key: librdkafka_default(key)})
    try:
        cls({**OFFLINE, "lintkit.bogus.property": 1})
    except resolve("confluent_kafka.KafkaException") as exc:
        return "lintkit.bogus.property" in str(exc)
    return False


def _sockets_to(port: int) -> list[socket.socket]:
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            copy = os.dup(int(fd))
        except OSError:
            continue
        try:
            sock = socket.socket(fileno=copy)
        except OSError:
            os.close(copy)
            continue
        try:
            if sock.family == socket.AF_INET and sock.type == socket.SOCK_STREAM and sock.getpeername()[1] == port:
                found.append(sock)
                continue
        except OSError:
            pass
        sock.close()
    return found


def socket_probe(qualname: str, state: Callable[[Any], dict[str, int]]) -> Callable[..., dict[str, int]]:
    """The keepalive state of the broker socket librdkafka opens to a loopback listener; settings
    ({"conf": {...}}) are merged into the config."""
    def probe(env: Any, settings: dict[str, Any]) -> dict[str, int]:
        # A listener of its own per probe: a socket of an earlier probe's instance must not be read.
        server = env.close_later(socket.create_server(("127.0.0.1", 0), backlog=16))
        port = server.getsockname()[1]
        conf = {**OFFLINE, "bootstrap.servers": f"127.0.0.1:{port}", **settings.get("conf", {})}
        instance = resolve(qualname)(conf)
        if "Consumer" in qualname:
            env.close_later(instance)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            found = _sockets_to(port)
            if found:
                try:
                    return state(found[0])
                finally:
                    for sock in found:
                        sock.close()
            time.sleep(0.05)
        raise AssertionError(f"{qualname} opened no connection to 127.0.0.1:{port}")
    return probe


def botocore_probe(state: Callable[[Any], dict[str, int]]) -> Callable[..., dict[str, int]]:
    """The state of the socket a botocore client opens for a request, with Config(**settings): a
    loopback listener never answers, so the request times out once its socket is captured."""
    def probe(env: Any, settings: dict[str, Any]) -> dict[str, int]:
        from unittest import mock

        connection = resolve("urllib3.connection.HTTPConnection")
        original, captured = connection._new_conn, {}

        def new_conn(self: Any) -> Any:
            sock = original(self)
            captured.update(state(sock))
            return sock

        server = env.close_later(socket.create_server(("127.0.0.1", 0), backlog=16))
        config = resolve("botocore.config.Config")(connect_timeout=2, read_timeout=0.2,
                                                   retries={"total_max_attempts": 1}, **settings)
        session = resolve("botocore.session.get_session")()
        client = session.create_client("s3", region_name="us-east-1", aws_access_key_id="k",
                                       aws_secret_access_key="s", config=config,
                                       endpoint_url=f"http://127.0.0.1:{server.getsockname()[1]}")
        env.close_later(client)
        with mock.patch.object(connection, "_new_conn", new_conn):
            try:
                client.list_buckets()
            except Exception:  # the read timeout: the socket was captured before it
                pass
        assert captured, "the botocore client opened no socket"
        return captured
    return probe


#: Config keys the Python binding reads itself (confluent_kafka.c common_conf_setup), besides
#: librdkafka's properties: callbacks and the logger.
BINDING_KEYS = {"confluent_kafka.cimpl.Producer": {"error_cb", "logger", "oauth_cb", "on_delivery", "stats_cb",
                                                   "throttle_cb"},
                "confluent_kafka.cimpl.Consumer": {"error_cb", "logger", "oauth_cb", "on_commit", "stats_cb",
                                                   "throttle_cb"}}


def librdkafka_properties() -> set[str]:
    """Every global and topic property name of the bundled librdkafka (rd_kafka_conf_dump)."""
    library = _librdkafka()
    names: set[str] = set()
    library.rd_kafka_conf_dump.restype = ctypes.POINTER(ctypes.c_char_p)
    library.rd_kafka_conf_dump.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t)]
    library.rd_kafka_topic_conf_new.restype = ctypes.c_void_p
    library.rd_kafka_topic_conf_dump.restype = ctypes.POINTER(ctypes.c_char_p)
    library.rd_kafka_topic_conf_dump.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t)]
    library.rd_kafka_topic_conf_destroy.argtypes = [ctypes.c_void_p]
    library.rd_kafka_conf_dump_free.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t]
    for new, dump, destroy in ((library.rd_kafka_conf_new, library.rd_kafka_conf_dump, library.rd_kafka_conf_destroy),
                               (library.rd_kafka_topic_conf_new, library.rd_kafka_topic_conf_dump,
                                library.rd_kafka_topic_conf_destroy)):
        conf, count = new(), ctypes.c_size_t(0)
        pairs = dump(conf, ctypes.byref(count))
        names.update(pairs[i].decode() for i in range(0, count.value, 2))
        library.rd_kafka_conf_dump_free(pairs, count.value)
        destroy(conf)
    return names


def keyword_properties(qualname: str) -> set[str]:
    """The config keys a keyword argument can name: librdkafka properties without a dot, and the
    binding's own keys (a keyword is merged into the config dict)."""
    return {name for name in librdkafka_properties() if "." not in name} | BINDING_KEYS[qualname]

"""The query keys of a literal connection URL, where each one is spelt (schema `settings_keys`).

aio-pika hands the URL query to aiormq, which reads a fixed set of keys and never
looks at the others: `amqp://h/?hearbeat=30` connects with the default heartbeat.
LK103 checks each key of a literal URL against the class's `settings_keys`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Iterator

from ..liveness.computed_settings import settings_string


@dataclass(frozen=True)
class QueryKey:
    """One `key=` of a URL query; `exact` when line/col/end_col span just the key."""

    key: str
    line: int
    col: int
    end_line: int
    end_col: int
    exact: bool


def query_keys(call: ast.Call, argument: str | None) -> Iterator[QueryKey]:
    """The keys of the query of the call's literal URL (`settings_argument`), in order.

    A key is located exactly when the literal is a plain one-line string (its source is the
    text between two quotes, so offsets map one to one); otherwise the whole string is the place.
    Keys with `%` escapes are skipped: lintkit does not guess what they decode to."""
    node = settings_string(call, argument)
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return
    text = node.value
    start = text.find("?")
    if start < 0:
        return
    plain = node.lineno == node.end_lineno and \
        node.end_col_offset - node.col_offset == len(text.encode("utf-8")) + 2
    query = text[start + 1:].split("#", 1)[0]
    offset = start + 1
    for part in query.split("&"):
        key = part.split("=", 1)[0]
        if key and "%" not in key and "+" not in key:
            if plain:
                col = node.col_offset + 1 + len(text[:offset].encode("utf-8"))
                yield QueryKey(key, node.lineno, col, node.lineno, col + len(key.encode("utf-8")), True)
            else:
                yield QueryKey(key, node.lineno, node.col_offset, node.end_lineno, node.end_col_offset, False)
        offset += len(part) + 1

#!/usr/bin/env python3
"""Does lintkit's cost per file stay linear in the file's size?

Generates files with N sockets and N library clients (kombu, redis, paramiko,
qpid) in ONE function, and the same at module level, for doubling N, and times
`Engine.check_text` in this process against `ast.parse` of the same text.
Linear cost shows as a time ratio of about 2 between N and 2N, and a flat
ratio to `ast.parse`; quadratic cost shows as about 4.

    python benchmarks/bench_scaling.py              # N = 250, 500, 1000, 2000
    python benchmarks/bench_scaling.py --sizes 500 1000 --repeat 3

Stdlib only besides lintkit itself.  A measurement, not a test: nothing asserts
on the times (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import ast
import time

from lintkit.engine import Engine
from lintkit.schemas.registry import load_schema_set

HEADER = "import socket\nimport kombu\nimport redis\nimport paramiko\nimport qpid.messaging\n\n"


def socket_lines(i: int, indent: str) -> str:
    return (f"{indent}s{i} = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
            f"{indent}s{i}.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)\n"
            f"{indent}s{i}.connect(('db{i}.example.com', 5432))\n"
            f"{indent}conns.append(s{i})\n")


def client_lines(i: int, indent: str) -> str:
    return (f"{indent}k{i} = kombu.Connection('amqp://mq{i}.example.com//', heartbeat=60)\n"
            f"{indent}r{i} = redis.Redis(host='cache{i}.example.com', socket_keepalive=True)\n"
            f"{indent}q{i} = qpid.messaging.Connection('mq{i}.example.com')\n"
            f"{indent}q{i}.heartbeat = 30\n"
            f"{indent}p{i} = paramiko.SSHClient()\n"
            f"{indent}conns.extend([k{i}, r{i}, q{i}, p{i}])\n")


def in_one_function(n: int, lines) -> str:
    body = "".join(lines(i, "    ") for i in range(n))
    return HEADER + "\ndef build():\n    conns = []\n" + body + "    return conns\n"


def at_module_level(n: int, lines) -> str:
    return HEADER + "conns = []\n" + "".join(lines(i, "") for i in range(n))


SHAPES = {
    "sockets, one function": (in_one_function, socket_lines),
    "clients, one function": (in_one_function, client_lines),
    "sockets, module level": (at_module_level, socket_lines),
    "clients, module level": (at_module_level, client_lines),
}


def best_of(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000, 2000])
    parser.add_argument("--repeat", type=int, default=1, help="runs per size (the best is kept)")
    args = parser.parse_args()
    engine = Engine(load_schema_set())
    print(f"{'shape':<24} {'N':>6} {'lines':>7} {'lintkit (s)':>12} {'x previous N':>13} {'x ast.parse':>12}")
    for shape, (layout, lines) in SHAPES.items():
        previous = None
        for n in args.sizes:
            text = layout(n, lines)
            parse = best_of(args.repeat, lambda: ast.parse(text))
            check = best_of(args.repeat, lambda: engine.check_text(text, "generated.py"))
            growth = f"{check / previous:.2f}" if previous else "-"
            print(f"{shape:<24} {n:>6} {text.count(chr(10)):>7} {check:>12.3f} {growth:>13} {check / parse:>12.1f}")
            previous = check
    print("\nnote: 'x previous N' about 2 per doubling is linear, about 4 quadratic.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

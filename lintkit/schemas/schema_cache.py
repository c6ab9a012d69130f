"""Validated schemas, kept pickled between runs.

Reading the bundled schemas means parsing JSON (or TOML), validating every
table and building the schema objects: about 26 ms, a third of lintkit's
start-up, repeated by every run of every front end.  Unpickling the objects
the last run built takes 3 ms.

An entry is addressed by the schema file's content, its path (the objects
carry their origin for messages) and lintkit's own code: the name, size and
modification time of every module of the package, and the Python version.
So an edited schema, an edited or upgraded lintkit or another interpreter
never reads an entry another one wrote; the loader validates afresh.  Only
schemas that loaded without problems are stored.  The entries live in the
user's own cache directory (`cache_files.py`), which only lintkit writes.
"""

from __future__ import annotations

import os
import pickle
import sys
import zlib
from pathlib import Path
from typing import Callable, TypeVar

from ..cache_files import cache_dir, content_key, read_entry, write_entry

T = TypeVar("T")
_fingerprint: str | None = None


def cached_schema(data: bytes, path: str, build: Callable[[], T]) -> T:
    """The object `build()` makes from the schema file `path` holding `data`, through the cache."""
    directory = cache_dir()
    if directory is None:
        return build()
    where = zlib.crc32(path.encode("utf-8", "surrogatepass"))
    entry = directory / "schemas" / f"{content_key(data)}-{where:08x}-{code_fingerprint()}.pickle"
    cached = read_entry(entry)
    if cached is not None:
        try:
            return pickle.loads(cached)
        except Exception:  # noqa: BLE001 - a damaged entry of any kind: build afresh
            pass
    built = build()
    write_entry(entry, pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL))
    return built


def code_fingerprint() -> str:
    """A checksum of what lintkit's code is: every module's name, size and mtime."""
    global _fingerprint
    if _fingerprint is None:
        package = Path(__file__).resolve().parent
        stamps = [sys.version]
        for directory, dirs, files in os.walk(package):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith(".py"):
                    stat = os.stat(os.path.join(directory, name))
                    stamps.append(f"{os.path.relpath(directory, package)}/{name}:{stat.st_size}:{stat.st_mtime_ns}")
        _fingerprint = f"{zlib.crc32(chr(0).join(stamps).encode('utf-8', 'surrogatepass')):08x}"
    return _fingerprint

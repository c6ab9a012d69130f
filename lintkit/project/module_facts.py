"""What the project index's text tests learn from a module, kept between runs by file status.

Before the index reads a module's summary it asks cheap questions of its text: does it import a
library lintkit knows, which functions and classes does it define, which names do its import
statements name.  Answering them means reading the module, and the prefilter asks them for the
project modules every checked file imports, so on each run lintkit would read most of a project
again.  The answers are kept in one JSON file per project (`$LINTKIT_CACHE_DIR/project/`), keyed
by each module's path, size and modification time, and by the libraries the answers were judged
against; a module whose status changed is read again.  The file is written atomically after every
few new answers and when the process ends (a forked worker of the runner, which ends without
the exit handlers, calls `write_unsaved`), so parallel runs never see half of it; each write
keeps the answers another process wrote meanwhile, and a lost update only means a module is
read again.
"""

from __future__ import annotations

import atexit
import json
import os
import zlib
from dataclasses import dataclass

from ..cache_files import cache_dir, read_entry, updating, write_entry

#: New answers kept in memory before the file is written again.
WRITE_EVERY = 64

#: The caches with answers not written yet (`write_unsaved`).
_unsaved: list[ModuleFactsCache] = []


def write_unsaved() -> None:
    """Write every cache's new answers (at exit, and by a forked worker before it leaves)."""
    while _unsaved:
        _unsaved.pop().write()


@dataclass(frozen=True)
class ModuleFacts:
    #: The module's text imports a library lintkit knows (only then can it make a client).
    relevant: bool
    #: Top-level functions and classes it defines (kept for relevant modules only).
    defined: frozenset[str]
    #: The words of its import statements (`*` for a star import).
    imported: frozenset[bytes]


class ModuleFactsCache:
    """The facts of one project's modules, for one set of libraries."""

    def __init__(self, search_roots: tuple[str, ...], libraries_key: str):
        directory = cache_dir()
        key = zlib.crc32("\0".join((*search_roots, libraries_key)).encode("utf-8", "surrogatepass"))
        self._file = directory / "project" / f"modules-{key:08x}.json" if directory is not None else None
        self._entries: dict[str, list] | None = None
        self._new = 0
        #: The paths answered since the file was last written.
        self._changed: set[str] = set()

    def get(self, path: str) -> ModuleFacts | None:
        status = _status(path)
        entry = self._loaded().get(path)
        if status is None or entry is None or entry[:2] != list(status):
            return None
        return ModuleFacts(bool(entry[2]), frozenset(entry[3]), frozenset(word.encode("utf-8") for word in entry[4]))

    def put(self, path: str, facts: ModuleFacts) -> None:
        status = _status(path)
        if status is None or self._file is None:
            return
        self._loaded()[path] = [*status, facts.relevant, sorted(facts.defined),
                                sorted(word.decode("utf-8", "replace") for word in facts.imported)]
        self._new += 1
        if not self._changed:
            _register_exit_write()
            _unsaved.append(self)
        self._changed.add(path)
        if self._new % WRITE_EVERY == 0:
            self.write()

    def write(self) -> None:
        """The file as it is now (another process may have written it since it was read), with
        this cache's new answers."""
        if self._file is None or not self._changed:
            return
        with updating(self._file):
            entries = self._read_file()
            entries.update((path, self._entries[path]) for path in self._changed)
            write_entry(self._file, json.dumps(entries).encode("utf-8"))
        self._changed.clear()
        if self in _unsaved:
            _unsaved.remove(self)

    def _loaded(self) -> dict[str, list]:
        if self._entries is None:
            self._entries = self._read_file()
        return self._entries

    def _read_file(self) -> dict[str, list]:
        data = read_entry(self._file) if self._file is not None else None
        if data is not None:
            try:
                loaded = json.loads(data)
            except ValueError:
                loaded = None
            if isinstance(loaded, dict):
                return {path: entry for path, entry in loaded.items() if _well_formed(entry)}
        return {}


_exit_write_registered = False


def _register_exit_write() -> None:
    global _exit_write_registered
    if not _exit_write_registered:
        atexit.register(write_unsaved)
        _exit_write_registered = True


def _status(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def _well_formed(entry: object) -> bool:
    return isinstance(entry, list) and len(entry) == 5 and all(isinstance(v, int) for v in entry[:2]) \
        and isinstance(entry[2], bool) and all(isinstance(v, list) and all(isinstance(w, str) for w in v)
                                               for v in entry[3:])

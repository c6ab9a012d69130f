"""Running the engine over many files: one process for few, a pool for many."""

from __future__ import annotations

import os
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Iterator, Sequence

from .checks.base import RuleOptions
from .engine import MAX_FILE_BYTES, Engine, FileResult
from .findings import FileError
from .registry import load_schema_set

#: Below this many files left by the prefilter a process pool costs more than it saves.
PARALLEL_THRESHOLD = 12
MAX_CHUNK_SIZE = 16


@dataclass(frozen=True)
class EngineSpec:
    """Everything needed to build an engine in a worker process."""

    schema_paths: tuple[str, ...] = ()
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    options: RuleOptions = RuleOptions()

    def build(self) -> Engine:
        return Engine(load_schema_set(self.schema_paths), self.select, self.ignore, self.options)


def check_file(engine: Engine, path: str, data: bytes | None = None, honour_noqa: bool = True,
               prefiltered: bool = False) -> FileResult:
    """`prefiltered`: `check_files` already ran the prefilter on this file."""
    if data is None:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            return FileResult(error=FileError(f"cannot read: {exc.strerror or exc}"))
    return engine.check_bytes(data, path, honour_noqa=honour_noqa, prefiltered=prefiltered)


_worker_engine: Engine | None = None


def _init_worker(spec: EngineSpec) -> None:
    global _worker_engine
    if _worker_engine is None:  # forked workers inherit the parent's engine
        _worker_engine = spec.build()


def _check_chunk(paths: Sequence[str]) -> list[FileResult]:
    return [check_file(_worker_engine, path, prefiltered=True) for path in paths]


def check_files(spec: EngineSpec, engine: Engine, paths: Sequence[str],
                jobs: int | None = None) -> Iterator[tuple[str, FileResult]]:
    """Results in the order of `paths`, whatever the parallelism.

    The prefilter runs here first, on the raw bytes: most files of a typical
    tree import no client library, and whether a process pool pays off
    depends on how many files are left.  The pool starts once that many are
    found and takes them as the prefilter goes on through the rest, so the
    two overlap.  Memory stays flat: the bytes of at most the first
    PARALLEL_THRESHOLD files are held, and results keep only findings.
    """
    jobs = jobs or os.cpu_count() or 1
    results: dict[str, FileResult] = {}
    held: list[tuple[str, bytes]] = []  # candidates while a pool may still not pay off
    pool: _Pool | None = None
    try:
        for path in paths:
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError:
                results[path] = check_file(engine, path)  # reports "cannot read"
                continue
            if not engine.wants(data) and len(data) <= MAX_FILE_BYTES:
                results[path] = FileResult()
            elif pool is not None:
                pool.add(path)
            elif jobs <= 1:
                results[path] = check_file(engine, path, data, prefiltered=True)
            else:
                held.append((path, data))
                if len(held) >= PARALLEL_THRESHOLD:
                    pool = _Pool(spec, engine, jobs)
                    for held_path, _ in held:
                        pool.add(held_path)
                    held.clear()
        for path, data in held:
            results[path] = check_file(engine, path, data, prefiltered=True)
        if pool is not None:
            results.update(pool.results())
    finally:
        if pool is not None:
            pool.close()
    for path in paths:
        yield path, results[path]


class _Pool:
    """Worker processes fed with chunks of paths as they come.

    Chunks start small, so the first files reach a worker at once and the
    work spreads evenly, and grow up to MAX_CHUNK_SIZE to keep the
    inter-process traffic low on big trees."""

    def __init__(self, spec: EngineSpec, engine: Engine, jobs: int):
        global _worker_engine
        _worker_engine = engine  # forked workers inherit it
        self._executor = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(spec,))
        self._chunk: list[str] = []
        self._submitted: list[tuple[list[str], Future]] = []
        self._queued = 0

    def add(self, path: str) -> None:
        self._chunk.append(path)
        if len(self._chunk) >= min(MAX_CHUNK_SIZE, 1 + self._queued // 16):
            self._submit()

    def _submit(self) -> None:
        if self._chunk:
            self._submitted.append((self._chunk, self._executor.submit(_check_chunk, self._chunk)))
            self._queued += len(self._chunk)
            self._chunk = []

    def results(self) -> Iterator[tuple[str, FileResult]]:
        self._submit()
        for chunk, future in self._submitted:
            yield from zip(chunk, future.result())

    def close(self) -> None:
        self._executor.shutdown(cancel_futures=True)

"""Running the engine over many files: one process for few, a pool for many."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Iterator, Sequence

from .checks.base import RuleOptions
from .engine import MAX_FILE_BYTES, Engine, FileResult
from .findings import FileError
from .noqa import unsuppressed
from .registry import load_schema_set
from .source import SourceError, decode_source

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


def check_file(engine: Engine, path: str, data: bytes | None = None, honour_noqa: bool = True) -> FileResult:
    if data is None:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            return FileResult(error=FileError(f"cannot read: {exc.strerror or exc}"))
    result = engine.check_bytes(data, path)
    if honour_noqa and result.findings:
        try:
            text = decode_source(data).text
        except SourceError:
            return result
        result.findings = unsuppressed(result.findings, text)
    return result


_worker_engine: Engine | None = None


def _init_worker(spec: EngineSpec) -> None:
    global _worker_engine
    if _worker_engine is None:  # forked workers inherit the parent's engine
        _worker_engine = spec.build()


def _check_chunk(paths: Sequence[str]) -> list[FileResult]:
    return [check_file(_worker_engine, path) for path in paths]


def check_files(spec: EngineSpec, engine: Engine, paths: Sequence[str],
                jobs: int | None = None) -> Iterator[tuple[str, FileResult]]:
    """Results in the order of `paths`, whatever the parallelism.

    The prefilter runs here first, on the raw bytes: most files of a typical
    tree import no client library, and whether a process pool pays off
    depends on how many files are left.
    """
    jobs = jobs or os.cpu_count() or 1
    candidates: list[str] = []
    early: dict[str, FileResult] = {}
    # The bytes of the first few candidates stay in memory so a serial run does
    # not read them twice; past the pool threshold they are dropped (memory stays flat).
    held: dict[str, bytes] = {}
    for path in paths:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            early[path] = check_file(engine, path)  # reports "cannot read"
            continue
        if engine.wants(data) or len(data) > MAX_FILE_BYTES:
            candidates.append(path)
            if len(candidates) < PARALLEL_THRESHOLD:
                held[path] = data
            else:
                held.clear()
        else:
            early[path] = FileResult()
    if jobs <= 1 or len(candidates) < PARALLEL_THRESHOLD:
        checked = {path: check_file(engine, path, held.pop(path, None)) for path in candidates}
    else:
        global _worker_engine
        _worker_engine = engine
        size = max(1, min(MAX_CHUNK_SIZE, len(candidates) // (jobs * 4)))
        chunks = [candidates[i:i + size] for i in range(0, len(candidates), size)]
        checked = {}
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(spec,)) as pool:
            for chunk, results in zip(chunks, pool.map(_check_chunk, chunks)):
                checked.update(zip(chunk, results))
    for path in paths:
        yield path, checked[path] if path in checked else early[path]


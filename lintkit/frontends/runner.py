"""Running the engine over many files: one process for few, a pool for many."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator, Sequence

from ..checks.base import RuleOptions
from ..engine import MAX_FILE_BYTES, Engine, FileResult
from ..findings import FileError
from ..schemas.registry import load_schema_set

if TYPE_CHECKING:
    from concurrent.futures import Future
    from .config import Settings

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


def check_spec(settings: Settings) -> EngineSpec:
    """The engine `check` runs for files under these settings (per-file ignores then filter its findings)."""
    select, _ = settings.enabled_for(settings.root)
    return EngineSpec(tuple(map(str, settings.extend_schemas)), select, options=settings.rule_options)


def fix_spec(settings: Settings, path: str) -> EngineSpec:
    """The engine the fixer runs on one file: its selection and per-file ignores decide which fixes apply."""
    select, ignore = settings.enabled_for(path)
    return EngineSpec(tuple(map(str, settings.extend_schemas)), select, ignore, settings.rule_options)


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


#: Engines by spec, built once per process (forked workers inherit the parent's).
_engines: dict[EngineSpec, Engine] = {}


def engine_for(spec: EngineSpec) -> Engine:
    engine = _engines.get(spec)
    if engine is None:
        engine = _engines[spec] = spec.build()
    return engine


def _check_chunk(job: tuple[EngineSpec, Sequence[str]]) -> list[FileResult]:
    spec, paths = job
    engine = engine_for(spec)
    return [check_file(engine, path, prefiltered=True) for path in paths]


def check_files(files: Sequence[tuple[str, EngineSpec]], jobs: int | None = None) -> Iterator[tuple[str, FileResult]]:
    """(path, result) in the order of `files`, whatever the parallelism; each file is
    checked by the engine of its own spec (its closest configuration).

    The prefilter runs here first, on the raw bytes: most files of a typical
    tree import no client library, and whether a process pool pays off
    depends on how many files are left.  The pool starts once that many are
    found and takes them as the prefilter goes on through the rest, so the
    two overlap.  Memory stays flat: the bytes of at most the first
    PARALLEL_THRESHOLD files are held, and results keep only findings.
    """
    jobs = jobs or os.cpu_count() or 1
    results: dict[str, FileResult] = {}
    held: list[tuple[str, EngineSpec, bytes]] = []  # candidates while a pool may still not pay off
    pool: _Pool | None = None
    try:
        for path, spec in files:
            engine = engine_for(spec)
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError:
                results[path] = check_file(engine, path)  # reports "cannot read"
                continue
            if not engine.wants(data, path) and len(data) <= MAX_FILE_BYTES:
                results[path] = FileResult()
            elif pool is not None:
                pool.add(spec, path)
            elif jobs <= 1:
                results[path] = check_file(engine, path, data, prefiltered=True)
            else:
                held.append((path, spec, data))
                if len(held) >= PARALLEL_THRESHOLD:
                    pool = _Pool(jobs)
                    for held_path, held_spec, _ in held:
                        pool.add(held_spec, held_path)
                    held.clear()
        for path, spec, data in held:
            results[path] = check_file(engine_for(spec), path, data, prefiltered=True)
        if pool is not None:
            results.update(pool.results())
    finally:
        if pool is not None:
            pool.close()
    for path, _ in files:
        yield path, results[path]


class _Pool:
    """Worker processes fed with chunks of paths (of one spec each) as they come.

    Chunks start small, so the first files reach a worker at once and the
    work spreads evenly, and grow up to MAX_CHUNK_SIZE to keep the
    inter-process traffic low on big trees."""

    def __init__(self, jobs: int):
        from concurrent.futures import ProcessPoolExecutor  # only when a pool runs: ~13 ms of start-up

        self._executor = ProcessPoolExecutor(max_workers=jobs)
        self._chunks: dict[EngineSpec, list[str]] = {}
        self._submitted: list[tuple[list[str], "Future"]] = []
        self._queued = 0

    def add(self, spec: EngineSpec, path: str) -> None:
        chunk = self._chunks.setdefault(spec, [])
        chunk.append(path)
        if len(chunk) >= min(MAX_CHUNK_SIZE, 1 + self._queued // 16):
            self._submit(spec)

    def _submit(self, spec: EngineSpec) -> None:
        chunk = self._chunks.pop(spec, None)
        if chunk:
            self._submitted.append((chunk, self._executor.submit(_check_chunk, (spec, chunk))))
            self._queued += len(chunk)

    def results(self) -> Iterator[tuple[str, FileResult]]:
        for spec in list(self._chunks):
            self._submit(spec)
        for chunk, future in self._submitted:
            yield from zip(chunk, future.result())

    def close(self) -> None:
        self._executor.shutdown(cancel_futures=True)

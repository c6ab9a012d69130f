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
#: From this many files on, with more than one job, the workers run the prefilter too (check_files).
WORKER_PREFILTER_FILES = 64
#: Chunks per worker at least, when the workers run the prefilter: small ones spread the work evenly.
CHUNKS_PER_JOB = 8


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


def _check_chunk(job: tuple[EngineSpec, Sequence[str], bool]) -> list[tuple[int, FileResult]]:
    """The results of a chunk's files that have something to report, by their index in the
    chunk (most files have none: not sending them back saves the pickling).  Unless
    `prefiltered`, the worker runs the prefilter itself, as `check_files` would."""
    spec, paths, prefiltered = job
    engine = engine_for(spec)
    results = ((index, check_file(engine, path, prefiltered=True) if prefiltered else _prefiltered_check(engine, path))
               for index, path in enumerate(paths))
    return [(index, result) for index, result in results
            if result.findings or result.error is not None or result.warning is not None]


def _prefiltered_check(engine: Engine, path: str) -> FileResult:
    """Read a file, run the prefilter on its raw bytes, and check it only if it passes."""
    data, result = _read_prefiltered(engine, path)
    return result if result is not None else check_file(engine, path, data, prefiltered=True)


def _read_prefiltered(engine: Engine, path: str) -> tuple[bytes | None, FileResult | None]:
    """(the file's bytes, None) when the file must be checked, else (None, its result): a file
    the prefilter rejects has nothing to report, one that cannot be read reports so."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None, check_file(engine, path)  # reports "cannot read"
    if not engine.wants(data, path) and len(data) <= MAX_FILE_BYTES:
        return None, FileResult()
    return data, None


def check_files(files: Sequence[tuple[str, EngineSpec]], jobs: int | None = None) -> Iterator[tuple[str, FileResult]]:
    """(path, result) in the order of `files`, whatever the parallelism; each file is
    checked by the engine of its own spec (its closest configuration).

    Most files of a typical tree import no client library, and the prefilter
    that finds them (on the raw bytes) is most of the work of a large tree.
    From WORKER_PREFILTER_FILES files on, with more than one job, the workers
    run it too: every file goes to the pool in chunks, and only the results
    with something to report come back.  With fewer files it runs here first,
    and whether a process pool pays off depends on how many files are left:
    the pool starts once that many are found and takes them as the prefilter
    goes on through the rest, so the two overlap.  Memory stays flat: the
    bytes of at most the first PARALLEL_THRESHOLD files are held, and results
    keep only findings.
    """
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and len(files) >= WORKER_PREFILTER_FILES:
        results = _checked_in_pool(files, jobs)
    else:
        results = _checked_here_first(files, jobs)
    for path, _ in files:
        result = results.get(path)
        yield path, result if result is not None else FileResult()


def _checked_in_pool(files: Sequence[tuple[str, EngineSpec]], jobs: int) -> dict[str, FileResult]:
    """The results with something to report, of every file read, prefiltered and checked by the workers.

    The chunks are small enough to spread the files that pass the prefilter (a
    tree's client code sits in a few directories) evenly over the workers."""
    from concurrent.futures import ProcessPoolExecutor  # only when a pool runs: ~13 ms of start-up

    results: dict[str, FileResult] = {}
    executor = ProcessPoolExecutor(max_workers=jobs)
    try:
        submitted = [(paths, executor.submit(_check_chunk, (spec, paths, False)))
                     for spec, paths in _chunks(files, jobs)]
        for paths, future in submitted:
            for index, result in future.result():
                results[paths[index]] = result
    finally:
        executor.shutdown(cancel_futures=True)
    return results


def _chunks(files: Sequence[tuple[str, EngineSpec]], jobs: int) -> list[tuple[EngineSpec, list[str]]]:
    """The files in order, in chunks of one spec each: at least CHUNKS_PER_JOB per job, at most
    MAX_CHUNK_SIZE files each."""
    size = max(1, min(MAX_CHUNK_SIZE, len(files) // (jobs * CHUNKS_PER_JOB)))
    chunks: list[tuple[EngineSpec, list[str]]] = []
    for path, spec in files:
        if not chunks or chunks[-1][0] != spec or len(chunks[-1][1]) >= size:
            chunks.append((spec, []))
        chunks[-1][1].append(path)
    return chunks


def _checked_here_first(files: Sequence[tuple[str, EngineSpec]], jobs: int) -> dict[str, FileResult]:
    """The prefilter runs here; the files it lets through are checked here or, from
    PARALLEL_THRESHOLD of them on, by a pool."""
    results: dict[str, FileResult] = {}
    held: list[tuple[str, EngineSpec, bytes]] = []  # candidates while a pool may still not pay off
    pool: _Pool | None = None
    try:
        for path, spec in files:
            engine = engine_for(spec)
            data, result = _read_prefiltered(engine, path)
            if result is not None:
                results[path] = result
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
    return results


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
            self._submitted.append((chunk, self._executor.submit(_check_chunk, (spec, chunk, True))))
            self._queued += len(chunk)

    def results(self) -> Iterator[tuple[str, FileResult]]:
        for spec in list(self._chunks):
            self._submit(spec)
        for chunk, future in self._submitted:
            for index, result in future.result():
                yield chunk[index], result

    def close(self) -> None:
        self._executor.shutdown(cancel_futures=True)

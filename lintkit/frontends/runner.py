"""Running the engine over many files: one process for few, forked copies of it (or a pool) for many."""

from __future__ import annotations

import os
import struct
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator, Sequence

from ..checks.base import RuleOptions
from ..engine import MAX_FILE_BYTES, Engine, FileResult
from ..findings import FileError
from ..schemas.registry import load_schema_set

if TYPE_CHECKING:
    from .config import Settings

#: Below this many files left by the prefilter, more processes cost more than they save.
PARALLEL_THRESHOLD = 12
#: The most files a worker takes at once.
MAX_CHUNK_SIZE = 16
#: The fewest files worth a process of its own when the workers run the prefilter (a fork and its
#: start cost about what the prefilter of that many files does).
PREFILTER_FILES_PER_PROCESS = 32
#: From this many files on, with more than one job, the workers run the prefilter too (check_files).
WORKER_PREFILTER_FILES = 2 * PREFILTER_FILES_PER_PROCESS
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
    run it too (one per PREFILTER_FILES_PER_PROCESS files at most): every file
    goes to them in chunks, and only the results with something to report
    come back.  With fewer files it runs here first, and the files it lets
    through go to workers only when there are at least PARALLEL_THRESHOLD of
    them.  Memory stays flat: the bytes of at most PARALLEL_THRESHOLD files
    are held, and results keep only findings.
    """
    jobs = jobs or os.cpu_count() or 1
    results: dict[str, FileResult] = {}
    if jobs > 1 and len(files) >= WORKER_PREFILTER_FILES:
        processes = min(jobs, len(files) // PREFILTER_FILES_PER_PROCESS)
        results = _run_chunks(_chunks(files, processes), processes, prefiltered=False)
    else:
        wanted: list[tuple[str, EngineSpec, bytes | None]] = []
        for path, spec in files:
            data, result = _read_prefiltered(engine_for(spec), path)
            if result is not None:
                results[path] = result
            else:
                wanted.append((path, spec, data if len(wanted) < PARALLEL_THRESHOLD else None))
        if jobs > 1 and len(wanted) >= PARALLEL_THRESHOLD:
            results.update(_run_chunks(_chunks([(path, spec) for path, spec, _ in wanted], jobs), jobs,
                                       prefiltered=True))
        else:
            for path, spec, data in wanted:
                results[path] = check_file(engine_for(spec), path, data, prefiltered=True)
    for path, _ in files:
        result = results.get(path)
        yield path, result if result is not None else FileResult()


def _chunks(files: Sequence[tuple[str, EngineSpec]], jobs: int) -> list[tuple[EngineSpec, list[str]]]:
    """The files in order, in chunks of one spec each: at least CHUNKS_PER_JOB per job, at most
    MAX_CHUNK_SIZE files each.  Small chunks spread the files that pass the prefilter (a
    tree's client code sits in a few directories) evenly over the workers."""
    size = max(1, min(MAX_CHUNK_SIZE, len(files) // (jobs * CHUNKS_PER_JOB)))
    chunks: list[tuple[EngineSpec, list[str]]] = []
    for path, spec in files:
        if not chunks or chunks[-1][0] != spec or len(chunks[-1][1]) >= size:
            chunks.append((spec, []))
        chunks[-1][1].append(path)
    return chunks


def _run_chunks(chunks: list[tuple[EngineSpec, list[str]]], jobs: int, prefiltered: bool) -> dict[str, FileResult]:
    """The results with something to report of the chunks' files, checked by `jobs` processes."""
    found = _forked(chunks, jobs, prefiltered) if FORK_WORKERS else _pooled(chunks, jobs, prefiltered)
    return {chunks[number][1][index]: result for number, results in found for index, result in results}


#: Whether workers are forked copies of this process (Linux), not a concurrent.futures pool.
FORK_WORKERS = sys.platform.startswith("linux") and hasattr(os, "fork")
#: The shared counter of the next chunk, as it travels in a pipe.
_COUNTER = struct.Struct("=I")

ChunkResults = list[tuple[int, list[tuple[int, FileResult]]]]


def _forked(chunks: list[tuple[EngineSpec, list[str]]], jobs: int, prefiltered: bool) -> ChunkResults:
    """This process and `jobs - 1` forked copies of it take the chunks in turn.

    A fork inherits the imports and the engines already built, and costs about
    a millisecond; a process pool costs some 25 ms (its imports, its processes,
    a thread and a queue).  The number of the next chunk to take is the only
    record in a pipe: a process reads it (so no other can), and writes the next
    one back.  Each copy sends its results back once, pickled, when no chunk is left."""
    import pickle

    import gc

    # The schemas and engines live for the whole run: out of the collector's way in every copy
    # (its passes over them cost a few ms each) and not touched by it after the fork.
    gc.freeze()
    counter_in, counter_out = os.pipe()
    os.write(counter_out, _COUNTER.pack(0))
    children: list[tuple[int, int]] = []  # (pid, the read end of its results pipe)
    try:
        for stream in (sys.stdout, sys.stderr):  # nothing buffered that a copy could write again
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        for _ in range(min(jobs, len(chunks)) - 1):
            results_in, results_out = os.pipe()
            try:
                pid = os.fork()
            except OSError:  # no more processes: those already running take every chunk
                os.close(results_in)
                os.close(results_out)
                break
            if pid == 0:
                os.close(results_in)
                _work_as_copy(chunks, prefiltered, counter_in, counter_out, results_out)
            os.close(results_out)
            children.append((pid, results_in))
        found = _take_chunks(chunks, prefiltered, counter_in, counter_out)
        while children:
            pid, results_in = children[0]
            with os.fdopen(results_in, "rb", closefd=False) as stream:
                payload = stream.read()
            os.close(results_in)
            children.pop(0)
            os.waitpid(pid, 0)
            if not payload:
                raise RuntimeError("a lintkit worker process ended before it sent its results")
            found.extend(pickle.loads(payload))
        return found
    finally:
        import signal

        for pid, results_in in children:  # only when this process failed, or a copy did
            os.close(results_in)
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except OSError:
                pass
        os.close(counter_in)
        os.close(counter_out)


def _work_as_copy(chunks: list[tuple[EngineSpec, list[str]]], prefiltered: bool, counter_in: int, counter_out: int,
                  results_out: int) -> None:
    """In a forked copy: take chunks, send the results, keep what the project index learnt
    for the next run, and leave at once (none of the parent's clean-up: its exit handlers
    and buffered output are its own)."""
    import pickle

    from ..project.module_facts import write_unsaved

    status = 1
    try:
        payload = pickle.dumps(_take_chunks(chunks, prefiltered, counter_in, counter_out), pickle.HIGHEST_PROTOCOL)
        with os.fdopen(results_out, "wb") as out:
            out.write(payload)
        write_unsaved()
        status = 0
    except Exception:
        import traceback

        traceback.print_exc()
        sys.stderr.flush()
    finally:
        os._exit(status)


def _take_chunks(chunks: list[tuple[EngineSpec, list[str]]], prefiltered: bool, counter_in: int,
                 counter_out: int) -> ChunkResults:
    """Check chunk after chunk, each taken from the shared counter, until none is left."""
    found: ChunkResults = []
    while True:
        (number,) = _COUNTER.unpack(os.read(counter_in, _COUNTER.size))
        os.write(counter_out, _COUNTER.pack(number + 1 if number < len(chunks) else number))
        if number >= len(chunks):
            return found
        spec, paths = chunks[number]
        results = _check_chunk((spec, paths, prefiltered))
        if results:
            found.append((number, results))


def _pooled(chunks: list[tuple[EngineSpec, list[str]]], jobs: int, prefiltered: bool) -> ChunkResults:
    """A concurrent.futures process pool takes the chunks (where workers are not forked)."""
    from concurrent.futures import ProcessPoolExecutor

    executor = ProcessPoolExecutor(max_workers=jobs)
    try:
        submitted = [executor.submit(_check_chunk, (spec, paths, prefiltered)) for spec, paths in chunks]
        return [(number, future.result()) for number, future in enumerate(submitted)]
    finally:
        executor.shutdown(cancel_futures=True)

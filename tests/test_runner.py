"""The runner (lintkit/frontends/runner.py): every way of spreading files over processes
gives the same results, in the same order, as one process."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from lintkit.frontends import runner
from lintkit.frontends.runner import EngineSpec, check_files

SEED = 'import qpid.messaging\nconn = qpid.messaging.Connection("b", heartbeat=30)\nconn.hearbeat = 1\n'


def _tree(tmp_path: Path, count: int) -> list[str]:
    """Files of every kind of result: findings, none, rejected by the prefilter, an error, a warning."""
    kinds = [
        SEED,                                                        # findings
        "import os\nprint(os.sep)\n",                                # rejected by the prefilter
        "from qpid.messaging import Connection\n",                   # checked, nothing found
        b"from qpid.messaging import Connection\nx = '\xff'\n",      # cannot decode: an error
        b"import os\nx = '\xff'\n",                                  # undecodable, but rejected: nothing
        "import qpid.messaging\nprint 'legacy'\n"
        "c = qpid.messaging.Connection('b')\nc.hearbeat = 1\n",      # legacy code: a warning and a finding
        "from qpid.messaging import Connection\ndef broken(:\n",     # cannot parse: an error
    ]
    paths = []
    for i in range(count):
        content = kinds[i % len(kinds)]
        path = tmp_path / f"m{i:03}.py"
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        paths.append(str(path))
    paths.append(str(tmp_path / "missing.py"))  # cannot read: an error
    return paths


def _outcome(paths: list[str], jobs: int) -> list[tuple]:
    return [(path, result.findings, result.error, result.warning)
            for path, result in check_files([(path, EngineSpec()) for path in paths], jobs)]


@pytest.mark.parametrize("forked", [True, False], ids=["forked", "pool"])
@pytest.mark.parametrize("count", [runner.WORKER_PREFILTER_FILES + 9, 30])
def test_parallel_runs_give_the_serial_results(tmp_path: Path, monkeypatch, count: int, forked: bool) -> None:
    """From WORKER_PREFILTER_FILES files on the workers run the prefilter (sparse results come
    back); below, it runs in this process and the workers take the files it lets through.
    Workers are forked copies on Linux, a concurrent.futures pool elsewhere."""
    if forked and not runner.FORK_WORKERS:
        pytest.skip("workers are forked only on Linux")
    monkeypatch.setattr(runner, "FORK_WORKERS", forked)
    paths = _tree(tmp_path, count)
    serial = _outcome(paths, jobs=1)
    assert _outcome(paths, jobs=2) == serial
    assert _outcome(paths, jobs=3) == serial
    assert [path for path, *_ in serial] == paths
    assert sum(1 for _, findings, _, _ in serial if findings) >= count // 7
    errors = [error.message for _, _, error, _ in serial if error is not None]
    assert any(message.startswith("cannot decode") for message in errors)
    assert any(message.startswith("cannot read") for message in errors)
    assert any(message.startswith("cannot parse") for message in errors)
    assert sum(1 for *_, warning in serial if warning is not None) >= count // 7


def test_the_workers_share_the_prefilter_of_a_large_tree(tmp_path: Path, monkeypatch) -> None:
    """With many files every process prefilters its share, and there are no more processes
    than the files pay for; with few, this process prefilters them all (whether more
    processes pay off depends on what is left)."""
    record = tmp_path / "prefiltered-by"
    prefilter = runner._read_prefiltered

    def recorded(*args):
        with open(record, "a") as handle:
            handle.write(f"{os.getpid()}\n")
        time.sleep(0.005)  # long enough for every process to take a share
        return prefilter(*args)

    monkeypatch.setattr(runner, "_read_prefiltered", recorded)
    large = _tree(tmp_path, runner.WORKER_PREFILTER_FILES)
    assert len(list(check_files([(path, EngineSpec()) for path in large], jobs=2))) == len(large)
    assert len(record.read_text().split()) == len(large)
    assert len(set(record.read_text().split())) == 2
    record.unlink()
    assert len(list(check_files([(path, EngineSpec()) for path in large], jobs=8))) == len(large)
    assert len(set(record.read_text().split())) == len(large) // runner.PREFILTER_FILES_PER_PROCESS == 2
    record.unlink()
    small = large[:runner.WORKER_PREFILTER_FILES - 1]
    assert len(list(check_files([(path, EngineSpec()) for path in small], jobs=2))) == len(small)
    assert record.read_text().split() == [str(os.getpid())] * len(small)


def test_a_worker_that_dies_is_an_error(tmp_path: Path, monkeypatch) -> None:
    """Its chunks' results would be missing: the run stops with an error, and no process is left."""
    if not runner.FORK_WORKERS:
        pytest.skip("workers are forked only on Linux")
    main = os.getpid()
    check_chunk = runner._check_chunk

    def dying(job):
        if os.getpid() != main:
            os._exit(3)
        time.sleep(0.01)  # long enough for the copy to take a chunk
        return check_chunk(job)

    monkeypatch.setattr(runner, "_check_chunk", dying)
    paths = _tree(tmp_path, runner.WORKER_PREFILTER_FILES)
    with pytest.raises(RuntimeError, match="worker process ended"):
        list(check_files([(path, EngineSpec()) for path in paths], jobs=2))
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_chunks_keep_the_order_and_one_spec_each() -> None:
    other = EngineSpec(select=("LK1",))
    files = [(f"f{i}.py", EngineSpec() if i < 100 or i >= 150 else other) for i in range(300)]
    chunks = runner._chunks(files, jobs=2)
    assert [path for _, paths in chunks for path in paths] == [path for path, _ in files]
    assert all(dict(files)[path] == spec for spec, paths in chunks for path in paths)
    assert len(chunks) >= 2 * runner.CHUNKS_PER_JOB
    assert max(len(paths) for _, paths in chunks) <= runner.MAX_CHUNK_SIZE


def test_when_no_process_can_be_forked_this_one_checks_every_file(tmp_path: Path, monkeypatch) -> None:
    if not runner.FORK_WORKERS:
        pytest.skip("workers are forked only on Linux")
    paths = _tree(tmp_path, runner.WORKER_PREFILTER_FILES)
    serial = _outcome(paths, jobs=1)

    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert _outcome(paths, jobs=2) == serial


def test_forked_workers_start_with_the_long_lived_objects_frozen(tmp_path: Path) -> None:
    """Before forking, the schemas and engines move to the collector's permanent generation."""
    if not runner.FORK_WORKERS:
        pytest.skip("workers are forked only on Linux")
    import gc

    paths = _tree(tmp_path, runner.WORKER_PREFILTER_FILES)
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        assert len(list(check_files([(path, EngineSpec()) for path in paths], jobs=2))) == len(paths)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()

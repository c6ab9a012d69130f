"""The project index's text-test answers, kept between runs by file status (module_facts.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lintkit.project.module_facts import ModuleFacts, ModuleFactsCache
from lintkit.project.project_index import ProjectIndex

FACTORY = "import qpid.messaging\n\n\ndef open_connection(url):\n    return qpid.messaging.Connection(url)\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LINTKIT_CACHE_DIR", str(tmp_path / "cache"))
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("from .connections import open_connection\n")
    (package / "connections.py").write_text(FACTORY)
    return tmp_path


def index(root: Path, key: str = "k") -> ProjectIndex:
    return ProjectIndex((str(root),), lambda data: b"qpid" in data, key)


def test_answers_come_back_without_reading_the_module(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = index(project)
    assert first.relevant("app.connections") and first.defines("app.connections", "open_connection")
    assert first.reexports("app", "open_connection")
    first._kept_facts.write()
    later = index(project)
    monkeypatch.setattr(later, "_read", lambda module: pytest.fail(f"read {module}"))
    assert later.relevant("app.connections") and later.defines("app.connections", "open_connection")
    assert later.reexports("app", "open_connection") and not later.relevant("app")


def test_a_changed_module_is_read_again(project: Path) -> None:
    first = index(project)
    assert first.relevant("app.connections")
    first._kept_facts.write()
    path = project / "app" / "connections.py"
    path.write_text("def open_connection(url):\n    return None\n")
    os.utime(path, ns=(1, 1))
    assert not index(project).relevant("app.connections")


def test_other_libraries_or_a_damaged_file_mean_reading_again(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = index(project)
    assert first.relevant("app.connections")
    first._kept_facts.write()
    other = index(project, key="other libraries")
    reads = []
    original = other._read
    monkeypatch.setattr(other, "_read", lambda module: reads.append(module) or original(module))
    assert other.relevant("app.connections") and reads == ["app.connections"]
    for cache_file in (project / "cache" / "project").glob("modules-*.json"):
        cache_file.write_text('{"x": [1, 2, 3]')
    assert index(project).relevant("app.connections")


def test_no_cache_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINTKIT_CACHE_DIR", "")
    cache = ModuleFactsCache((str(tmp_path),), "k")
    module = tmp_path / "m.py"
    module.write_text("x = 1\n")
    cache.put(str(module), ModuleFacts(False, frozenset(), frozenset()))
    cache.write()
    assert cache.get(str(module)) is None and not list(tmp_path.rglob("*.json"))


def test_a_write_keeps_what_another_process_wrote_meanwhile(project: Path) -> None:
    first, second = index(project), index(project)
    assert first.relevant("app.connections")
    assert not second.relevant("app")
    first._kept_facts.write()
    second._kept_facts.write()  # read before the first wrote
    later = index(project)
    later._read = lambda module: pytest.fail(f"read {module}")
    assert later.relevant("app.connections") and not later.relevant("app")


def test_forked_workers_keep_what_they_learnt(project: Path) -> None:
    """The runner's forked workers leave without exit handlers: they write their answers
    themselves, so the next run reads none of the modules again."""
    from lintkit.frontends import runner
    from lintkit.frontends.runner import EngineSpec, check_files
    from lintkit.project import module_facts

    if not runner.FORK_WORKERS:
        pytest.skip("workers are forked only on Linux")
    count = runner.WORKER_PREFILTER_FILES + 16
    for i in range(count):
        (project / "app" / f"m{i:03}.py").write_text(f"import qpid.messaging\ndef f{i}():\n    pass\n")
        (project / "app" / f"user{i:03}.py").write_text(f"from app.m{i:03} import f{i}\n")
    users = sorted(str(path) for path in (project / "app").glob("user*.py"))
    assert len(list(check_files([(path, EngineSpec()) for path in users], jobs=2))) == count
    module_facts.write_unsaved()  # what this process learnt (at exit otherwise)
    (facts_file,) = (project / "cache" / "project").glob("modules-*.json")
    kept = json.loads(facts_file.read_text())
    assert {f"m{i:03}.py" for i in range(count)} <= {os.path.basename(path) for path in kept}


def test_processes_saving_at_once_keep_every_answer(project: Path) -> None:
    """Forked workers save what each learnt into the same file: the read, merge and write of one
    must not overwrite what another wrote in between (cache_files.updating)."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("needs fork")
    modules = project / "many"
    modules.mkdir()
    for i in range(6 * 40):
        (modules / f"m{i:03}.py").write_text("x = 1\n")
    facts = ModuleFacts(False, frozenset(), frozenset())

    def save(worker: int) -> None:
        cache = ModuleFactsCache((str(project),), "k")
        for i in range(worker * 40, worker * 40 + 40):
            cache.put(str(modules / f"m{i:03}.py"), facts)
            cache.write()
        os._exit(0)

    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=save, args=(worker,)) for worker in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    kept = ModuleFactsCache((str(project),), "k")
    assert all(kept.get(str(modules / f"m{i:03}.py")) == facts for i in range(6 * 40))

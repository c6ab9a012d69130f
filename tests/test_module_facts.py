"""The project index's text-test answers, kept between runs by file status (module_facts.py)."""

from __future__ import annotations

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

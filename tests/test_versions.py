"""Library versions from a project's files: setup.py, setup.cfg and lock files (lintkit.project.versions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lintkit.project.versions import ProjectVersions


def constraint(project: Path, distribution: str = "redis"):
    """The pins lintkit reads for a file of `project` (never the installed version)."""
    (project / "app.py").touch()
    return ProjectVersions(use_installed=False).constraint(str(project / "app.py"), distribution)


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def test_setup_py_literal_list_is_read_without_running_it(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    write(tmp_path / "setup.py", f"""
from pathlib import Path
from setuptools import setup
Path({str(marker)!r}).touch()
setup(name="app", install_requires=["redis>=5.0.1", "kombu"], extras_require={{"x": ["pika>=1.3"]}})
""")
    found = constraint(tmp_path)
    assert str(found.specifier) == ">=5.0.1"
    assert found.source == "redis>=5.0.1 in setup.py"
    assert str(constraint(tmp_path, "pika").specifier) == ">=1.3"
    assert not marker.exists()


def test_setup_py_list_bound_to_a_module_name(tmp_path: Path) -> None:
    write(tmp_path / "setup.py",
          'import setuptools\nREQUIRES = ["redis<8"]\nsetuptools.setup(install_requires=REQUIRES)\n')
    assert str(constraint(tmp_path).specifier) == "<8"


@pytest.mark.parametrize("text", [
    'from setuptools import setup\nsetup(install_requires=open("requirements.in").read().splitlines())\n',
    'from setuptools import setup\nR = ["redis<8"]\nR = ["redis>=8"]\nsetup(install_requires=R)\n',
    "def broken(:\n",
])
def test_setup_py_computed_or_unreadable_requirements_are_not_guessed(tmp_path: Path, text: str) -> None:
    write(tmp_path / "setup.py", text)
    assert constraint(tmp_path) is None


def test_setup_cfg_install_requires_and_extras(tmp_path: Path) -> None:
    write(tmp_path / "setup.cfg", """
[metadata]
name = app

[options]
install_requires =
    redis>=4.2,<8  # before keepalive
    kombu>=5.3 ; python_version >= "3.8"
    file: requirements-extra.txt

[options.extras_require]
mq = pika>=1.3
""")
    found = constraint(tmp_path)
    assert found.specifier.contains("7.4.1") and not found.specifier.contains("8.0.0")
    assert found.source.endswith(" in setup.cfg")
    assert str(constraint(tmp_path, "kombu").specifier) == ">=5.3"
    assert str(constraint(tmp_path, "pika").specifier) == ">=1.3"


@pytest.mark.parametrize("name, text", [
    ("poetry.lock", '[[package]]\nname = "redis"\nversion = "7.4.1"\noptional = false\n'),
    ("uv.lock", 'version = 1\n\n[[package]]\nname = "redis"\nversion = "7.4.1"\n'
                'source = { registry = "https://pypi.org/simple" }\n'),
    ("Pipfile.lock", json.dumps({"_meta": {}, "default": {"redis": {"version": "==7.4.1"}}, "develop": {}})),
])
def test_lock_files_give_the_exact_version(tmp_path: Path, name: str, text: str) -> None:
    write(tmp_path / name, text)
    found = constraint(tmp_path)
    assert str(found.specifier) == "==7.4.1"
    assert found.source == f"redis==7.4.1 in {name}"


def test_a_lock_narrows_a_range_to_one_side_of_a_default_change(tmp_path: Path) -> None:
    ranged, locked = tmp_path / "ranged", tmp_path / "locked"
    for project in (ranged, locked):
        project.mkdir()
        write(project / "setup.py", 'from setuptools import setup\nsetup(install_requires=["redis>=5.0.1"])\n')
    write(locked / "uv.lock", '[[package]]\nname = "redis"\nversion = "8.1.0"\n')
    assert constraint(ranged).within(">=8.0") is None  # the range spans 8.0: both defaults possible
    found = constraint(locked)
    assert found.within(">=8.0") is True
    assert found.source == "redis==8.1.0,>=5.0.1 in setup.py, uv.lock"


def test_lock_file_alone_marks_the_project_root(tmp_path: Path) -> None:
    write(tmp_path / "poetry.lock", '[[package]]\nname = "redis"\nversion = "7.4.1"\n')
    (tmp_path / "src" / "app").mkdir(parents=True)
    assert str(constraint(tmp_path / "src" / "app").specifier) == "==7.4.1"

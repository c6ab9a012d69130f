"""Settings that follow the library's version (`[settings.history.keys]`): the ranges against the
keys of each celery release's `celery/app/defaults.py`, read with `ast` (downloaded once into the
cache of `lintkit.generators.library_source`, never installed), and the verdicts LK103 gives with pins."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from lintkit.analysis.context import RuleOptions
from lintkit.engine import Engine
from lintkit.generators.library_source import SourceTree, fetch, namespace_keys
from lintkit.schemas.registry import load_schema_set
from lintkit.schemas.settings_schema import all_settings
from lintkit.project.versions import ProjectVersions
from schema_support import schema_load_error

SCHEMAS = load_schema_set()
CELERY = next(s for s in all_settings(SCHEMAS) if s.library == "celery")
#: Both sides of every range the schema states.
RELEASES = ["4.4.7", "5.0.0", "5.1.0", "5.2.0", "5.2.7", "5.3.0", "5.4.0", "5.5.0", "5.6.0"]


@pytest.mark.parametrize("version", RELEASES)
def test_setting_ranges_match_the_release(version: str) -> None:
    root = fetch("celery", version, timeout=60)
    if root is None:
        pytest.skip(f"celery=={version} is not cached and cannot be downloaded")
    in_release = namespace_keys(SourceTree(root))
    assert len(in_release) > 150, "NAMESPACES not read"
    ranged = {entry.name: entry for entry in CELERY.history}
    # The schema's keys that NAMESPACES declares (its `undeclared_keys` are read elsewhere).
    declared = CELERY.keys & _installed_keys()
    wrong = []
    for key in sorted(in_release | declared | ranged.keys()):
        entry = ranged.get(key)
        said = key in declared if entry is None else SpecifierSet(entry.specifier).contains(version)
        if said != (key in in_release):
            wrong.append(f"{key}: the schema says celery {version} {'has' if said else 'lacks'} it")
    assert not wrong, "\n".join(wrong)


def _installed_keys() -> frozenset[str]:
    try:
        return namespace_keys(SourceTree.installed("celery"))
    except LookupError:
        pytest.skip("celery is not installed")


def test_the_installed_celery_has_every_key_without_removed_in() -> None:
    installed = _installed_keys()
    for entry in CELERY.history:
        assert (entry.name in installed) == (entry.removed_in is None), entry.name


def test_every_bound_is_a_release_read() -> None:
    bounds = {bound for entry in CELERY.history for bound in (entry.since, entry.removed_in) if bound}
    assert bounds - set(RELEASES) <= {"5.7.0"}  # the installed version, read by the test above


def _findings(tmp_path: Path, code: str, pins: str | None, filename: str = "app.py") -> list[str]:
    project = tmp_path / f"project{len(list(tmp_path.glob('project*')))}"
    (project / ".git").mkdir(parents=True)
    if pins is not None:
        (project / "requirements.txt").write_text(pins, encoding="utf-8")
    engine = Engine(SCHEMAS, ("LK103",), options=RuleOptions(versions=ProjectVersions(use_installed=False)))
    path = project / filename
    return [f"{f.line}:{f.col + 1}: {f.code} {f.message}" for f in engine.check_text(code, str(path)).findings]


CODE = """from celery import Celery

app = Celery("proj", broker="amqp://broker//")
app.conf.update(broker_connection_retry_on_startup=True, task_queue_ha_policy="all", broker_heartbeat=10)
"""


def test_a_setting_newer_than_the_pinned_celery(tmp_path: Path) -> None:
    assert _findings(tmp_path, CODE, "celery==5.2.7\n") == [
        "4:17: LK103 'broker_connection_retry_on_startup' was added in celery 5.3.0, after the version this "
        "project uses: celery stores it and never reads it",
        "4:58: LK103 'task_queue_ha_policy' was removed in celery 5.1.0: celery stores it and never reads it; set "
        "HA policies on the RabbitMQ server",
    ]


def test_settings_of_the_pinned_version_are_valid(tmp_path: Path) -> None:
    assert _findings(tmp_path, CODE.replace(", task_queue_ha_policy=\"all\"", ""), "celery==5.3.6\n") == []
    assert _findings(tmp_path, CODE.replace("broker_connection_retry_on_startup=True, ", ""), "celery==5.0.5\n") == []


def test_pins_on_both_sides_or_none_leave_a_newer_setting_alone(tmp_path: Path) -> None:
    code = CODE.replace(", task_queue_ha_policy=\"all\"", "")
    assert _findings(tmp_path, code, "celery>=5.2,<6\n") == []
    assert _findings(tmp_path, code, None) == []


def test_a_removed_setting_without_pins_says_where_it_works(tmp_path: Path) -> None:
    assert _findings(tmp_path, 'from celery import Celery\napp = Celery("p")\napp.conf.task_queue_ha_policy = "all"\n',
                     None) == [
        "3:10: LK103 'task_queue_ha_policy' works only with celery<5.1.0; celery stores it and never reads it "
        "after that"]


def test_django_names_are_judged_by_their_key(tmp_path: Path) -> None:
    settings = "INSTALLED_APPS = []\nCELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True\nCELERY_BROKER_HEARTBEAT = 10\n"
    assert _findings(tmp_path, settings, "celery==5.2.7\n", "settings.py") == [
        "2:1: LK103 'CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP' was added in celery 5.3.0, after the version this "
        "project uses: celery stores it and never reads it"]


def test_the_loader_rejects_a_range_that_contradicts_the_keys(tmp_path: Path) -> None:
    base = ('format = 1\n[library]\nname = "acme"\ndistribution = "acme"\nversion = "1.0"\nsource = "s"\n'
            '[[settings]]\nname = "acme"\nkeys = ["a", "b"]\n')
    assert "must not be in the keys" in schema_load_error(tmp_path, base + '[settings.history.keys]\na = { removed_in = "1.0" }\n')
    assert "must be in the keys" in schema_load_error(tmp_path, base + '[settings.history.keys]\nc = { since = "0.5" }\n')

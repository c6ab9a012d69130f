"""elasticsearch-py (7.x swallows unknown keywords, 8.x raises) and pymongo (case-insensitive options;
an unknown keyword raises, an unknown URL query option only warns): the verdicts and the real behaviour."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from lintkit.analysis.context import RuleOptions
from lintkit.engine import Engine
from lintkit.schemas.registry import load_schema_set
from lintkit.project.versions import ProjectVersions

SCHEMAS = load_schema_set()
ES_CODE = ('from elasticsearch import Elasticsearch\n'
           'Elasticsearch(["https://es:9200"], timout=30, timeout=10, request_timeout=5, use_ssl=True)\n')


def _findings(tmp_path: Path, code: str, pins: str | None) -> list[str]:
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    if pins is not None:
        (project / "requirements.txt").write_text(pins, encoding="utf-8")
    engine = Engine(SCHEMAS, ("LK102",), options=RuleOptions(versions=ProjectVersions(use_installed=False)))
    return [f"{f.line}:{f.col + 1}: {f.message} | {f.explanation}"
            for f in engine.check_text(code, str(project / "app.py")).findings]


def test_elasticsearch_7_swallows_what_8_rejects(tmp_path: Path) -> None:
    assert _findings(tmp_path, ES_CODE, "elasticsearch==7.17.12\n") == [
        "2:36: 'timout' is not a keyword argument of elasticsearch.Elasticsearch; did you mean 'timeout'? | "
        "Elasticsearch silently ignores it.",
        "2:59: 'request_timeout' was added in elasticsearch 8.0.0, after the version this project uses: "
        "elasticsearch silently ignores it | This project uses elasticsearch==7.17.12 in requirements.txt.",
    ]


def test_elasticsearch_9_raises_on_the_7x_names(tmp_path: Path) -> None:
    assert [f.split(" | ")[0] for f in _findings(tmp_path, ES_CODE, "elasticsearch>=9,<10\n")] == [
        "2:36: 'timout' is not a keyword argument of elasticsearch.Elasticsearch",
        "2:47: 'timeout' was renamed 'request_timeout' in elasticsearch 8.0.0 and removed in 9.0.0: TypeError at "
        "the call",
        "2:78: 'use_ssl' was removed in elasticsearch 8.0.0: TypeError at the call; use an https:// URL in hosts",
    ]


def test_elasticsearch_version_unknown_says_both(tmp_path: Path) -> None:
    found = _findings(tmp_path, 'import elasticsearch\nelasticsearch.Elasticsearch("http://es:9200", timout=3)\n', None)
    assert found == ["2:47: 'timout' is not a keyword argument of elasticsearch.Elasticsearch | TypeError at the "
                     "call (elasticsearch silently ignores it with elasticsearch<8.0.0)."]


def test_elasticsearch_installed_rejects_an_unknown_keyword() -> None:
    elasticsearch = pytest.importorskip("elasticsearch")
    with pytest.raises(TypeError, match="timout"):
        elasticsearch.Elasticsearch("http://es.example:9200", timout=30)


def _mongo_client():
    return pytest.importorskip("pymongo").MongoClient


@pytest.mark.parametrize("name", ["pymongo.MongoClient", "pymongo.AsyncMongoClient"])
def test_pymongo_option_names_are_the_validators_keys(name: str) -> None:
    common = pytest.importorskip("pymongo.common")
    cls = SCHEMAS.lookup(name)
    assert {key.lower() for key in cls.settings_keys} == set(common.URI_OPTIONS_VALIDATOR_MAP)
    assert set(common.VALIDATORS) <= {key.lower() for key in cls.kwargs}
    assert cls.names_case_insensitive


def test_pymongo_unknown_keyword_raises_and_case_does_not_matter() -> None:
    client_class = _mongo_client()
    from pymongo.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="heartbeatFrequncyMS"):
        client_class("mongodb://db.example/", connect=False, heartbeatFrequncyMS=20000)
    client = client_class("mongodb://db.example/", connect=False, MAXIDLETIMEMS=5000)
    assert client.options.pool_options.max_idle_time_seconds == 5
    client.close()


def test_pymongo_unknown_url_option_only_warns_and_is_dropped() -> None:
    client_class = _mongo_client()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client = client_class("mongodb://db.example/?socketTimoutMS=1000&maxidletimems=5000", connect=False)
    assert any("Unknown option" in str(w.message) for w in caught)
    assert client.options.pool_options.socket_timeout is None
    assert client.options.pool_options.max_idle_time_seconds == 5
    client.close()


def test_a_pin_in_pyproject_dependency_groups_counts(tmp_path: Path) -> None:
    """luigi pins elasticsearch>=1.0.0,<2.0.0 in [dependency-groups] (PEP 735): its 7.x-era keywords are fine."""
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "app"\n\n[dependency-groups]\n'
                                            'test = ["elasticsearch>=1.0.0,<2.0.0", {include-group = "x"}]\n',
                                            encoding="utf-8")
    engine = Engine(SCHEMAS, ("LK102",), options=RuleOptions(versions=ProjectVersions(use_installed=True)))
    code = 'import elasticsearch\nelasticsearch.Elasticsearch(host="es", port=9200, timeout=10, use_ssl=True)\n'
    assert engine.check_text(code, str(project / "app.py")).findings == []

"""Fixtures of single-rule directories that must give the same findings with the default rules."""

from __future__ import annotations

import pytest

from fixtures_support import FIXTURES, Fixture
from lintkit.engine import Engine
from lintkit.registry import load_schema_set
from lintkit.runner import check_file

DEFAULT_SELECTION_FIXTURES = ["LK102/redis_pool_forwarding.py", "LK102/amqp_vocabulary_hint.py",
                               "LK102/asyncpg_keywords.py", "LK102/nats_keywords.py",
                               "LK101/nats_attributes.py", "LK207/zmq_after_connect.py"]


@pytest.mark.parametrize("name", DEFAULT_SELECTION_FIXTURES)
def test_default_selection_reports_the_marked_findings(name: str) -> None:
    fixture = Fixture(FIXTURES / name)
    result = check_file(Engine(load_schema_set(())), str(fixture.path))
    assert result.error is None, result.error
    assert {(f.line, f.code) for f in result.findings} == fixture.markers()

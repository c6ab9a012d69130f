from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-fixtures", action="store_true",
                     help="rewrite the generated .expected files of tests/fixtures (never the markers)")


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory):
    """lintkit's schema cache (and that of the subprocesses the tests start) in a
    temporary directory, never in the developer's home."""
    import os

    previous = os.environ.get("LINTKIT_CACHE_DIR")
    os.environ["LINTKIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("lintkit-cache"))
    yield
    if previous is None:
        os.environ.pop("LINTKIT_CACHE_DIR", None)
    else:
        os.environ["LINTKIT_CACHE_DIR"] = previous

from __future__ import annotations

import os

import pytest

#: With this set (CI installs `.[libraries]`), a missing client library fails its tests instead
#: of skipping them.
REQUIRE_LIBRARIES = "LINTKIT_REQUIRE_LIBRARIES"


_LIBRARY_MODULES: list[frozenset[str]] = []


def library_modules() -> frozenset[str]:
    """The top-level modules of the libraries the bundled schemas describe (redis, kombu, ...)."""
    if not _LIBRARY_MODULES:
        from lintkit.schemas.registry import load_schema_set

        _LIBRARY_MODULES.append(load_schema_set().top_level_modules)
    return _LIBRARY_MODULES[0]


def skip_if_library_missing(exc: ModuleNotFoundError) -> None:
    """Turn the import error of a client library (not of lintkit or a test helper) into a skip."""
    name = (exc.name or "").split(".")[0]
    if name and name in library_modules() and not os.environ.get(REQUIRE_LIBRARIES):
        pytest.skip(f"{exc.name} is not installed (pip install -e '.[libraries]')")


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A drift test of a schema class or factory whose library is absent is skipped before it runs."""
    if os.environ.get(REQUIRE_LIBRARIES) or not hasattr(item, "callspec"):
        return
    for value in item.callspec.params.values():
        name = getattr(value, "name", None)
        if isinstance(name, str) and getattr(value, "library", None) is not None and "." in name:
            module = name.split(".")[0]
            if module in library_modules() and not _importable(module):
                pytest.skip(f"{module} is not installed (pip install -e '.[libraries]')")


def _importable(module: str) -> bool:
    import importlib.util
    import sys

    if module in sys.modules:  # imported already (a test may have put a stand-in there)
        return True
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """Tests that need a client library skip cleanly when it is absent."""
    try:
        return (yield)
    except ModuleNotFoundError as exc:
        skip_if_library_missing(exc)
        raise


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

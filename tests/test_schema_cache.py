"""The validated-schema cache: read back equal, addressed by content, path and code, never in the way."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from lintkit.schemas import schema_cache
from lintkit.schemas.registry import load_schema_set
from lintkit.schemas.schema import SchemaError, bundled_schema_files, load_schema_file
from lintkit.analysis.values import NO_VALUE
from schema_support import ACME_LIBRARY

SCHEMA = ACME_LIBRARY + '\n[[class]]\nname = "acme.Client"\nkwargs = ["host"]\n'


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("LINTKIT_CACHE_DIR", str(directory))
    return directory


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "schemas").glob("*.pickle")) if (cache / "schemas").exists() else []


def test_bundled_schemas_read_back_equal(cache: Path) -> None:
    built = [load_schema_file(path) for path in bundled_schema_files()]
    assert len(entries(cache)) == len(built)
    assert [load_schema_file(path) for path in bundled_schema_files()] == built
    assert load_schema_set().names()


def test_an_entry_is_what_is_read(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "acme.toml"
    path.write_text(SCHEMA)
    first = load_schema_file(path)
    [entry] = entries(cache)
    entry.write_bytes(pickle.dumps("from the cache"))
    assert load_schema_file(path) == "from the cache"
    path.write_text(SCHEMA + "# edited\n")  # another content: never stale
    assert load_schema_file(path) == first


def test_the_path_and_lintkits_code_are_part_of_the_address(cache: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("a.toml", "b.toml"):
        (tmp_path / name).write_text(SCHEMA)
        assert load_schema_file(tmp_path / name).origin == str(tmp_path / name)
    assert len(entries(cache)) == 2
    monkeypatch.setattr(schema_cache, "_fingerprint", "0000beef")
    load_schema_file(tmp_path / "a.toml")
    assert len(entries(cache)) == 3


def test_a_damaged_entry_is_rebuilt(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "acme.toml"
    path.write_text(SCHEMA)
    first = load_schema_file(path)
    [entry] = entries(cache)
    entry.write_bytes(b"not a pickle")
    assert load_schema_file(path) == first


def test_a_schema_with_problems_is_not_stored(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(SCHEMA.replace('name = "acme"', 'name = 3'))
    for _ in range(2):
        with pytest.raises(SchemaError):
            load_schema_file(path)
    assert entries(cache) == []


def test_off_when_the_directory_is_empty(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LINTKIT_CACHE_DIR", "")
    path = tmp_path / "acme.toml"
    path.write_text(SCHEMA)
    assert load_schema_file(path).name == "acme"
    assert not list(tmp_path.rglob("*.pickle"))


def test_the_no_value_marker_keeps_its_identity() -> None:
    assert pickle.loads(pickle.dumps(NO_VALUE)) is NO_VALUE

"""The schema cache: content-addressed, read back exactly, and never in the way."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from lintkit.schemas import toml_cache
from lintkit.schemas.registry import load_schema_set
from lintkit.schemas.schema import bundled_schema_files, load_schema_file


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("LINTKIT_CACHE_DIR", str(directory))
    return directory


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "toml").glob("*.json")) if (cache / "toml").exists() else []


def test_bundled_schemas_read_back_as_parsed(cache: Path) -> None:
    files = bundled_schema_files()
    first = [toml_cache.load_toml(path.read_bytes()) for path in files]
    assert len(entries(cache)) == len(files)
    second = [toml_cache.load_toml(path.read_bytes()) for path in files]
    assert first == second == [tomllib.loads(path.read_text(encoding="utf-8")) for path in files]
    assert load_schema_set().names()  # the loader accepts the cached data


def test_entries_are_read_and_addressed_by_content(cache: Path) -> None:
    data = b'[library]\nname = "x"\n'
    toml_cache.load_toml(data)
    [entry] = entries(cache)
    entry.write_text('{"library": {"name": "from the cache"}}')
    assert toml_cache.load_toml(data) == {"library": {"name": "from the cache"}}
    assert toml_cache.load_toml(data + b"# edited\n") == {"library": {"name": "x"}}  # never stale
    assert len(entries(cache)) == 2


def test_a_corrupt_entry_is_parsed_again(cache: Path) -> None:
    data = b'a = 1\n'
    toml_cache.load_toml(data)
    [entry] = entries(cache)
    entry.write_bytes(b"{not json")
    assert toml_cache.load_toml(data) == {"a": 1}


def test_dates_are_not_cached(cache: Path) -> None:
    assert toml_cache.load_toml(b"when = 2026-11-30\n") == tomllib.loads("when = 2026-11-30\n")
    assert entries(cache) == []


def test_empty_setting_turns_the_cache_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINTKIT_CACHE_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert toml_cache.load_toml(b"a = 1\n") == {"a": 1}
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_cache_is_ignored(cache: Path, tmp_path: Path) -> None:
    cache.mkdir()
    cache.chmod(0o500)
    try:
        assert toml_cache.load_toml(b"a = 1\n") == {"a": 1}
    finally:
        cache.chmod(0o700)


def test_a_cache_path_that_is_a_file_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    monkeypatch.setenv("LINTKIT_CACHE_DIR", str(blocker))
    assert toml_cache.load_toml(b"a = 1\n") == {"a": 1}


def test_schema_errors_still_name_the_file(cache: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[library\n")
    with pytest.raises(Exception, match="broken.toml: not valid TOML"):
        load_schema_file(broken)


def test_line_endings_read_as_in_text_mode(cache: Path) -> None:
    data = b'note = """two\r\nlines"""\r\n'
    assert toml_cache.load_toml(data) == {"note": "two\nlines"}
    assert toml_cache.load_toml(data) == {"note": "two\nlines"}  # from the cache

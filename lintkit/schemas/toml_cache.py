"""Parsed schema files, kept as JSON between runs.

`tomllib` is pure Python: parsing the bundled schemas costs about 18 ms on
every run, a sixth of lintkit's start-up, while `json` reads the same data in
1 ms.  The cache is addressed by the file's content (two checksums and the
length), so an edited schema can never be read stale, and it holds plain TOML
data only: the schema loader validates it the same way on every run.  Where the
cache lives and how entries are written: `cache_files.py`.  Validated schemas
are cached too (`schema_cache.py`); this cache serves when lintkit's own code
changed, which invalidates those.
"""

from __future__ import annotations

from typing import Any

from ..cache_files import cache_dir, content_key, read_entry, write_entry


def load_toml(data: bytes) -> dict[str, Any]:
    """The TOML document in `data` (UTF-8, any line endings), through the cache."""
    directory = cache_dir()
    if directory is None:
        return _parse(data)
    entry = directory / "toml" / f"{content_key(data)}.json"
    import json  # a cached validated schema (schema_cache.py) usually spares this

    cached = read_entry(entry)
    if cached is not None:
        try:
            return json.loads(cached)
        except ValueError:
            pass
    parsed = _parse(data)
    try:
        write_entry(entry, json.dumps(parsed).encode("utf-8"))
    except (TypeError, ValueError):
        pass  # a TOML date or time has no JSON form: this file is always parsed
    return parsed


def _parse(data: bytes) -> dict[str, Any]:
    # Universal newlines, as reading the file in text mode would give.
    import tomllib  # only on a cache miss

    return tomllib.loads(data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n"))

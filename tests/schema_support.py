"""A user schema for the loader tests: the `acme` library's header, written to a file and loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from lintkit.schemas.registry import SchemaSet
from lintkit.schemas.schema import SchemaError, load_schema_file

ACME_LIBRARY = """
format = 1

[library]
name = "acme"
distribution = "acme-client"
version = "1.0"
source = "acme-client 1.0, acme/client.py"
"""


def write_schema(tmp_path: Path, text: str, name: str = "acme.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def schema_load_error(tmp_path: Path, text: str, name: str = "acme.toml") -> str:
    """The error loading `text` (with the bundled cross-file checks of a SchemaSet) gives."""
    path = write_schema(tmp_path, text, name)
    with pytest.raises(SchemaError) as info:
        SchemaSet([load_schema_file(path)])
    return str(info.value)

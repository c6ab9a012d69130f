"""Turning a file's bytes into text the way Python itself would (PEP 263, BOM)."""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass


class SourceError(ValueError):
    """The bytes cannot be decoded as Python source."""


@dataclass(frozen=True)
class DecodedSource:
    text: str
    encoding: str
    bom: bool


def decode_source(data: bytes) -> DecodedSource:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:  # unknown or mismatched coding cookie
        raise SourceError(str(exc.msg if hasattr(exc, "msg") else exc)) from None
    bom = encoding == "utf-8-sig"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise SourceError(f"cannot decode as {encoding}: {exc.reason if hasattr(exc, 'reason') else exc}"
                          ) from None
    return DecodedSource(text, encoding, bom)


def split_lines(text: str) -> list[str]:
    """Physical lines as Python's tokenizer counts them (\\n, \\r\\n, \\r; not \\f)."""
    return io.StringIO(text, newline="").readlines()

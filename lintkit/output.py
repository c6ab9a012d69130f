"""Printing findings."""

from __future__ import annotations

import sys

from .findings import Finding


def print_concise(path: str, findings: list[Finding]) -> None:
    """flake8's format: `path:line:col: CODE message` (1-based column)."""
    write = sys.stdout.write
    for finding in findings:
        write(f"{path}:{finding.line}:{finding.col + 1}: {finding.code} {finding.message}\n")


def print_summary(findings: int, errors: int) -> None:
    parts = []
    if findings:
        parts.append(f"Found {findings} finding{'s' if findings != 1 else ''}.")
    if errors:
        parts.append(f"{errors} file{'s' if errors != 1 else ''} could not be analysed.")
    if not parts:
        parts.append("All checks passed!")
    print(" ".join(parts), file=sys.stderr)

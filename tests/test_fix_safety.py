"""Fix safety on real code: benchmarks/bench_fix_safety.py's audit over the client libraries'
own source (always installed), strict and with test code judged so that fixes fire.

`lintkit fix --unsafe-fixes` must leave every file compiling, remove the findings it fixed
and reach a fixed point.  The audit itself is tested on fixers that break each promise.
"""

from __future__ import annotations

import importlib.util
import sys
import sysconfig
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_fix_safety.py"
LIBRARIES = ("redis", "kombu", "amqp", "pika", "paramiko", "pymysql", "urllib3")
LINTKIT = [sys.executable, "-m", "lintkit"]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_fix_safety", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def strict_settings(tmp_path: Path, bench) -> list[str]:
    config = tmp_path / "lintkit.toml"
    config.write_text(bench.STRICT_CONFIG)
    return ["--config", str(config)]


def test_fixing_the_client_libraries_is_safe(tmp_path: Path, bench) -> None:
    site = Path(sysconfig.get_paths()["purelib"])
    corpus = tmp_path / "corpus"
    copied = bench.copy_corpus([site / name for name in LIBRARIES], corpus)
    assert copied > 300
    report = bench.audit(corpus, bench.lintkit_runner(LINTKIT), strict_settings(tmp_path, bench), jobs=2)
    assert report.violations == [], "\n".join(report.lines())
    assert report.fixes_applied >= report.fixable_before > 0, "the corpus must exercise the fixer"
    assert report.files_changed > 0 and report.compile_failures_after == report.compile_failures_before == 0
    assert report.second_run_changed == 0


SERVICE = 'import kombu\n\n\ndef serve():\n    conn = kombu.Connection("amqp://broker//", hearbeat=30)\n    return conn\n'


def corpus_of(tmp_path: Path, text: str = SERVICE) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "service.py").write_text(text)
    return corpus


def fake_fixer(bench, rewrite, every_run: bool = False):
    """lintkit for `check`; the first `fix` (every one with `every_run`) rewrites service.py
    with `rewrite(text, run_number)`."""
    real = bench.lintkit_runner(LINTKIT)
    runs = []

    def run(args, cwd: Path):
        if args[0] != "fix":
            return real(args, cwd)
        runs.append(args)
        path = cwd / "service.py"
        if every_run or len(runs) == 1:
            path.write_text(rewrite(path.read_text(), len(runs)))
        return "[]", "Fixed 1 finding.\n"
    return run


def test_the_audit_catches_a_repeated_keyword(tmp_path: Path, bench) -> None:
    corpus = corpus_of(tmp_path)
    repeat = fake_fixer(bench, lambda text, _: text.replace("hearbeat=30", "heartbeat=30, heartbeat=60"))
    report = bench.audit(corpus, repeat, ["--isolated"])
    assert report.violations == ["service.py: compiled before the fix, not after "
                                 "(keyword argument repeated: heartbeat, line 5)"]
    assert report.compile_failures_after == 1


def test_the_audit_catches_a_fixed_finding_still_reported(tmp_path: Path, bench) -> None:
    corpus = corpus_of(tmp_path)
    report = bench.audit(corpus, fake_fixer(bench, lambda text, _: text + "\n"), ["--isolated"])
    assert report.fixable_before == 1
    assert len(report.violations) == 1 and "a fixed finding still reported: LK102" in report.violations[0]


def test_the_audit_catches_a_fix_that_brings_a_new_finding(tmp_path: Path, bench) -> None:
    corpus = corpus_of(tmp_path)
    brings = fake_fixer(bench, lambda text, _: text.replace("hearbeat=30", "heartbeat=30")
                        + 'OTHER = kombu.Connection("amqp://broker//", heartbaet=30)\n')
    report = bench.audit(corpus, brings, ["--isolated"])
    assert len(report.violations) == 1 and "a new finding" in report.violations[0]


def test_the_audit_catches_a_second_run_that_changes_the_code(tmp_path: Path, bench) -> None:
    corpus = corpus_of(tmp_path)
    report = bench.audit(corpus, fake_fixer(bench, lambda text, run: text.replace("hearbeat", "heartbeat")
                                            + "#" * run + "\n", every_run=True), ["--isolated"])
    assert report.violations == ["service.py: the second fix run changed it again"]
    assert report.second_run_changed == 1


def test_refusals_are_counted_by_rule_and_reason(tmp_path: Path, bench) -> None:
    corpus = corpus_of(tmp_path)

    def refuse(args, cwd):
        if args[0] != "fix":
            return bench.lintkit_runner(LINTKIT)(args, cwd)
        return "[]", "service.py:5:50: warning: LK102 fix not applied (Rename): the fixed code would not compile\n"
    report = bench.audit(corpus, refuse, ["--isolated"])
    assert report.refusals == {("LK102", "the fixed code would not compile"): 1}
    assert report.violations == [], "a refused fix leaves its finding"

"""Fix safety at scale: `lintkit fix --unsafe-fixes` over a copy of a large body of real code.

    python benchmarks/bench_fix_safety.py                 # the ecosystem cache, default settings
    python benchmarks/bench_fix_safety.py --strict        # strict, test code judged: more fixes fire
    python benchmarks/bench_fix_safety.py --source DIR    # any tree of Python files (repeatable)

The corpus (default: the unpacked projects of the ecosystem check,
$LINTKIT_ECOSYSTEM_CACHE/src or ~/.cache/lintkit-ecosystem/src, see
benchmarks/ecosystem/run.py; site-packages when that is absent) is copied (its *.py
files) to a temporary directory, then:

1. `lintkit check --output-format json` lists the findings before;
2. `lintkit fix --unsafe-fixes` fixes the copy (refusals are counted from its warnings);
3. every changed file that compiled before (`compile()`, which rejects a repeated
   keyword argument that `ast.parse` accepts) must still compile;
4. a re-check must report none of the fixed findings: per file and (code, message), no
   more findings than before minus those with an applicable fix that was not refused,
   and no new ones;
5. a second `lintkit fix --unsafe-fixes` must change nothing.

Default settings are `--isolated`; `--strict` writes a configuration with `strict = true`
and `test-code-ignore = []` (test code judged too) and passes it with `--config`.
Prints the figures and every violation; exit 1 when there is one.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import warnings
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

#: "path:line:col: warning: LK201 fix not applied (title): reason" (lintkit fix's stderr).
REFUSAL = re.compile(r"^(?P<path>.+?):\d+:\d+: warning: (?P<code>LK\d+) fix not applied \(.*?\): (?P<reason>.*)$")
FIXED = re.compile(r"^Fixed (\d+) findings?\.$", re.MULTILINE)
STRICT_CONFIG = "strict = true\ntest-code-ignore = []\n"

#: Runs `lintkit ARGS...` in a directory and returns (stdout, stderr).
Runner = Callable[[Sequence[str], Path], "tuple[str, str]"]


def default_sources() -> list[Path]:
    cache = Path(os.environ.get("LINTKIT_ECOSYSTEM_CACHE") or Path.home() / ".cache" / "lintkit-ecosystem")
    if (cache / "src").is_dir() and any((cache / "src").iterdir()):
        return [cache / "src"]
    return [Path(sysconfig.get_paths()["purelib"])]


def copy_corpus(sources: Sequence[Path], target: Path) -> int:
    """Copy the *.py files of `sources` under `target` (one folder per source); their number."""
    count = 0
    for index, source in enumerate(sources):
        root = source if source.is_dir() else source.parent
        files = [source] if source.is_file() else sorted(root.rglob("*.py"))
        for path in files:
            if not path.is_file() or path.is_symlink():
                continue
            destination = target / f"{index}-{root.name}" / path.relative_to(root)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
            count += 1
    return count


def lintkit_runner(command: Sequence[str]) -> Runner:
    def run(args: Sequence[str], cwd: Path) -> tuple[str, str]:
        completed = subprocess.run([*command, *args], capture_output=True, text=True, cwd=cwd,
                                   env={**os.environ, "NO_COLOR": "1"})
        if completed.returncode not in (0, 1):
            raise SystemExit(f"lintkit {' '.join(args)} failed ({completed.returncode}):\n{completed.stderr}")
        return completed.stdout, completed.stderr
    return run


def snapshot(root: Path) -> dict[str, bytes]:
    """Relative path -> content digest of every *.py file."""
    return {str(path.relative_to(root)): hashlib.blake2b(path.read_bytes(), digest_size=16).digest()
            for path in root.rglob("*.py")}


def compile_problem(data: bytes, filename: str) -> str | None:
    """None when the source compiles to bytecode, else why not (Python's warnings about it muted)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(data, filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        return f"{exc.msg}, line {exc.lineno}"
    except (ValueError, RecursionError, MemoryError) as exc:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return None


def _compile_file(path: str) -> tuple[str, str | None]:
    return path, compile_problem(Path(path).read_bytes(), path)


def compile_all(paths: Sequence[Path], jobs: int | None) -> dict[str, str | None]:
    """Path -> compile problem (None: compiles), in parallel."""
    names = [str(p) for p in paths]
    if len(names) < 64 or jobs == 1:
        return dict(map(_compile_file, names))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return dict(pool.map(_compile_file, names, chunksize=64))


def _findings(json_text: str, root: Path) -> list[dict]:
    findings = json.loads(json_text or "[]")
    for finding in findings:
        finding["path"] = str((root / finding["filename"]).resolve().relative_to(root.resolve()))
    return findings


def _key(finding: dict) -> tuple[str, str, str]:
    return finding["path"], finding["code"], finding["message"]


def _applicable(finding: dict) -> bool:
    fix = finding.get("fix")
    return bool(fix and fix.get("edits") and fix["applicability"] in ("safe", "unsafe"))


@dataclass
class Report:
    files: int = 0
    compile_failures_before: int = 0
    findings_before: int = 0
    fixable_before: int = 0
    fixes_applied: int = 0
    files_changed: int = 0
    refusals: Counter = field(default_factory=Counter)
    findings_after: int = 0
    compile_failures_after: int = 0
    second_run_changed: int = 0
    violations: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        return [
            f"files:                     {self.files}",
            f"compile failures before:   {self.compile_failures_before}",
            f"findings before:           {self.findings_before} ({self.fixable_before} with a fix to apply)",
            f"fixes applied:             {self.fixes_applied} in {self.files_changed} files",
            f"refusals:                  {sum(self.refusals.values())}",
            *(f"  {count:5} {code}: {reason}" for (code, reason), count in self.refusals.most_common()),
            f"findings after:            {self.findings_after}",
            f"compile failures after:    {self.compile_failures_after}",
            f"files the 2nd run changed: {self.second_run_changed}",
            f"violations:                {len(self.violations)}",
            *(f"  {violation}" for violation in self.violations),
            f"time:                      {self.seconds:.1f} s",
        ]


def audit(corpus: Path, run: Runner, settings: Sequence[str], jobs: int | None = None) -> Report:
    """Fix the corpus in place with `run` and check the result (see the module's docstring)."""
    started = time.perf_counter()
    report = Report()
    files = sorted(corpus.rglob("*.py"))
    report.files = len(files)
    compiled_before = compile_all(files, jobs)
    report.compile_failures_before = sum(problem is not None for problem in compiled_before.values())
    originals = {str(path.relative_to(corpus)): path.read_bytes() for path in files}
    before_digests = snapshot(corpus)

    findings_before = _findings(run(["check", *settings, "--output-format", "json", "."], corpus)[0], corpus)
    report.findings_before = len(findings_before)
    report.fixable_before = sum(map(_applicable, findings_before))

    _, stderr = run(["fix", *settings, "--unsafe-fixes", "--output-format", "json", "."], corpus)
    report.fixes_applied = sum(int(n) for n in FIXED.findall(stderr))
    refused = Counter()
    for line in stderr.splitlines():
        match = REFUSAL.match(line)
        if match:
            reason = re.sub(r"\d+", "N", match["reason"])[:110]
            report.refusals[match["code"], reason] += 1
            path = str(Path(corpus, match["path"]).resolve().relative_to(corpus.resolve()))
            refused[path, match["code"]] += 1

    after_digests = snapshot(corpus)
    changed = sorted(name for name, digest in after_digests.items() if before_digests.get(name) != digest)
    report.files_changed = len(changed)
    compiled_after = compile_all([corpus / name for name in changed], jobs)
    broken = 0
    for name in changed:
        before_problem = compiled_before[str(corpus / name)]
        after_problem = compiled_after[str(corpus / name)]
        if before_problem is None and after_problem is not None:
            broken += 1
            report.violations.append(f"{name}: compiled before the fix, not after ({after_problem})")
    report.compile_failures_after = report.compile_failures_before + broken - sum(
        compiled_before[str(corpus / n)] is not None and compiled_after[str(corpus / n)] is None for n in changed)

    findings_after = _findings(run(["check", *settings, "--output-format", "json", "."], corpus)[0], corpus)
    report.findings_after = len(findings_after)
    report.violations += _unfixed(findings_before, findings_after, refused, set(changed))

    run(["fix", *settings, "--unsafe-fixes", "--output-format", "json", "."], corpus)
    second = snapshot(corpus)
    again = sorted(name for name, digest in second.items() if after_digests.get(name) != digest)
    report.second_run_changed = len(again)
    report.violations += [f"{name}: the second fix run changed it again" for name in again]
    report.violations += [f"{name}: not a Python file any more" for name in originals if name not in second]
    report.seconds = time.perf_counter() - started
    return report


def _unfixed(before: list[dict], after: list[dict], refused: Counter, changed: set[str]) -> list[str]:
    """Findings the re-check reports that the fix run should have removed, or brought."""
    allowed = Counter()  # per (file, code, message): findings a fix run may leave
    for finding in before:
        path, code, _ = key = _key(finding)
        if not _applicable(finding):
            allowed[key] += 1
    refused_left = Counter(refused)
    fixable = Counter(_key(f) for f in before if _applicable(f))
    for key, count in sorted(fixable.items()):
        path, code, _ = key
        kept = min(count, refused_left[path, code])  # a refused fix leaves its finding
        refused_left[path, code] -= kept
        allowed[key] += kept
    violations = []
    for key, count in sorted(Counter(_key(f) for f in after).items()):
        excess = count - allowed[key]
        if excess > 0:
            path, code, message = key
            what = "a new finding" if key not in fixable and not allowed[key] else "a fixed finding still reported"
            where = "" if path in changed else " (file unchanged)"
            violations.append(f"{path}: {what}{where}: {code} {message[:100]}")
    return violations


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, action="append", default=None, metavar="DIR",
                        help="a tree of Python files to copy and fix (repeatable; default: the ecosystem "
                             "cache's src/, else site-packages)")
    parser.add_argument("--strict", action="store_true",
                        help="strict = true and test-code-ignore = [] (more fixes fire)")
    parser.add_argument("--lintkit", default=f"{sys.executable} -m lintkit",
                        help="the lintkit command (default: this Python's -m lintkit)")
    parser.add_argument("-j", "--jobs", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the fixed copy (its path is printed)")
    args = parser.parse_args(argv)

    sources = args.source or default_sources()
    work = Path(tempfile.mkdtemp(prefix="lintkit-fix-safety-"))
    try:
        corpus = work / "corpus"
        copied = copy_corpus(sources, corpus)
        settings = ["--isolated"]
        if args.strict:
            config = work / "lintkit.toml"
            config.write_text(STRICT_CONFIG)
            settings = ["--config", str(config)]
        if args.jobs:
            settings += ["--jobs", str(args.jobs)]
        print(f"corpus: {', '.join(map(str, sources))} ({copied} files), settings: "
              f"{'strict, test code judged' if args.strict else 'defaults (--isolated)'}")
        report = audit(corpus, lintkit_runner(args.lintkit.split()), settings, args.jobs)
        print("\n".join(report.lines()))
        if args.keep:
            print(f"fixed copy kept in {corpus}")
        return 1 if report.violations else 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

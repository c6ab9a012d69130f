#!/usr/bin/env python3
"""Measure what lintkit adds to a flake8 run on a real corpus.

Two virtual environments under benchmarks/.venvs/:

* ``flake8-only``    -- the same flake8 version as the running interpreter has;
* ``flake8-lintkit`` -- that flake8 plus lintkit installed (non-editable) from
  this repository, so the wheel with its bundled rules is what gets timed.

Both run flake8 with its default checks (no --select) over the same corpus,
interleaved A, B, A, B, ... after one untimed warm-up each, and the script
prints min / median wall time per environment and the lintkit/flake8-only
ratios.  Stdlib only; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from _venvs import bin_path, flake8_spec, log, make_venv, pip, run


HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENVS = HERE / ".venvs"
TARGET_RATIO = 1.03

# Directory basenames left out of the default corpus: installed third-party
# code, the test suites (which deliberately contain invalid Python / bad
# encodings), IDLE, and byte-code caches.  flake8 matches --exclude patterns
# against basenames, so "tests" also covers lib2to3/tests, whose data files
# are Python 2; the rest of lib2to3 is valid Python 3 and stays in.
DEFAULT_EXCLUDES = ("site-packages", "test", "tests", "idlelib", "__pycache__")


def setup_envs(rebuild: bool) -> tuple[Path, Path]:
    spec = flake8_spec()
    base = VENVS / "flake8-only"
    lk = VENVS / "flake8-lintkit"
    if make_venv(base, rebuild):
        pip(base, spec)
    if make_venv(lk, rebuild):
        pip(lk, spec)
        pip(lk, str(REPO))
    else:
        # Always time the current code: rebuild and reinstall the wheel.
        pip(lk, "--force-reinstall", "--no-deps", str(REPO))
    for env in (base, lk):
        if not bin_path(env, "flake8").exists():
            sys.exit(f"error: {env} has no flake8 executable (try --rebuild)")
    return base, lk


def flake8_version(env: Path) -> str:
    out = run([str(bin_path(env, "flake8")), "--version"], capture_output=True, text=True).stdout
    return " ".join(out.split())  # flake8 wraps "CPython X on\nLinux" over two lines


def count_files(corpus: Path, excludes: tuple[str, ...]) -> int:
    n = 0
    for root, dirs, files in os.walk(corpus):
        dirs[:] = [d for d in dirs if d not in excludes]
        n += sum(1 for f in files if f.endswith(".py"))
    return n


def limited_corpus(corpus: Path, excludes: tuple[str, ...], limit: int) -> list[str]:
    """The first `limit` .py files in sorted walk order (deterministic subset)."""
    out: list[str] = []
    for root, dirs, files in os.walk(corpus):
        dirs[:] = sorted(d for d in dirs if d not in excludes)
        for f in sorted(files):
            if f.endswith(".py"):
                out.append(os.path.join(root, f))
                if len(out) >= limit:
                    return out
    return out


def flake8_cmd(env: Path, targets: list[str], jobs: int, excludes: tuple[str, ...], extra=()) -> list[str]:
    return [
        str(bin_path(env, "flake8")),
        "--isolated",  # ignore any setup.cfg / tox.ini / .flake8 around
        "--exit-zero",
        f"--jobs={jobs}",
        f"--exclude={','.join(excludes)}",
        *extra,
        *targets,
    ]


def timed(cmd: list[str], cwd: str) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"error: {cmd[0]} exited {proc.returncode}\n{proc.stderr.decode(errors='replace')}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=None, help="directory to lint (default: the installed stdlib)")
    ap.add_argument("--corpus-limit", type=int, default=0, metavar="N",
                    help="lint only the first N .py files of the corpus, in sorted order (default: all)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per environment (default: 5)")
    ap.add_argument("--jobs", type=int, default=1, help="flake8 --jobs for both environments (default: 1)")
    ap.add_argument("--rebuild", action="store_true", help="recreate both virtual environments")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be >= 1")

    default_corpus = args.corpus is None
    corpus = (args.corpus or Path(sysconfig.get_paths()["stdlib"])).resolve()
    if not corpus.is_dir():
        ap.error(f"--corpus {corpus} is not a directory")
    excludes = DEFAULT_EXCLUDES if default_corpus else ("__pycache__", ".git", ".venv", "venv", ".tox")

    base, lk = setup_envs(args.rebuild)

    base_ver, lk_ver = flake8_version(base), flake8_version(lk)
    if "lintkit" not in lk_ver:
        sys.exit(f"error: the lintkit plugin is not loaded in {lk}:\n  flake8 --version -> {lk_ver!r}\n"
                 "try: python benchmarks/bench_flake8.py --rebuild")
    if "lintkit" in base_ver:
        sys.exit(f"error: {base} unexpectedly loads lintkit: {base_ver!r} (try --rebuild)")

    if args.corpus_limit > 0:
        targets = limited_corpus(corpus, excludes, args.corpus_limit)
        nfiles = len(targets)
    else:
        targets = [str(corpus)]
        nfiles = count_files(corpus, excludes)

    # A fresh, empty working directory: no config files, nothing to discover.
    with tempfile.TemporaryDirectory(prefix="lk-bench-") as cwd:
        cmd_a = flake8_cmd(base, targets, args.jobs, excludes)
        cmd_b = flake8_cmd(lk, targets, args.jobs, excludes)

        # Correctness pass (untimed): LK findings, and files flake8 could not
        # parse or read (E902/E999) so a broken corpus is visible.
        proc = subprocess.run(flake8_cmd(lk, targets, args.jobs, excludes, ["--select=E9,LK"]),
                              cwd=cwd, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"error: flake8 with lintkit failed ({proc.returncode}):\n{proc.stderr}")
        lines = proc.stdout.splitlines()
        lk_findings = sum(1 for ln in lines if ": LK" in ln)
        unparsable = sorted({ln.split(":", 1)[0] for ln in lines if ": E9" in ln})

        log(f"warm-up ({nfiles} files)...")
        timed(cmd_a, cwd)
        timed(cmd_b, cwd)
        times_a: list[float] = []
        times_b: list[float] = []
        for i in range(args.runs):
            times_a.append(timed(cmd_a, cwd))
            times_b.append(timed(cmd_b, cwd))
            log(f"run {i + 1}/{args.runs}: flake8-only {times_a[-1]:.2f}s  flake8+lintkit {times_b[-1]:.2f}s")

    med_a, med_b = statistics.median(times_a), statistics.median(times_b)
    min_a, min_b = min(times_a), min(times_b)
    ratio_med, ratio_min = med_b / med_a, min_b / min_a

    print(f"Python   {platform.python_implementation()} {platform.python_version()} ({sys.executable})")
    print(f"A  flake8-only     flake8 {base_ver}")
    print(f"B  flake8+lintkit  flake8 {lk_ver}")
    limit_note = f" (first {nfiles} files, --corpus-limit)" if args.corpus_limit > 0 else ""
    print(f"corpus   {corpus}{limit_note}")
    print(f"         {nfiles} .py files; excluded dirs: {', '.join(excludes)}")
    print(f"         files flake8 could not parse (E9xx): {len(unparsable)}")
    for path in unparsable[:10]:
        print(f"           {path}")
    print(f"         LK findings: {lk_findings}")
    print(f"runs     {args.runs} interleaved after 1 warm-up each, --jobs={args.jobs}, default checks")
    print()
    print(f"{'environment':<16}{'min (s)':>10}{'median (s)':>12}")
    print(f"{'flake8-only':<16}{min_a:>10.3f}{med_a:>12.3f}")
    print(f"{'flake8+lintkit':<16}{min_b:>10.3f}{med_b:>12.3f}")
    print(f"{'ratio':<16}{ratio_min:>9.3f}x{ratio_med:>11.3f}x")
    print()
    verdict = "within" if ratio_med <= TARGET_RATIO else "ABOVE"
    print(f"median ratio {ratio_med:.3f}x is {verdict} the {TARGET_RATIO:.2f}x target "
          f"(lintkit adds {med_b - med_a:+.3f}s, {(med_b - med_a) / nfiles * 1000:+.2f} ms/file)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

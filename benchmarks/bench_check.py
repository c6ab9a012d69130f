#!/usr/bin/env python3
"""Time the `lintkit check` CLI against ruff, flake8 and a bare ast.parse.

Part 1 (stdlib): `lintkit check` vs `ruff check` (default rules) vs `flake8`
(default checks) over the installed standard library (the same file selection
as bench_flake8.py), each tool with its own default parallelism, interleaved
lintkit, ruff, flake8, lintkit, ... after one untimed warm-up each.
Target: lintkit no slower than ruff.

Part 2 (client code): a corpus built from the stdlib and site-packages of the
running interpreter, keeping only files that import a module lintkit has a
schema for (socket, ssl, http, redis, ...), so every file goes through the full
analysis.  `lintkit check -j 1` vs a one-process script that reads each file
and runs ast.parse, interleaved.  Target: at most 3x.  An in-process pass also
times lintkit and ast.parse file by file, to name the slowest files.

Tools run from `benchmarks/.venvs/check-tools` (ruff, flake8 and lintkit,
reinstalled non-editable from this repo on every run); flake8 is timed from
`benchmarks/.venvs/flake8-only` (shared with bench_flake8.py), because in
check-tools it would also load the lintkit plugin.  Stdlib only; see
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import site
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import tomllib
from collections import Counter
from pathlib import Path

from _venvs import bin_path, flake8_spec, log, make_venv, pip, run

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENVS = HERE / ".venvs"
RULES = REPO / "rules"

TARGET_VS_RUFF = 1.0
TARGET_VS_AST = 3.0
DEFAULT_CORPUS_LIMIT = 2000
QUICK_RUNS = 2
QUICK_CORPUS_LIMIT = 500

# Same exclusions as bench_flake8.py for the stdlib corpus of part 1.
STDLIB_EXCLUDES = ("site-packages", "test", "tests", "idlelib", "__pycache__")

# Part 2 ast.parse baseline: same walk order as lintkit (sorted), read bytes, parse.
AST_SCRIPT = r"""
import ast, os, sys
n = bad = 0
for root, dirs, files in os.walk(sys.argv[1]):
    dirs.sort()
    for name in sorted(files):
        if name.endswith(".py"):
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                data = handle.read()
            try:
                ast.parse(data, path)
            except (SyntaxError, ValueError):
                bad += 1
            n += 1
print(n, bad)
"""

# Part 2 (c): in-process, per file: lintkit's check_file (decode, prefilter,
# parse, analysis, noqa) vs ast.parse on the same bytes; best of `reps`.
INPROCESS_SCRIPT = r"""
import ast, json, os, sys, time
t0 = time.perf_counter()
from lintkit.frontends.runner import EngineSpec, check_file

engine = EngineSpec().build()
startup = time.perf_counter() - t0
corpus, reps = sys.argv[1], int(sys.argv[2])
paths = sorted(os.path.join(corpus, n) for n in os.listdir(corpus) if n.endswith(".py"))
rows = []
for path in paths:
    with open(path, "rb") as handle:
        data = handle.read()
    best_lk = best_ast = float("inf")
    findings = 0
    for _ in range(reps):
        t = time.perf_counter()
        result = check_file(engine, path, data)
        best_lk = min(best_lk, time.perf_counter() - t)
        findings = len(result.findings)
        t = time.perf_counter()
        try:
            ast.parse(data, path)
        except (SyntaxError, ValueError):
            pass
        best_ast = min(best_ast, time.perf_counter() - t)
    rows.append([os.path.basename(path), len(data), best_lk, best_ast, findings])
json.dump({"startup": startup, "rows": rows}, sys.stdout)
"""

IMPORT_LINE = re.compile(r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import\b|import[ \t]+([^\n#;\\]+))", re.MULTILINE)
FINDING_LINE = re.compile(r":\d+:\d+: (LK\d+) ")


def setup_envs(rebuild: bool) -> tuple[Path, Path]:
    """check-tools (ruff, flake8, lintkit) and flake8-only (plain flake8)."""
    spec = flake8_spec()
    tools = VENVS / "check-tools"
    plain = VENVS / "flake8-only"
    if make_venv(tools, rebuild):
        pip(tools, spec, "ruff")
        pip(tools, spec, str(REPO))
    else:
        # Always time the current code: rebuild and reinstall the wheel.
        pip(tools, "--force-reinstall", "--no-deps", str(REPO))
    if make_venv(plain, rebuild):
        pip(plain, spec)
    for env, exe in ((tools, "ruff"), (tools, "lintkit"), (plain, "flake8")):
        if not bin_path(env, exe).exists():
            sys.exit(f"error: {env} has no {exe} executable (try --rebuild)")
    return tools, plain


def tool_version(cmd: list[str]) -> str:
    out = run(cmd, capture_output=True, text=True).stdout
    return " ".join(out.split())


# ---------------------------------------------------------------------- corpora


def stdlib_files(stdlib: Path) -> list[str]:
    """bench_flake8.py's default corpus, as an explicit sorted list of files."""
    out: list[str] = []
    for root, dirs, files in os.walk(stdlib):
        dirs[:] = sorted(d for d in dirs if d not in STDLIB_EXCLUDES)
        out.extend(os.path.join(root, f) for f in sorted(files) if f.endswith(".py"))
    return out


def schema_modules() -> set[str]:
    """Top-level module names of every class and factory in rules/*.toml."""
    names: set[str] = set()
    for path in sorted(RULES.glob("*.toml")):
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
        for key in ("class", "factory"):
            for entry in data.get(key, []):
                for name in (entry["name"], *entry.get("aliases", [])):
                    names.add(name.split(".", 1)[0])
    return names


def imported_top_levels(text: str) -> set[str]:
    found: set[str] = set()
    for match in IMPORT_LINE.finditer(text):
        if match.group(1):
            found.add(match.group(1).split(".", 1)[0])
        else:
            for part in match.group(2).split(","):
                words = part.split()
                if words:
                    found.add(words[0].strip("()").split(".", 1)[0])
    return found


def client_candidates(modules: set[str]) -> tuple[list[tuple[str, str, str]], int, int]:
    """(root label, root, path) of .py files importing a schema module and parsing with ast."""
    import ast

    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    roots = [("stdlib", stdlib)]
    for sp in site.getsitepackages():
        if Path(sp).resolve().is_dir():
            roots.append(("site", Path(sp).resolve()))
    out: list[tuple[str, str, str]] = []
    scanned = unparsable = 0
    for label, root in roots:
        for directory, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", "site-packages"))
            for name in sorted(files):
                if not name.endswith(".py"):
                    continue
                path = os.path.join(directory, name)
                scanned += 1
                try:
                    with open(path, "rb") as handle:
                        data = handle.read()
                except OSError:
                    continue
                if not imported_top_levels(data.decode("utf-8", errors="replace")) & modules:
                    continue
                try:
                    ast.parse(data, path)
                except (SyntaxError, ValueError):
                    unparsable += 1
                    continue
                out.append((label, str(root), path))
    return out, scanned, unparsable


def build_client_corpus(dest: Path, limit: int) -> tuple[int, int, int, int, Counter]:
    modules = schema_modules()
    cands, scanned, unparsable = client_candidates(modules)
    if limit and len(cands) > limit:
        # Evenly spaced over the sorted list, so stdlib and every package are represented.
        cands = [cands[i * len(cands) // limit] for i in range(limit)]
    dest.mkdir(parents=True, exist_ok=True)
    per_root: Counter = Counter()
    total_bytes = 0
    for i, (label, root, path) in enumerate(cands):
        rel = os.path.relpath(path, root).replace(os.sep, "__")
        # Flat names: no directory that lintkit's walker skips (build, dist, ...).
        target = dest / f"{i:04d}__{label}__{rel}"
        shutil.copyfile(path, target)
        total_bytes += os.path.getsize(target)
        per_root[label if label == "stdlib" else rel.split("__", 1)[0]] += 1
    return len(cands), scanned, unparsable, total_bytes, per_root


# ---------------------------------------------------------------------- timing


def timed(cmd: list[str], cwd: str, ok=(0,)) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in ok:
        sys.exit(f"error: {cmd[0]} exited {proc.returncode}\n{proc.stderr.decode(errors='replace')[-3000:]}")
    return elapsed


def captured(cmd: list[str], cwd: str, ok=(0,)) -> tuple[float, subprocess.CompletedProcess]:
    """An untimed-in-the-results run (the warm-up) that keeps the output for counting."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, errors="replace", check=False)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in ok:
        sys.exit(f"error: {cmd[0]} exited {proc.returncode}\n{proc.stderr[-3000:]}")
    return elapsed, proc


def interleave(cmds: dict[str, list[str]], oks: dict[str, tuple[int, ...]], cwd: str, runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for i in range(runs):
        for name, cmd in cmds.items():
            times[name].append(timed(cmd, cwd, oks[name]))
        log(f"run {i + 1}/{runs}: " + "  ".join(f"{n} {t[-1]:.2f}s" for n, t in times.items()))
    return times


def table(times: dict[str, list[float]], base: str) -> list[str]:
    b_min, b_med = min(times[base]), statistics.median(times[base])
    lines = [f"{'tool':<22}{'min (s)':>10}{'median (s)':>12}{'lk/tool min':>13}{'lk/tool med':>13}"]
    for name, ts in times.items():
        lo, med = min(ts), statistics.median(ts)
        if name == base:
            lines.append(f"{name:<22}{lo:>10.3f}{med:>12.3f}{'':>13}{'':>13}")
        else:
            lines.append(f"{name:<22}{lo:>10.3f}{med:>12.3f}{b_min / lo:>12.2f}x{b_med / med:>12.2f}x")
    return lines


def count_lk(stdout: str) -> Counter:
    return Counter(m.group(1) for m in FINDING_LINE.finditer(stdout))


def stderr_counts(stderr: str) -> tuple[int, int]:
    errors = sum(1 for ln in stderr.splitlines() if ": error: " in ln)
    warnings = sum(1 for ln in stderr.splitlines() if ": warning: " in ln)
    return errors, warnings


# ---------------------------------------------------------------------- parts


def part_stdlib(tools: Path, plain: Path, runs: int, cwd: str) -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    files = stdlib_files(stdlib)
    py = f"py{sys.version_info[0]}{sys.version_info[1]}"
    cmds = {
        "lintkit check": [str(bin_path(tools, "lintkit")), "check", "--isolated", "--exit-zero", *files],
        "ruff check": [str(bin_path(tools, "ruff")), "check", "--isolated", "--exit-zero", "--no-cache",
                       f"--target-version={py}", *files],
        "flake8": [str(bin_path(plain, "flake8")), "--isolated", "--exit-zero", *files],
    }
    # lintkit exits 1 when a file could not be analysed, even with --exit-zero.
    oks = {"lintkit check": (0, 1), "ruff check": (0,), "flake8": (0,)}

    log(f"part 1: warm-up over {len(files)} stdlib files...")
    counts = {}
    for name, cmd in cmds.items():
        _, proc = captured(cmd, cwd, oks[name])
        counts[name] = proc
    lk = counts["lintkit check"]
    lk_codes = count_lk(lk.stdout)
    lk_err, lk_warn = stderr_counts(lk.stderr)
    found = re.search(r"Found (\d+) error", counts["ruff check"].stdout)
    ruff_n = int(found.group(1)) if found else 0
    f8_n = sum(1 for ln in counts["flake8"].stdout.splitlines() if re.match(r".+:\d+:\d+: ", ln))
    times = interleave(cmds, oks, cwd, runs)

    cores = os.cpu_count()
    print(f"== 1. stdlib: lintkit check vs ruff check vs flake8 ({cores} cores) ==")
    print(f"corpus   {stdlib}: {len(files)} .py files (excluded dirs: {', '.join(STDLIB_EXCLUDES)}), "
          "passed as an explicit file list")
    print(f"tools    {tool_version([str(bin_path(tools, 'lintkit')), '--version'])}; "
          f"{tool_version([str(bin_path(tools, 'ruff')), '--version'])} (default rules); "
          f"flake8 {tool_version([str(bin_path(plain, 'flake8')), '--version'])} (default checks)")
    print(f"parallel all three use every core: lintkit -j default={cores} processes, ruff threads, "
          f"flake8 --jobs=auto ({cores} processes)")
    print(f"flags    lintkit --isolated --exit-zero | ruff --isolated --exit-zero --no-cache "
          f"--target-version={py} | flake8 --isolated --exit-zero; stdout -> /dev/null")
    cache = os.environ.get("LINTKIT_CACHE_DIR")
    print("caches   no results cache in either tool; lintkit's schema cache "
          + ("off (LINTKIT_CACHE_DIR is empty)" if cache == "" else f"on ({cache or 'default location'}), "
             "filled by the warm-up"))
    print(f"output   lintkit {sum(lk_codes.values())} findings {dict(sorted(lk_codes.items()))}, "
          f"{lk_err} errors, {lk_warn} warnings (exit {lk.returncode}); ruff {ruff_n} diagnostics; "
          f"flake8 {f8_n} diagnostics")
    print(f"runs     {runs} interleaved after 1 warm-up each")
    print()
    for line in table(times, "lintkit check"):
        print(line)
    med = statistics.median(times["lintkit check"]) / statistics.median(times["ruff check"])
    verdict = "meets" if med <= TARGET_VS_RUFF else "MISSES"
    print(f"lintkit/ruff median {med:.2f}x: {verdict} the target (lintkit no slower than ruff)")
    print()


def part_clients(tools: Path, runs: int, limit: int, cwd: str, reps: int, keep: bool) -> float:
    tmp = Path(tempfile.mkdtemp(prefix="lk-bench-corpus-"))
    corpus = tmp / "corpus"
    try:
        log("part 2: collecting files that import a schema module...")
        n, scanned, unparsable, nbytes, per_root = build_client_corpus(corpus, limit)
        if n == 0:
            sys.exit("error: no file in the stdlib or site-packages imports a schema module")
        lk_cmd = [str(bin_path(tools, "lintkit")), "check", "--isolated", "--exit-zero", "-j", "1", str(corpus)]
        ast_cmd = [str(bin_path(tools, "python")), "-c", AST_SCRIPT, str(corpus)]
        cmds = {"lintkit check -j 1": lk_cmd, "ast.parse script": ast_cmd}
        oks = {"lintkit check -j 1": (0, 1), "ast.parse script": (0,)}

        log(f"part 2: warm-up over {n} files...")
        _, lk = captured(lk_cmd, cwd, (0, 1))
        _, ap = captured(ast_cmd, cwd)
        lk_codes = count_lk(lk.stdout)
        lk_err, lk_warn = stderr_counts(lk.stderr)
        times = interleave(cmds, oks, cwd, runs)

        inproc = None
        if reps > 0:
            log(f"part 2 (c): in-process per-file timing, best of {reps}...")
            proc = subprocess.run([str(bin_path(tools, "python")), "-c", INPROCESS_SCRIPT, str(corpus), str(reps)],
                                  cwd=cwd, capture_output=True, text=True, check=False)
            if proc.returncode == 0:
                inproc = json.loads(proc.stdout)
            else:
                log(f"(c) failed:\n{proc.stderr[-2000:]}")

        print("== 2. client-code corpus: lintkit check -j 1 vs read + ast.parse (one process) ==")
        top = ", ".join(f"{k} {v}" for k, v in per_root.most_common(8))
        print(f"corpus   {n} files, {nbytes / 1e6:.1f} MB, from {scanned} .py files scanned in stdlib + "
              f"site-packages ({unparsable} importing a schema module skipped: ast could not parse)")
        print(f"         by origin: {top}, ...")
        print(f"         schema modules: {', '.join(sorted(schema_modules()))}")
        print(f"output   lintkit {sum(lk_codes.values())} findings {dict(sorted(lk_codes.items()))}, "
              f"{lk_err} errors, {lk_warn} warnings (exit {lk.returncode}); ast script: "
              f"files, unparsable = {ap.stdout.strip()}")
        print(f"runs     {runs} interleaved after 1 warm-up each; both include interpreter start-up")
        print()
        for line in table(times, "lintkit check -j 1"):
            print(line)
        ratio = statistics.median(times["lintkit check -j 1"]) / statistics.median(times["ast.parse script"])
        verdict = "within" if ratio <= TARGET_VS_AST else "ABOVE"
        print(f"(a)/(b) median {ratio:.2f}x: {verdict} the {TARGET_VS_AST:.0f}x target")
        if inproc is not None:
            rows = inproc["rows"]
            lk_total = sum(r[2] for r in rows)
            ast_total = sum(r[3] for r in rows)
            per_file = sorted(r[2] for r in rows)
            print(f"(c) in-process, best of {reps}: start-up (import + schemas) {inproc['startup'] * 1000:.0f} ms; "
                  f"check_file total {lk_total:.2f}s vs ast.parse {ast_total:.2f}s = {lk_total / ast_total:.2f}x; "
                  f"per file median {statistics.median(per_file) * 1000:.2f} ms, "
                  f"max {per_file[-1] * 1000:.1f} ms")
            print("    slowest files (lintkit ms, ast ms, ratio, KB, findings):")
            for name, size, t_lk, t_ast, nf in sorted(rows, key=lambda r: -r[2])[:5]:
                print(f"      {t_lk * 1000:8.1f} {t_ast * 1000:7.1f} {t_lk / t_ast:5.1f}x {size / 1024:6.0f}  {nf:3d}  {name}")
            worst = sorted((r for r in rows if r[3] > 0.001), key=lambda r: -(r[2] / r[3]))[:3]
            print("    highest ratio (files with ast.parse > 1 ms): "
                  + "; ".join(f"{r[0]} {r[2] / r[3]:.1f}x" for r in worst))
        if keep:
            print(f"corpus kept at {corpus}")
        return ratio
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=None, help="timed runs per tool (default: 5, --quick: 2)")
    ap.add_argument("--quick", action="store_true",
                    help=f"{QUICK_RUNS} runs, client corpus limited to {QUICK_CORPUS_LIMIT} files, "
                         "in-process pass once")
    ap.add_argument("--corpus-limit", type=int, default=None, metavar="N",
                    help=f"client-code corpus size (default: {DEFAULT_CORPUS_LIMIT}; 0 = every matching file)")
    ap.add_argument("--only", choices=("stdlib", "clients"), default=None, help="run one part only")
    ap.add_argument("--keep-corpus", action="store_true", help="do not delete the client-code corpus")
    ap.add_argument("--rebuild", action="store_true", help="recreate the virtual environments")
    args = ap.parse_args(argv)
    runs = args.runs if args.runs is not None else (QUICK_RUNS if args.quick else 5)
    if runs < 1:
        ap.error("--runs must be >= 1")
    limit = args.corpus_limit if args.corpus_limit is not None else (
        QUICK_CORPUS_LIMIT if args.quick else DEFAULT_CORPUS_LIMIT)
    reps = 1 if args.quick else 2

    tools, plain = setup_envs(args.rebuild)
    if "lintkit" in tool_version([str(bin_path(plain, "flake8")), "--version"]):
        sys.exit(f"error: {plain} unexpectedly loads lintkit (try --rebuild)")

    print(f"Python   {platform.python_implementation()} {platform.python_version()} ({sys.executable}), "
          f"{platform.system()} {os.cpu_count()} cores")
    print()
    # A fresh, empty working directory: no config files, nothing to discover.
    with tempfile.TemporaryDirectory(prefix="lk-bench-") as cwd:
        if args.only in (None, "stdlib"):
            part_stdlib(tools, plain, runs, cwd)
        if args.only in (None, "clients"):
            part_clients(tools, runs, limit, cwd, reps, args.keep_corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""What astroid would cost lintkit: its tree and its inference, against lintkit's own analysis.

The design names astroid for inference where lintkit's own resolver is not
enough, and cross-module inference is where it would help.  This benchmark
measures, on the two corpora of bench_check.py (the standard library, and the
client corpus of files that import a library lintkit knows), in one process
each and on the same bytes:

  ast.parse        the floor: Python's parser
  lintkit          check_file (decode, prefilter, parse, analysis, noqa) on every file
  astroid build    astroid's tree of every file (AstroidBuilder.string_build: parse + rebuild)
  astroid infer    the above, then `inferred()` on the callee of every call: what following
                   a client made in another module (`conn = open_connection(url)`) would need

and counts how many of those callees astroid could infer at all, and how many
of the calls that name a class of a lintkit schema it inferred to that class
(in a pre-commit environment the client libraries are not installed, so
inference into them fails; the run here has them when site-packages does).

Tools run from `benchmarks/.venvs/astroid` (astroid and lintkit from this repo,
reinstalled non-editable on every run).  Prints times and ratios; no target.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from _venvs import bin_path, log, make_venv, pip

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
ENV = HERE / ".venvs" / "astroid"
ASTROID = "astroid==4.3.4"

MEASURE = r"""
import ast, json, os, sys, time

files = sys.argv[2:]
mode = sys.argv[1]
datas = []
for path in files:
    with open(path, "rb") as handle:
        datas.append((path, handle.read()))

def best(fn, reps=2):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter(); out = fn(); times.append(time.perf_counter() - t0)
    return min(times), out

def parse_all():
    n = 0
    for path, data in datas:
        try:
            ast.parse(data, path); n += 1
        except (SyntaxError, ValueError):
            pass
    return n

if mode == "ast":
    t, n = best(parse_all)
    print(json.dumps({"seconds": t, "files": n}))
elif mode == "lintkit":
    t0 = time.perf_counter()
    from lintkit.frontends.runner import EngineSpec, check_file
    engine = EngineSpec().build()
    startup = time.perf_counter() - t0
    def run():
        return sum(len(check_file(engine, path, data).findings) for path, data in datas)
    t, n = best(run)
    print(json.dumps({"seconds": t, "startup": startup, "findings": n}))
else:
    import astroid
    from astroid import nodes
    from astroid.builder import AstroidBuilder
    from astroid.manager import AstroidManager
    classes = set(json.loads(os.environ["LK_CLASSES"]))
    def modname(path):
        return os.path.splitext(os.path.basename(path))[0]
    def build_all(infer):
        manager = AstroidManager()
        manager.clear_cache()
        builder = AstroidBuilder(manager)
        built = calls = inferred = known = 0
        for path, data in datas:
            try:
                module = builder.string_build(data.decode("utf-8", "replace"), modname(path), path)
            except Exception:
                continue
            built += 1
            if not infer:
                continue
            for call in module.nodes_of_class(nodes.Call):
                calls += 1
                try:
                    results = call.func.inferred()
                except Exception:
                    continue
                names = {getattr(r, "qname", lambda: "")() for r in results if r is not astroid.Uninferable}
                if names:
                    inferred += 1
                    if names & classes:
                        known += 1
        return built, calls, inferred, known
    t, (built, calls, inferred, known) = best(lambda: build_all(mode == "infer"), reps=1)
    print(json.dumps({"seconds": t, "files": built, "calls": calls, "inferred": inferred, "known": known}))
"""


def setup(rebuild: bool) -> Path:
    make_venv(ENV, rebuild)
    pip(ENV, ASTROID)
    pip(ENV, "--no-deps", "--force-reinstall", str(REPO))
    pip(ENV, str(REPO))  # lintkit's own dependencies
    return ENV


def corpora(limit: int) -> dict[str, list[str]]:
    sys.path.insert(0, str(HERE))
    from bench_check import build_client_corpus, stdlib_files

    stdlib = stdlib_files(Path(sysconfig.get_paths()["stdlib"]).resolve())
    tmp = Path(tempfile.mkdtemp(prefix="lk-astroid-corpus-"))
    build_client_corpus(tmp, limit)
    return {"stdlib": stdlib, "clients": sorted(str(p) for p in tmp.iterdir())}, tmp


def schema_classes(env: Path) -> list[str]:
    script = ("import json; from lintkit.schemas.registry import load_schema_set; "
              "s = load_schema_set(); print(json.dumps(sorted(c.name for lib in s.libraries for c in lib.classes)))")
    return json.loads(subprocess.run([str(bin_path(env, "python")), "-c", script], check=True,
                                     capture_output=True, text=True, cwd=tempfile.gettempdir()).stdout)


def measure(env: Path, mode: str, files: list[str], classes: list[str]) -> dict:
    proc = subprocess.run([str(bin_path(env, "python")), "-c", MEASURE, mode, *files], capture_output=True,
                          text=True, env={"LK_CLASSES": json.dumps(classes), "PATH": "/usr/bin:/bin"},
                          cwd=tempfile.gettempdir())  # not the repository: its lintkit/ has no rules/
    if proc.returncode:
        sys.exit(f"error: {mode}:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus-limit", type=int, default=500, help="client corpus size (default 500)")
    ap.add_argument("--rebuild", action="store_true", help="recreate the virtual environment")
    args = ap.parse_args()
    env = setup(args.rebuild)
    classes = schema_classes(env)
    sets, tmp = corpora(args.corpus_limit)
    try:
        for name, files in sets.items():
            log(f"{name}: {len(files)} files...")
            base = measure(env, "ast", files, classes)
            rows = {mode: measure(env, mode, files, classes) for mode in ("lintkit", "build", "infer")}
            print(f"== {name}: {len(files)} files, one process, best of 2 (astroid: 1 run) ==")
            print(f"{'':16}{'seconds':>9}{'x ast.parse':>13}")
            print(f"{'ast.parse':16}{base['seconds']:9.3f}{1:13.2f}")
            for mode, label in (("lintkit", "lintkit"), ("build", "astroid build"), ("infer", "astroid infer")):
                r = rows[mode]
                print(f"{label:16}{r['seconds']:9.3f}{r['seconds'] / base['seconds']:13.2f}")
            i = rows["infer"]
            print(f"astroid inferred the callee of {i['inferred']} of {i['calls']} calls "
                  f"({100 * i['inferred'] / max(i['calls'], 1):.0f}%); {i['known']} to a class of a lintkit schema. "
                  f"lintkit start-up {rows['lintkit']['startup'] * 1000:.0f} ms, {rows['lintkit']['findings']} findings.")
            print()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

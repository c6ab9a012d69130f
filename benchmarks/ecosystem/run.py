#!/usr/bin/env python3
"""The ecosystem check: lintkit's precision on real projects nobody here wrote.

Downloads the pinned source distributions of `projects.toml` into a cache outside the
repository ($LINTKIT_ECOSYSTEM_CACHE, default ~/.cache/lintkit-ecosystem), unpacks each
once, runs `lintkit check` with default settings (no configuration: --isolated) on each
project's own directory, and compares the findings with the verdicts of `triage.csv`.

It prints, per rule and per family (LK1xx, LK2xx), how many findings are tp / fp / noise /
unjudged and the precision (tp / judged), then every finding without a verdict (to be
triaged) and every verdict whose finding is no longer reported ("gone").
Exit status 0 unless a download, an unpacking or a lintkit run failed.
Standard library only. See README.md beside this file.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shlex
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
import zipfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECTS_FILE = HERE / "projects.toml"
TRIAGE_FILE = HERE / "triage.csv"
VERDICTS = ("tp", "fp", "noise")
TRIAGE_COLUMNS = ("project", "path", "line", "col", "code", "verdict", "reason")


# --------------------------------------------------------------------------- data


@dataclass(frozen=True, order=True)
class Key:
    """What identifies a finding across runs: stable while the project's pin is."""

    project: str
    path: str
    line: int
    col: int
    code: str


@dataclass(frozen=True)
class Finding:
    key: Key
    message: str


@dataclass(frozen=True)
class Verdict:
    key: Key
    verdict: str  # one of VERDICTS
    reason: str


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    noise: int = 0
    unjudged: int = 0

    @property
    def judged(self) -> int:
        return self.tp + self.fp + self.noise

    @property
    def total(self) -> int:
        return self.judged + self.unjudged

    @property
    def precision(self) -> float | None:
        return precision(self.tp, self.judged)

    def add(self, verdict: str | None) -> None:
        name = verdict if verdict in VERDICTS else "unjudged"
        setattr(self, name, getattr(self, name) + 1)


@dataclass
class Comparison:
    by_rule: dict[str, Tally] = field(default_factory=dict)
    by_family: dict[str, Tally] = field(default_factory=dict)
    total: Tally = field(default_factory=Tally)
    unjudged: list[Finding] = field(default_factory=list)
    gone: list[Verdict] = field(default_factory=list)


# --------------------------------------------------------------------------- pure logic


def precision(tp: int, judged: int) -> float | None:
    """tp / judged, or None when nothing is judged."""
    return tp / judged if judged else None


def family(code: str) -> str:
    """'LK204' -> 'LK2xx'."""
    return code[:3] + "xx"


def findings_from_json(project: str, text: str) -> list[Finding]:
    """Findings of one project from `lintkit check --output-format json` run in its root."""
    found = []
    for item in json.loads(text):
        path = item["filename"].replace(os.sep, "/")
        while path.startswith("./"):
            path = path[2:]
        loc = item["location"]
        key = Key(project, path, int(loc["row"]), int(loc["column"]), item["code"])
        found.append(Finding(key, item["message"]))
    return found


def parse_triage(text: str, source: str = "triage") -> dict[Key, Verdict]:
    """Verdicts of a triage CSV. Rows with an empty verdict are not verdicts (still unjudged).

    Raises ValueError on an unknown verdict, a missing reason or a finding judged twice.
    """
    verdicts: dict[Key, Verdict] = {}
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != TRIAGE_COLUMNS:
        raise ValueError(f"{source}: the header must be {','.join(TRIAGE_COLUMNS)}")
    for row in reader:
        where = f"{source}:{reader.line_num}"
        verdict = (row["verdict"] or "").strip()
        if not verdict:
            continue
        if verdict not in VERDICTS:
            raise ValueError(f"{where}: verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
        reason = (row["reason"] or "").strip()
        if not reason:
            raise ValueError(f"{where}: a verdict needs a one-line reason")
        key = Key(row["project"], row["path"], int(row["line"]), int(row["col"]), row["code"])
        if key in verdicts:
            raise ValueError(f"{where}: {format_key(key)} is judged twice")
        verdicts[key] = Verdict(key, verdict, reason)
    return verdicts


def triage_rows(findings: list[Finding]) -> str:
    """Findings as triage CSV rows with an empty verdict (the message as a reminder)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for f in sorted(findings, key=lambda f: f.key):
        k = f.key
        writer.writerow([k.project, k.path, k.line, k.col, k.code, "", f.message])
    return out.getvalue()


def compare(findings: list[Finding], verdicts: dict[Key, Verdict],
            projects: set[str] | None = None) -> Comparison:
    """Match findings with verdicts; a verdict of a project outside `projects` is not gone."""
    result = Comparison()
    reported = set()
    for finding in sorted(findings, key=lambda f: f.key):
        reported.add(finding.key)
        judged = verdicts.get(finding.key)
        verdict = judged.verdict if judged else None
        code = finding.key.code
        for tally in (result.by_rule.setdefault(code, Tally()),
                      result.by_family.setdefault(family(code), Tally()), result.total):
            tally.add(verdict)
        if judged is None:
            result.unjudged.append(finding)
    result.gone = [v for k, v in sorted(verdicts.items())
                   if k not in reported and (projects is None or k.project in projects)]
    return result


def format_key(key: Key) -> str:
    return f"{key.project}:{key.path}:{key.line}:{key.col}: {key.code}"


def format_precision(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


HEADER = f"{'':12} {'findings':>8} {'tp':>5} {'fp':>5} {'noise':>5} {'unjudged':>8} {'precision':>9}"


def row(label: str, t: Tally) -> str:
    return (f"{label:12} {t.total:8} {t.tp:5} {t.fp:5} {t.noise:5} {t.unjudged:8} "
            f"{format_precision(t.precision):>9}")


def report(result: Comparison, by_kind: dict[str, Tally] | None = None, list_gone: bool = True) -> str:
    lines = [HEADER]
    lines += [row(code, t) for code, t in sorted(result.by_rule.items())]
    lines.append("")
    lines += [row(fam, t) for fam, t in sorted(result.by_family.items())]
    lines.append(row("total", result.total))
    if by_kind:
        lines.append("")
        lines += [row(kind, t) for kind, t in sorted(by_kind.items())]
    lines.append("")
    lines.append("precision = tp / (tp + fp + noise); unjudged findings are left out of it.")
    if result.unjudged:
        lines += ["", f"{len(result.unjudged)} finding(s) without a verdict (judge them in triage.csv):"]
        lines += [f"  {format_key(f.key)} {f.message}" for f in result.unjudged]
    if result.gone:
        tally = Counter((v.key.code, v.verdict) for v in result.gone)
        summary = ", ".join(f"{code} {verdict} {count}" for (code, verdict), count in sorted(tally.items()))
        lines += ["", f"{len(result.gone)} verdict(s) whose finding is no longer reported (gone): {summary}"]
        if list_gone:
            lines += [f"  {format_key(v.key)} [{v.verdict}] {v.reason}" for v in result.gone]
    return "\n".join(lines)


# --------------------------------------------------------------------------- projects


@dataclass(frozen=True)
class Project:
    name: str
    version: str
    kind: str


def load_projects(path: Path = PROJECTS_FILE) -> list[Project]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [Project(p["name"], p["version"], p["kind"]) for p in data["project"]]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def download(project: Project, cache: Path) -> Path:
    """The sdist archive of the pin, downloaded with pip on first use."""
    target = cache / "sdists" / f"{project.name}-{project.version}"
    archives = _archives(target)
    if not archives:
        target.mkdir(parents=True, exist_ok=True)
        log(f"downloading {project.name}=={project.version}")
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
               "--no-binary", project.name, "--ignore-requires-python",
               "--dest", str(target), f"{project.name}=={project.version}"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{shlex.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
        archives = _archives(target)
    if len(archives) != 1:
        raise RuntimeError(f"expected one sdist in {target}, found {len(archives)}")
    return archives[0]


def _archives(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir()
                  if p.name.endswith((".tar.gz", ".tgz", ".tar.bz2", ".zip")))


def unpack(archive: Path, cache: Path, project: Project) -> Path:
    """The project's root directory, unpacked once from its sdist."""
    target = cache / "src" / f"{project.name}-{project.version}"
    done = target / ".unpacked"
    if not done.exists():
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(target)
        else:
            with tarfile.open(archive) as tf:
                if hasattr(tarfile, "data_filter"):
                    tf.extractall(target, filter="data")
                else:
                    tf.extractall(target)
        done.write_text(archive.name + "\n", encoding="utf-8")
    tops = [p for p in target.iterdir() if p.is_dir()]
    return tops[0] if len(tops) == 1 else target


def run_lintkit(lintkit: list[str], root: Path) -> str:
    cmd = [*lintkit, "check", "--isolated", "--output-format", "json", "--exit-zero", "-j", "1", "."]
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{shlex.join(cmd)} exited {proc.returncode} in {root}:\n{proc.stderr[-2000:]}")
    return proc.stdout


def check_project(project: Project, cache: Path, lintkit: list[str]) -> tuple[list[Finding], float]:
    root = unpack(download(project, cache), cache, project)
    start = time.perf_counter()
    output = run_lintkit(lintkit, root)
    return findings_from_json(project.name, output), time.perf_counter() - start


# --------------------------------------------------------------------------- main


def default_cache() -> Path:
    return Path(os.environ.get("LINTKIT_ECOSYSTEM_CACHE") or Path.home() / ".cache" / "lintkit-ecosystem")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("projects", nargs="*", metavar="PROJECT",
                        help="only these projects (names as in projects.toml; default: all)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                        help="projects checked at once (default: the number of cores)")
    parser.add_argument("--lintkit", default=f"{shlex.quote(sys.executable)} -m lintkit",
                        help="the lintkit command to run (default: this Python's '-m lintkit')")
    parser.add_argument("--cache", type=Path, default=default_cache(),
                        help="where sdists are kept and unpacked (default: $LINTKIT_ECOSYSTEM_CACHE "
                             "or ~/.cache/lintkit-ecosystem)")
    parser.add_argument("--triage", type=Path, default=TRIAGE_FILE, help="the verdicts file")
    parser.add_argument("--findings-json", type=Path, metavar="FILE",
                        help="also write the raw findings to FILE as JSON")
    parser.add_argument("--unjudged-csv", type=Path, metavar="FILE",
                        help="write the unjudged findings to FILE as triage rows with an empty verdict")
    parser.add_argument("--list-gone", action="store_true",
                        help="list every verdict whose finding is gone (default: their count per rule and verdict)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    projects = load_projects()
    if args.projects:
        unknown = set(args.projects) - {p.name for p in projects}
        if unknown:
            log(f"unknown project(s): {', '.join(sorted(unknown))}")
            return 2
        projects = [p for p in projects if p.name in args.projects]
    verdicts = parse_triage(args.triage.read_text(encoding="utf-8"), str(args.triage)) \
        if args.triage.exists() else {}
    lintkit = shlex.split(args.lintkit)

    started = time.perf_counter()
    findings: list[Finding] = []
    failed: list[str] = []
    seconds: dict[str, float] = {}
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {p.name: pool.submit(check_project, p, args.cache, lintkit) for p in projects}
        for name, future in futures.items():
            try:
                found, seconds[name] = future.result()
            except (OSError, RuntimeError, subprocess.CalledProcessError, ValueError,
                    tarfile.TarError, zipfile.BadZipFile) as exc:
                failed.append(name)
                log(f"FAILED {name}: {exc}")
                continue
            findings += found
    elapsed = time.perf_counter() - started

    if args.findings_json:
        args.findings_json.write_text(json.dumps(
            [{**k.__dict__, "message": f.message} for f in sorted(findings, key=lambda f: f.key)
             for k in [f.key]], indent=1) + "\n", encoding="utf-8")
    if args.unjudged_csv:
        unjudged = [f for f in findings if f.key not in verdicts]
        args.unjudged_csv.write_text(",".join(TRIAGE_COLUMNS) + "\n" + triage_rows(unjudged),
                                     encoding="utf-8")

    per_project = Counter(f.key.project for f in findings)
    checked = [p.name for p in projects if p.name not in failed]
    print(f"{len(checked)} project(s) checked in {elapsed:.1f} s "
          f"(lintkit time, summed: {sum(seconds.values()):.1f} s); {len(findings)} finding(s)")
    print("  " + ", ".join(f"{name} {per_project[name]}" for name in checked))
    print()
    kinds = {p.name: p.kind for p in projects}
    by_kind = {kind: compare([f for f in findings if kinds[f.key.project] == kind], verdicts, set()).total
               for kind in sorted(set(kinds.values()))}
    print(report(compare(findings, verdicts, set(checked)), by_kind, list_gone=args.list_gone))
    if failed:
        print(f"\nFAILED: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

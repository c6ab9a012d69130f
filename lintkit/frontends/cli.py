"""`lintkit`: the command line front end."""

from __future__ import annotations

import argparse
import atexit
import dataclasses
import os
import sys
from typing import Sequence

from .. import __version__
from ..checks import ALL_CHECKS, CHECKS_BY_CODE
from .config import ConfigError, Settings
from ..engine import is_selected
from ..reading.files import iter_source_files
from ..engine import FileResult
from ..findings import FileError
from .formats import DEFAULT_FORMAT, FORMATS, fixable, render
from ..reading.source import SourceError, decode_source, split_lines
from ..schemas.registry import load_schema_set
from .resolver import SettingsResolver
from .runner import EngineSpec, check_file, check_files, check_spec, engine_for, fix_spec
from ..schemas.schema import SchemaError

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _codes(value: str) -> list[str]:
    return [code.strip().upper() for code in value.split(",") if code.strip()]


def _patterns(value: str) -> list[str]:
    return [pattern.strip() for pattern in value.split(",") if pattern.strip()]


def _add_check_options(command: argparse.ArgumentParser, fixing: bool) -> None:
    """The options `check` and `fix` share."""
    command.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                       help="files or directories to check ('-' reads standard input; default: .)")
    command.add_argument("--config", metavar="FILE",
                       help="read settings from this file (pyproject.toml with [tool.lintkit], or lintkit.toml)")
    command.add_argument("--isolated", action="store_true", help="ignore all configuration files")
    command.add_argument("--schemas", action="append", default=None, metavar="PATH",
                       help="extra library schema: a TOML file or a directory of them (repeatable)")
    command.add_argument("--select", type=_codes, default=None, metavar="CODES",
                       help="comma-separated rule codes or prefixes to enable (default: all default rules)")
    command.add_argument("--extend-select", type=_codes, default=None, metavar="CODES",
                       help="rule codes or prefixes to enable on top of the selection")
    command.add_argument("--ignore", type=_codes, default=None, metavar="CODES",
                       help="comma-separated rule codes or prefixes to disable")
    command.add_argument("--exclude", type=_patterns, default=None, metavar="PATTERNS",
                       help="comma-separated path patterns never checked (replaces the defaults)")
    command.add_argument("--extend-exclude", type=_patterns, default=None, metavar="PATTERNS",
                       help="path patterns to exclude on top of the defaults")
    command.add_argument("--extend-include", type=_patterns, default=None, metavar="PATTERNS",
                       help="path patterns of more files to check when walking directories (docs/**/*.md: "
                            "the Python code blocks of Markdown and reST files)")
    command.add_argument("--force-exclude", action="store_true",
                       help="apply the excludes and .gitignore to files named on the command line too")
    command.add_argument("--max-idle-seconds", type=int, default=None, metavar="N",
                       help="the longest a connection may stay idle unprobed (default 240; LK202, LK205 "
                            "and the values the LK2xx fixes write)")
    command.add_argument("--strict", action="store_true", default=None,
                       help="also report short-lived TCP sockets without SO_KEEPALIVE (LK201), short-lived "
                            "library connections (LK202-LK205) and library behaviour no argument of the "
                            "call can change (LK202)")
    command.add_argument("--doctests", action=argparse.BooleanOptionalAction, default=None,
                       help="check the >>> examples in docstrings (default: on)")
    command.add_argument("--stdin-filename", default=None, metavar="NAME", help="the name to report for '-'")
    command.add_argument("--output-format", choices=FORMATS, default=DEFAULT_FORMAT,
                       help="concise (default), full (with the source line), json, github (workflow "
                            "annotations) or sarif (2.1.0, for code scanning)")
    command.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    command.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                       help="processes to use (default: the number of cores)")
    if not fixing:
        command.add_argument("--fix", action="store_true", help="apply the safe fixes (the same as 'lintkit fix')")
    command.add_argument("--unsafe-fixes", action="store_true", default=None,
                         help="also apply fixes that change run-time behaviour")
    command.add_argument("--diff", action="store_true",
                         help="print the fixes as a unified diff and write nothing (exit 1 if there is one)")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or with `command` ("check" or "fix") only that command's
    parser (the same, but none of the others: building them all costs some 3 ms)."""
    parser = argparse.ArgumentParser(prog="lintkit", description="Find the silent misconfigurations that let "
                                     "long-lived network connections die.")
    parser.add_argument("--version", action="version", version=f"lintkit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    if command in (None, "check"):
        check = commands.add_parser("check", help="check files for connection misconfigurations")
        _add_check_options(check, fixing=False)
    if command in (None, "fix"):
        fix = commands.add_parser("fix", help="apply the safe fixes, then report what remains")
        _add_check_options(fix, fixing=True)
    if command is not None:
        return parser

    commands.add_parser("rules", help="list the rules")
    rule = commands.add_parser("rule", help="print a rule's documentation")
    rule.add_argument("code", metavar="CODE", help="a rule code (LK201) or name (socket-without-keepalive)")

    schema = commands.add_parser("schema", help="inspect library schemas")
    schema_commands = schema.add_subparsers(dest="schema_command", metavar="ACTION", required=True)
    schema_list = schema_commands.add_parser("list", help="list the loaded schemas")
    schema_list.add_argument("--schemas", action="append", default=[], metavar="PATH")
    schema_show = schema_commands.add_parser("show", help="show a library's classes and factories")
    schema_show.add_argument("name", metavar="NAME", help="a library name (kombu) or a class or factory name")
    schema_show.add_argument("--schemas", action="append", default=[], metavar="PATH")
    schema_validate = schema_commands.add_parser("validate", help="validate schema files")
    schema_validate.add_argument("files", nargs="+", metavar="FILE")
    schema_generate = schema_commands.add_parser(
        "generate", help="draft a schema from an installed library (imports it, or reads its files with "
        "--from-source; knob facts left to fill)")
    schema_generate.add_argument("target", metavar="TARGET", help="a distribution (paho-mqtt) or a module "
                                 "(paho.mqtt.client)")
    schema_generate.add_argument("--class", dest="classes", action="append", default=[], metavar="QUALNAME",
                                 help="draft only these classes (repeatable; default: the public API)")
    schema_generate.add_argument("--factory", dest="factories", action="append", default=[],
                                 metavar="QUALNAME[=CLASS]", help="draft only these factories, with the "
                                 "class each returns when its annotation does not say (repeatable)")
    schema_generate.add_argument("--from-source", action="store_true", help="read the installed library's files "
                                 "with ast instead of importing it (a library that no longer imports: pysftp "
                                 "with paramiko >= 4.0); factories only with --factory NAME=CLASS")
    schema_generate.add_argument("-o", "--output", metavar="FILE", help="write the draft here (default: stdout)")
    schema_generate.add_argument("--versions", metavar="V1,V2,...", help="also draft each class's and "
                                 "factory's history tables from the source of these releases (downloaded once, "
                                 "never installed)")
    schema_generate.add_argument("--method", dest="methods", action="append", default=[], metavar="CLASS.METHOD",
                                 help="with --versions: also draft the method's keywords (method_kwargs) and "
                                 "their history (repeatable)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv[0] if argv and argv[0] in ("check", "fix") else None)
    args = parser.parse_args(argv)
    try:
        if args.command in ("check", "fix"):
            if args.command == "fix" or args.fix or args.diff:
                return run_fix(args)
            return run_check(args)
        if args.command == "rules":
            return run_rules()
        if args.command == "rule":
            return run_rule(args.code)
        if args.command == "schema":
            return run_schema(args)
        parser.print_help()
        return EXIT_ERROR
    except (SchemaError, ConfigError) as exc:
        for line in str(exc).splitlines():  # a SchemaError lists every problem, one a line
            print(f"lintkit: error: {line}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`lintkit check | head`): stop quietly, as ruff and grep do.
        # Python would report the pipe once more while flushing stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR


def console_main() -> None:
    """The `lintkit` command (and `python -m lintkit`): `main`, then leave without tearing
    the interpreter down.  Freeing every object of the schemas, the engines and the
    imported modules one by one costs some 20-30 ms at the end of each run, for nothing:
    the exit handlers (the project index's answers, module_facts.py) still run, and the
    output is flushed first."""
    status = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # as in main(): the reader went away
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = EXIT_ERROR
    sys.stderr.flush()
    atexit._run_exitfuncs()
    os._exit(status)


def load_resolver(args: argparse.Namespace) -> SettingsResolver:
    """Each file's settings: its closest configuration file (or --config for all, none with
    --isolated), then the flags."""
    return SettingsResolver(config=args.config, isolated=args.isolated, overrides=dict(
        select=args.select, extend_select=args.extend_select, ignore=args.ignore, exclude=args.exclude,
        extend_exclude=args.extend_exclude, max_idle_seconds=args.max_idle_seconds, extend_schemas=args.schemas,
        strict=args.strict, unsafe_fixes=args.unsafe_fixes, doctests=args.doctests,
        extend_include=args.extend_include))


def _stdin_settings(args: argparse.Namespace, resolver: SettingsResolver) -> Settings:
    """Standard input is governed by the configuration of --stdin-filename (else the working directory's)."""
    return resolver.for_file(args.stdin_filename or "-")


def run_check(args: argparse.Namespace) -> int:
    resolver = load_resolver(args)
    _load_schemas(args, resolver)

    def results():
        if args.paths == ["-"]:
            name = args.stdin_filename or "-"
            settings = _stdin_settings(args, resolver)
            if args.force_exclude and args.stdin_filename and settings.is_excluded(name, is_dir=False):
                return
            yield name, check_file(engine_for(check_spec(settings)), name, sys.stdin.buffer.read())
            return
        specs: dict[int, EngineSpec] = {}  # by the identity of the resolver's Settings (one per config)

        def spec_for(path: str) -> EngineSpec:
            settings = resolver.for_file(path)
            spec = specs.get(id(settings))
            if spec is None:
                spec = specs[id(settings)] = check_spec(settings)
            return spec

        yield from check_files([(path, spec_for(path)) for path in _source_files(args, resolver)], args.jobs)

    reported = []
    for path, result in results():
        if result.findings:
            file_select, file_ignore = resolver.for_file(path).enabled_for(path)
            result.findings = [f for f in result.findings if is_selected(f.code, file_select, file_ignore)]
        reported.append((path, result))
    render(args.output_format, reported, stream_out=sys.stdout, stream_err=sys.stderr,
           color=use_color(sys.stdout), sources=read_lines, unsafe_fixes=_unsafe_fixes(args, resolver))
    errors = any(result.error is not None for _, result in reported) or _missing(args.paths)
    findings = any(result.findings for _, result in reported)
    if errors or (findings and not args.exit_zero):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _unsafe_fixes(args: argparse.Namespace, resolver: SettingsResolver) -> bool:
    """Whether the summary counts unsafe fixes: the flag, else the first path's configuration."""
    return _first_settings(args, resolver).unsafe_fixes


def _first_settings(args: argparse.Namespace, resolver: SettingsResolver) -> Settings:
    """The settings of the first path named (a directory's own configuration governs it)."""
    first = args.stdin_filename if args.paths == ["-"] and args.stdin_filename else args.paths[0]
    return resolver.for_directory(first) if os.path.isdir(first) else resolver.for_file(first)


def _load_schemas(args: argparse.Namespace, resolver: SettingsResolver) -> None:
    """A broken schema (--schemas, or the first path's extend-schemas) is an error before any file is read."""
    engine_for(check_spec(_first_settings(args, resolver)))


def _missing(paths: list[str]) -> list[str]:
    return [path for path in paths if path != "-" and not os.path.lexists(path)]


def _source_files(args: argparse.Namespace, resolver: SettingsResolver) -> list[str]:
    """The files to check or fix; one error line per path that does not exist, and a
    warning when the paths hold no Python file at all (nothing was checked)."""
    missing = _missing(args.paths)
    for path in missing:
        print(f"lintkit: error: {path}: no such file or directory", file=sys.stderr)
    present = [path for path in args.paths if path not in missing]
    files = list(iter_source_files(present, resolver.excluded, force_exclude=args.force_exclude,
                                   included=resolver.included))
    if present and not files and not args.force_exclude:
        print(f"lintkit: warning: no Python files found in {', '.join(present)}; nothing was checked",
              file=sys.stderr)
    return files


def run_fix(args: argparse.Namespace) -> int:
    """Fix, then report what remains: 0 nothing left, 1 findings left (or, with
    --diff, a diff to show), 2 errors of use.  `-`: the fixed source goes to
    stdout and everything else to stderr."""
    from .fixer import fix_files, fix_source, unified_diff  # libcst: only when fixing

    resolver = load_resolver(args)
    _load_schemas(args, resolver)
    if args.paths == ["-"]:
        name = args.stdin_filename or "-"
        data = sys.stdin.buffer.read()
        settings = _stdin_settings(args, resolver)
        outcome = fix_source(engine_for(fix_spec(settings, name)), data, name, unsafe=settings.unsafe_fixes)
        new = outcome.new_bytes if outcome.new_bytes is not None else data
        if args.diff:
            sys.stdout.write(unified_diff(name, data, new))
            return EXIT_FINDINGS if new != data else EXIT_CLEAN
        sys.stdout.buffer.write(new)
        sys.stdout.flush()
        return _report_fixed([(name, outcome)], args, resolver, sys.stderr)

    paths = _source_files(args, resolver)
    # Each file's configuration and per-file ignores decide which fixes may apply:
    # one engine per distinct (spec, unsafe-fixes).
    groups: dict[tuple[EngineSpec, bool], list[int]] = {}
    for index, path in enumerate(paths):
        settings = resolver.for_file(path)
        groups.setdefault((fix_spec(settings, path), settings.unsafe_fixes), []).append(index)
    progress = _Progress(len(paths)) if sys.stderr.isatty() else None
    outcomes: list = [None] * len(paths)
    for (spec, unsafe), indexes in groups.items():
        group = [paths[i] for i in indexes]
        for index, (path, outcome) in zip(indexes, fix_files(spec, engine_for(spec), group, unsafe=unsafe,
                                                             diff=args.diff, jobs=args.jobs,
                                                             progress=progress and progress.advance)):
            outcomes[index] = (path, outcome)
    if progress:
        progress.done()
    if args.diff:
        changed = False
        for path, outcome in outcomes:
            _print_refusals(path, outcome)
            if outcome.error:
                print(f"{path}:1:1: error: {outcome.error}", file=sys.stderr)
            elif outcome.new_bytes is not None:
                changed = True
                sys.stdout.write(unified_diff(path, outcome.old_bytes, outcome.new_bytes))
        errors = any(outcome.error for _, outcome in outcomes)
        return EXIT_FINDINGS if changed or errors else EXIT_CLEAN
    return _report_fixed(outcomes, args, resolver, sys.stdout)


def _report_fixed(outcomes, args: argparse.Namespace, resolver: SettingsResolver, out) -> int:
    results = []
    fixed = 0
    for path, outcome in outcomes:
        fixed += len(outcome.applied) if outcome.error is None else 0
        _print_refusals(path, outcome)
        error = FileError(outcome.error) if outcome.error else None
        unsafe = resolver.for_file(path).unsafe_fixes
        remaining = [_tried(finding, unsafe) for finding in outcome.remaining]
        results.append((path, FileResult(findings=remaining, error=error, warning=outcome.warning)))
    if fixed:
        print(f"Fixed {fixed} finding{'s' if fixed != 1 else ''}.", file=sys.stderr)
    render(args.output_format, results, stream_out=out, stream_err=sys.stderr,
           color=use_color(out), sources=read_lines, unsafe_fixes=_unsafe_fixes(args, resolver))
    errors = any(result.error is not None for _, result in results)
    findings = any(result.findings for _, result in results)
    if errors or (findings and not args.exit_zero):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _print_refusals(path: str, outcome) -> None:
    """One warning line per fix that was not applied, at its finding."""
    for refusal in outcome.refusals:
        finding = refusal.finding
        print(f"{path}:{finding.line}:{finding.col + 1}: warning: {refusal.describe()}", file=sys.stderr)


def _tried(finding, unsafe_fixes: bool):
    """A finding left after a fix run, without the fix that run already tried (and refused):
    no `[*]` or "fixable" hint for it.  Unsafe fixes not enabled keep their hint."""

    return dataclasses.replace(finding, fix=None) if fixable(finding, unsafe_fixes) else finding


class _Progress:
    """`[done/total]` on stderr, redrawn in place; only when stderr is a terminal."""

    def __init__(self, total: int):
        self.total = total

    def advance(self, done: int, total: int) -> None:
        sys.stderr.write(f"\rlintkit: fixing [{done}/{total}]")
        sys.stderr.flush()

    def done(self) -> None:
        sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()


def use_color(stream) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return not os.environ.get("NO_COLOR") and hasattr(stream, "isatty") and stream.isatty()


def read_lines(path: str) -> list[str] | None:
    try:
        with open(path, "rb") as handle:
            return split_lines(decode_source(handle.read()).text)
    except (OSError, SourceError):
        return None


def run_rules() -> int:
    width = max(len(check.name) for check in ALL_CHECKS)
    print(f"{'code':<5}  {'name':<{width}}  {'fix':<9}  {'default':<7}  summary")
    for check in ALL_CHECKS:
        state = "on" if check.default_enabled else "off"
        print(f"{check.code}  {check.name:<{width}}  {check.fix_availability:<9}  {state:<7}  {check.summary()}")
    return EXIT_CLEAN


def run_rule(code: str) -> int:
    from ..generators.docs import render_rule_page

    check = CHECKS_BY_CODE.get(code.upper()) or next((c for c in ALL_CHECKS if c.name == code.lower()), None)
    if check is None:
        print(f"lintkit: error: no rule {code}; see 'lintkit rules'", file=sys.stderr)
        return EXIT_ERROR
    sys.stdout.write(render_rule_page(check))
    return EXIT_CLEAN


def run_schema(args: argparse.Namespace) -> int:
    if args.schema_command == "validate":
        return validate_schemas(args.files)
    if args.schema_command == "generate":
        return generate_schema(args)
    schemas = load_schema_set(args.schemas)
    if args.schema_command == "show":
        return show_schema(schemas, args.name)
    for library in schemas.libraries:
        if library.name:
            print(f"{library.name} {library.version} ({library.distribution}): "
                  f"{_count(len(library.classes), 'class', 'classes')}, "
                  f"{_count(len(library.factories), 'factory', 'factories')}  [{library.origin}]")
    return EXIT_CLEAN


def generate_schema(args: argparse.Namespace) -> int:
    """Draft a schema (lintkit.generators.schema_draft: imports the library, never at lint time)."""
    from ..generators.schema_draft import DraftError, draft_schema, render_draft

    try:
        if args.from_source:
            from ..generators.source_draft import draft_from_source

            draft = draft_from_source(args.target, args.classes, args.factories)
        else:
            draft = draft_schema(args.target, args.classes, args.factories)
    except DraftError as exc:
        print(f"lintkit: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    histories = None
    if args.versions:
        from ..generators.history_draft import ReleaseMissing, draft_histories

        try:
            histories = draft_histories(draft, [v.strip() for v in args.versions.split(",") if v.strip()],
                                        methods=args.methods)
        except (ReleaseMissing, LookupError) as exc:
            print(f"lintkit: error: {exc}", file=sys.stderr)
            return EXIT_ERROR
    command = " ".join(["lintkit schema generate", args.target, *(["--from-source"] if args.from_source else []),
                        *(f"--class {c}" for c in args.classes),
                        *(f"--factory {f}" for f in args.factories),
                        *([f"--versions {args.versions}"] if args.versions else []),
                        *(f"--method {m}" for m in args.methods)])
    text = render_draft(draft, command, histories)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
        print(f"{args.output}: {_count(len(draft.classes), 'class', 'classes')}, "
              f"{_count(len(draft.factories), 'factory', 'factories')}; fill the TODO knob facts", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_CLEAN


def validate_schemas(files: Sequence[str]) -> int:
    """Every problem of every file, then "ok" for the files that have none."""
    from ..schemas.schema_validation import validate_files

    failed = False
    for path, schema, problems in validate_files(files):
        if problems:
            failed = True
            for problem in problems:
                print(f"lintkit: error: {path}: {problem}", file=sys.stderr)
        else:
            print(f"{path}: ok ({_count(len(schema.classes), 'class', 'classes')}, "
                  f"{_count(len(schema.factories), 'factory', 'factories')})")
    return EXIT_ERROR if failed else EXIT_CLEAN


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def show_schema(schemas, name: str) -> int:
    from ..schemas.schema import ClassSchema

    libraries = [lib for lib in schemas.libraries if lib.name == name or lib.distribution == name]
    item = schemas.lookup(name)
    if libraries:
        library = libraries[0]
        print(f"{library.name} {library.version} ({library.distribution})")
        print(f"  source: {library.source}")
        print(f"  file:   {library.origin}")
        items = list(library.classes) + list(library.factories)
    elif item is not None:
        items = [item]
    else:
        print(f"lintkit: error: no schema library, class or factory named '{name}'; see 'lintkit schema list'",
              file=sys.stderr)
        return EXIT_ERROR
    for entry in items:
        print()
        if isinstance(entry, ClassSchema):
            print(f"class {entry.name}")
            if entry.aliases:
                print(f"  aliases: {', '.join(entry.aliases)}")
            attributes = schemas.attributes(entry)
            print(f"  attributes ({entry.unknown_attributes} on unknown names): "
                  + (", ".join(sorted(attributes)) if attributes is not None else "not checked"))
            print(f"  keyword arguments ({entry.unknown_kwargs} on unknown names): "
                  + (", ".join(sorted(entry.kwargs)) if entry.kwargs is not None else "not checked"))
            for knob in entry.knobs:
                setter = knob.kwarg or knob.attribute or knob.method
                collection_key = f" {knob.key!r}" if knob.key else ""
                print(f"  knob {knob.concept}: {setter}{collection_key} ({knob.unit}), default {knob.default!r}"
                      + (f", versions {knob.versions}" if knob.versions else "")
                      + "".join(f", requires ({key!r}, {value!r})" for key, value in knob.requires))
        else:
            target = schemas.call_target(entry)
            print(f"factory {target.display_name} -> {entry.returns}")
            print(f"  keyword arguments ({entry.unknown_kwargs} on unknown names): "
                  + (", ".join(sorted(target.kwargs)) if target.kwargs is not None else "not checked"))
        kwargs = schemas.call_target(entry).kwargs
        for override in entry.overrides:
            ignored = ", ".join(sorted(override.ignored(kwargs)))
            unless = "".join(f" (unless {name}= is given)" for name in sorted(override.unless))
            print(f"  override {override.argument}=: " + (f"ignores {ignored}" if ignored else "no other keyword")
                  + unless)
    return EXIT_CLEAN


if __name__ == "__main__":
    console_main()

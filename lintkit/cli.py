"""`lintkit`: the command line front end."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from . import __version__
from .checks import ALL_CHECKS, CHECKS_BY_CODE
from .engine import Engine
from .files import iter_source_files
from .output import print_concise, print_summary
from .registry import load_schema_set
from .runner import EngineSpec, check_file, check_files
from .schema import SchemaError, load_schema_file

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _codes(value: str) -> list[str]:
    return [code.strip().upper() for code in value.split(",") if code.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lintkit", description=__doc__.strip().strip("`"))
    parser.add_argument("--version", action="version", version=f"lintkit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="check files for connection misconfigurations")
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                       help="files or directories to check ('-' reads standard input; default: .)")
    check.add_argument("--schemas", action="append", default=[], metavar="PATH",
                       help="extra library schema: a TOML file or a directory of them (repeatable)")
    check.add_argument("--select", type=_codes, default=None, metavar="CODES",
                       help="comma-separated rule codes or prefixes to enable (default: all default rules)")
    check.add_argument("--ignore", type=_codes, default=[], metavar="CODES",
                       help="comma-separated rule codes or prefixes to disable")
    check.add_argument("--stdin-filename", default="-", metavar="NAME", help="the name to report for '-'")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                       help="processes to use (default: the number of cores)")

    commands.add_parser("rules", help="list the rules")
    rule = commands.add_parser("rule", help="print a rule's documentation")
    rule.add_argument("code", metavar="CODE")

    schema = commands.add_parser("schema", help="inspect library schemas")
    schema_commands = schema.add_subparsers(dest="schema_command", metavar="ACTION", required=True)
    schema_list = schema_commands.add_parser("list", help="list the loaded schemas")
    schema_list.add_argument("--schemas", action="append", default=[], metavar="PATH")
    schema_show = schema_commands.add_parser("show", help="show a library's classes and factories")
    schema_show.add_argument("name", metavar="NAME", help="a library name (kombu) or a class or factory name")
    schema_show.add_argument("--schemas", action="append", default=[], metavar="PATH")
    schema_validate = schema_commands.add_parser("validate", help="validate schema files")
    schema_validate.add_argument("files", nargs="+", metavar="FILE")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return run_check(args)
        if args.command == "rules":
            return run_rules()
        if args.command == "rule":
            return run_rule(args.code)
        if args.command == "schema":
            return run_schema(args)
        parser.print_help()
        return EXIT_ERROR
    except SchemaError as exc:
        print(f"lintkit: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


def run_check(args: argparse.Namespace) -> int:
    spec = EngineSpec(tuple(args.schemas), tuple(args.select) if args.select is not None else None,
                      tuple(args.ignore))
    unknown = [c for c in (args.select or []) + args.ignore if not any(k.startswith(c) for k in CHECKS_BY_CODE)]
    if unknown:
        print(f"lintkit: error: unknown rule code {', '.join(unknown)}", file=sys.stderr)
        return EXIT_ERROR
    engine = spec.build()
    findings_count = errors = 0

    def results():
        if args.paths == ["-"]:
            data = sys.stdin.buffer.read()
            yield args.stdin_filename, check_file(engine, args.stdin_filename, data)
            return
        yield from check_files(spec, engine, list(iter_source_files(args.paths)), args.jobs)

    for path, result in results():
        if result.error is not None:
            errors += 1
            error = result.error
            print(f"{path}:{error.line}:{error.col + 1}: error: {error.message}", file=sys.stderr)
        if result.warning is not None:
            warning = result.warning
            print(f"{path}:{warning.line}:{warning.col + 1}: warning: {warning.message}", file=sys.stderr)
        findings_count += len(result.findings)
        print_concise(path, result.findings)
    print_summary(findings_count, errors)
    if errors or (findings_count and not args.exit_zero):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def run_rules() -> int:
    width = max(len(check.name) for check in ALL_CHECKS)
    for check in ALL_CHECKS:
        state = "on" if check.default_enabled else "off"
        print(f"{check.code}  {check.name:<{width}}  {state:<3}  {check.summary()}")
    return EXIT_CLEAN


def run_rule(code: str) -> int:
    from .docs import render_rule_page

    check = CHECKS_BY_CODE.get(code.upper())
    if check is None:
        print(f"lintkit: error: no rule {code}; see 'lintkit rules'", file=sys.stderr)
        return EXIT_ERROR
    sys.stdout.write(render_rule_page(check))
    return EXIT_CLEAN


def run_schema(args: argparse.Namespace) -> int:
    if args.schema_command == "validate":
        failed = 0
        for path in args.files:
            try:
                schema = load_schema_file(path)
            except SchemaError as exc:
                print(f"lintkit: error: {exc}", file=sys.stderr)
                failed += 1
                continue
            print(f"{path}: ok ({len(schema.classes)} classes, {len(schema.factories)} factories)")
        if not failed:
            load_schema_set(args.files)  # cross-file checks: duplicates, references
        return EXIT_ERROR if failed else EXIT_CLEAN
    schemas = load_schema_set(args.schemas)
    if args.schema_command == "show":
        return show_schema(schemas, args.name)
    for library in schemas.libraries:
        if library.name:
            print(f"{library.name} {library.version} ({library.distribution}): "
                  f"{len(library.classes)} classes, {len(library.factories)} factories  [{library.origin}]")
    return EXIT_CLEAN


def show_schema(schemas, name: str) -> int:
    from .schema import ClassSchema

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
                print(f"  knob {knob.concept}: {setter} ({knob.unit}), default {knob.default!r}"
                      + (f", versions {knob.versions}" if knob.versions else ""))
        else:
            target = schemas.call_target(entry)
            print(f"factory {target.display_name} -> {entry.returns}")
            print(f"  keyword arguments ({entry.unknown_kwargs} on unknown names): "
                  + (", ".join(sorted(target.kwargs)) if target.kwargs is not None else "not checked"))
    return EXIT_CLEAN


if __name__ == "__main__":
    sys.exit(main())

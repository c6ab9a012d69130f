"""The one engine behind every front end (flake8 plugin, CLI, fixer).

    bytes -> decode (PEP 263, BOM) -> text prefilter -> parse (tolerant for
    legacy code) -> Analyzer events -> checks -> findings with character
    columns.

Code in documentation (the `>>>` examples of docstrings, the Python blocks of
Markdown and reST files: doc_examples.py) goes through the same analysis, each
block as a small module of its own, its findings placed back in the file.
"""

from __future__ import annotations

import ast
import gc
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Iterable

from .analysis.analyzer import Analyzer, Interest
from .checks import ALL_CHECKS
from .checks.base import Check, FileContext, RawFix, RuleOptions
from .reading.doc_examples import DOCUMENT_SUFFIXES, DocBlock, Piece, docstring_pieces, document_blocks, module_imports, \
    parsed_block
from .analysis.events import AttributeStore, CallSite, KnownCall, MethodCall
from .findings import Edit, FileError, Finding, Fix
from .reading.legacy import parse_tolerant
from .reading.noqa import unsuppressed
from .schemas.registry import SchemaSet
from .analysis.relevance import RelevanceTest
from .library_settings.settings_modules import mentions_setting, settings_path
from .library_settings.settings_sources import SettingsFiles
from .reading.source import SourceError, decode_source, split_lines
from .liveness.test_code import expected_failure_spans, inside, test_code_spans
from .liveness.vendored_code import is_vendored

#: Files larger than this are not analysed (one clear error instead).
MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass
class FileResult:
    findings: list[Finding] = field(default_factory=list)
    error: FileError | None = None
    #: Set when only the tolerant (legacy) parser could read the file.
    warning: FileError | None = None


def is_selected(code: str, select: Iterable[str] | None, ignore: Iterable[str] = ()) -> bool:
    """flake8/ruff prefix semantics: the longest matching prefix wins."""
    chosen = max((p for p in (select or ("LK",)) if code.startswith(p)), key=len, default=None)
    dropped = max((p for p in ignore if code.startswith(p)), key=len, default=None)
    if chosen is None:
        return False
    return dropped is None or len(chosen) > len(dropped)


class Engine:
    def __init__(self, schemas: SchemaSet, select: Iterable[str] | None = None, ignore: Iterable[str] = (),
                 options: RuleOptions | None = None):
        self.schemas = schemas
        self.options = options if options is not None else RuleOptions()
        select = tuple(select) if select is not None else None
        ignore = tuple(ignore)
        self.check_classes: tuple[type[Check], ...] = tuple(
            check for check in ALL_CHECKS
            if is_selected(check.code, select, ignore) and (check.default_enabled or _explicit(check.code, select))
        )
        #: What the selected rules listen to: events no rule wants are not even computed.
        self.interest = Interest(
            events=frozenset(event for event, method in EVENT_HANDLERS.items()
                             if any(_overrides(c, method) for c in self.check_classes)),
            methods=frozenset().union(*(c.watched_methods(schemas) for c in self.check_classes)),
            keywords=frozenset().union(*(c.watched_keywords(schemas) for c in self.check_classes)))
        self.settings_files = SettingsFiles(schemas)
        #: Settings names a settings module assigns (`DATABASES`): such a file needs no import.
        self.settings_words = tuple(sorted(
            {name for key_set in schemas.key_sets if key_set.setting
             for name in (key_set.setting, *key_set.ignored_as_settings)}
            if any(c.reads_settings_modules for c in self.check_classes) else ()))
        #: Attributes that make a plain `import <schema module>` matter (relevance.py).
        self.attribute_words = frozenset(
            {name.rsplit(".", 1)[-1] for name in schemas.names()} | self.interest.methods |
            {entry.name.rsplit(".", 1)[-1] for lib in schemas.libraries for entry in lib.names_history})
        self.relevance = RelevanceTest(attribute_words=self.attribute_words,
                                       plain_words=self.interest.keywords | {"setattr"},
                                       method_words=frozenset().union(*(
                                           c.watched_methods(schemas) for c in self.check_classes
                                           if c.watched_methods_report)),
                                       keyword_words=self.interest.keywords)
        self._projects = None

    # ------------------------------------------------------------------ entry points

    def check_bytes(self, data: bytes, filename: str, *, honour_noqa: bool = False,
                    prefiltered: bool = False) -> FileResult:
        """`prefiltered`: the caller already knows `wants(data)` (the runner's prefilter)."""
        if len(data) > MAX_FILE_BYTES:
            return FileResult(error=FileError(f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; skipped"))
        try:
            decoded = decode_source(data)
        except SourceError as exc:
            return FileResult(error=FileError(f"cannot decode: {exc}"))
        if not prefiltered and not self.wants(decoded.text, filename):
            return FileResult()
        return self._check_wanted(decoded.text, filename, honour_noqa)

    def check_text(self, text: str, filename: str, *, honour_noqa: bool = False) -> FileResult:
        """`honour_noqa`: drop the findings `# noqa` suppresses (not under flake8, which does it)."""
        if not self.wants(text, filename):
            return FileResult()
        return self._check_wanted(text, filename, honour_noqa)

    def _check_wanted(self, text: str, filename: str, honour_noqa: bool) -> FileResult:
        with _collector_paused():
            if filename.lower().endswith(DOCUMENT_SUFFIXES):
                return FileResult(findings=sorted(
                    finding for pieces in document_blocks(text, filename)
                    for finding in self._block_findings(pieces, [], filename, honour_noqa)))
            result = self._parse_and_check(text, filename)
        if honour_noqa:
            result.findings = unsuppressed(result.findings, text)
        return result

    def _parse_and_check(self, text: str, filename: str) -> FileResult:
        try:
            parsed = parse_tolerant(text, filename)
        except SyntaxError as exc:
            return FileResult(error=FileError(f"cannot parse: {exc.msg}", exc.lineno or 1,
                                              max((exc.offset or 1) - 1, 0)))
        except (RecursionError, MemoryError):
            return FileResult(error=FileError("cannot parse: too deeply nested"))
        except ValueError as exc:  # source with NUL bytes
            return FileResult(error=FileError(f"cannot parse: {exc}"))
        # The source of legacy code is not what was parsed: no skipping by its text.
        result = self._check(parsed.tree, text, filename, trust_text=parsed.syntax_error is None)
        error = parsed.syntax_error
        if error is not None and result.error is None:
            result.warning = FileError(
                f"not valid Python 3 ({error.msg}); checked the statements Python 3 can read",
                error.lineno or 1, max((error.offset or 1) - 1, 0))
        return result

    def check_tree(self, tree: ast.Module, text: str, filename: str) -> FileResult:
        """For hosts that already parsed the file (flake8)."""
        if not self.wants(text, filename):
            return FileResult()
        with _collector_paused():
            return self._check(tree, text, filename)

    def wants(self, source: str | bytes, filename: str | None = None) -> bool:
        """The prefilter: only a file importing a schema module can have a finding, and
        after a plain `import socket` only one that names a class or factory through the
        module (`socket.socket`), or calls a method or passes a keyword that is a finding on
        any object (`.setsockopt(`, `socket_options=`): `relevance.mentioned_through`.  It
        also reads undecoded bytes, so a file it rejects needs no more work.  A settings module (a Django settings file with
        `CELERY_` names or `DATABASES`, `celeryconfig.py`) imports nothing: its prefix, its name
        or the settings it assigns let it in (settings_sources.py, settings_modules.py)."""
        if not self.check_classes:
            return False
        prefilter = self.schemas.prefilter
        if prefilter.imports_from(source):
            return True
        if self._reached_through_plain_import(source):
            return True
        if self.settings_files.wants(source, filename):
            return True
        if bool(self.settings_words) and filename is not None and settings_path(filename) \
                and mentions_setting(source, self.settings_words):
            return True
        # A file that imports a client factory or class from another module of its project.
        project = self.project_view(filename) if filename is not None else None
        return project is not None and project.imports_clients(source)

    def _library_wants(self, source: str | bytes) -> bool:
        """The prefilter's question for a module of the project index: does it import a library?"""
        prefilter = self.schemas.prefilter
        return prefilter.imports_from(source) or self._reached_through_plain_import(source)

    def _reached_through_plain_import(self, source: str | bytes) -> bool:
        """`import socket` and a mention that can reach a class or factory (`socket.socket`)."""
        return self.relevance.mentioned_through(source, self.schemas.prefilter.plain_import_names(source))

    def _libraries_key(self) -> str:
        """What `_library_wants` judges by: the schema modules, the attribute and method words, and
        the form of the test (`mentioned_through`: class and factory names after a module)."""
        import zlib

        words = ["through-module"] + sorted(self.schemas.top_level_modules) + ["\0"] + sorted(self.attribute_words) + \
            ["\0"] + sorted(self.relevance.method_words) + \
            ["\0"] + sorted(self.interest.keywords)
        return f"{zlib.crc32(chr(1).join(words).encode('utf-8')):08x}"

    def project_view(self, filename: str):
        """The project index as `filename` sees it (`project_index.ProjectView`), or None."""
        if self._projects is None:
            from .project.project_index import ProjectIndexes  # only for files on disk that get this far

            self._projects = ProjectIndexes(self.schemas, self._library_wants, self._libraries_key())
        return self._projects.view(filename)

    # ------------------------------------------------------------------ analysis

    def _check(self, tree: ast.Module, text: str, filename: str, trust_text: bool = True) -> FileResult:
        """The file's findings, with those of its docstrings' `>>>` examples."""
        context = FileContext(filename, tree, self.options, text, self.project_view(filename))
        result = self._analyse(context, trust_text)
        if self.options.doctests and result.error is None and ">>>" in text:
            found = self._docstring_findings(context)
            if found:
                result.findings = sorted(set(result.findings).union(found))
        return result

    def _docstring_findings(self, context: FileContext) -> list[Finding]:
        """Each docstring's examples as one block, after the module's imports (doctest's globals).
        `# noqa` is left to the caller: an example's comment applies to its docstring as flake8
        applies it to any multi-line string (the whole string is one logical line)."""
        examples = docstring_pieces(context.tree, context.lines)
        imports = module_imports(context.tree) if examples else []
        return [finding for pieces in examples
                for finding in self._block_findings(pieces, imports, context.filename, honour_noqa=False)]

    def _block_findings(self, pieces: list[Piece], preamble: list[str], filename: str,
                        honour_noqa: bool) -> list[Finding]:
        """The findings of one block of documentation code, at their places in the file.

        Documentation code is checked like test code: examples are short snippets, so the
        `test-code-ignore` rules (LK2xx by default) do not report there.  Its findings
        carry no fix (lintkit fix leaves documentation alone)."""
        if not pieces or not self.wants("".join(code + "\n" for piece in pieces for _, _, code in piece)
                                        + "".join(line + "\n" for line in preamble)):
            return []
        parsed = parsed_block(pieces, preamble)
        if parsed is None:
            return []
        block, block_tree = parsed
        result = self._analyse(FileContext(filename, block_tree, self.options, block.text))
        ignored = self.options.test_code_ignore
        findings = [f for f in result.findings if not (ignored and f.code.startswith(ignored))]
        if honour_noqa:
            findings = unsuppressed(findings, block.text)
        return _placed_in_file(findings, block)

    def _analyse(self, context: FileContext, trust_text: bool = True) -> FileResult:
        tree, text = context.tree, context.text
        raw: list[tuple[int, int, int, int, str, RawFix | None, str]] = []

        def report(line: int, col: int, end_line: int, end_col: int, message: str,
                   fix: RawFix | None = None, explanation: str = "") -> None:
            raw.append((line, col, end_line, end_col, message, fix, explanation))

        checks = [check_class(self.schemas, report, context) for check_class in self.check_classes]
        handlers = {event_type: [getattr(c, EVENT_HANDLERS[event_type]) for c in checks
                                 if _overrides(type(c), EVENT_HANDLERS[event_type])]
                    for event_type in self.interest.events}

        def sink(event: object) -> None:
            for handler in handlers.get(type(event), ()):
                handler(event)

        try:
            source = self.relevance.source(text if trust_text else None)
            Analyzer(self.schemas, sink, self.interest, source, context.parents, context.project).run(tree)
            for check in checks:
                if _overrides(type(check), "finish"):
                    check.finish()
        except RecursionError:
            return FileResult(error=FileError("cannot analyse: too deeply nested"))
        return FileResult(findings=_to_findings(_outside_test_code(raw, context, trust_text), text))


def _placed_in_file(findings: list[Finding], block: DocBlock) -> list[Finding]:
    """Findings of a block's text at their places in the file, without fixes; none on context lines."""
    placed = []
    for finding in findings:
        start = block.position(finding.line, finding.col)
        if start is None:
            continue
        end = block.position(finding.end_line, finding.end_col) or start
        placed.append(replace(finding, line=start[0], col=start[1], end_line=end[0], end_col=end[1], fix=None))
    return placed


@contextmanager
def _collector_paused():
    """Pause Python's cyclic garbage collector for one file.

    Parsing and analysis allocate a large syntax tree and create no reference
    cycles (a test keeps it so): reference counting frees everything, and the
    collector's passes over the growing tree only cost time (about 15%).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


#: Event type -> the Check method that handles it.
EVENT_HANDLERS = {
    AttributeStore: "attribute_store",
    KnownCall: "known_call",
    MethodCall: "method_call",
    CallSite: "call_site",
}


def _overrides(check: type[Check], method: str) -> bool:
    return getattr(check, method) is not getattr(Check, method)


def _explicit(code: str, select: tuple[str, ...] | None) -> bool:
    return bool(select) and code in select


def _outside_test_code(raw: list, context: FileContext, trust_text: bool = True) -> list:
    """Drop the findings of `test-code-ignore` rules inside test scopes, every finding inside
    a block where a test expects the code to fail or warn (test_code.py), and the LK2xx
    findings of vendored code unless `strict` (vendored_code.py).  `trust_text`: the tree
    was parsed from `context.text` (not legacy code)."""
    if raw:
        expected = expected_failure_spans(context.parents.blocks)
        if expected:
            raw = [item for item in raw if not inside(expected, item[0], item[1])]
    if not context.options.strict and any(item[4].startswith("LK2") for item in raw) \
            and is_vendored(context.filename):
        raw = [item for item in raw if not item[4].startswith("LK2")]
    prefixes = context.options.test_code_ignore
    if not prefixes or not any(item[4].startswith(prefixes) for item in raw):
        return raw
    spans = test_code_spans(context.parents, context.text if trust_text else None)
    return [item for item in raw if not (item[4].startswith(prefixes) and inside(spans, item[0], item[1]))]


def _to_findings(raw: list[tuple[int, int, int, int, str, RawFix | None, str]], text: str) -> list[Finding]:
    if not raw:
        return []
    lines = split_lines(text)

    def char_col(line: int, col: int) -> int:
        if not 0 < line <= len(lines):
            return col
        physical = lines[line - 1]
        if physical.isascii():
            return col
        return len(physical.encode("utf-8")[:col].decode("utf-8", errors="ignore"))

    def convert(fix: RawFix | None) -> Fix | None:
        if fix is None:
            return None
        edits = tuple(Edit(line, char_col(line, col), end_line, char_col(end_line, end_col), content)
                      for line, col, end_line, end_col, content in fix.edits)
        return Fix(fix.applicability, fix.title, edits)

    findings: dict[tuple, Finding] = {}
    for line, col, end_line, end_col, message, fix, explanation in raw:
        found = Finding(line, char_col(line, col), message.split(" ", 1)[0], message.split(" ", 1)[1],
                        end_line, char_col(end_line, end_col), convert(fix), explanation)
        key = (found.line, found.col, found.code, found.message, found.end_line, found.end_col, found.explanation)
        seen = findings.get(key)
        # One key of a dict reported for two calls (keyword_dicts.py): a fix only if both agree.
        findings[key] = found if seen is None or seen == found else replace(found, fix=None)
    return sorted(findings.values())

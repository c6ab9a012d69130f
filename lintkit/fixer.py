"""Applying the findings' fixes: verified, byte-exact outside the edits, written atomically.

    bytes -> decode (PEP 263, BOM) -> check -> choose non-overlapping fixes ->
    splice the edits into the text -> verify -> re-check -> ... (fixed point,
    at most MAX_PASSES passes) -> encode in the file's own encoding -> write.

Which fixes: `safe` ones; `unsafe` ones too with `unsafe=True`; `display-only`
never.  A finding suppressed by `# noqa` (flake8's rules, lintkit.noqa) is not
fixed.  Within a pass fixes are taken in order of their first edit (then rule
code), and a fix whose edits overlap *or touch* an edit already chosen is left
for the next pass (ruff's rule).  Two findings with identical edits are fixed
by one application.

Verification, after every pass (any failure refuses the whole file: nothing is
written and `FixOutcome.error` says why, on one line):

* every edit lies inside the file (1-based line, 0-based character column on
  the physical lines of `lintkit.source.split_lines`, column at most the
  line's length without its line break), the edits of one fix do not overlap,
  and no edit starts or ends between two word characters (a column slip that
  would cut an identifier or number in two is refused rather than applied);
* Python 3 files: the fixed text parses with `ast.parse` and with
  `libcst.parse_module`;
* legacy files (only the tolerant parser of lintkit.legacy reads them:
  `FileResult.warning` is set, typically Python 2): *verified, not skipped*.
  libcst and `ast` cannot parse them, so instead the tolerant parse of the
  fixed text must still succeed, still need the tolerant parser, and mask
  exactly the same statements as before; the re-check rule below applies too;
* re-checking the fixed text (same engine, same noqa rules) reports no
  finding that was not expected: as multisets of (code, message), ignoring
  positions, the findings after the pass must be contained in the findings
  before it minus the ones whose fix was applied.  Messages carry no
  positions, so an edit that shifts code is fine, while one that changes
  what the analyser sees (a new finding, or a finding reworded) is refused.
  Because every pass strictly shrinks that multiset, the loop converges.

Finally the text is encoded in the encoding it was decoded from (a latin-1
coding cookie stays latin-1, a UTF-8 BOM is kept) and must decode back to the
same text.  Everything outside the edits is byte-for-byte the original: line
endings (LF, CRLF, CR), trailing whitespace, a missing final newline.  Files
whose bytes do not survive a decode/encode round trip are refused.

Writes happen only when the bytes change, through a temporary file in the
target's directory (fsync, then os.replace), keeping the permission bits (and
the owner when allowed).  A symlink is resolved and its target written; the
link stays a link.  A hard-linked file gets a new inode (the other names keep
the old content).  If the file changed between reading and writing, it is not
written.
"""

from __future__ import annotations

import ast
import difflib
import io
import os
import stat
import tempfile
import tokenize
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Callable, Iterator, Sequence

from .engine import MAX_FILE_BYTES, Engine, FileResult
from .findings import SAFE, UNSAFE, FileError, Finding, Fix
from .legacy import parse_tolerant
from .runner import MAX_CHUNK_SIZE as CHUNK_SIZE
from .runner import EngineSpec

#: Fixing reads every file in the workers (no prefilter first): a pool pays off later.
PARALLEL_THRESHOLD = 64
from .source import SourceError, decode_source, split_lines

#: Check + fix rounds per file (ruff uses 100; every pass must remove a finding).
MAX_PASSES = 10

Progress = Callable[[int, int], None]


@dataclass
class FixOutcome:
    """What fixing one file did.

    `error` set means the file was (or, with diff=True, would be) left
    untouched: unreadable, unparsable, or a fix failed verification.
    """

    #: The fixed file's bytes; None when nothing changes (or on error).
    new_bytes: bytes | None = None
    #: Findings whose fix was applied, in the order of the file.
    applied: list[Finding] = field(default_factory=list)
    #: Findings of the fixed text (the original's when nothing was applied).
    remaining: list[Finding] = field(default_factory=list)
    #: One line, no path: why the file was not fixed.
    error: str | None = None
    #: The bytes that were read (None for fix_source on text).
    old_bytes: bytes | None = None
    #: The fixed text (None when nothing changes).
    new_text: str | None = None
    #: Set for legacy files, as FileResult.warning.
    warning: FileError | None = None
    #: Check + fix rounds that changed the text.
    passes: int = 0
    #: fix_files only: the file was rewritten.
    written: bool = False


class _Refused(Exception):
    """A fix cannot be applied safely; the message is the reason."""


# ====================================================================== fix_source

def fix_source(engine: Engine, source: str | bytes, filename: str, *, unsafe: bool = False,
               honour_noqa: bool = True) -> FixOutcome:
    """Fix a file's content (bytes, as read; or text) without touching the disk.

    For bytes the result is bytes in the same encoding (stdin-style use).  For
    text, `new_bytes` is the text encoded per its coding cookie (UTF-8 if none;
    a leading U+FEFF becomes a UTF-8 BOM and is not part of `new_text`).
    """
    data: bytes | None = None
    if isinstance(source, bytes):
        data = source
        if len(data) > MAX_FILE_BYTES:
            return FixOutcome(error=f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; skipped",
                              old_bytes=data)
        try:
            decoded = decode_source(data)
        except SourceError as exc:
            return FixOutcome(error=f"cannot decode: {exc}", old_bytes=data)
        text, encoding = decoded.text, decoded.encoding
    elif source.startswith("\ufeff"):  # text with its BOM: keep the BOM, as for bytes
        text, encoding = source[1:], "utf-8-sig"
    else:
        text, encoding = source, _text_encoding(source)

    result = engine.check_text(text, filename, honour_noqa=honour_noqa)
    if result.error is not None:
        return FixOutcome(error=_describe(result.error), old_bytes=data)
    outcome = FixOutcome(remaining=result.findings, old_bytes=data, warning=result.warning)
    legacy = result.warning is not None
    try:
        masked = parse_tolerant(text, filename).masked_lines if legacy else ()
    except SyntaxError:  # cannot happen: the engine parsed it
        return outcome

    current, findings, applied = text, result.findings, []
    try:
        for _ in range(MAX_PASSES):
            chosen = _choose(current, findings, unsafe)
            if not chosen:
                break
            new_text = _splice(current, [span for spans, _ in chosen for span in spans])
            fixed = [finding for _, group in chosen for finding in group]
            new_result = _verify(engine, filename, new_text, findings, fixed, legacy, masked, honour_noqa)
            current, findings = new_text, new_result.findings
            applied.extend(fixed)
            outcome.passes += 1
        if current == text:
            return outcome
        new_bytes = _encode(current, encoding, text, data)
    except _Refused as exc:
        outcome.error = f"not fixed: {exc}"
        return outcome
    outcome.new_bytes, outcome.new_text = new_bytes, current
    outcome.applied, outcome.remaining = sorted(applied), findings
    return outcome


def _describe(error: FileError) -> str:
    return f"{error.message} (line {error.line}, column {error.col + 1})"


def _text_encoding(text: str) -> str:
    """The encoding a text's coding cookie names (UTF-8 without one)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(text.encode("utf-8", "surrogatepass")).readline)
    except SyntaxError:
        return "utf-8"
    return encoding


def _applicable(fix: Fix, unsafe: bool) -> bool:
    return fix.applicability == SAFE or (unsafe and fix.applicability == UNSAFE)


# ====================================================================== choosing and splicing

Span = tuple[int, int, str]  # start offset, end offset, replacement


class _Offsets:
    """(1-based line, 0-based character column) -> offset in the text."""

    def __init__(self, text: str):
        self.text = text
        self.lines = split_lines(text)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, line: int, col: int) -> int | None:
        if line == len(self.lines) + 1 and col == 0:
            return len(self.text)
        if not 1 <= line <= len(self.lines) or col < 0:
            return None
        physical = self.lines[line - 1]
        width = len(physical) - (2 if physical.endswith("\r\n") else 1 if physical.endswith(("\n", "\r")) else 0)
        return self.starts[line - 1] + col if col <= width else None


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _cuts_word(text: str, offset: int) -> bool:
    return 0 < offset < len(text) and _is_word(text[offset - 1]) and _is_word(text[offset])


def _spans(finding: Finding, index: _Offsets) -> list[Span]:
    where = f"the fix of {finding.code} at {finding.line}:{finding.col + 1}"
    spans = []
    for edit in finding.fix.edits:
        start, end = index.offset(edit.line, edit.col), index.offset(edit.end_line, edit.end_col)
        if start is None or end is None or end < start:
            raise _Refused(f"{where} has an edit outside the file or reversed "
                           f"({edit.line}:{edit.col + 1}-{edit.end_line}:{edit.end_col + 1})")
        if _cuts_word(index.text, start) or _cuts_word(index.text, end):
            raise _Refused(f"{where} would cut a word in two at {edit.line}:{edit.col + 1}-"
                           f"{edit.end_line}:{edit.end_col + 1} (wrong columns?)")
        spans.append((start, end, edit.content))
    spans.sort()
    for (_, end, _), (start, _, _) in zip(spans, spans[1:]):
        if start < end:
            raise _Refused(f"{where} has overlapping edits")
    return spans


def _overlaps(spans: list[Span], taken: list[tuple[int, int]]) -> bool:
    # Closed intervals: touching edits count as overlapping (ruff: last_end >= start).
    return any(start <= taken_end and taken_start <= end
               for start, end, _ in spans for taken_start, taken_end in taken)


def _choose(text: str, findings: list[Finding], unsafe: bool) -> list[tuple[list[Span], list[Finding]]]:
    index = _Offsets(text)
    candidates = []
    for finding in findings:
        if finding.fix is None or not finding.fix.edits or not _applicable(finding.fix, unsafe):
            continue
        spans = _spans(finding, index)
        if all(text[start:end] == content for start, end, content in spans):
            continue  # changes nothing
        candidates.append((spans[0][0], finding.code, finding, spans))
    candidates.sort(key=lambda item: item[:3])
    chosen: dict[tuple[Span, ...], list[Finding]] = {}
    taken: list[tuple[int, int]] = []
    for _, _, finding, spans in candidates:
        key = tuple(spans)
        if key in chosen:  # the same edits for another finding: one application fixes both
            chosen[key].append(finding)
        elif not _overlaps(spans, taken):
            chosen[key] = [finding]
            taken.extend((start, end) for start, end, _ in spans)
    return [(list(key), group) for key, group in chosen.items()]


def _splice(text: str, spans: list[Span]) -> str:
    pieces, position = [], 0
    for start, end, content in sorted(spans):
        pieces += [text[position:start], content]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


# ====================================================================== verification

def _one_line(message: str) -> str:
    return " ".join(str(message).split())


def _verify(engine: Engine, filename: str, new_text: str, before: list[Finding], fixed: list[Finding],
            legacy: bool, masked: tuple[int, ...], honour_noqa: bool) -> FileResult:
    if legacy:
        try:
            reparsed = parse_tolerant(new_text, filename)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            raise _Refused(f"the fixed legacy code no longer parses ({_one_line(exc)})") from None
        if reparsed.syntax_error is None or reparsed.masked_lines != masked:
            raise _Refused("the fixed legacy code would be read differently by the tolerant parser")
    else:
        try:
            ast.parse(new_text, filename)
        except SyntaxError as exc:
            raise _Refused(f"the fixed code would not parse ({exc.msg}, line {exc.lineno})") from None
        except (ValueError, RecursionError, MemoryError) as exc:
            raise _Refused(f"the fixed code would not parse ({_one_line(exc)})") from None
        import libcst  # not at module level: the CLI's `check` never needs it

        try:
            libcst.parse_module(new_text)
        except libcst.ParserSyntaxError as exc:
            raise _Refused(f"libcst cannot parse the fixed code ({_one_line(exc.message)}, "
                           f"line {exc.raw_line})") from None
        except Exception as exc:  # libcst's native parser raises other errors on odd input
            raise _Refused(f"libcst cannot parse the fixed code ({_one_line(exc)})") from None
    result = engine.check_text(new_text, filename, honour_noqa=honour_noqa)
    if result.error is not None:
        raise _Refused(f"re-checking the fixed code failed: {_describe(result.error)}")
    expected = Counter(_key(f) for f in before) - Counter(_key(f) for f in fixed)
    unexpected = Counter(_key(f) for f in result.findings) - expected
    if unexpected:
        code, message = sorted(unexpected)[0]
        more = sum(unexpected.values()) - 1
        raise _Refused(f"re-checking the fixed code reports a new finding: {code} {message}"
                       + (f" (and {more} more)" if more else ""))
    return result


def _key(finding: Finding) -> tuple[str, str]:
    return finding.code, finding.message


def _encode(new_text: str, encoding: str, old_text: str, data: bytes | None) -> bytes:
    if data is not None and old_text.encode(encoding) != data:
        raise _Refused(f"the file does not survive a {encoding} decode/encode round trip byte-exactly")
    try:
        new_bytes = new_text.encode(encoding)
    except UnicodeEncodeError as exc:
        raise _Refused(f"the fixed code cannot be encoded in {encoding} ({exc.reason})") from None
    try:
        same = decode_source(new_bytes).text == new_text
    except SourceError:
        same = False
    if not same:
        raise _Refused("the fixed file would not decode back to the fixed code (coding cookie edited?)")
    return new_bytes


# ====================================================================== files

def fix_file(engine: Engine, path: str, *, unsafe: bool = False, diff: bool = False) -> FixOutcome:
    """Fix one file in place (unless `diff`), following a symlink to its target."""
    try:
        target = os.path.realpath(path)
        before = os.stat(target)
        with open(target, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return FixOutcome(error=f"cannot read: {exc.strerror or exc}")
    outcome = fix_source(engine, data, path, unsafe=unsafe)
    outcome.old_bytes = data
    if outcome.error is not None or outcome.new_bytes is None or diff:
        return outcome
    try:
        write_atomically(target, outcome.new_bytes, expect=before)
    except OSError as exc:
        outcome.error = f"cannot write: {exc.strerror or exc}; file left unchanged"
    else:
        outcome.written = True
    return outcome


def write_atomically(path: str, data: bytes, expect: os.stat_result | None = None) -> None:
    """Replace `path`'s content: a temporary file in the same directory, fsync, os.replace.

    Keeps the permission bits (and owner/group where allowed).  `expect`: the
    stat taken when the content was read; a file modified since is not written.
    """
    target = os.path.realpath(path)
    current = os.stat(target)
    if expect is not None and (current.st_mtime_ns, current.st_size, current.st_ino) != (
            expect.st_mtime_ns, expect.st_size, expect.st_ino):
        raise OSError(f"{path} changed while it was being fixed")
    directory, name = os.path.split(target)
    fd, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".lintkit-tmp", dir=directory or ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, stat.S_IMODE(current.st_mode))
        if hasattr(os, "chown"):
            with suppress(OSError):
                os.chown(temporary, current.st_uid, current.st_gid)
        os.replace(temporary, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
    with suppress(OSError, AttributeError):  # make the rename itself durable (POSIX)
        dir_fd = os.open(directory or ".", os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


_worker_engine: Engine | None = None


def _init_worker(spec: EngineSpec) -> None:
    global _worker_engine
    _worker_engine = spec.build()


def _fix_chunk(job: tuple[Sequence[str], bool, bool]) -> list[FixOutcome]:
    paths, unsafe, diff = job
    return [fix_file(_worker_engine, path, unsafe=unsafe, diff=diff) for path in paths]


def fix_files(spec: EngineSpec, engine: Engine, paths: Sequence[str], *, unsafe: bool = False,
              diff: bool = False, jobs: int | None = None,
              progress: Progress | None = None) -> Iterator[tuple[str, FixOutcome]]:
    """(path, outcome) in the order of `paths`, whatever the parallelism.

    With `diff` nothing is written (outcome.old_bytes/new_bytes give the diff).
    `progress(done, total)` is called once before the first file and after
    each file.  Paths naming the same file (symlinks) are fixed once, in the
    main process, after the first of them: the later ones see the result.
    """
    paths = list(paths)
    total = len(paths)
    if progress is not None:
        progress(0, total)
    jobs = jobs or os.cpu_count() or 1
    seen: set[str] = set()
    first: list[bool] = []  # is paths[i] the first name of its file?
    for path in paths:
        real = os.path.realpath(path)
        first.append(real not in seen)
        seen.add(real)
    unique = [path for path, is_first in zip(paths, first) if is_first]

    if jobs <= 1 or len(unique) < PARALLEL_THRESHOLD:
        for done, path in enumerate(paths, 1):
            yield path, fix_file(engine, path, unsafe=unsafe, diff=diff)
            if progress is not None:
                progress(done, total)
        return
    chunks = [unique[i:i + CHUNK_SIZE] for i in range(0, len(unique), CHUNK_SIZE)]
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(spec,)) as pool:
        outcomes = (outcome for chunk_outcomes in pool.map(_fix_chunk, [(c, unsafe, diff) for c in chunks])
                    for outcome in chunk_outcomes)
        for done, (path, is_first) in enumerate(zip(paths, first), 1):
            if is_first:
                outcome = next(outcomes)
            else:  # a later name of a file already handled: it sees the result
                outcome = fix_file(engine, path, unsafe=unsafe, diff=diff)
            yield path, outcome
            if progress is not None:
                progress(done, total)


# ====================================================================== diff

def _diff_lines(data: bytes) -> list[str]:
    try:
        text = decode_source(data).text
    except SourceError:
        text = data.decode("latin-1")
    lines = []
    for line in split_lines(text):
        if line.endswith("\r"):
            line = line[:-1] + "\n"  # CR-only line breaks are shown as LF
        elif not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        lines.append(line)
    return lines


def unified_diff(path: str, old_bytes: bytes, new_bytes: bytes, context: int = 3) -> str:
    """A unified diff of two versions of a file ('' when equal), CRLF kept as is."""
    if old_bytes == new_bytes:
        return ""
    return "".join(difflib.unified_diff(_diff_lines(old_bytes), _diff_lines(new_bytes),
                                        fromfile=path, tofile=path, n=context))

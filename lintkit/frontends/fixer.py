"""Applying the findings' fixes: verified, byte-exact outside the edits, written atomically.

    bytes -> decode (PEP 263, BOM) -> check -> take the fixes of one rule ->
    splice -> verify -> re-check -> their follow-ups -> take the next fixes from
    the fresh findings ... (at most MAX_FIXES rounds) -> encode in the file's own
    encoding -> write.

Which fixes: `safe` ones; `unsafe` ones too with `unsafe=True`; `display-only`
never.  A finding suppressed by `# noqa` (flake8's rules, lintkit.reading.noqa) is not
fixed.

One rule at a time, each judged on the code as the fixes before it left it: a
round applies the fixes of one rule and kind (see `_order`; they do not
overlap or touch: ruff's rule), and the next round takes its fixes from
re-checking the fixed text, so a finding that an earlier fix made moot (LK204's
`heartbeat=30` once LK102 renamed `hearbeat=30`) is gone before its fix could
apply.  Corrections of what is written (renames, values, an option's level)
come before additions of what is missing (a keyword, a setsockopt call).  Two
findings with identical edits are fixed by one application.  A round that fails
verification is retried with its first fix alone, which is refused if it still
fails; the other fixes come back in the next rounds.

Follow-ups: a fix may bring a new finding whose own fix completes it (LK201
turns SO_KEEPALIVE on, which leaves the OS idle time: LK202 adds it).  Such
findings are fixed at once, up to MAX_FOLLOW_UPS steps.  A brought finding
whose fix is unsafe, in a run without unsafe fixes, stays reported with its
hidden fix (LK206's safe level correction turns SO_KEEPALIVE on, and LK202's
idle time is then an unsafe fix away); one with no fix at all, or a step that
fails verification, refuses the whole chain.

Verification of every round (a failure refuses that fix and its chain only: the
text stays as before it, the other fixes of the file still apply, and
`FixOutcome.refusals` says which fix was refused and why):

* every edit lies inside the file (1-based line, 0-based character column on
  the physical lines of `lintkit.reading.source.split_lines`, column at most the
  line's length without its line break), the edits of one fix do not overlap,
  and no edit starts or ends between two word characters (a column slip that
  would cut an identifier or number in two is refused rather than applied);
* Python 3 files: the fixed text parses with `ast.parse`, compiles with
  `compile()` when the original did (the parser accepts a repeated keyword
  argument; the compiler does not), and parses with `libcst.parse_module`;
* legacy files (only the tolerant parser of lintkit.reading.legacy reads them:
  `FileResult.warning` is set, typically Python 2): *verified, not skipped*.
  libcst and `ast` cannot parse them, so instead the tolerant parse of the
  fixed text must still succeed, still need the tolerant parser, and mask
  exactly the same statements as before; the re-check rule below applies too;
* re-checking the fixed text (same engine, same noqa rules) reports no
  finding that was not expected once the follow-ups are done: as multisets of
  (code, message), ignoring positions, the findings after the chain must be
  contained in the findings before it minus the fixed ones.  Messages carry no
  positions, so an edit that shifts code is fine, while one that changes what
  the analyser sees (a new finding, or a finding reworded) is refused.

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
import warnings
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Callable, Iterator, Sequence

from ..engine import MAX_FILE_BYTES, Engine, FileResult
from ..findings import SAFE, UNSAFE, FileError, Finding, Fix
from ..reading.legacy import parse_tolerant
from .runner import MAX_CHUNK_SIZE as CHUNK_SIZE
from .runner import EngineSpec

#: Fixing reads every file in the workers (no prefilter first): a pool pays off later.
PARALLEL_THRESHOLD = 64
from ..reading.source import SourceError, decode_source, split_lines

#: Rounds of fixes per file (ruff uses 100); each round is verified on its own.
MAX_FIXES = 100
#: Follow-up fixes one fix may bring before it is refused (LK201 -> LK202 is one).
MAX_FOLLOW_UPS = 4

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
    #: Rounds of fixes applied (with their follow-ups), each verified on its own.
    passes: int = 0
    #: Fixes that were not applied (the rest of the file's fixes were), with why.
    refusals: list[Refusal] = field(default_factory=list)
    #: fix_files only: the file was rewritten.
    written: bool = False


@dataclass(frozen=True)
class Refusal:
    """A fix that was not applied: its finding (at its place in the fixed text) and why."""

    finding: Finding
    reason: str

    def describe(self) -> str:
        return f"{self.finding.code} fix not applied ({self.finding.fix.title}): {self.reason}"


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

    verifier = _Verifier(engine, filename, text, legacy, masked, honour_noqa)
    current, findings, applied = text, result.findings, []
    refused: dict[tuple, str] = {}
    try:
        for _ in range(MAX_FIXES):
            batch = _next_batch(current, findings, unsafe, refused)
            if not batch:
                break
            try:
                current, new_result, chain = _apply_with_follow_ups(verifier, current, findings, batch, unsafe)
            except _Refused as exc:
                if len(batch) > 1:
                    batch = batch[:1]  # one of them spoils the batch: go one at a time
                    try:
                        current, new_result, chain = _apply_with_follow_ups(verifier, current, findings, batch,
                                                                            unsafe)
                    except _Refused as exc_alone:
                        refused[batch[0][1]] = str(exc_alone)
                        continue
                else:
                    refused[batch[0][1]] = str(exc)
                    continue
            findings = new_result.findings
            applied.extend(chain)
            outcome.passes += 1
        outcome.refusals = _refusals_left(current, findings, refused)
        outcome.remaining = findings
        if current == text:
            return outcome
        new_bytes = _encode(current, encoding, text, data)
    except _Refused as exc:
        outcome.error = f"not fixed: {exc}"
        outcome.refusals = []
        return outcome
    outcome.new_bytes, outcome.new_text = new_bytes, current
    outcome.applied = sorted(applied)
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
    spans = []
    for edit in finding.fix.edits:
        start, end = index.offset(edit.line, edit.col), index.offset(edit.end_line, edit.end_col)
        if start is None or end is None or end < start:
            raise _Refused(f"an edit lies outside the file or is reversed "
                           f"({edit.line}:{edit.col + 1}-{edit.end_line}:{edit.end_col + 1})")
        if _cuts_word(index.text, start) or _cuts_word(index.text, end):
            raise _Refused(f"an edit would cut a word in two at {edit.line}:{edit.col + 1}-"
                           f"{edit.end_line}:{edit.end_col + 1} (wrong columns?)")
        spans.append((start, end, edit.content))
    spans.sort()
    for (_, end, _), (start, _, _) in zip(spans, spans[1:]):
        if start < end:
            raise _Refused("its edits overlap")
    return spans


def _overlaps(spans: list[Span], taken: list[tuple[int, int]]) -> bool:
    # Closed intervals: touching edits count as overlapping (ruff: last_end >= start).
    return any(start <= taken_end and taken_start <= end
               for start, end, _ in spans for taken_start, taken_end in taken)


def _order(finding: Finding) -> tuple:
    """Which fix goes first: corrections of what is written (a rename, a value, a socket
    option level) before additions of what is missing (a keyword, a setsockopt call), since
    a correction can make an addition moot (`hearbeat=30` renamed is a heartbeat); then by
    rule code and place."""
    adds_only = finding.fix is not None and all((e.line, e.col) == (e.end_line, e.end_col) for e in finding.fix.edits)
    return adds_only, finding.code, finding.line, finding.col


def _identity(finding: Finding, text_lines: list[str]) -> tuple:
    """A finding as it survives other fixes moving its line: rule, message, fix, and the line's text."""
    line = text_lines[finding.line - 1].strip() if 0 < finding.line <= len(text_lines) else ""
    return finding.code, finding.message, finding.fix.title if finding.fix else "", line


def _next_batch(text: str, findings: list[Finding], unsafe: bool,
                refused: dict[tuple, str]) -> list[tuple[Finding, tuple]]:
    """The fixes to apply together: those of the first rule code that has one, that do
    not overlap or touch each other (ruff's rule), were not refused, and change something.
    Fixes of one rule are independent of each other; a later rule's are judged after them."""
    index = _Offsets(text)
    batch: list[tuple[Finding, tuple]] = []
    taken: list[tuple[int, int]] = []
    for finding in sorted(findings, key=_order):
        if batch and _order(finding)[:2] != _order(batch[0][0])[:2]:
            break
        if finding.fix is None or not finding.fix.edits or not _applicable(finding.fix, unsafe):
            continue
        identity = _identity(finding, index.lines)
        if identity in refused:
            continue
        try:
            spans = _spans(finding, index)
        except _Refused as exc:
            refused[identity] = str(exc)
            continue
        if all(text[start:end] == content for start, end, content in spans) or _overlaps(spans, taken):
            continue  # changes nothing, or waits for the next round
        batch.append((finding, identity))
        taken.extend((start, end) for start, end, _ in spans)
    return batch


def _apply_with_follow_ups(verifier: _Verifier, text: str, findings: list[Finding],
                           batch: list[tuple[Finding, tuple]], unsafe: bool) -> tuple[str, FileResult, list[Finding]]:
    """Apply fixes, then the fixes of the findings they bring (LK201's SO_KEEPALIVE brings
    LK202's idle time), until the findings are those before minus the fixed ones.

    Every step is verified; a step that fails, or a new finding without an applicable fix,
    refuses the whole chain (the text before it stays).  Other findings with exactly the
    same edits are fixed by the same application."""
    index = _Offsets(text)
    spans = [span for finding, _ in batch for span in _spans(finding, index)]
    edits = {finding.fix.edits for finding, _ in batch}
    fixed = [f for f in findings if f.fix is not None and f.fix.edits in edits]
    baseline = Counter(_key(f) for f in findings) - Counter(_key(f) for f in fixed)
    chain = list(fixed)
    for _ in range(MAX_FOLLOW_UPS + 1):
        text = _splice(text, spans)
        result = verifier.verify(text)
        unexpected = Counter(_key(f) for f in result.findings) - baseline
        if not unexpected:
            return text, result, chain
        brought = [f for f in result.findings if _key(f) in unexpected]
        follow_ups = sorted((f for f in brought if f.fix is not None and f.fix.edits and _applicable(f.fix, unsafe)),
                            key=_order)
        if not follow_ups:
            if all(f.fix is not None and f.fix.edits and f.fix.applicability == UNSAFE for f in brought):
                return text, result, chain  # left for --unsafe-fixes, which would complete it
            without = next(f for f in brought if f.fix is None or f.fix.applicability != UNSAFE)
            raise _Refused(f"it would bring a new finding that has no fix to apply: {without.code} "
                           f"{_short(without.message)}")
        spans = _spans(follow_ups[0], _Offsets(text))
        chain.append(follow_ups[0])
    raise _Refused(f"its follow-up fixes do not settle after {MAX_FOLLOW_UPS} steps")


def _refusals_left(text: str, findings: list[Finding], refused: dict[tuple, str]) -> list[Refusal]:
    """The refused fixes whose findings remain, at their final positions."""
    lines = split_lines(text)
    found = []
    for finding in findings:
        reason = refused.get(_identity(finding, lines)) if finding.fix is not None else None
        if reason is not None:
            found.append(Refusal(finding, reason))
    return found


def _short(message: str, limit: int = 90) -> str:
    return message if len(message) <= limit else message[:limit - 1].rstrip() + "…"


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


class _Verifier:
    """Checks a candidate text: it parses (and compiles, when the original did), libcst reads
    it, legacy code is still read the same way, and the re-check's findings come back."""

    def __init__(self, engine: Engine, filename: str, original: str, legacy: bool, masked: tuple[int, ...],
                 honour_noqa: bool):
        self.engine, self.filename, self.legacy, self.masked = engine, filename, legacy, masked
        self.honour_noqa = honour_noqa
        #: `compile()` catches what `ast.parse` accepts (a repeated keyword argument); it is only
        #: required of files that compiled before (code for a newer Python may not here).
        self.must_compile = not legacy and _compiles(original, filename) is None

    def verify(self, new_text: str) -> FileResult:
        if self.legacy:
            self._verify_legacy(new_text)
        else:
            self._verify_python3(new_text)
        result = self.engine.check_text(new_text, self.filename, honour_noqa=self.honour_noqa)
        if result.error is not None:
            raise _Refused(f"re-checking the fixed code failed: {_describe(result.error)}")
        return result

    def _verify_legacy(self, new_text: str) -> None:
        try:
            reparsed = parse_tolerant(new_text, self.filename)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            raise _Refused(f"the fixed legacy code would no longer parse ({_one_line(exc)})") from None
        if reparsed.syntax_error is None or reparsed.masked_lines != self.masked:
            raise _Refused("the fixed legacy code would be read differently by the tolerant parser")

    def _verify_python3(self, new_text: str) -> None:
        try:
            with _quiet():
                ast.parse(new_text, self.filename)
        except SyntaxError as exc:
            raise _Refused(f"the fixed code would not parse ({exc.msg}, line {exc.lineno})") from None
        except (ValueError, RecursionError, MemoryError) as exc:
            raise _Refused(f"the fixed code would not parse ({_one_line(exc)})") from None
        if self.must_compile:
            problem = _compiles(new_text, self.filename)
            if problem is not None:
                raise _Refused(f"the fixed code would not compile ({problem})")
        import libcst  # not at module level: the CLI's `check` never needs it

        try:
            libcst.parse_module(new_text)
        except libcst.ParserSyntaxError as exc:
            raise _Refused(f"libcst cannot parse the fixed code ({_one_line(exc.message)}, "
                           f"line {exc.raw_line})") from None
        except Exception as exc:  # libcst's native parser raises other errors on odd input
            raise _Refused(f"libcst cannot parse the fixed code ({_one_line(exc)})") from None


@contextmanager
def _quiet() -> Iterator[None]:
    """Python's own warnings about the checked code (SyntaxWarning: "is" with a literal, an
    invalid escape sequence) are not lintkit's to print, once per verification."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _compiles(text: str, filename: str) -> str | None:
    """None when `text` compiles to bytecode, else why not (one line)."""
    try:
        with _quiet():
            compile(text, filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        return f"{exc.msg}, line {exc.lineno}"
    except (ValueError, RecursionError, MemoryError) as exc:
        return _one_line(exc)
    return None


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

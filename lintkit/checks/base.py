"""The base of every rule: a code, a name, a docs page, and event handlers."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Callable, ClassVar

from ..analysis.events import AttributeStore, CallSite, KnownCall, MethodCall
from ..findings import SAFE, UNSAFE
from ..analysis.keyword_dicts import ExpandedCall
from ..analysis.suggest import Suggestion
from ..schemas.registry import SchemaSet
from ..analysis.context import DEFAULT_MAX_IDLE_SECONDS, FileContext, RuleOptions  # noqa: F401 (the rules' names)
from ..reading.syntax import walk

#: How messages name the idle timeouts that drop quiet flows: measured defaults, not a law.
CLOUD_IDLE_TIMEOUTS = "common cloud defaults: Azure 240 s, AWS NAT gateway 350 s"

#: The sections of a rule's docs page, in order (ruff's layout).
DOC_SECTIONS = ("What it does", "Why is this bad?", "When it does not report", "Example", "Use instead",
                "Fix safety", "Options", "References")

Report = Callable[..., None]


@dataclass(frozen=True)
class RawFix:
    """A fix in `ast` coordinates (UTF-8 byte columns); the engine converts it."""

    applicability: str
    title: str
    edits: tuple[tuple[int, int, int, int, str], ...]


class Check:
    """A rule.  Subclasses set `code` and `name`, write their docs page as the
    class docstring (sections in DOC_SECTIONS), and handle analyzer events."""

    code: ClassVar[str]
    name: ClassVar[str]
    #: Off unless selected explicitly.
    default_enabled: ClassVar[bool] = True
    #: "always", "sometimes" or "none" (ruff's "Fix is sometimes available").
    fix_availability: ClassVar[str] = "none"
    #: Predicates of calls the rule leaves alone (lintkit.liveness.liveness_scope.EXEMPTIONS); their
    #: docstrings open the docs page's "When it does not report" section.
    exemptions: ClassVar[tuple] = ()
    #: Reads settings modules in `finish()` (Django's DATABASES): files without imports count too.
    reads_settings_modules: ClassVar[bool] = False
    #: More of that section, as sentences (what the engine or the analyzer leaves out).
    exemption_notes: ClassVar[tuple[str, ...]] = ()
    #: A call of a `watched_methods` name on any object can be a finding of its own (LK206's
    #: `sock.setsockopt(...)`), so such a call lets a file through the prefilter.  False for
    #: rules whose watched methods only count against a finding made elsewhere (LK204's setters).
    watched_methods_report: ClassVar[bool] = True

    def __init__(self, schemas: SchemaSet, report: Report, context: FileContext | None = None):
        self.schemas = schemas
        self._report = report
        self.context = context if context is not None else FileContext("<unknown>", ast.Module([], []), RuleOptions())

    @property
    def options(self) -> RuleOptions:
        return self.context.options

    def report(self, line: int, col: int, end_line: int, end_col: int, message: str,
               fix: RawFix | None = None, explanation: str = "") -> None:
        """Positions as `ast` gives them: 1-based lines, UTF-8 byte columns.  `message`: one
        short sentence with the change to make; `explanation`: why (the full output's note)."""
        self._report(line, col, end_line, end_col, f"{self.code} {message}", fix, explanation)

    @staticmethod
    def rename_fix(suggestion: Suggestion, line: int, col: int, end_line: int, end_col: int,
                   what: str, quoted: bool = False) -> RawFix | None:
        """Rename to the suggestion: safe when one name is clearly closest by spelling,
        unsafe when it is another library's word for the concept, none on a tie."""
        if len(suggestion.names) != 1:
            return None
        (name,) = suggestion.names
        if quoted:  # the string literal of setattr(obj, "name", v): keep its quotes
            col, end_col, content = col + 1, end_col - 1, name
        else:
            content = name
        return RawFix(SAFE if suggestion.by_spelling else UNSAFE, f"Rename {what} to '{name}'",
                      ((line, col, end_line, end_col, content),))

    @staticmethod
    def add_keyword_fix(call: ast.Call, keyword: str, value: str, applicability: str = UNSAFE) -> RawFix | None:
        """Append `keyword=value` to a call's arguments.  None for a call whose keywords come from
        a dict (keyword_dicts.py): the dict may hold the keyword already (TypeError at run time)."""
        if isinstance(call, ExpandedCall):
            return None
        arguments = [*call.args, *call.keywords]
        if arguments:
            last = max(arguments, key=lambda a: (a.end_lineno, a.end_col_offset))
            at, text = (last.end_lineno, last.end_col_offset), f", {keyword}={value}"
        else:
            at, text = (call.end_lineno, call.end_col_offset - 1), f"{keyword}={value}"
        return RawFix(applicability, f"Add {keyword}={value}", ((*at, *at, text),))

    @staticmethod
    def replace_fix(node: ast.expr, text: str, title: str, applicability: str = UNSAFE) -> RawFix:
        return RawFix(applicability, title,
                      ((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset, text),))

    def insert_statements_fix(self, anchor: ast.stmt, statements: list[str], title: str, *, before: bool = False,
                              applicability: str = UNSAFE, extra: tuple = ()) -> RawFix | None:
        """New statements on their own lines after (or before) `anchor`, indented like it.

        None when the anchor shares its lines with other code (`if x: s = socket.socket()`,
        `a = 1; s = socket.socket()`): there is no line to put them on."""
        lines = self.context.lines
        if not 0 < anchor.lineno <= len(lines) or not 0 < anchor.end_lineno <= len(lines):
            return None
        first = lines[anchor.lineno - 1].encode("utf-8")
        indent = first[:anchor.col_offset]
        if indent.strip():
            return None
        last = lines[anchor.end_lineno - 1]
        body = last.rstrip("\r\n")
        newline = last[len(body):] or "\n"
        rest = body.encode("utf-8")[anchor.end_col_offset:].decode("utf-8", "replace").strip()
        if rest and not rest.startswith("#"):
            return None
        prefix = indent.decode("utf-8")
        block = "".join(prefix + line + newline if line else newline
                        for statement in statements for line in statement.split("\n"))
        if before:
            edit = (anchor.lineno, 0, anchor.lineno, 0, block)
        else:
            end = len(body.encode("utf-8"))
            edit = (anchor.end_lineno, end, anchor.end_lineno, end, newline + block[:-len(newline)])
        return RawFix(applicability, title, (*extra, edit))

    def import_edit(self, statement: str, before_line: int) -> tuple | None:
        """An edit adding `statement` after the module's last top-level import, if that
        import comes before `before_line`."""
        imports = [s for s in self.context.tree.body if isinstance(s, (ast.Import, ast.ImportFrom))]
        if not imports:
            return None
        last = imports[-1]
        if last.end_lineno >= before_line or last.end_lineno > len(self.context.lines):
            return None
        line = self.context.lines[last.end_lineno - 1]
        body = line.rstrip("\r\n")
        newline = line[len(body):] or "\n"
        rest = body.encode("utf-8")[last.end_col_offset:].decode("utf-8", "replace").strip()
        if rest and not rest.startswith("#"):
            return None
        end = len(body.encode("utf-8"))
        return (last.end_lineno, end, last.end_lineno, end, newline + statement)

    def module_binds(self, name: str) -> bool:
        """Whether the module binds `name` anywhere (import, assignment, def, parameter)."""
        for node in walk(self.context.tree):
            if isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load):
                return True
            if isinstance(node, ast.alias) and (node.asname or node.name.split(".")[0]) == name:
                return True
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
                return True
            if isinstance(node, ast.arg) and node.arg == name:
                return True
        return False

    def socket_names(self, resolver, names: tuple[str, ...], before_line: int) -> tuple[dict[str, str], tuple]:
        """How code at an event's position can spell `socket.<name>` for each name, and the
        import edit needed (empty when none is).  ({}, ()) when there is no safe spelling."""
        spelt = {name: resolver.spelling(f"socket.{name}") for name in names}
        if all(spelt.values()):
            return spelt, ()
        module = resolver.spelling("socket")
        if module is not None:
            return {name: spelt[name] or f"{module}.{name}" for name in names}, ()
        if not self.module_binds("socket"):
            edit = self.import_edit("import socket", before_line)
            if edit is not None:
                return {name: f"socket.{name}" for name in names}, (edit,)
        missing = [name for name in names if not spelt[name]]
        if not any(self.module_binds(name) for name in missing):
            edit = self.import_edit(f"from socket import {', '.join(missing)}", before_line)
            if edit is not None:
                return {name: spelt[name] or name for name in names}, (edit,)
        return {}, ()

    # ------------------------------------------------------------------ events

    @classmethod
    def watched_methods(cls, schemas: SchemaSet) -> frozenset[str]:
        """Method names whose calls on any object reach `method_call`.  Calls on known
        client objects (`event.instance` set) reach it whatever the method."""
        return frozenset()

    @classmethod
    def watched_keywords(cls, schemas: SchemaSet) -> frozenset[str]:
        """Keyword argument names: `call_site` sees every call that passes one of them."""
        return frozenset()

    def attribute_store(self, event: AttributeStore) -> None:
        pass

    def known_call(self, event: KnownCall) -> None:
        pass

    def method_call(self, event: MethodCall) -> None:
        pass

    def call_site(self, event: CallSite) -> None:
        pass

    def finish(self) -> None:
        """Called once after every event of the file (for rules that decide at the end)."""

    # ------------------------------------------------------------------ docs

    @classmethod
    def doc_sections(cls) -> dict[str, str]:
        text = _docstring(cls)
        parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
        sections = {title.strip(): body.strip() for title, body in zip(parts[1::2], parts[2::2])}
        if cls.exemptions:  # the shared exemptions, from the code that applies them
            shared = [_one_paragraph(predicate.__doc__) for predicate in cls.exemptions] + list(cls.exemption_notes)
            own = sections.get("When it does not report", "")
            sections["When it does not report"] = "\n".join(f"- {text}" for text in shared) + ("\n" + own if own else "")
        ordered = {title: sections[title] for title in DOC_SECTIONS if title in sections}
        return ordered | sections

    @classmethod
    def summary(cls) -> str:
        return _docstring(cls).split("\n## ", 1)[0].strip()

    @classmethod
    def code_example(cls, section: str) -> str:
        """The Python code block of a docs section (Example / Use instead)."""
        match = re.search(r"```python\n(.*?)```", cls.doc_sections().get(section, ""), re.DOTALL)
        return match.group(1) if match else ""


def _one_paragraph(doc: str | None) -> str:
    return " ".join((doc or "").split())


def _docstring(cls: type) -> str:
    import inspect  # only the docs need it: not worth its import time on every run

    return inspect.cleandoc(cls.__doc__ or "")

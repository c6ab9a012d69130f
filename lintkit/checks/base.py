"""The base of every rule: a code, a name, a docs page, and event handlers."""

from __future__ import annotations

import ast
import inspect
import re
from dataclasses import dataclass, field
from typing import Callable, ClassVar

from ..events import AttributeStore, CallSite, KnownCall, MethodCall
from ..findings import SAFE, UNSAFE
from ..suggest import Suggestion
from ..registry import SchemaSet
from ..versions import ProjectVersions

#: The default maximum idle time (seconds): Azure's load balancer and NAT gateway
#: forget idle flows after 240 s, the shortest common default for long-lived TCP.
DEFAULT_MAX_IDLE_SECONDS = 240

#: The sections of a rule's docs page, in order (ruff's layout).
DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety", "Options", "References")

Report = Callable[..., None]


@dataclass(frozen=True)
class RawFix:
    """A fix in `ast` coordinates (UTF-8 byte columns); the engine converts it."""

    applicability: str
    title: str
    edits: tuple[tuple[int, int, int, int, str], ...]


@dataclass(frozen=True)
class RuleOptions:
    """Settings the rules read (`max-idle-seconds`, `strict`), from the CLI config or flake8."""

    max_idle_seconds: int = DEFAULT_MAX_IDLE_SECONDS
    strict: bool = False
    #: Where library versions come from (project pins, else the installed version).
    versions: ProjectVersions = field(default_factory=ProjectVersions, compare=False)


@dataclass(frozen=True)
class FileContext:
    """What a rule knows about the file being checked."""

    filename: str
    tree: ast.Module
    options: RuleOptions


class Check:
    """A rule.  Subclasses set `code` and `name`, write their docs page as the
    class docstring (sections in DOC_SECTIONS), and handle analyzer events."""

    code: ClassVar[str]
    name: ClassVar[str]
    #: Off unless selected explicitly.
    default_enabled: ClassVar[bool] = True
    #: "always", "sometimes" or "none" (ruff's "Fix is sometimes available").
    fix_availability: ClassVar[str] = "none"

    def __init__(self, schemas: SchemaSet, report: Report, context: FileContext | None = None):
        self.schemas = schemas
        self._report = report
        self.context = context if context is not None else FileContext("<unknown>", ast.Module([], []), RuleOptions())

    @property
    def options(self) -> RuleOptions:
        return self.context.options

    def report(self, line: int, col: int, end_line: int, end_col: int, message: str,
               fix: RawFix | None = None) -> None:
        """Positions as `ast` gives them: 1-based lines, UTF-8 byte columns."""
        self._report(line, col, end_line, end_col, f"{self.code} {message}", fix)

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
        text = inspect.cleandoc(cls.__doc__ or "")
        parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
        return {title.strip(): body.strip() for title, body in zip(parts[1::2], parts[2::2])}

    @classmethod
    def summary(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "").split("\n## ", 1)[0].strip()

    @classmethod
    def code_example(cls, section: str) -> str:
        """The Python code block of a docs section (Example / Use instead)."""
        match = re.search(r"```python\n(.*?)```", cls.doc_sections().get(section, ""), re.DOTALL)
        return match.group(1) if match else ""

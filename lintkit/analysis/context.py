"""What every rule is given: the rule options, and the file being checked.

Kept apart from the rules (`lintkit.checks`) so that the analyses the rules
share (`liveness_scope`, `lifetime`, ...) can name them without importing the
rules themselves.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from ..liveness.sockets import Parents
from ..reading.source import split_lines
from ..liveness.test_code import DEFAULT_TEST_CODE_IGNORE
from ..project.versions import ProjectVersions

#: The default maximum idle time (seconds): Azure's load balancer and NAT gateway
#: forget idle flows after 240 s, the shortest common default for long-lived TCP.
DEFAULT_MAX_IDLE_SECONDS = 240


@dataclass(frozen=True)
class RuleOptions:
    """Settings the rules read (`max-idle-seconds`, `strict`, `test-code-ignore`), from the CLI config or flake8."""

    max_idle_seconds: int = DEFAULT_MAX_IDLE_SECONDS
    strict: bool = False
    #: Rule-code prefixes that do not report inside test scopes of any file (`test-code-ignore`).
    test_code_ignore: tuple[str, ...] = DEFAULT_TEST_CODE_IGNORE
    #: Where library versions come from (project pins, else the installed version).
    versions: ProjectVersions = field(default_factory=ProjectVersions, compare=False)
    #: Check the `>>>` examples of docstrings (`doctests`; lintkit.reading.doc_examples).
    doctests: bool = True


@dataclass(frozen=True)
class FileContext:
    """What a rule knows about the file being checked."""

    filename: str
    tree: ast.Module
    options: RuleOptions
    text: str = ""
    #: The project index as this file sees it (`project_index.ProjectView`), None for stdin.
    project: object = field(default=None, compare=False, repr=False)

    @property
    def parents(self) -> Parents:
        """Parent links of the tree, built once per file for every rule that needs them."""
        cached = self.__dict__.get("_parents")
        if cached is None:
            cached = Parents(self.tree)
            object.__setattr__(self, "_parents", cached)
        return cached

    @property
    def lines(self) -> list[str]:
        """The source's physical lines, line breaks kept."""
        cached = self.__dict__.get("_lines")
        if cached is None:
            cached = split_lines(self.text)
            object.__setattr__(self, "_lines", cached)
        return cached

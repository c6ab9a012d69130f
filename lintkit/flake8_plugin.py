"""The flake8 adapter: flake8 parses, lintkit's engine analyses, flake8 reports.

Suppression (`# noqa`), selection and output stay flake8's own, so
`--disable-noqa`, `--select LK` and `--extend-ignore` behave as usual.
"""

from __future__ import annotations

import ast
from typing import Any, Iterator

from . import __version__
from .config import ConfigError, Settings, flake8_options, settings_from_flake8
from .checks.base import RuleOptions
from .engine import Engine, is_selected
from .registry import load_schema_set
from .schema import SchemaError


class Plugin:
    name = "lintkit"
    version = __version__

    _engine: Engine | None = None
    _schema_paths: tuple[str, ...] = ()
    #: For test-code-paths, matched relative to the working directory (flake8's root).
    _settings: Settings = Settings()

    def __init__(self, tree: ast.Module, filename: str, lines: list[str]):
        self.tree, self.filename, self.lines = tree, filename, lines

    @classmethod
    def add_options(cls, option_manager: Any) -> None:
        # The same settings as [tool.lintkit], from one table (lintkit.config.OPTIONS);
        # select, ignore, per-file-ignores and exclude are flake8's own.
        for flag, kwargs in flake8_options():
            option_manager.add_option(flag, **kwargs)

    @classmethod
    def parse_options(cls, options: Any) -> None:
        try:
            settings = settings_from_flake8(options)
        except ConfigError as exc:
            raise SystemExit(f"lintkit: {exc}") from None
        cls._settings = settings
        paths = tuple(map(str, settings.extend_schemas))
        if cls._engine is None or paths != cls._schema_paths or settings.rule_options != cls._engine.options:
            cls._schema_paths = paths
            cls._engine = _build_engine(paths, settings.rule_options)

    @classmethod
    def engine(cls) -> Engine:
        if cls._engine is None:
            cls._engine = _build_engine(cls._schema_paths)
        return cls._engine

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        result = self.engine().check_tree(self.tree, "".join(self.lines), self.filename)
        # flake8 keeps select, ignore and per-file-ignores itself: this is test-code-paths alone.
        _, test_code_ignore = self._settings.enabled_for(self.filename) if result.findings else (None, ())
        for finding in result.findings:
            if test_code_ignore and not is_selected(finding.code, None, test_code_ignore):
                continue
            yield finding.line, finding.col, finding.text(), type(self)


def _build_engine(paths: tuple[str, ...], options: RuleOptions | None = None) -> Engine:
    try:
        return Engine(load_schema_set(paths), options=options)
    except SchemaError as exc:
        raise SystemExit(f"lintkit: {exc}") from None

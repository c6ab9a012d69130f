"""The flake8 adapter: flake8 parses, lintkit's engine analyses, flake8 reports.

Each file is judged under its closest lintkit configuration (`[tool.lintkit]`
or `lintkit.toml`, found walking up from the file, as `lintkit check` does),
with flake8's `--lintkit-*` options (command line or flake8 configuration)
winning where both are set.  Of that configuration the plugin applies
`select`, `extend-select`, `ignore`, `per-file-ignores`, `max-idle-seconds`,
`strict`, `extend-schemas`, `test-code-paths` and `test-code-ignore`: a finding
is reported when lintkit's configuration enables it, and flake8's own
selection (`--select`, `--ignore`, `--per-file-ignores`) and `# noqa` then
apply to it as to any plugin's (`--disable-noqa` keeps working).  `exclude`,
`extend-exclude` and `unsafe-fixes` are not read: flake8 chooses the files and
does not fix.  A file-level `# lintkit: noqa` or `# lintkit: noqa: CODES` is
honoured here too (flake8 knows only `# flake8: noqa`).
"""

from __future__ import annotations

import ast
import gc
import os
from typing import Any, Iterator

from .. import __version__
from .config import ConfigError, Settings, flake8_options, flake8_overrides
from ..engine import Engine, is_selected
from ..reading.noqa import file_level_codes
from .resolver import SettingsResolver
from .runner import check_spec, engine_for
from ..schemas.schema import SchemaError


class Plugin:
    name = "lintkit"
    version = __version__

    _resolver: SettingsResolver | None = None
    _honour_noqa: bool = True
    #: Engines (runner.engine_for: one per distinct spec) by the identity of the resolver's Settings.
    _engine_of_settings: dict[int, Engine] = {}

    def __init__(self, tree: ast.Module, filename: str, lines: list[str]):
        self.tree, self.filename, self.lines = tree, filename, lines
        # Resolved here, not in run(): flake8 reports an exception from the constructor as one
        # "lintkit failed" error naming the malformed setting, without a traceback.
        self.settings = self.settings_for(filename)
        self.engine = self.engine_for(self.settings)

    @classmethod
    def add_options(cls, option_manager: Any) -> None:
        # The same settings as [tool.lintkit], from one table (lintkit.frontends.config.OPTIONS);
        # select, ignore, per-file-ignores and exclude are flake8's own.
        for flag, kwargs in flake8_options():
            option_manager.add_option(flag, **kwargs)

    @classmethod
    def parse_options(cls, options: Any) -> None:
        try:
            cls._resolver = SettingsResolver(overrides=flake8_overrides(options), origin="flake8")
            cls._engine_of_settings = {}
            # A malformed option, configuration or schema of the working directory stops the run here.
            cls.engine_for(cls._resolver.for_directory(os.getcwd()))
        except (ConfigError, SchemaError) as exc:
            raise SystemExit(f"lintkit: {exc}") from None
        cls._honour_noqa = not getattr(options, "disable_noqa", False)
        # The schemas and the engine just loaded live as long as the flake8 process.  Every pass
        # of the collector's oldest generation would walk them again: about 60 passes over the
        # standard library, 0.6 s in all (as much as lintkit's own work).  In the permanent
        # generation they are left alone (with whatever flake8 loaded before: its plugins and
        # options, as long-lived); objects are still freed when no longer referenced.
        gc.freeze()

    @classmethod
    def settings_for(cls, filename: str) -> Settings:
        if cls._resolver is None:
            cls._resolver = SettingsResolver(origin="flake8")
        return cls._resolver.for_file(filename)

    @classmethod
    def engine_for(cls, settings: Settings) -> Engine:
        # The resolver keeps one Settings object per configuration: its identity is the key.
        engine = cls._engine_of_settings.get(id(settings))
        if engine is None:
            engine = cls._engine_of_settings[id(settings)] = engine_for(check_spec(settings))
        return engine

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        settings = self.settings
        result = self.engine.check_tree(self.tree, "".join(self.lines), self.filename)
        if not result.findings:
            return
        select, ignore = settings.enabled_for(self.filename)
        file_codes = file_level_codes(self.lines) if self._honour_noqa else None
        for finding in result.findings:
            if not is_selected(finding.code, select, ignore):
                continue
            if file_codes is not None and (not file_codes or finding.code.startswith(tuple(file_codes))):
                continue
            yield finding.line, finding.col, finding.text(), type(self)

